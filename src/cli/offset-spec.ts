// The one offset grammar shared by consume, replay and offset-reset (DESIGN.md §6):
//
//   spec     = position | position ":" position        a range: from the first, up to (not including) the second
//   position = "beginning" | "end"
//            | N                                        absolute offset (clamped into [logStartOffset, logEndOffset])
//            | "+" N                                    N after the beginning (logStartOffset + N)
//            | "-" N                                    N before the end (logEndOffset - N), like kcat's -o -N
//            | "@" time                                 first offset whose timestamp is >= time (ListOffsets)
//   time     = RFC 3339 with an offset ("2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00")
//            | epoch milliseconds ("1714564800000")
//            | relative duration in the past: "-" 1*(N unit), unit = ms|s|m|h|d|w ("-2h", "-1h30m", "-7d")
//
// Parsing yields a typed AST; resolving turns it into one offset per partition with the broker's
// earliest/latest/by-timestamp lookups (ListOffsets). Relative times are resolved against a clock at
// resolution time, not at parse time, so a parsed spec can be reused.
import { UsageError } from '../common/index.js';

export type OffsetPosition =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'absolute'; offset: number }
  | { kind: 'afterBeginning'; count: number }
  | { kind: 'beforeEnd'; count: number }
  | { kind: 'timestamp'; timestamp: number }
  | { kind: 'relativeTime'; agoMs: number };

export interface OffsetSpec {
  start: OffsetPosition;
  /** Exclusive end of a range `A:B`; absent for a plain position. */
  end?: OffsetPosition;
}

export const OFFSET_GRAMMAR =
  'beginning | end | N | +N | -N | @TIME, or a range A:B (B excluded); ' +
  'TIME is RFC 3339 with an offset (2024-05-01T12:00:00Z), epoch milliseconds, or a duration ago (-2h, -30m, -1d)';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DIGITS = /^\d+$/;
const DURATION = /^-((?:\d+(?:ms|s|m|h|d|w))+)$/;
const DURATION_PART = /(\d+)(ms|s|m|h|d|w)/g;
// RFC 3339 date-time: the offset (Z or ±hh:mm) is mandatory so that a spec never depends on the local zone.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function bad(spec: string, why: string): UsageError {
  return new UsageError(`invalid offset '${spec}': ${why}; expected ${OFFSET_GRAMMAR}`);
}

function parseCount(text: string, spec: string): number {
  if (!DIGITS.test(text)) throw bad(spec, `'${text}' is not a non-negative integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw bad(spec, `${text} is too large`);
  return n;
}

function parseTime(text: string, spec: string): OffsetPosition {
  if (text === '') throw bad(spec, "'@' needs a time");
  if (DIGITS.test(text)) return { kind: 'timestamp', timestamp: parseCount(text, spec) };
  const duration = DURATION.exec(text);
  if (duration?.[1] !== undefined) {
    let agoMs = 0;
    for (const part of duration[1].matchAll(DURATION_PART)) {
      agoMs += Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? 0);
    }
    return { kind: 'relativeTime', agoMs };
  }
  if (RFC3339.test(text)) {
    const timestamp = Date.parse(text);
    if (Number.isNaN(timestamp)) throw bad(spec, `'${text}' is not a valid date`);
    return { kind: 'timestamp', timestamp };
  }
  throw bad(spec, `'${text}' is not an RFC 3339 time with offset, epoch milliseconds or a duration like -2h`);
}

export function parseOffsetPosition(text: string, spec: string = text): OffsetPosition {
  if (text === 'beginning') return { kind: 'beginning' };
  if (text === 'end') return { kind: 'end' };
  if (text.startsWith('@')) return parseTime(text.slice(1), spec);
  if (text.startsWith('+')) return { kind: 'afterBeginning', count: parseCount(text.slice(1), spec) };
  if (text.startsWith('-')) return { kind: 'beforeEnd', count: parseCount(text.slice(1), spec) };
  if (DIGITS.test(text)) return { kind: 'absolute', offset: parseCount(text, spec) };
  throw bad(spec, text === '' ? 'empty position' : `unknown position '${text}'`);
}

/** Parses a spec; throws UsageError (exit 2) quoting the grammar on any malformed input. */
export function parseOffsetSpec(spec: string): OffsetSpec {
  const text = spec.trim();
  // RFC 3339 times contain ':' too, so split on the first ':' that is not inside an '@' time: a range
  // separator is always followed by the start of a position, never by two digits of a clock.
  const split = findRangeSeparator(text);
  if (split < 0) return { start: parseOffsetPosition(text, spec) };
  return {
    start: parseOffsetPosition(text.slice(0, split), spec),
    end: parseOffsetPosition(text.slice(split + 1), spec),
  };
}

function findRangeSeparator(text: string): number {
  const candidates: number[] = [];
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) candidates.push(i);
  const valid = candidates.filter((i) => isPosition(text.slice(0, i)) && isPosition(text.slice(i + 1)));
  if (valid.length > 1) throw bad(text, 'ambiguous range');
  if (valid.length === 1) return valid[0] ?? -1;
  // No split yields two valid positions: a whole-text position (an RFC 3339 time) or an error that
  // names the right part of a range.
  if (candidates.length > 0 && !isPosition(text)) {
    const first = candidates[0] ?? -1;
    if (!text.slice(0, first).startsWith('@')) return first;
  }
  return -1;
}

function isPosition(text: string): boolean {
  try {
    parseOffsetPosition(text);
    return true;
  } catch {
    return false;
  }
}

/** Offsets of one topic per partition, looked up in batch (ListOffsets with -2, -1 or a timestamp). */
export interface OffsetLookups {
  earliest(partitions: number[]): Promise<Map<number, number>>;
  latest(partitions: number[]): Promise<Map<number, number>>;
  /** First offset with timestamp >= ts per partition, or null/absent where no such record exists. */
  forTimestamp(partitions: number[], timestamp: number): Promise<Map<number, number | null>>;
}

export interface ResolvedRange {
  start: Map<number, number>;
  /** Exclusive end offsets per partition for a range spec; undefined for a plain position. */
  end?: Map<number, number>;
}

/** Resolves a spec into concrete offsets, every one clamped into [logStartOffset, logEndOffset]. */
export async function resolveOffsetSpec(
  spec: OffsetSpec,
  partitions: number[],
  lookups: OffsetLookups,
  now: number = Date.now(),
): Promise<ResolvedRange> {
  const [earliest, latest] = await Promise.all([lookups.earliest(partitions), lookups.latest(partitions)]);
  const bounds = { earliest, latest };
  const start = await resolvePosition(spec.start, partitions, lookups, bounds, now);
  if (spec.end === undefined) return { start };
  const end = await resolvePosition(spec.end, partitions, lookups, bounds, now);
  return { start, end };
}

async function resolvePosition(
  position: OffsetPosition,
  partitions: number[],
  lookups: OffsetLookups,
  bounds: { earliest: Map<number, number>; latest: Map<number, number> },
  now: number,
): Promise<Map<number, number>> {
  let byTime: Map<number, number | null> | undefined;
  if (position.kind === 'timestamp' || position.kind === 'relativeTime') {
    const ts = position.kind === 'timestamp' ? position.timestamp : now - position.agoMs;
    byTime = await lookups.forTimestamp(partitions, ts);
  }
  const result = new Map<number, number>();
  for (const p of partitions) {
    const lo = bounds.earliest.get(p) ?? 0;
    const hi = Math.max(lo, bounds.latest.get(p) ?? lo);
    let offset: number;
    switch (position.kind) {
      case 'beginning': offset = lo; break;
      case 'end': offset = hi; break;
      case 'absolute': offset = position.offset; break;
      case 'afterBeginning': offset = lo + position.count; break;
      case 'beforeEnd': offset = hi - position.count; break;
      // No record at or after the time: start at the end (Kafka answers offset -1).
      default: {
        const found = byTime?.get(p);
        offset = found === null || found === undefined || found < 0 ? hi : found;
      }
    }
    result.set(p, Math.min(hi, Math.max(lo, offset)));
  }
  return result;
}
