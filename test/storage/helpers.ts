import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { buildRecordBatch, decodeRecordBatches } from '../../src/records/index.js';
import { DEFAULT_LOG_CONFIG, Log, nodeFileSystem, setStorageFileSystem, type LogConfig, type LogOptions, type StorageFile } from '../../src/storage/index.js';

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

/** Polls `check` every 5 ms until it holds; fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A test body running `fn` with every `.log` fsync held by a gate (gatedLogDatasync), and the real
 *  file system back afterwards. */
export function withGatedLogDatasync(fn: (gate: ReturnType<typeof gatedLogDatasync>) => Promise<void>): () => Promise<void> {
  return async () => {
    const gate = gatedLogDatasync();
    try {
      await fn(gate);
    } finally {
      gate.restore();
    }
  };
}

/** Makes storage/ hold every fsync of a segment's `.log` file (whose path passes `only`) until
 *  release(): `held` counts the fsyncs that reached the gate. restore() puts the real file system back. */
export function gatedLogDatasync(only: (path: string) => boolean = () => true): { readonly held: number; release(): void; restore(): void } {
  let released: () => void = () => {};
  const open = new Promise<void>((resolve) => (released = resolve));
  let held = 0;
  const hold = (file: StorageFile) => async (): Promise<void> => {
    held++;
    await open;
    return file.datasync();
  };
  const restore = interceptLogFiles((file, method) => (method === 'datasync' ? hold(file) : undefined), only);
  return {
    get held() {
      return held;
    },
    release: () => released(),
    restore,
  };
}

/** Makes storage/ count its calls on segment `.log` files by method (`calls`, reset by the test at
 *  will); after failNextWrite() the next write, in either form, fails with ENOSPC; after
 *  slowNextSyncCall(ms) the next synchronous call takes at least `ms` (a disk that stalls). */
export function tracedLogFiles(): { calls: Map<string, number>; failNextWrite(): void; slowNextSyncCall(ms: number): void; restore(): void } {
  const calls = new Map<string, number>();
  let failWrite = false;
  let stallMs = 0;
  const enospc = (): Error => {
    failWrite = false;
    return Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  };
  const restore = interceptLogFiles((file, method) => {
    const real = Reflect.get(file, method) as unknown;
    if (typeof real !== 'function') return undefined;
    return (...args: unknown[]): unknown => {
      calls.set(method, (calls.get(method) ?? 0) + 1);
      if (failWrite && method === 'writev') return Promise.reject(enospc());
      if (failWrite && method === 'writevSync') throw enospc();
      if (stallMs > 0 && method.endsWith('Sync')) {
        const until = performance.now() + stallMs;
        stallMs = 0;
        while (performance.now() < until); // blocks, as a synchronous call on a stalled disk would
      }
      return (real as (...a: unknown[]) => unknown).apply(file, args);
    };
  });
  return { calls, failNextWrite: () => (failWrite = true), slowNextSyncCall: (ms) => (stallMs = ms), restore };
}

/** Makes storage/ open segment `.log` files (whose path passes `only`) with the methods `override`
 *  returns in place of the real ones (undefined: the real one); returns the restore function. */
function interceptLogFiles(override: (file: StorageFile, method: string) => unknown, only: (path: string) => boolean = () => true): () => void {
  return setStorageFileSystem({
    ...nodeFileSystem,
    async open(path, flags) {
      const file = await nodeFileSystem.open(path, flags);
      if (!path.endsWith('.log') || !only(path)) return file;
      return new Proxy(file, {
        get(target, prop) {
          const replaced = typeof prop === 'string' ? override(target, prop) : undefined;
          if (replaced !== undefined) return replaced;
          const value: unknown = Reflect.get(target, prop);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  });
}
