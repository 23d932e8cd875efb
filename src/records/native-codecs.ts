// Lazy loading of the native compression modules. Each loads on first use, so a missing prebuilt binary
// only disables its codec (UNSUPPORTED_COMPRESSION_TYPE) instead of stopping every import of records/.
import { createRequire } from 'node:module';
import { KafkaError, ErrorCode, errorMessage } from '../common/index.js';

export type SnappyModule = typeof import('snappy');
export type Lz4Module = typeof import('lz4-napi');
export type ZstdModule = typeof import('zstd-napi');
export type ZstdBinding = typeof import('zstd-napi/binding.js');

const require = createRequire(import.meta.url);
const cache = new Map<string, unknown>();

function load<T>(specifier: string, codec: string): T {
  if (cache.has(specifier)) return cache.get(specifier) as T;
  try {
    const mod = require(specifier) as T;
    cache.set(specifier, mod);
    return mod;
  } catch (err) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `${codec} compression is unavailable: cannot load ${specifier} (${errorMessage(err)})`,
      { cause: err },
    );
  }
}

export const loadSnappy = (): SnappyModule => load<SnappyModule>('snappy', 'snappy');
export const loadLz4 = (): Lz4Module => load<Lz4Module>('lz4-napi', 'lz4');
export const loadZstd = (): ZstdModule => load<ZstdModule>('zstd-napi', 'zstd');
export const loadZstdBinding = (): ZstdBinding => load<ZstdBinding>('zstd-napi/binding.js', 'zstd');
