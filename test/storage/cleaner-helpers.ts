// Shared by the compaction tests: keyed batches, a model of what was written, and a reader that walks
// a compacted log (offsets may be sparse; batches may cover offsets past their last record).
import { BATCH_FIELD, BATCH_OVERHEAD, buildRecordBatch, decodeRecordBatches, type CompressionType } from '../../src/records/index.js';
import type { Log } from '../../src/storage/index.js';

export interface Written {
  offset: number;
  key: string;
  value: string | null;
}

/** Appends one batch of keyed records (value null = tombstone); returns them with their offsets. */
export async function appendKeyed(
  log: Log,
  records: { key: string; value: string | null; timestamp?: number }[],
  compression: CompressionType = 'none',
): Promise<Written[]> {
  const batch = await buildRecordBatch(
    records.map((r) => ({
      key: Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      ...(r.timestamp !== undefined ? { timestamp: r.timestamp } : {}),
    })),
    { compression },
  );
  const res = await log.append(batch);
  return records.map((r, i) => ({ offset: res.baseOffset + i, key: r.key, value: r.value }));
}

/** What compaction must leave: in the sealed part the latest record of each key (minus `dropKeys`'
 *  tombstones), everything from `activeBase` on. */
export function expectedAfterCompaction(written: Written[], activeBase: number, dropTombstones: boolean): Written[] {
  const latest = new Map<string, number>();
  for (const w of written) if (w.offset < activeBase) latest.set(w.key, w.offset);
  return written.filter(
    (w) => w.offset >= activeBase || (latest.get(w.key) === w.offset && !(dropTombstones && w.value === null)),
  );
}

/** Every record of the log with its offset, walking batch ranges (so sparse offsets are fine). Also
 *  checks that batches tile the offsets: each starts where the previous ended. */
export async function readCompacted(log: Log, maxBytes = 64 * 1024): Promise<Written[]> {
  const out: Written[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const res = await log.read(offset, maxBytes);
    if (res.size === 0) throw new Error(`nothing readable at ${offset} below ${log.highWatermark}`);
    const buf = Buffer.concat(res.records);
    let next = -1;
    for (let p = 0; p < buf.length; p += BATCH_OVERHEAD + buf.readInt32BE(p + BATCH_FIELD.batchLength)) {
      const base = Number(buf.readBigInt64BE(p));
      if (next >= 0 && base !== next) throw new Error(`batch at ${base} does not continue ${next}`);
      next = base + buf.readInt32BE(p + BATCH_FIELD.lastOffsetDelta) + 1;
    }
    for (const r of await decodeRecordBatches(buf)) {
      if (r.offset < offset) continue;
      out.push({ offset: r.offset, key: r.key?.toString() ?? '', value: r.value?.toString() ?? null });
    }
    if (next <= offset) throw new Error(`read at ${offset} did not advance`);
    offset = next;
  }
  return out;
}

