// `consume --format FMT`: kcat-style templates, rendered to raw bytes (a binary value passes through
// untouched, as with kcat's %s).
//
//   %t topic   %p partition   %o offset   %k key   %v value (%s is an alias, as in kcat)
//   %T timestamp (epoch ms)   %h headers as k=v pairs joined by ','   %% a literal '%'
//   \n newline   \t tab   \r carriage return   \0 NUL   \\ backslash
// A null key or value prints nothing; a header with a null value prints just its key.
import { UsageError } from '../common/index.js';
import type { CliRecord } from './record-format.js';

type Token =
  | { kind: 'literal'; bytes: Buffer }
  | { kind: 'field'; field: 't' | 'p' | 'o' | 'k' | 'v' | 'T' | 'h' };

export type FormatTemplate = readonly Token[];

const FIELDS = new Set(['t', 'p', 'o', 'k', 'v', 'T', 'h']);
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\' };

export const FORMAT_TOKENS = '%t topic, %p partition, %o offset, %k key, %v value, %T timestamp, %h headers, %% percent; escapes \\n \\t \\r \\0 \\\\';

/** Parses a template once; throws UsageError on an unknown token or escape. */
export function parseFormat(format: string): FormatTemplate {
  const tokens: Token[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal) tokens.push({ kind: 'literal', bytes: Buffer.from(literal, 'utf8') });
    literal = '';
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    const next = format[i + 1];
    if (c === '%') {
      if (next === '%') literal += '%';
      else if (next !== undefined && (FIELDS.has(next) || next === 's')) {
        flush();
        tokens.push({ kind: 'field', field: next === 's' ? 'v' : (next as 't' | 'p' | 'o' | 'k' | 'v' | 'T' | 'h') });
      } else throw new UsageError(`invalid --format: unknown token '%${next ?? ''}'; tokens are ${FORMAT_TOKENS}`);
      i++;
    } else if (c === '\\') {
      const escaped = next === undefined ? undefined : ESCAPES[next];
      if (escaped === undefined) throw new UsageError(`invalid --format: unknown escape '\\${next ?? ''}'; tokens are ${FORMAT_TOKENS}`);
      literal += escaped;
      i++;
    } else {
      literal += c;
    }
  }
  flush();
  return tokens;
}

/** Renders one record; the result is written to stdout as is (no newline added). */
export function renderFormat(template: FormatTemplate, record: CliRecord): Buffer {
  const parts: Buffer[] = [];
  for (const token of template) {
    if (token.kind === 'literal') {
      parts.push(token.bytes);
      continue;
    }
    switch (token.field) {
      case 't': parts.push(Buffer.from(record.topic)); break;
      case 'p': parts.push(Buffer.from(String(record.partition))); break;
      case 'o': parts.push(Buffer.from(String(record.offset))); break;
      case 'T': parts.push(Buffer.from(String(record.timestamp))); break;
      case 'k': if (record.key) parts.push(record.key); break;
      case 'v': if (record.value) parts.push(record.value); break;
      case 'h':
        record.headers.forEach((h, i) => {
          if (i > 0) parts.push(Buffer.from(','));
          parts.push(Buffer.from(h.value === null ? h.key : `${h.key}=`));
          if (h.value !== null) parts.push(h.value);
        });
        break;
    }
  }
  return Buffer.concat(parts);
}

/** Decodes the escapes of a --delimiter/--key-delimiter value ("\n", "\t", "\x1e", "\\") to bytes. */
export function parseDelimiter(text: string, flag: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = String.fromCodePoint(text.codePointAt(i) ?? 0);
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'utf8'));
      i += c.length - 1; // astral characters are two UTF-16 units
      continue;
    }
    const next = text[i + 1];
    if (next === 'x') {
      const hex = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new UsageError(`invalid ${flag}: '\\x' needs two hex digits`);
      out.push(parseInt(hex, 16));
      i += 3;
      continue;
    }
    const escaped = next === undefined ? undefined : ESCAPES[next];
    if (escaped === undefined) throw new UsageError(`invalid ${flag}: unknown escape '\\${next ?? ''}' (use \\n \\t \\r \\0 \\\\ \\xHH)`);
    out.push(escaped.charCodeAt(0));
    i++;
  }
  if (out.length === 0) throw new UsageError(`invalid ${flag}: the delimiter must not be empty`);
  return Buffer.from(out);
}
