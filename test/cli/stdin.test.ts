import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/index.js';
import { readDelimited, readDelimitedBatches, readJsonObjects } from '../../src/cli/stdin.js';

async function records(chunks: string[], delimiter?: string): Promise<string[]> {
  const out: string[] = [];
  const source = Readable.from(chunks.map((c) => Buffer.from(c)));
  for await (const r of readDelimited(source, delimiter === undefined ? undefined : Buffer.from(delimiter))) out.push(r.bytes.toString());
  return out;
}

/** Every way of cutting `text` into two or three chunks. */
function splits(text: string): string[][] {
  const out: string[][] = [[text]];
  for (let i = 0; i <= text.length; i++) {
    out.push([text.slice(0, i), text.slice(i)]);
    for (let j = i; j <= text.length; j++) out.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  }
  return out;
}

describe('readDelimited', () => {
  it('splits lines, keeps a final line without newline, adds no record after a final newline', async () => {
    expect(await records(['1\n2\n3\n'])).toEqual(['1', '2', '3']);
    expect(await records(['1\n2\n3'])).toEqual(['1', '2', '3']);
    expect(await records(['a\n\nb\n'])).toEqual(['a', '', 'b']);
    expect(await records([])).toEqual([]);
    expect(await records([''])).toEqual([]);
  });

  it('finds single and multi-byte delimiters at every chunk boundary', async () => {
    for (const chunks of splits('ab\ncd\n\nef')) expect(await records(chunks)).toEqual(['ab', 'cd', '', 'ef']);
    for (const chunks of splits('ab::cd:::ef::')) expect(await records(chunks, '::')).toEqual(['ab', 'cd', ':ef']);
    for (const chunks of splits('x\r\ny\r\n')) expect(await records(chunks, '\r\n')).toEqual(['x', 'y']);
  });

  it('keeps CR bytes with the default delimiter (exact bytes)', async () => {
    expect(await records(['a\r\nb\r\n'])).toEqual(['a\r', 'b\r']);
  });

  it('numbers records from 1', async () => {
    const lines: number[] = [];
    for await (const r of readDelimited(Readable.from([Buffer.from('a\nb\nc')]))) lines.push(r.line);
    expect(lines).toEqual([1, 2, 3]);
  });

  it('streams: yields the first record before the source ends', async () => {
    let pushed = 0;
    async function* source(): AsyncGenerator<Buffer> {
      pushed++;
      yield Buffer.from('first\nsec');
      pushed++;
      yield Buffer.from('ond\n');
    }
    const it = readDelimited(source());
    const first = await it.next();
    expect(first.value?.bytes.toString()).toBe('first');
    expect(pushed).toBe(1);
  });
});

async function objects(chunks: string[]): Promise<{ value: unknown; line: number }[]> {
  const out: { value: unknown; line: number }[] = [];
  for await (const o of readJsonObjects(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(o);
  return out;
}

describe('readDelimitedBatches', () => {
  it('hands out the records each chunk completes as one array, numbered across chunks', async () => {
    const source = Readable.from(['a\nb\nc', 'd\r', '\ne\r\nf'].map((c) => Buffer.from(c)));
    const batches: string[][] = [];
    for await (const batch of readDelimitedBatches(source, Buffer.from('\r\n'))) batches.push(batch.map((r) => `${r.line}:${r.bytes.toString()}`));
    // The delimiter straddling chunks 2 and 3 completes "a\nb\ncd" in chunk 3's array; chunk 2 completes nothing.
    expect(batches).toEqual([['1:a\nb\ncd', '2:e'], ['3:f']]);
  });
});

describe('readJsonObjects', () => {
  const ndjson = '{"value":1}\n{"value":"a}b{\\"c"}\n\n{"value":[{"x":"é"}]}\n';
  const expected = [
    { value: { value: 1 }, line: 1 },
    { value: { value: 'a}b{"c' }, line: 2 },
    { value: { value: [{ x: 'é' }] }, line: 4 },
  ];

  it('reads NDJSON split at any byte, including inside a multi-byte character', async () => {
    const bytes = Buffer.from(ndjson);
    for (let i = 0; i <= bytes.length; i++) {
      const out: { value: unknown; line: number }[] = [];
      for await (const o of readJsonObjects(Readable.from([bytes.subarray(0, i), bytes.subarray(i)]))) out.push(o);
      expect(out).toEqual(expected);
    }
  });

  it('numbers lines the same whether an object is parsed as a whole line or scanned', async () => {
    const mixed = '{"a":1}\n\n{"b":2} {"c":3}\n{"d":4}  \r\n{\n "e": 5\n}\n{"f":"}"}\n';
    expect(await objects([mixed])).toEqual([
      { value: { a: 1 }, line: 1 },
      { value: { b: 2 }, line: 3 },
      { value: { c: 3 }, line: 3 },
      { value: { d: 4 }, line: 4 },
      { value: { e: 5 }, line: 5 },
      { value: { f: '}' }, line: 8 },
    ]);
    await expect(objects(['{"a":1}\n{"b":2}\n{"c":}\n'])).rejects.toThrow(/^line 3: invalid JSON/);
  });

  it('reads pretty-printed concatenated objects (jq . output) with their starting lines', async () => {
    const pretty = '{\n  "value": 1\n}\n{\n  "value": {\n    "a": 2\n  }\n}';
    expect(await objects([pretty])).toEqual([{ value: { value: 1 }, line: 1 }, { value: { value: { a: 2 } }, line: 4 }]);
    expect(await objects(['{"a":1}{"b":2}'])).toEqual([{ value: { a: 1 }, line: 1 }, { value: { b: 2 }, line: 1 }]);
  });

  it.each([
    ['{"value":1}\n42\n', 'line 2: expected a JSON object'],
    ['{"value":1}\n{"value": nope}\n', 'line 2: invalid JSON'],
    ['{"value":1}\n\n{"value":\n', 'line 3: unexpected end of input'],
    ['[{"value":1}]', 'line 1: expected a JSON object'],
  ])('reports errors with line numbers: %j', async (input, message) => {
    const run = objects([input]);
    await expect(run).rejects.toThrow(UsageError);
    await expect(objects([input])).rejects.toThrow(message);
  });
});
