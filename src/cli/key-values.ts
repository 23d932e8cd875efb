// `key=value` flag values (--config, --set, -H): split at the first '=' so values may contain '='.
import { UsageError } from '../common/index.js';
import type { RecordHeader } from '../records/index.js';

export function parseKeyValue(text: string, flag: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`invalid ${flag} '${text}': expected key=value`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** Later occurrences of a key win, as with repeated flags in most CLIs. */
export function parseKeyValues(items: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const [key, value] = parseKeyValue(item, flag);
    out[key] = value;
  }
  return out;
}

/** -H key=value headers, in the order given (repeated keys are kept: Kafka headers are a list). */
export function parseHeaderFlags(items: readonly string[]): RecordHeader[] {
  return items.map((item) => {
    const [key, value] = parseKeyValue(item, '--header');
    return { key, value: Buffer.from(value, 'utf8') };
  });
}
