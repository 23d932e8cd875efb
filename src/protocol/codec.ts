// The generic interpreter of schema.ts descriptors: one decoder and one encoder for every API and version.
// Body layout of a struct in version v: its fields present in v, in descriptor order; in flexible
// versions followed by a tagged-field section:
//   uvarint count, then per field: uvarint tag, uvarint size, `size` bytes of value
// Tags we know (for this version) are decoded, unknown ones skipped; on encode a tagged field is written
// only when its value differs from its default. In flexible versions strings, bytes, records and arrays
// use compact (uvarint length+1) prefixes.
import { ProtocolError } from '../common/index.js';
import { Reader } from './reader.js';
import { inRange, cloneDefault, type FieldSchema, type FieldType, type MessageSchema } from './schema.js';
import { Writer } from './writer.js';

type Obj = Record<string, unknown>;

/** Smallest encoding of a value of `type`: bounds array counts before allocating. */
function minSize(type: FieldType, version: number, compact: boolean): number {
  switch (type.kind) {
    case 'array':
      return compact ? 1 : 4;
    case 'struct': {
      let n = compact ? 1 : 0;
      for (const f of type.fields) if (f.tag === null && inRange(f.versions, version)) n += minSize(f.type, version, compact);
      return n;
    }
    case 'primitive':
      switch (type.type) {
        case 'bool':
        case 'int8':
          return 1;
        case 'int16':
        case 'uint16':
          return 2;
        case 'int32':
          return 4;
        case 'int64':
        case 'float64':
          return 8;
        case 'uuid':
          return 16;
        case 'string':
          return compact ? 1 : 2;
        case 'bytes':
        case 'records':
          return compact ? 1 : 4;
      }
  }
}

function decodeValue(r: Reader, type: FieldType, nullable: boolean, version: number, compact: boolean): unknown {
  switch (type.kind) {
    case 'struct':
      return decodeStruct(r, type.fields, version, compact);
    case 'array': {
      const n = r.arrayLength(compact, nullable, minSize(type.element, version, compact));
      if (n === -1) return null;
      const items: unknown[] = [];
      for (let i = 0; i < n; i++) items.push(decodeValue(r, type.element, false, version, compact));
      return items;
    }
    case 'primitive':
      switch (type.type) {
        case 'bool':
          return r.bool();
        case 'int8':
          return r.int8();
        case 'int16':
          return r.int16();
        case 'uint16':
          return r.uint16();
        case 'int32':
          return r.int32();
        case 'int64':
          return r.int64();
        case 'float64':
          return r.float64();
        case 'uuid':
          return r.uuid();
        case 'string':
          return r.string(compact, nullable);
        case 'bytes':
          // Copied: group metadata and assignments outlive the request frame.
          return r.bytes(compact, nullable, true);
        case 'records':
          return r.bytes(compact, nullable, false);
      }
  }
}

function decodeStruct(r: Reader, fields: readonly FieldSchema[], version: number, flexible: boolean): Obj {
  const obj: Obj = {};
  for (const f of fields) {
    if (f.tag !== null || !inRange(f.versions, version)) obj[f.name] = cloneDefault(f.defaultValue);
    else obj[f.name] = decodeValue(r, f.type, inRange(f.nullable, version), version, flexible);
  }
  if (flexible) {
    // Each tagged field takes at least 2 bytes (tag, size).
    const count = r.uvarint();
    if (count * 2 > r.remaining) throw new ProtocolError(`${count} tagged fields cannot fit in ${r.remaining} bytes`);
    for (let i = 0; i < count; i++) {
      const tag = r.uvarint();
      const size = r.uvarint();
      const value = r.sub(size);
      const known = fields.find((f) => f.tag === tag && inRange(f.versions, version));
      if (known) obj[known.name] = decodeValue(value, known.type, inRange(known.nullable, version), version, true);
    }
  }
  return obj;
}

/** Decodes a whole body; flexible bodies must be consumed exactly, older ones may carry trailing bytes. */
export function decodeMessage(schema: MessageSchema, body: Buffer, version: number): Obj {
  const flexible = inRange(schema.flexible, version);
  const r = new Reader(body);
  const obj = decodeStruct(r, schema.fields, version, flexible);
  if (flexible && r.remaining > 0) {
    throw new ProtocolError(`${r.remaining} unexpected bytes after a flexible message body`);
  }
  return obj;
}

function typeError(path: string, expected: string, value: unknown): ProtocolError {
  return new ProtocolError(`${path}: expected ${expected}, got ${typeof value}`);
}

function asNumber(value: unknown, path: string): number {
  if (typeof value !== 'number') throw typeError(path, 'number', value);
  return value;
}

function asBuffer(value: unknown, path: string): Buffer {
  if (!Buffer.isBuffer(value)) throw typeError(path, 'Buffer', value);
  return value;
}

/** Accepts a 16-byte Buffer or a textual UUID ("xxxxxxxx-xxxx-…" or 32 hex digits). */
function asUuid(value: unknown, path: string): Buffer {
  if (typeof value === 'string') {
    const hex = value.replace(/-/g, '');
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ProtocolError(`${path}: bad uuid ${value}`);
    return Buffer.from(hex, 'hex');
  }
  return asBuffer(value, path);
}

function encodeValue(w: Writer, type: FieldType, value: unknown, nullable: boolean, version: number, compact: boolean, path: string): void {
  if (value === null) {
    if (!nullable) throw new ProtocolError(`${path} is not nullable in version ${version}`);
    if (type.kind === 'array') return w.length(-1, compact, true);
    if (type.kind === 'primitive' && type.type === 'string') return w.string(null, compact);
    if (type.kind === 'primitive' && (type.type === 'bytes' || type.type === 'records')) return w.bytes(null, compact, false);
    throw new ProtocolError(`${path}: null is not encodable`);
  }
  switch (type.kind) {
    case 'struct':
      if (typeof value !== 'object') throw typeError(path, 'object', value);
      return encodeStruct(w, type.fields, value as Obj, version, compact, path);
    case 'array': {
      if (!Array.isArray(value)) throw typeError(path, 'array', value);
      w.length(value.length, compact, true);
      value.forEach((item: unknown, i) => encodeValue(w, type.element, item, false, version, compact, `${path}[${i}]`));
      return;
    }
    case 'primitive':
      switch (type.type) {
        case 'bool':
          if (typeof value !== 'boolean') throw typeError(path, 'boolean', value);
          return w.bool(value);
        case 'int8':
          return w.int8(asNumber(value, path));
        case 'int16':
          return w.int16(asNumber(value, path));
        case 'uint16':
          return w.uint16(asNumber(value, path));
        case 'int32':
          return w.int32(asNumber(value, path));
        case 'float64':
          return w.float64(asNumber(value, path));
        case 'int64':
          if (typeof value === 'number' && Number.isSafeInteger(value)) return w.int64(BigInt(value));
          if (typeof value !== 'bigint') throw typeError(path, 'bigint', value);
          return w.int64(value);
        case 'uuid':
          return w.uuid(asUuid(value, path));
        case 'string':
          if (typeof value !== 'string') throw typeError(path, 'string', value);
          return w.string(value, compact);
        case 'bytes':
          return w.bytes(asBuffer(value, path), compact, false);
        case 'records':
          return w.bytes(asBuffer(value, path), compact, true);
      }
  }
}

function isDefault(value: unknown, defaultValue: unknown): boolean {
  if (value === defaultValue) return true;
  if (Array.isArray(value)) return value.length === 0 && Array.isArray(defaultValue) && defaultValue.length === 0;
  if (Buffer.isBuffer(value)) return Buffer.isBuffer(defaultValue) && value.equals(defaultValue);
  return false;
}

/** A field the caller left undefined is encoded as its default, so callers may omit unused fields. */
function valueOf(obj: Obj, f: FieldSchema): unknown {
  const value = obj[f.name];
  return value === undefined ? f.defaultValue : value;
}

function encodeStruct(w: Writer, fields: readonly FieldSchema[], obj: Obj, version: number, flexible: boolean, path: string): void {
  const tagged: FieldSchema[] = [];
  for (const f of fields) {
    if (!inRange(f.versions, version)) continue;
    if (f.tag !== null) {
      if (!isDefault(valueOf(obj, f), f.defaultValue)) tagged.push(f);
      continue;
    }
    encodeValue(w, f.type, valueOf(obj, f), inRange(f.nullable, version), version, flexible, `${path}.${f.name}`);
  }
  if (!flexible) return;
  tagged.sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0));
  w.uvarint(tagged.length);
  for (const f of tagged) {
    // The size prefix comes first, so the value is encoded on its own and then copied in.
    const inner = new Writer();
    encodeValue(inner, f.type, valueOf(obj, f), inRange(f.nullable, version), version, true, `${path}.${f.name}`);
    const bytes = Buffer.concat(inner.finish());
    w.uvarint(f.tag ?? 0);
    w.uvarint(bytes.length);
    w.raw(bytes);
  }
}

export function encodeMessage(schema: MessageSchema, obj: object, version: number, path: string): Buffer[] {
  const w = new Writer();
  encodeStruct(w, schema.fields, obj as Obj, version, inRange(schema.flexible, version), path);
  return w.finish();
}
