// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of RecordBatch v2.
// The native @node-rs/crc32 is used when it loads (SSE4.2/ARMv8 instructions); otherwise a pure
// slicing-by-8 table implementation gives the same answer, only slower, so a missing prebuilt binary
// never stops the broker.
import { createRequire } from 'node:module';

type Crc32cFn = (input: Uint8Array, initialState?: number | null) => number;

const POLY = 0x82f63b78;

/** 8 tables of 256 entries: table k maps a byte to its CRC contribution k bytes further on. */
const TABLES: Uint32Array = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
}

/** Pure JavaScript CRC-32C; `initial` continues a previous result (crc(a+b) = crc(b, crc(a))). */
export function crc32cFallback(buf: Uint8Array, initial = 0): number {
  const t = TABLES;
  let crc = ~initial >>> 0;
  let i = 0;
  const len = buf.length;
  const end8 = len - (len % 8);
  while (i < end8) {
    const lo = (crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24))) >>> 0;
    crc =
      t[7 * 256 + (lo & 0xff)]! ^
      t[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      t[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + buf[i + 4]!]! ^
      t[2 * 256 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
    i += 8;
  }
  while (i < len) {
    crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
    i++;
  }
  return ~crc >>> 0;
}

function loadNative(): Crc32cFn | null {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('@node-rs/crc32') as { crc32c?: unknown };
    if (typeof mod.crc32c !== 'function') return null;
    const fn = mod.crc32c as Crc32cFn;
    // A binary built for the wrong CPU could load yet answer wrongly: check the standard vector once.
    return fn(Buffer.from('123456789')) >>> 0 === 0xe3069283 ? fn : null;
  } catch {
    return null;
  }
}

const native: Crc32cFn | null = loadNative();

/** True when the native implementation is in use (tests compare both). */
export const crc32cIsNative: boolean = native !== null;

/** CRC-32C of `buf`, continuing from `initial` (default 0, a fresh checksum). Unsigned 32-bit result. */
export function crc32c(buf: Uint8Array, initial = 0): number {
  if (native !== null) return native(buf, initial) >>> 0;
  return crc32cFallback(buf, initial);
}
