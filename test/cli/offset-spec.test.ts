import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/index.js';
import { parseOffsetSpec, resolveOffsetSpec, type OffsetLookups } from '../../src/cli/offset-spec.js';

describe('parseOffsetSpec', () => {
  it('parses every position form', () => {
    expect(parseOffsetSpec('beginning')).toEqual({ start: { kind: 'beginning' } });
    expect(parseOffsetSpec('end')).toEqual({ start: { kind: 'end' } });
    expect(parseOffsetSpec('0')).toEqual({ start: { kind: 'absolute', offset: 0 } });
    expect(parseOffsetSpec('1234')).toEqual({ start: { kind: 'absolute', offset: 1234 } });
    expect(parseOffsetSpec('+5')).toEqual({ start: { kind: 'afterBeginning', count: 5 } });
    expect(parseOffsetSpec('-10')).toEqual({ start: { kind: 'beforeEnd', count: 10 } });
    expect(parseOffsetSpec('@1714564800000')).toEqual({ start: { kind: 'timestamp', timestamp: 1714564800000 } });
  });

  it('parses RFC 3339 times with Z, offsets and fractions', () => {
    expect(parseOffsetSpec('@2024-05-01T12:00:00Z').start).toEqual({ kind: 'timestamp', timestamp: Date.UTC(2024, 4, 1, 12) });
    expect(parseOffsetSpec('@2024-05-01T14:00:00+02:00').start).toEqual({ kind: 'timestamp', timestamp: Date.UTC(2024, 4, 1, 12) });
    expect(parseOffsetSpec('@2024-05-01T12:00:00.250Z').start).toEqual({ kind: 'timestamp', timestamp: Date.UTC(2024, 4, 1, 12) + 250 });
  });

  it('parses relative durations, including compound ones', () => {
    expect(parseOffsetSpec('@-2h').start).toEqual({ kind: 'relativeTime', agoMs: 7_200_000 });
    expect(parseOffsetSpec('@-30m').start).toEqual({ kind: 'relativeTime', agoMs: 1_800_000 });
    expect(parseOffsetSpec('@-1d').start).toEqual({ kind: 'relativeTime', agoMs: 86_400_000 });
    expect(parseOffsetSpec('@-1h30m').start).toEqual({ kind: 'relativeTime', agoMs: 5_400_000 });
    expect(parseOffsetSpec('@-500ms').start).toEqual({ kind: 'relativeTime', agoMs: 500 });
  });

  it('parses ranges, including ranges of RFC 3339 times that contain colons', () => {
    expect(parseOffsetSpec('10:20')).toEqual({ start: { kind: 'absolute', offset: 10 }, end: { kind: 'absolute', offset: 20 } });
    expect(parseOffsetSpec('beginning:-5')).toEqual({ start: { kind: 'beginning' }, end: { kind: 'beforeEnd', count: 5 } });
    expect(parseOffsetSpec('@-2h:@-1h')).toEqual({
      start: { kind: 'relativeTime', agoMs: 7_200_000 },
      end: { kind: 'relativeTime', agoMs: 3_600_000 },
    });
    expect(parseOffsetSpec('@2024-05-01T12:00:00Z:@2024-05-01T13:00:00+00:00')).toEqual({
      start: { kind: 'timestamp', timestamp: Date.UTC(2024, 4, 1, 12) },
      end: { kind: 'timestamp', timestamp: Date.UTC(2024, 4, 1, 13) },
    });
    expect(parseOffsetSpec('@2024-05-01T12:00:00Z:end').end).toEqual({ kind: 'end' });
  });

  it.each([
    '', 'begin', 'latest', '1.5', '-', '+', '+-3', '--1', '@', '@yesterday', '@-2x', '@2h',
    '@2024-05-01T12:00:00', // no offset: would depend on the local time zone
    '@2024-13-45T99:00:00Z', '10:', ':10', '1:2:3', 'abc:10', '99999999999999999999',
  ])('rejects %j with a UsageError quoting the grammar', (spec) => {
    let thrown: unknown;
    try {
      parseOffsetSpec(spec);
    } catch (err: unknown) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).message).toContain('beginning | end | N | +N | -N | @TIME');
    expect((thrown as UsageError).message).toContain(`invalid offset '${spec}'`);
  });
});

/** Partition 0 holds offsets [100, 200), record i has timestamp 1000 + i; partition 1 is empty at 50. */
const lookups: OffsetLookups = {
  earliest: async (ps) => new Map(ps.map((p) => [p, p === 0 ? 100 : 50])),
  latest: async (ps) => new Map(ps.map((p) => [p, p === 0 ? 200 : 50])),
  forTimestamp: async (ps, ts) => new Map(ps.map((p) => [p, p === 0 && ts <= 1199 ? Math.max(100, ts - 1000) : null])),
};

async function resolve(spec: string, now = 0): Promise<{ start: number[]; end?: number[] }> {
  const r = await resolveOffsetSpec(parseOffsetSpec(spec), [0, 1], lookups, now);
  return { start: [...r.start.values()], ...(r.end ? { end: [...r.end.values()] } : {}) };
}

describe('resolveOffsetSpec', () => {
  it('resolves positions kcat-style and clamps into [logStartOffset, logEndOffset]', async () => {
    expect(await resolve('beginning')).toEqual({ start: [100, 50] });
    expect(await resolve('end')).toEqual({ start: [200, 50] });
    expect(await resolve('150')).toEqual({ start: [150, 50] });
    expect(await resolve('0')).toEqual({ start: [100, 50] });
    expect(await resolve('5000')).toEqual({ start: [200, 50] });
    expect(await resolve('+10')).toEqual({ start: [110, 50] });
    expect(await resolve('+1000')).toEqual({ start: [200, 50] });
    expect(await resolve('-10')).toEqual({ start: [190, 50] });
    expect(await resolve('-1000')).toEqual({ start: [100, 50] });
  });

  it('resolves times through the timestamp lookup, and to the end where no record is that new', async () => {
    expect(await resolve('@1150')).toEqual({ start: [150, 50] });
    expect(await resolve('@5000')).toEqual({ start: [200, 50] });
    expect(await resolve('@-850ms', 2000)).toEqual({ start: [150, 50] });
  });

  it('resolves both ends of a range', async () => {
    expect(await resolve('+10:-10')).toEqual({ start: [110, 50], end: [190, 50] });
    expect(await resolve('@1120:@1130')).toEqual({ start: [120, 50], end: [130, 50] });
  });
});
