// Producer id blocks in a cluster: brokers claim ranges of producer ids from one etcd key so that no two
// brokers ever hand out the same id. The key (in the cluster namespace, next to etcd-keys.ts's keys):
//
//   producer_id_block    decimal text: the first producer id not yet claimed by any broker; absent = 0.
//
// A claim reads it and writes `next + size` in a transaction guarded by the value's mod revision (or by
// its absence), retrying when another broker won the race; the block [next, next + size) is then this
// broker's. Ids of a block left unused (broker restart) are skipped, never reused.
import type { Namespace } from 'etcd3';
import { ErrorCode, KafkaError } from '../common/index.js';

export const PRODUCER_ID_BLOCK_KEY = 'producer_id_block';
const CLAIM_RETRIES = 20;

/** Where a broker gets blocks of producer ids from (etcd here; a local file on a single node). */
export interface ProducerIdBlockSource {
  /** Claims `size` consecutive, never handed out ids; returns the first. */
  claim(size: number): Promise<number>;
}

export class EtcdProducerIdBlocks implements ProducerIdBlockSource {
  constructor(private readonly ns: Namespace) {}

  async claim(size: number): Promise<number> {
    for (let attempt = 0; attempt < CLAIM_RETRIES; attempt++) {
      const kv = (await this.ns.get(PRODUCER_ID_BLOCK_KEY).exec()).kvs[0];
      const first = kv === undefined ? 0 : Number(kv.value.toString());
      if (!Number.isSafeInteger(first) || first < 0) {
        throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `etcd value at ${PRODUCER_ID_BLOCK_KEY} is not a producer id`);
      }
      const guard = kv === undefined ? this.ns.if(PRODUCER_ID_BLOCK_KEY, 'Create', '==', 0) : this.ns.if(PRODUCER_ID_BLOCK_KEY, 'Mod', '==', kv.mod_revision);
      const res = await guard.then(this.ns.put(PRODUCER_ID_BLOCK_KEY).value(String(first + size))).commit();
      if (res.succeeded) return first;
    }
    throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `could not claim a producer id block after ${CLAIM_RETRIES} attempts`);
  }
}
