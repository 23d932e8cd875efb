// The JSON shape of a record on the command line: what `consume` prints (ndjson/json) and exactly what
// `produce --input json` reads back, so that consume → jq → produce reproduces records byte for byte.
//
//   {"topic":"demo","partition":0,"offset":41,"timestamp":1714564800000,
//    "key":"user-7","value":{"n":1},"headers":[{"key":"trace","value":"abc"}]}
//
// Encoding of every byte field (key, value, each header value), in `auto` mode:
//   null (absent bytes)                        → null
//   UTF-8 text that is canonical JSON and not a string or null, i.e. JSON.stringify(JSON.parse(text))
//   === text (`42`, `{"a":1}`, `[1,2]`, `true`)  → embedded as that JSON value
//   any other valid UTF-8 text                 → a JSON string (`hello`, `{"a": 1}` with its space, `"q"`)
//   anything else (binary)                     → a base64 string plus "<field>Encoding":"base64"
//                                                 (keyEncoding, valueEncoding, or valueEncoding inside a header)
// The canonical-JSON rule is what makes `auto` lossless: a JSON value is re-serialized to exactly the
// original bytes, and text that would not be (spacing, `1e3`, big integers) stays a string.
// `--value-format` forces the value's form: `json` (parsed when it is JSON, lossy re-serialization),
// `string` (lossy for invalid UTF-8), `base64`, `hex` (both lossless, with "valueEncoding").
// Reading (`produce --input json`): a string is UTF-8 text unless its "…Encoding" is base64 or hex; any
// other JSON value is JSON.stringify'd; null is null. `topic` and `offset` are informational; `partition`
// and `timestamp` are used when present. Headers may also be given as an object {"k":"v"}.
import { isUtf8 } from 'node:buffer';
import type { RecordHeader } from '../records/index.js';
import { UsageError } from '../common/index.js';

export type ValueFormat = 'auto' | 'json' | 'string' | 'base64' | 'hex';
export type ByteEncoding = 'base64' | 'hex';
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The record fields the CLI prints (a consumed record) or reads (a record to produce). */
export interface CliRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The text, or undefined when the bytes are not valid UTF-8. isUtf8 first: a decoder in fatal mode
 *  throws for binary values, and an exception per record made `consume` of binary data ~10× slower. */
function decodeUtf8(bytes: Buffer): string | undefined {
  return isUtf8(bytes) ? utf8.decode(bytes) : undefined;
}

/** One byte field as JSON: the value plus an encoding marker when it is not text or JSON. */
export function encodeBytes(bytes: Buffer | null, format: ValueFormat = 'auto'): { value: JsonValue; encoding?: ByteEncoding } {
  if (bytes === null) return { value: null };
  if (format === 'base64') return { value: bytes.toString('base64'), encoding: 'base64' };
  if (format === 'hex') return { value: bytes.toString('hex'), encoding: 'hex' };
  const text = decodeUtf8(bytes);
  if (format === 'string') return { value: text ?? bytes.toString('utf8') };
  if (text === undefined) return { value: bytes.toString('base64'), encoding: 'base64' };
  const parsed = format === 'json' || mayBeCanonicalJson(text) ? tryParseJson(text) : undefined;
  if (parsed !== undefined && parsed !== null && typeof parsed !== 'string') {
    if (format === 'json' || JSON.stringify(parsed) === text) return { value: parsed };
  }
  return { value: text };
}

/**
 * Whether `text` can be canonical JSON of an object, array, number or boolean (what `auto` embeds),
 * judged by its ends. Checked before JSON.parse, whose exception for every value that is not JSON
 * made `consume` of plain-text or base64 values spend ~9 µs per record in it (91k records/s).
 */
function mayBeCanonicalJson(text: string): boolean {
  switch (text.charCodeAt(0)) {
    case 0x7b: // {
      return text.charCodeAt(text.length - 1) === 0x7d; // }
    case 0x5b: // [
      return text.charCodeAt(text.length - 1) === 0x5d; // ]
    case 0x74: // t
      return text === 'true';
    case 0x66: // f
      return text === 'false';
    default:
      return JSON_NUMBER.test(text);
  }
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function tryParseJson(text: string): JsonValue | undefined {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

/** The printed object, fields in a stable order (jq and diff friendly). */
export function recordToJson(record: CliRecord, valueFormat: ValueFormat = 'auto'): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
  };
  const key = encodeBytes(record.key);
  out.key = key.value;
  if (key.encoding) out.keyEncoding = key.encoding;
  const value = encodeBytes(record.value, valueFormat);
  out.value = value.value;
  if (value.encoding) out.valueEncoding = value.encoding;
  out.headers = record.headers.map((h) => {
    const v = encodeBytes(h.value);
    const header: { [key: string]: JsonValue } = { key: h.key, value: v.value };
    if (v.encoding) header.valueEncoding = v.encoding;
    return header;
  });
  return out;
}

/** A record read from `produce --input json`; fields not given are left to the producer. */
export interface ParsedInputRecord {
  topic?: string;
  partition?: number;
  timestamp?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Inverse of encodeBytes. `where` prefixes error messages ("line 3: value"). */
export function decodeBytes(value: unknown, encoding: unknown, where: string): Buffer | null {
  if (encoding !== undefined && encoding !== null && encoding !== 'base64' && encoding !== 'hex' && encoding !== 'utf8') {
    throw new UsageError(`${where}: unknown encoding ${JSON.stringify(encoding)} (expected base64, hex or utf8)`);
  }
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    if (encoding === 'base64') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) throw new UsageError(`${where}: invalid base64`);
      return Buffer.from(value, 'base64');
    }
    if (encoding === 'hex') {
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(value)) throw new UsageError(`${where}: invalid hex`);
      return Buffer.from(value, 'hex');
    }
    return Buffer.from(value, 'utf8');
  }
  if (encoding === 'base64' || encoding === 'hex') throw new UsageError(`${where}: ${encoding} needs a string`);
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function optionalInteger(obj: { [key: string]: unknown }, field: string, where: string): number | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new UsageError(`${where}: "${field}" must be a non-negative integer`);
  }
  return v;
}

/** Parses one JSON object of `produce --input json`. Throws UsageError naming `where` and the field. */
export function recordFromJson(input: unknown, where: string): ParsedInputRecord {
  if (!isObject(input)) throw new UsageError(`${where}: expected a JSON object with at least "value"`);
  if (!('value' in input)) throw new UsageError(`${where}: missing "value" (use null for a tombstone)`);
  if (input.topic !== undefined && input.topic !== null && typeof input.topic !== 'string') {
    throw new UsageError(`${where}: "topic" must be a string`);
  }
  const record: ParsedInputRecord = {
    key: decodeBytes(input.key, input.keyEncoding, `${where}: key`),
    value: decodeBytes(input.value, input.valueEncoding, `${where}: value`),
    headers: parseHeaders(input.headers, where),
  };
  if (typeof input.topic === 'string') record.topic = input.topic;
  const partition = optionalInteger(input, 'partition', where);
  if (partition !== undefined) record.partition = partition;
  const timestamp = optionalInteger(input, 'timestamp', where);
  if (timestamp !== undefined) record.timestamp = timestamp;
  return record;
}

function parseHeaders(headers: unknown, where: string): RecordHeader[] {
  if (headers === undefined || headers === null) return [];
  if (Array.isArray(headers)) {
    return headers.map((h: unknown, i) => {
      if (!isObject(h) || typeof h.key !== 'string') {
        throw new UsageError(`${where}: headers[${i}] must be {"key": string, "value": ...}`);
      }
      return { key: h.key, value: decodeBytes(h.value, h.valueEncoding, `${where}: headers[${i}].value`) };
    });
  }
  if (isObject(headers)) {
    return Object.entries(headers).map(([key, v]) => ({ key, value: decodeBytes(v, undefined, `${where}: headers.${key}`) }));
  }
  throw new UsageError(`${where}: "headers" must be a list of {"key","value"} or an object`);
}
