// Builds message objects from a codec's descriptors, for round-trip tests: `sample` fills every field the
// version has with non-default values, `expected` is what decoding must give back (absent fields at
// their defaults). Written independently of codec.ts so that a bug there does not cancel out here.
import fc from 'fast-check';
import { inRange, type FieldSchema, type FieldType, type MessageSchema } from '../../src/protocol/schema.js';

type Obj = Record<string, unknown>;

let counter = 0;

function primitiveSample(type: string, nullable: boolean): unknown {
  counter++;
  if (nullable && counter % 5 === 0) return null;
  switch (type) {
    case 'bool':
      return counter % 2 === 0;
    case 'int8':
      return (counter % 120) - 7;
    case 'int16':
      return 300 + counter;
    case 'uint16':
      return 65000 - counter;
    case 'int32':
      return 100000 + counter * 7;
    case 'int64':
      return 2n ** 40n + BigInt(counter);
    case 'float64':
      return counter + 0.5;
    case 'string':
      return `tópico-${counter}`;
    case 'bytes':
      return Buffer.from(`bytes-${counter}`);
    case 'records':
      // Every other one is large enough to be written by reference.
      return Buffer.alloc(counter % 2 === 0 ? 1500 : 20, counter % 251);
    case 'uuid':
      return Buffer.alloc(16, counter);
    default:
      throw new Error(`no sample for ${type}`);
  }
}

function valueSample(type: FieldType, nullable: boolean, version: number): unknown {
  if (type.kind === 'primitive') return primitiveSample(type.type, nullable);
  if (type.kind === 'struct') return structSample(type.fields, version);
  counter++;
  if (nullable && counter % 3 === 0) return null;
  return [valueSample(type.element, false, version), valueSample(type.element, false, version)];
}

function structSample(fields: readonly FieldSchema[], version: number): Obj {
  const obj: Obj = {};
  for (const f of fields) obj[f.name] = valueSample(f.type, inRange(f.nullable, version), version);
  return obj;
}

export function sample(schema: MessageSchema, version: number): Obj {
  return structSample(schema.fields, version);
}

/** The object decode must return: fields outside the version at their defaults, recursively. */
export function expected(schema: MessageSchema, obj: Obj, version: number): Obj {
  const flexible = inRange(schema.flexible, version);
  return expectStruct(schema.fields, obj, version, flexible);
}

function expectStruct(fields: readonly FieldSchema[], obj: Obj, version: number, flexible: boolean): Obj {
  const out: Obj = {};
  for (const f of fields) {
    const present = inRange(f.versions, version) && (f.tag === null || flexible);
    out[f.name] = present ? expectValue(f.type, obj[f.name], version, flexible) : f.defaultValue;
  }
  return out;
}

function expectValue(type: FieldType, value: unknown, version: number, flexible: boolean): unknown {
  if (value === null) return null;
  if (type.kind === 'struct') return expectStruct(type.fields, value as Obj, version, flexible);
  if (type.kind === 'array') return (value as unknown[]).map((v) => expectValue(type.element, v, version, flexible));
  return value;
}

/** A fast-check arbitrary of valid message objects for one version. */
export function arbitrary(schema: MessageSchema, version: number): fc.Arbitrary<Obj> {
  return structArb(schema.fields, version);
}

function structArb(fields: readonly FieldSchema[], version: number): fc.Arbitrary<Obj> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) record[f.name] = valueArb(f.type, inRange(f.nullable, version), version);
  return fc.record(record);
}

function valueArb(type: FieldType, nullable: boolean, version: number): fc.Arbitrary<unknown> {
  let arb: fc.Arbitrary<unknown>;
  if (type.kind === 'struct') arb = structArb(type.fields, version);
  else if (type.kind === 'array') arb = fc.array(valueArb(type.element, false, version), { maxLength: 3 });
  else arb = primitiveArb(type.type);
  return nullable ? fc.option(arb, { nil: null }) : arb;
}

function primitiveArb(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double({ noNaN: true });
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 8 });
    case 'bytes':
      return fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a));
    case 'records':
      return fc.oneof(
        fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
        fc.integer({ min: 1025, max: 3000 }).map((n) => Buffer.alloc(n, n % 256)),
      );
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
    default:
      throw new Error(`no arbitrary for ${type}`);
  }
}
