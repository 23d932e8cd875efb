// Produce: validate each partition's batches (records.validateBatches: size, magic, CRC, counts),
// check their size against the topic's max.message.bytes, append, and answer once the append resolved
// (acks 1 and -1; with a single broker every replica is in sync). acks=0 gets no response at all.
// v0-2 are advertised only because librdkafka probes Produce v0 for compression support (protocol.md
// §2.1); they are answered UNSUPPORTED_VERSION for every partition.
import { ErrorCode, KafkaError } from '../../common/index.js';
import {
  Produce,
  type ProduceRequest,
  type ProduceResponse,
  type ProduceResponsePartition,
} from '../../protocol/index.js';
import { BATCH_OVERHEAD, checkRecordFraming, validateBatches } from '../../records/index.js';
import type { Log } from '../../storage/index.js';
import type { BrokerContext } from '../context.js';
import { toErrorCode } from '../to-error-code.js';
import { produceOnLeader } from './produce-cluster.js';
import type { Handler } from './handler.js';

const VALID_ACKS = new Set([-1, 0, 1]);

export const produceHandler: Handler<ProduceRequest, ProduceResponse> = {
  codec: Produce,
  minVersion: 3,
  maxVersion: 7,
  advertisedMinVersion: 0,
  refuse: (request) => answerAll(request, ErrorCode.UNSUPPORTED_VERSION),
  async handle(request, _version, ctx) {
    if (!VALID_ACKS.has(request.acks)) return answerAll(request, ErrorCode.INVALID_REQUIRED_ACKS);
    // Every partition's append starts now, in request order (see producePartition).
    const pending = request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((p) => {
        const cluster = ctx.broker.cluster;
        if (cluster === null) return producePartition(ctx.broker, topic.name, p.index, p.records);
        const appendTo = (log: Log): Promise<ProduceResponsePartition> => append(ctx.broker, log, p.records, p.index, topic.name);
        return produceOnLeader(ctx.broker, cluster, topic.name, p.index, request.acks, request.timeoutMs, p.records, appendTo);
      }),
    }));
    const responses = [];
    for (const topic of pending) responses.push({ name: topic.name, partitionResponses: await Promise.all(topic.partitionResponses) });
    return request.acks === 0 ? null : { responses, throttleTimeMs: 0 };
  },
};

function answerAll(request: ProduceRequest, errorCode: number): ProduceResponse {
  return {
    responses: request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => failed(p.index, errorCode)),
    })),
    throttleTimeMs: 0,
  };
}

function failed(index: number, errorCode: number): ProduceResponsePartition {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

/**
 * Not async until the append has been issued when the log exists: appends of pipelined requests on one
 * connection must reach the partition's queue in arrival order.
 */
function producePartition(broker: BrokerContext, topic: string, partition: number, records: Buffer | null): Promise<ProduceResponsePartition> {
  const log = broker.logs.getLog(topic, partition);
  if (log !== undefined) return append(broker, log, records, partition, topic);
  return broker.topics.ensure(topic, true).then(
    (created) => {
      const late = created === undefined ? undefined : broker.logs.getLog(topic, partition);
      if (late === undefined) return failed(partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      return append(broker, late, records, partition, topic);
    },
    (err: unknown) => failed(partition, toErrorCode(err, broker.logger, { api: 'Produce', topic, partition })),
  );
}

function append(broker: BrokerContext, log: Log, records: Buffer | null, partition: number, topic: string): Promise<ProduceResponsePartition> {
  try {
    if (records === null || records.length === 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'produce request without record batches');
    const { headers, positions } = validateBatches(records);
    // The CRC proves the batch arrived as built, not that it was built right: check the record framing
    // consumers will decode (uncompressed batches only; nothing is decompressed on produce).
    for (let i = 0; i < headers.length; i++) checkRecordFraming(records, positions[i]!, headers[i]!);
    const maxBytes = log.config.maxMessageBytes;
    for (const h of headers) {
      if (h.batchLength + BATCH_OVERHEAD > maxBytes) {
        throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${h.batchLength + BATCH_OVERHEAD} bytes exceeds max.message.bytes ${maxBytes}`);
      }
    }
    return log.append(records).then(
      (result) => {
        // Counted from the batch headers already parsed above: no per-record work.
        broker.metrics?.produced(topic, records.length, headers.reduce((n, h) => n + h.recordsCount, 0));
        return {
          index: partition,
          errorCode: 0,
          baseOffset: BigInt(result.baseOffset),
          logAppendTimeMs: log.config.messageTimestampType === 'LogAppendTime' ? BigInt(result.logAppendTime) : -1n,
          logStartOffset: BigInt(result.logStartOffset),
        };
      },
      (err: unknown) => failed(partition, toErrorCode(err, broker.logger, { api: 'Produce', topic, partition })),
    );
  } catch (err) {
    return Promise.resolve(failed(partition, toErrorCode(err, broker.logger, { api: 'Produce', topic, partition })));
  }
}
