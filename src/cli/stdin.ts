// Streaming readers for `produce`: stdin is consumed chunk by chunk (never buffered whole), so input of
// any size flows with backpressure: the next chunk is read only when the caller asks for more. The
// *Batches forms hand out what each chunk completed as one array (one await per chunk: `produce` uses
// them); readDelimited and readJsonObjects are the same streams one item at a time.
//
// readDelimited: records separated by a delimiter of one or more bytes (default "\n"), found even when
//   it straddles two chunks. A final record without a trailing delimiter is still a record; an input
//   that ends with the delimiter has no empty record after it. Empty records in the middle are kept
//   (an empty line is an empty value). Bytes are kept exactly: "\r\n" input needs --delimiter '\r\n'.
// readJsonObjects: a stream of JSON objects, either one per line (NDJSON) or pretty-printed and
//   concatenated (what `consume --output json` and `jq .` print). Errors name the line where the
//   object starts.
import { StringDecoder } from 'node:string_decoder';
import { UsageError } from '../common/index.js';

export interface DelimitedRecord {
  bytes: Buffer;
  /** 1-based record number (the line number for the default delimiter). */
  line: number;
}

type Source = AsyncIterable<Buffer | string>;

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/** The last `n` bytes held by `pieces` (n is the delimiter length - 1, so small). */
function tailOf(pieces: Buffer[], n: number): Buffer {
  const out: Buffer[] = [];
  let have = 0;
  for (let i = pieces.length - 1; i >= 0 && have < n; i--) {
    const piece = pieces[i] ?? Buffer.alloc(0);
    const take = Math.min(piece.length, n - have);
    out.unshift(piece.subarray(piece.length - take));
    have += take;
  }
  return Buffer.concat(out);
}

/** Records one by one (readDelimitedBatches, flattened). */
export async function* readDelimited(source: Source, delimiter: Buffer = Buffer.from('\n')): AsyncGenerator<DelimitedRecord> {
  for await (const batch of readDelimitedBatches(source, delimiter)) yield* batch;
}

/** The records completed by each chunk, as one array per chunk: one await per chunk, not per record
 *  (per-record async generators cost `produce` ~1 µs a line in promise jobs). */
export async function* readDelimitedBatches(source: Source, delimiter: Buffer = Buffer.from('\n')): AsyncGenerator<DelimitedRecord[]> {
  if (delimiter.length === 0) throw new UsageError('the delimiter must not be empty');
  const d = delimiter.length;
  let pieces: Buffer[] = [];
  let line = 0;
  for await (const chunk of source) {
    let data = toBuffer(chunk);
    const batch: DelimitedRecord[] = [];
    if (d > 1 && pieces.length > 0) {
      // A delimiter split across the previous chunk(s) and this one.
      const tail = tailOf(pieces, d - 1);
      const joint = Buffer.concat([tail, data.subarray(0, d - 1)]);
      const at = joint.indexOf(delimiter);
      if (at >= 0) {
        const inPieces = tail.length - at;
        const record = Buffer.concat(pieces);
        batch.push({ bytes: record.subarray(0, record.length - inPieces), line: ++line });
        pieces = [];
        data = data.subarray(d - inPieces);
      }
    }
    let start = 0;
    for (let i = data.indexOf(delimiter); i >= 0; i = data.indexOf(delimiter, start)) {
      const part = data.subarray(start, i);
      const bytes = pieces.length > 0 ? Buffer.concat([...pieces, part]) : part;
      pieces = [];
      start = i + d;
      batch.push({ bytes, line: ++line });
    }
    if (start < data.length) pieces.push(data.subarray(start));
    if (batch.length > 0) yield batch;
  }
  if (pieces.length > 0) yield [{ bytes: Buffer.concat(pieces), line: ++line }];
}

export interface JsonInput {
  value: unknown;
  /** 1-based line where the object starts. */
  line: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** Objects one by one (readJsonObjectBatches, flattened). */
export async function* readJsonObjects(source: Source): AsyncGenerator<JsonInput> {
  for await (const batch of readJsonObjectBatches(source)) yield* batch;
}

/** The objects completed by each chunk, as one array per chunk (one await per chunk, not per object). */
export async function* readJsonObjectBatches(source: Source): AsyncGenerator<JsonInput[]> {
  const decoder = new StringDecoder('utf8');
  let line = 1; // line of the character being scanned
  let current = ''; // text of the object being read, across chunks
  let startLine = 0; // 0 when between objects
  let depth = 0;
  let inString = false;
  let escaped = false;
  const scan = (text: string, out: JsonInput[]): void => {
    let from = 0; // where `current`'s part in this chunk begins
    for (let i = 0; i < text.length; i++) {
      const c = text[i] ?? '';
      if (startLine === 0) {
        if (c === '\n') line++;
        if (WHITESPACE.has(c)) continue;
        if (c !== '{') throw new UsageError(`line ${line}: expected a JSON object, found '${c}'`);
        // NDJSON: an object alone on its line is parsed whole, without scanning it character by
        // character (that scan was a quarter of `produce --input json`); anything else is scanned.
        const end = text.indexOf('\n', i);
        if (end > i && text.charCodeAt(lastNonBlank(text, i, end)) === 0x7d /* } */) {
          const value = tryParse(text.slice(i, end));
          if (value !== undefined) {
            out.push({ value, line });
            line++;
            i = end;
            continue;
          }
        }
        startLine = line;
        depth = 1;
        from = i;
        continue;
      }
      if (c === '\n') line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          const json = current + text.slice(from, i + 1);
          current = '';
          const where = startLine;
          startLine = 0;
          out.push({ value: parse(json, where), line: where });
        }
      }
    }
    if (startLine !== 0) current += text.slice(from);
  };
  // The objects before bad input are handed out before its error, as they would be one by one.
  const scanned = function* (text: string): Generator<JsonInput[]> {
    const out: JsonInput[] = [];
    try {
      scan(text, out);
    } finally {
      if (out.length > 0) yield out;
    }
  };
  for await (const chunk of source) yield* scanned(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  yield* scanned(decoder.end());
  if (startLine !== 0) throw new UsageError(`line ${startLine}: unexpected end of input inside a JSON object`);
}

/** Index of the last character of text[from, to) that is not whitespace (from when there is none). */
function lastNonBlank(text: string, from: number, to: number): number {
  let i = to - 1;
  while (i > from && WHITESPACE.has(text[i] ?? '')) i--;
  return i;
}

/** A JSON object, or undefined when `json` is not one (the caller scans it then). */
function tryParse(json: string): unknown {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function parse(json: string, line: number): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (err: unknown) {
    throw new UsageError(`line ${line}: invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}
