// The compact descriptor format in which messages/<api>.ts describe their requests and responses, e.g.
//   field('partitionIndex', 'int32'), field('records', 'records', { nullable: '0+' }),
//   array('topics', [...fields], { versions: '2+' }), array('replicaNodes', 'int32')
// Version ranges use Kafka's notation: '3+', '1-4', '2', 'none'. The facts (names, types, versions,
// defaults) come from Kafka's message specs; codec.ts interprets these descriptors.

export type Primitive =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export type FieldType =
  | { readonly kind: 'primitive'; readonly type: Primitive }
  | { readonly kind: 'array'; readonly element: FieldType }
  | { readonly kind: 'struct'; readonly fields: readonly FieldSchema[] };

export interface FieldSchema {
  readonly name: string;
  readonly type: FieldType;
  /** Versions in which the field is on the wire (for tagged fields: the tagged versions). */
  readonly versions: VersionRange;
  readonly nullable: VersionRange | null;
  /** Tag number of a tagged field (flexible versions only), or null for a regular field. */
  readonly tag: number | null;
  /** Value in versions without the field, and the value a tagged field is omitted at. */
  readonly defaultValue: unknown;
}

export interface MessageSchema {
  readonly flexible: VersionRange | null;
  readonly fields: readonly FieldSchema[];
}

export interface FieldOptions {
  versions?: string;
  nullable?: string;
  tag?: number;
  default?: unknown;
}

const NONE: VersionRange = { min: 1, max: 0 };

/** Parses Kafka's version-range notation; throws on a malformed descriptor (a programming error). */
export function versionRange(spec: string): VersionRange {
  if (spec === 'none') return NONE;
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return { min: Number(plus[1]), max: Number.POSITIVE_INFINITY };
  const span = /^(\d+)-(\d+)$/.exec(spec);
  if (span) return { min: Number(span[1]), max: Number(span[2]) };
  if (/^\d+$/.test(spec)) return { min: Number(spec), max: Number(spec) };
  throw new Error(`bad version range in descriptor: ${spec}`);
}

export function inRange(range: VersionRange | null, version: number): boolean {
  return range !== null && version >= range.min && version <= range.max;
}

function zeroValue(type: FieldType): unknown {
  switch (type.kind) {
    case 'array':
      return [];
    case 'struct':
      return Object.fromEntries(type.fields.map((f) => [f.name, cloneDefault(f.defaultValue)]));
    case 'primitive':
      switch (type.type) {
        case 'bool':
          return false;
        case 'int64':
          return 0n;
        case 'string':
          return '';
        case 'bytes':
        case 'records':
          return Buffer.alloc(0);
        case 'uuid':
          return Buffer.alloc(16);
        default:
          return 0;
      }
  }
}

/** Defaults are shared by every decode, so mutable ones (arrays, structs, buffers) are copied. */
export function cloneDefault(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneDefault);
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneDefault(v)]));
  }
  return value;
}

function make(name: string, type: FieldType, options: FieldOptions): FieldSchema {
  const nullable = options.nullable === undefined ? null : versionRange(options.nullable);
  let defaultValue = options.default;
  if (defaultValue === undefined) defaultValue = nullable !== null ? null : zeroValue(type);
  return {
    name,
    type,
    versions: versionRange(options.versions ?? '0+'),
    nullable,
    tag: options.tag ?? null,
    defaultValue,
  };
}

/** A primitive field. */
export function field(name: string, type: Primitive, options: FieldOptions = {}): FieldSchema {
  return make(name, { kind: 'primitive', type }, options);
}

/** An array of primitives (`'int32'`) or of structs (a list of fields). */
export function array(
  name: string,
  element: Primitive | readonly FieldSchema[],
  options: FieldOptions = {},
): FieldSchema {
  const elementType: FieldType =
    typeof element === 'string' ? { kind: 'primitive', type: element } : { kind: 'struct', fields: element };
  return make(name, { kind: 'array', element: elementType }, options);
}

/** A nested (non-array) struct. */
export function struct(name: string, fields: readonly FieldSchema[], options: FieldOptions = {}): FieldSchema {
  return make(name, { kind: 'struct', fields }, options);
}

/** A request or response body: `flexible` is the message's flexibleVersions ('none' if never). */
export function message(flexible: string, fields: readonly FieldSchema[]): MessageSchema {
  const range = versionRange(flexible);
  return { flexible: range.min > range.max ? null : range, fields };
}
