import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { buildRecordBatch, decodeRecordBatches } from '../../src/records/index.js';
import { DEFAULT_LOG_CONFIG, Log, type LogConfig, type LogOptions } from '../../src/storage/index.js';

const dirs: string[] = [];

afterEach(async () => {
  while (dirs.length > 0) await rm(dirs.pop()!, { recursive: true, force: true });
});

/** A fresh temp dir, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'logctl-storage-'));
  dirs.push(dir);
  return dir;
}

/** A batch of `count` records whose values are `${prefix}-${i}`; optional fixed timestamp. */
export function batch(prefix: string, count = 1, timestamp?: number, padding = 0): Promise<Buffer> {
  const pad = 'x'.repeat(padding);
  return buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`${prefix}-${i}${pad}`),
      ...(timestamp !== undefined ? { timestamp: timestamp + i } : {}),
    })),
  );
}

export function config(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

export function openLog(dir: string, overrides: Partial<LogOptions> = {}): Promise<Log> {
  return Log.open({ dir, topic: 't', partition: 0, config: config(), ...overrides });
}

/** Every record of the log from `from`, as "offset:value" strings, read in one pass of fetches. */
export async function readAll(log: Log, from = log.logStartOffset, maxBytes = 1 << 20): Promise<string[]> {
  const out: string[] = [];
  let offset = from;
  while (offset < log.highWatermark) {
    const res = await log.read(offset, maxBytes);
    if (res.size === 0) break;
    const records = await decodeRecordBatches(Buffer.concat(res.records));
    for (const r of records) if (r.offset >= offset) out.push(`${r.offset}:${r.value?.toString() ?? 'null'}`);
    offset = records[records.length - 1]!.offset + 1;
  }
  return out;
}
