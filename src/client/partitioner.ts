// Picks the partition of a record the way the Java client (and kafkajs's default partitioner) do, so
// that records produced by logctl and by other clients with the same key land in the same partition.

/** Kafka's murmur2 (Utils.murmur2 in the Java client): 32-bit, seed 0x9747b28c, little-endian words. */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const words = length >>> 2;
  for (let i = 0; i < words; i++) {
    let k = data.readInt32LE(i * 4);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The Java reference mixes the 1-3 trailing bytes with a fall-through switch; same steps, unrolled.
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= (data[tail + 2] ?? 0) << 16;
  if (rest >= 2) h ^= (data[tail + 1] ?? 0) << 8;
  if (rest >= 1) {
    h ^= data[tail] ?? 0;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs, which differs for negatives). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

export function partitionForKey(key: Buffer, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}

/**
 * Default partitioner: explicit partition, else murmur2 of the key, else a sticky partition per topic
 * that moves on (round-robin) each time a batch for it is sealed, so null-key records fill whole batches
 * (KIP-480) instead of spreading one record per partition.
 */
export class DefaultPartitioner {
  private readonly sticky = new Map<string, number>();
  private counter = Math.floor(Math.random() * 0x7fffffff);

  partition(topic: string, key: Buffer | null | undefined, numPartitions: number): number {
    if (key !== null && key !== undefined) return partitionForKey(key, numPartitions);
    let p = this.sticky.get(topic);
    if (p === undefined || p >= numPartitions) {
      p = toPositive(this.counter++) % numPartitions;
      this.sticky.set(topic, p);
    }
    return p;
  }

  /** Called when the sticky partition's batch was sealed: the next null-key records go elsewhere. */
  batchSealed(topic: string, partition: number, numPartitions: number): void {
    if (this.sticky.get(topic) === partition && numPartitions > 1) {
      this.sticky.set(topic, (partition + 1) % numPartitions);
    }
  }
}
