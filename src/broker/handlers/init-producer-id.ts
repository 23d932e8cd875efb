// InitProducerId 0-1: gives an idempotent producer (transactionalId null) a new producer id with epoch
// 0; the partitions' logs then check its sequences (storage/producer-state.ts). Transactions are not
// supported: a transactionalId is answered TRANSACTIONAL_ID_AUTHORIZATION_FAILED, the answer Kafka
// gives a client that may not use transactions (a non-retriable error, so the client fails at once with
// a clear message instead of retrying forever as it would on COORDINATOR_NOT_AVAILABLE).
import { ErrorCode } from '../../common/index.js';
import { InitProducerId, type InitProducerIdRequest, type InitProducerIdResponse } from '../../protocol/index.js';
import { toErrorCode } from '../to-error-code.js';
import type { Handler } from './handler.js';

export const initProducerIdHandler: Handler<InitProducerIdRequest, InitProducerIdResponse> = {
  codec: InitProducerId,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, _version, ctx) {
    const answer = (errorCode: number, producerId = -1n, producerEpoch = -1): InitProducerIdResponse => ({
      throttleTimeMs: 0,
      errorCode,
      producerId,
      producerEpoch,
    });
    if (request.transactionalId !== null) return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    try {
      return answer(0, await ctx.broker.producerIds.nextId(), 0);
    } catch (err) {
      // An unreachable etcd or a failed write: retriable for the client.
      const code = toErrorCode(err, ctx.broker.logger, { api: 'InitProducerId' });
      return answer(code === ErrorCode.UNKNOWN_SERVER_ERROR || code === ErrorCode.KAFKA_STORAGE_ERROR ? ErrorCode.COORDINATOR_NOT_AVAILABLE : code);
    }
  },
};
