import { describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/common/index.js';
import { encodeBytes, recordFromJson, recordToJson, type CliRecord } from '../../src/cli/record-format.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const binary = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x01]);

function record(overrides: Partial<CliRecord> = {}): CliRecord {
  return { topic: 'demo', partition: 2, offset: 41, timestamp: 1714564800000, key: null, value: null, headers: [], ...overrides };
}

/** consume → NDJSON text → produce --input json, as through a pipe. */
function roundTrip(r: CliRecord): ReturnType<typeof recordFromJson> {
  const line = JSON.stringify(recordToJson(r));
  return recordFromJson(JSON.parse(line), 'line 1');
}

describe('encodeBytes (auto)', () => {
  it('embeds canonical JSON that is not a string or null', () => {
    expect(encodeBytes(b('42'))).toEqual({ value: 42 });
    expect(encodeBytes(b('{"a":[1,true]}'))).toEqual({ value: { a: [1, true] } });
    expect(encodeBytes(b('false'))).toEqual({ value: false });
  });

  it('keeps non-canonical JSON, JSON strings and null text as strings so they round-trip', () => {
    expect(encodeBytes(b('{"a": 1}'))).toEqual({ value: '{"a": 1}' });
    expect(encodeBytes(b('1e3'))).toEqual({ value: '1e3' });
    expect(encodeBytes(b('12345678901234567890'))).toEqual({ value: '12345678901234567890' });
    expect(encodeBytes(b('"quoted"'))).toEqual({ value: '"quoted"' });
    expect(encodeBytes(b('null'))).toEqual({ value: 'null' });
    expect(encodeBytes(b(''))).toEqual({ value: '' });
    expect(encodeBytes(b('héllo ✓'))).toEqual({ value: 'héllo ✓' });
  });

  it('embeds exactly the texts whose JSON re-serializes to themselves (the definition, checked directly)', () => {
    const texts = ['0', '-0', '7', '-12.5', '1e+21', '1e21', '1E5', '0.1', '01', '1.', '.5', '+1', '-', 'true', 'false', 'tru',
      'falsey', 'null', '{}', '[]', '[1,2]', '{"a":1}', '{"a":1} ', ' {"a":1}', '{', '[1,2', '{"a":}', 'text', 'f', 't', '"s"'];
    for (const text of texts) {
      let canonical = false;
      try {
        const parsed: unknown = JSON.parse(text);
        canonical = parsed !== null && typeof parsed !== 'string' && JSON.stringify(parsed) === text;
      } catch {
        // not JSON
      }
      expect(encodeBytes(b(text)), text).toEqual(canonical ? { value: JSON.parse(text) } : { value: text });
    }
  });

  it('does not try to parse text that cannot be canonical JSON (an exception per record made consume slow)', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      for (const text of ['rZ5hX5zBIXkEg1Tli2O', '2024-01-01 started', 'hello', 'Nw/+9nuJRAp0', 'foo=1']) encodeBytes(b(text));
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('marks binary as base64, and honours forced formats', () => {
    expect(encodeBytes(binary)).toEqual({ value: binary.toString('base64'), encoding: 'base64' });
    expect(encodeBytes(b('42'), 'string')).toEqual({ value: '42' });
    expect(encodeBytes(b('42'), 'hex')).toEqual({ value: '3432', encoding: 'hex' });
    expect(encodeBytes(b('42'), 'base64')).toEqual({ value: 'NDI=', encoding: 'base64' });
    expect(encodeBytes(b('{"a": 1}'), 'json')).toEqual({ value: { a: 1 } });
    expect(encodeBytes(null, 'hex')).toEqual({ value: null });
  });
});

describe('recordToJson', () => {
  it('prints the documented shape in a stable field order', () => {
    const r = record({ key: b('user-7'), value: b('{"n":1}'), headers: [{ key: 'trace', value: b('abc') }, { key: 'bin', value: binary }] });
    expect(JSON.stringify(recordToJson(r))).toBe(
      '{"topic":"demo","partition":2,"offset":41,"timestamp":1714564800000,"key":"user-7","value":{"n":1},' +
        `"headers":[{"key":"trace","value":"abc"},{"key":"bin","value":"${binary.toString('base64')}","valueEncoding":"base64"}]}`,
    );
  });
});

describe('consume → produce round trip', () => {
  it.each([
    ['text key and value', record({ key: b('k1'), value: b('hello world') })],
    ['JSON value', record({ key: b('7'), value: b('{"a":{"b":[1,2,3]},"c":"x"}') })],
    ['non-canonical JSON', record({ value: b('{ "spaced" : true }') })],
    ['JSON string text', record({ value: b('"just a string"') })],
    ['binary key and value', record({ key: binary, value: Buffer.from([0, 1, 2, 255]) })],
    ['null key and null value (tombstone)', record({ key: null, value: null })],
    ['empty value', record({ value: Buffer.alloc(0) })],
    ['the text null', record({ value: b('null') })],
    ['headers: text, JSON, binary, null, repeated keys in order', record({
      value: b('v'),
      headers: [{ key: 'a', value: b('1') }, { key: 'a', value: b('two') }, { key: 'bin', value: binary }, { key: 'nil', value: null }],
    })],
  ])('%s is reproduced byte for byte', (_name, r) => {
    const back = roundTrip(r);
    expect(back.key).toEqual(r.key);
    expect(back.value).toEqual(r.value);
    expect(back.headers).toEqual(r.headers);
    expect(back.partition).toBe(r.partition);
    expect(back.timestamp).toBe(r.timestamp);
    expect(back.topic).toBe(r.topic);
  });

  it('round-trips forced base64 and hex values', () => {
    for (const format of ['base64', 'hex'] as const) {
      const obj = recordToJson(record({ value: binary }), format);
      expect(recordFromJson(JSON.parse(JSON.stringify(obj)), 'x').value).toEqual(binary);
    }
  });
});

describe('recordFromJson', () => {
  it('accepts a minimal object and headers as a map', () => {
    expect(recordFromJson({ value: { x: 1 }, headers: { h: 'v', n: 2 } }, 'line 1')).toEqual({
      key: null, value: b('{"x":1}'), headers: [{ key: 'h', value: b('v') }, { key: 'n', value: b('2') }],
    });
  });

  it.each([
    [[1, 2], 'expected a JSON object'],
    [{ key: 'k' }, 'missing "value"'],
    [{ value: 'x', valueEncoding: 'rot13' }, 'unknown encoding'],
    [{ value: '***', valueEncoding: 'base64' }, 'invalid base64'],
    [{ value: 'abc', valueEncoding: 'hex' }, 'invalid hex'],
    [{ value: 1, valueEncoding: 'base64' }, 'needs a string'],
    [{ value: 'x', partition: -1 }, '"partition" must be a non-negative integer'],
    [{ value: 'x', timestamp: 'now' }, '"timestamp" must be a non-negative integer'],
    [{ value: 'x', headers: [{ value: 'no key' }] }, 'headers[0]'],
    [{ value: 'x', headers: 'h=v' }, '"headers" must be'],
    [{ value: 'x', topic: 5 }, '"topic" must be a string'],
  ])('rejects %j', (input, message) => {
    expect(() => recordFromJson(input, 'line 9')).toThrow(UsageError);
    expect(() => recordFromJson(input, 'line 9')).toThrow(`line 9`);
    expect(() => recordFromJson(input, 'line 9')).toThrow(message);
  });
});
