// Shared by the in-process crash tests: batches with known values, and a
// reader that returns every record of a log checking that offsets are dense.
import { buildRecordBatch, decodeRecordBatches } from '../../src/records/index.js';
import type { Log } from '../../src/storage/index.js';

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return n;
}

export function valuesBatch(values: string[]): Promise<Buffer> {
  return buildRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: Date.now() })));
}

/** Every record from logStartOffset to the high watermark as [offset, value]; throws if offsets are not dense. */
export async function readLog(log: Log): Promise<[number, string][]> {
  const out: [number, string][] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const res = await log.read(offset, 1 << 20);
    if (res.size === 0) throw new Error(`${log.topic}-${log.partition}: nothing readable at ${offset} below hw ${log.highWatermark}`);
    for (const r of await decodeRecordBatches(Buffer.concat(res.records))) {
      if (r.offset < offset) continue;
      if (r.offset !== offset) throw new Error(`${log.topic}-${log.partition}: offset ${r.offset} follows ${offset - 1} (gap)`);
      out.push([r.offset, r.value?.toString() ?? 'null']);
      offset++;
    }
  }
  return out;
}
