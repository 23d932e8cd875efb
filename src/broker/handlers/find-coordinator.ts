// FindCoordinator: on a single node this broker coordinates every group (key type 0); in a cluster the
// coordinator is the leader of the group's `__consumer_offsets` partition (COORDINATOR_NOT_AVAILABLE
// while it has none; the topic is created on first need). Transactions (key type 1) have no
// coordinator yet: COORDINATOR_NOT_AVAILABLE, which clients retry.
import { ErrorCode } from '../../common/index.js';
import { FindCoordinator, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../../protocol/index.js';
import type { Handler } from './handler.js';

const GROUP_KEY_TYPE = 0;
const TRANSACTION_KEY_TYPE = 1;

function refusal(errorCode: number, errorMessage: string): FindCoordinatorResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
}

export const findCoordinatorHandler: Handler<FindCoordinatorRequest, FindCoordinatorResponse> = {
  codec: FindCoordinator,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, version, ctx) {
    // v0 has no key type: always a group.
    const keyType = version === 0 ? GROUP_KEY_TYPE : request.keyType;
    if (keyType === TRANSACTION_KEY_TYPE) return refusal(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'transactions are not supported by this broker yet');
    if (keyType !== GROUP_KEY_TYPE) return refusal(ErrorCode.INVALID_REQUEST, `unknown coordinator key type ${keyType}`);
    const { advertised, config, cluster } = ctx.broker;
    if (cluster !== null) return { throttleTimeMs: 0, ...(await cluster.groups.coordinatorFor(request.key)) };
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: config.nodeId, host: advertised.host, port: advertised.port };
  },
};
