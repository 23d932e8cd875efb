// Produce in a cluster: only the partition's current, unfenced leader appends (NOT_LEADER_OR_FOLLOWER
// otherwise, so the client refreshes metadata). acks=all refuses before appending when the ISR is
// smaller than min.insync.replicas (NOT_ENOUGH_REPLICAS), then answers only once the high watermark
// (every ISR member has it) passed the batch; if the ISR shrank below min.insync.replicas meanwhile
// the records are kept but the answer is NOT_ENOUGH_REPLICAS_AFTER_APPEND (the producer retries).
import { ErrorCode, KafkaError } from '../../common/index.js';
import type { ProduceResponsePartition } from '../../protocol/index.js';
import { BATCH_FIELD, BATCH_OVERHEAD } from '../../records/index.js';
import type { LeaderPartition } from '../../replication/index.js';
import type { Log } from '../../storage/index.js';
import type { BrokerContext, ClusterRuntime } from '../context.js';
import { toErrorCode } from '../to-error-code.js';

export type AppendFn = (log: Log) => Promise<ProduceResponsePartition>;

export function produceOnLeader(
  broker: BrokerContext,
  cluster: ClusterRuntime,
  topic: string,
  partition: number,
  acks: number,
  timeoutMs: number,
  records: Buffer | null,
  append: AppendFn,
): Promise<ProduceResponsePartition> {
  const leader = cluster.replicas.leader(topic, partition);
  if (leader === undefined) {
    if (cluster.view.topics.has(topic)) return Promise.resolve(failed(partition, ErrorCode.NOT_LEADER_OR_FOLLOWER));
    // Unknown here: auto-create (if allowed), then the client retries against the leader it finds.
    return broker.topics.ensure(topic, true).then(
      (created) => failed(partition, created === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NOT_LEADER_OR_FOLLOWER),
      (err: unknown) => failed(partition, toErrorCode(err, broker.logger, { api: 'Produce', topic, partition })),
    );
  }
  try {
    leader.assertLeading();
    const minIsr = minInsyncReplicas(broker, cluster, topic);
    if (acks === -1 && leader.isr.length < minIsr) {
      throw new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS, `${topic}-${partition} has ${leader.isr.length} in-sync replicas, min.insync.replicas is ${minIsr}`);
    }
    return append(leader.log).then((res) => (res.errorCode !== 0 ? res : afterAppend(broker, leader, res, acks, timeoutMs, records, minIsr, topic)));
  } catch (err) {
    return Promise.resolve(failed(partition, toErrorCode(err, broker.logger, { api: 'Produce', topic, partition })));
  }
}

async function afterAppend(
  broker: BrokerContext,
  leader: LeaderPartition,
  res: ProduceResponsePartition,
  acks: number,
  timeoutMs: number,
  records: Buffer | null,
  minIsr: number,
  topic: string,
): Promise<ProduceResponsePartition> {
  leader.onAppend();
  if (acks !== -1 || records === null) return res;
  try {
    await leader.waitForHighWatermark(lastOffsetOf(records) + 1, timeoutMs);
    if (leader.isr.length < minIsr) {
      throw new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, `${topic}-${res.index}: the ISR shrank to ${leader.isr.length} below min.insync.replicas ${minIsr}`);
    }
    leader.assertLeading();
    return res;
  } catch (err) {
    return failed(res.index, toErrorCode(err, broker.logger, { api: 'Produce', topic, partition: res.index }));
  }
}

function minInsyncReplicas(broker: BrokerContext, cluster: ClusterRuntime, topic: string): number {
  const override = cluster.view.topics.get(topic)?.configs['min.insync.replicas'];
  return override === undefined ? broker.config.minInsyncReplicas : Number(override);
}

/** The offset of the last record of the (offset-assigned, appended) batches. */
function lastOffsetOf(buf: Buffer): number {
  let position = 0;
  let last = -1;
  while (position + BATCH_OVERHEAD <= buf.length) {
    last = Number(buf.readBigInt64BE(position + BATCH_FIELD.baseOffset)) + buf.readInt32BE(position + BATCH_FIELD.lastOffsetDelta);
    position += BATCH_OVERHEAD + buf.readInt32BE(position + BATCH_FIELD.batchLength);
  }
  return last;
}

function failed(index: number, errorCode: number): ProduceResponsePartition {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}
