// Consumer groups through the CLI, against a real broker process and real pipes: `consume --group`,
// `group list/describe/delete` and `offset-reset`. The broker runs with group.initial.rebalance.delay.ms=0
// so that joins are immediate; splitting still goes through real rebalances.
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, logctl, useBroker } from './helpers.js';

let env: NodeJS.ProcessEnv;

useBroker({ 'group.initial.rebalance.delay.ms': '0' }, (_broker, e) => {
  env = e;
});

type Json = Record<string, unknown>;
const ndjson = (text: string): Json[] => (text.trim() === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l) as Json));

interface Background {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGINT, then the exit code. */
  interrupt: () => Promise<number | null>;
}

function background(args: string[]): Background {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, interrupt: () => (child.kill('SIGINT'), exited) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface GroupJson {
  groupId: string;
  state: string;
  members: { memberId: string; assignment: { topic: string; partitions: number[] }[] }[];
  partitions: { topic: string; partition: number; committedOffset: number | null; logEndOffset: number | null; lag: number | null; memberId: string | null }[];
  totalLag: number;
}

async function describeGroup(group: string): Promise<GroupJson> {
  const r = await logctl(['group', 'describe', group, '--json'], { env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const [view] = JSON.parse(r.stdout) as GroupJson[];
  if (view === undefined) throw new Error('no group in the output');
  return view;
}

async function produceKeyed(topic: string, from: number, to: number): Promise<void> {
  const lines = Array.from({ length: to - from + 1 }, (_, i) => `k${from + i}:${from + i}`).join('\n');
  const r = await logctl(['produce', topic, '--key-delimiter', ':'], { env, input: lines });
  expect(r).toMatchObject({ code: 0, stderr: '' });
}

describe('consume --group', () => {
  it('two members split a 4-partition topic and together read every record exactly once', async () => {
    expect((await logctl(['topic', 'create', 'split', '--partitions', '4'], { env })).code).toBe(0);
    const a = background(['consume', 'split', '--group', 'splitters']);
    const b = background(['consume', 'split', '--group', 'splitters']);
    const stable = await until('two members with two partitions each', async () => {
      const r = await logctl(['group', 'describe', 'splitters', '--json'], { env });
      if (r.code !== 0) return undefined;
      const [g] = JSON.parse(r.stdout) as GroupJson[];
      const sizes = g?.members.map((m) => m.assignment.flatMap((x) => x.partitions).length);
      return g?.state === 'Stable' && sizes?.length === 2 && sizes.every((n) => n === 2) ? g : undefined;
    });
    expect(stable.members.flatMap((m) => m.assignment.flatMap((x) => x.partitions)).sort()).toEqual([0, 1, 2, 3]);

    await produceKeyed('split', 1, 400);
    await until('400 records', async () => (ndjson(a.stdout()).length + ndjson(b.stdout()).length >= 400 ? true : undefined));
    expect(await a.interrupt()).toBe(0);
    expect(await b.interrupt()).toBe(0);
    expect(a.stderr() + b.stderr()).toBe('');

    const [ra, rb] = [ndjson(a.stdout()), ndjson(b.stdout())];
    const partitionsOf = (rs: Json[]): number[] => [...new Set(rs.map((r) => Number(r.partition)))].sort();
    expect(partitionsOf(ra)).toHaveLength(2);
    expect(partitionsOf(rb)).toHaveLength(2);
    expect([...partitionsOf(ra), ...partitionsOf(rb)].sort()).toEqual([0, 1, 2, 3]);
    const all = [...ra, ...rb];
    expect(all.map((r) => Number(r.value)).sort((x, y) => x - y)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(new Set(all.map((r) => `${String(r.partition)}:${String(r.offset)}`)).size).toBe(400);

    // Both committed on exit: every partition's committed offset is its record count, lag 0.
    const after = await describeGroup('splitters');
    const counts = [0, 1, 2, 3].map((p) => all.filter((r) => r.partition === p).length);
    expect(after).toMatchObject({ groupId: 'splitters', state: 'Empty', members: [], totalLag: 0 });
    expect(after.partitions).toEqual(counts.map((n, p) => ({ topic: 'split', partition: p, committedOffset: n, logEndOffset: n, lag: 0, memberId: null })));
  });

  it('--until-end, then a second run with more data resumes from the committed offsets; --count commits too', async () => {
    expect((await logctl(['topic', 'create', 'resume', '--partitions', '2'], { env })).code).toBe(0);
    await produceKeyed('resume', 1, 30);
    const values = (r: { stdout: string }): number[] => ndjson(r.stdout).map((x) => Number(x.value)).sort((p, q) => p - q);
    const seq = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

    const first = await logctl(['consume', 'resume', '--group', 'resumers', '--until-end'], { env });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(values(first)).toEqual(seq(1, 30));

    await produceKeyed('resume', 31, 50);
    const second = await logctl(['consume', 'resume', '--group', 'resumers', '--until-end', '--from-offset', 'beginning'], { env });
    expect(values(second)).toEqual(seq(31, 50));
    const third = await logctl(['consume', 'resume', '--group', 'resumers', '--until-end'], { env });
    expect(third).toMatchObject({ code: 0, stdout: '', stderr: '' });

    await produceKeyed('resume', 51, 60);
    const some = await logctl(['consume', 'resume', '--group', 'resumers', '--count', '4'], { env });
    const rest = await logctl(['consume', 'resume', '--group', 'resumers', '--until-end'], { env });
    expect(values(some)).toHaveLength(4);
    expect([...values(some), ...values(rest)].sort((p, q) => p - q)).toEqual(seq(51, 60));
  });

  it('a new group with --from-offset end starts at the end; a --from-offset range is a usage error', async () => {
    const r = await logctl(['consume', 'resume', '--group', 'late', '--from-offset', 'end', '--until-end'], { env });
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect((await describeGroup('late')).partitions.map((p) => p.lag)).toEqual([0, 0]);
    const range = await logctl(['consume', 'resume', '--group', 'x', '--from-offset', '0:5'], { env });
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/^logctl: --group takes a start position/);
  });
});

describe('group list / describe / delete', () => {
  it('describe --json gives exact committed offsets, log end offsets and lag; list shows the group; delete removes it', async () => {
    expect((await logctl(['topic', 'create', 'lagging', '--partitions', '1'], { env })).code).toBe(0);
    await produceKeyed('lagging', 1, 10);
    const read = await logctl(['consume', 'lagging', '--group', 'laggers', '--count', '4'], { env });
    expect(ndjson(read.stdout).map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    expect(await describeGroup('laggers')).toEqual({
      groupId: 'laggers', state: 'Empty', protocolType: 'consumer', protocol: '', members: [], totalLag: 6,
      partitions: [{ topic: 'lagging', partition: 0, committedOffset: 4, logEndOffset: 10, lag: 6, memberId: null }],
    });
    const table = await logctl(['group', 'describe', 'laggers'], { env });
    expect(table.stdout).toContain('total lag 6');
    expect(table.stdout).toMatch(/lagging\s+0\s+4\s+10\s+6/);

    const [list, missing] = await Promise.all([logctl(['group', 'list', '--json'], { env }), logctl(['group', 'describe', 'no-such-group'], { env })]);
    expect(JSON.parse(list.stdout)).toContainEqual({ groupId: 'laggers', state: 'Empty', protocolType: 'consumer', protocol: '', members: 0 });

    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe("logctl: group 'no-such-group' does not exist (GROUP_ID_NOT_FOUND)\n");

    expect(await logctl(['group', 'delete', 'laggers'], { env })).toMatchObject({ code: 0, stderr: 'deleted group laggers\n' });
    expect(JSON.parse((await logctl(['group', 'list', '--json'], { env })).stdout)).not.toContainEqual(expect.objectContaining({ groupId: 'laggers' }));
  });
});

describe('offset-reset', () => {
  it('a dry run changes nothing, --execute does, and the group then resumes from the new offsets', async () => {
    expect((await logctl(['topic', 'create', 'rewind', '--partitions', '2'], { env })).code).toBe(0);
    await produceKeyed('rewind', 1, 40);
    expect((await logctl(['consume', 'rewind', '--group', 'rewinders', '--until-end'], { env })).code).toBe(0);
    const before = (await describeGroup('rewinders')).partitions.map((p) => p.committedOffset ?? -1);
    expect(before.reduce((s, n) => s + n, 0)).toBe(40);

    const dry = await logctl(['offset-reset', '--group', 'rewinders', '--topic', 'rewind:1', '--shift-by', '-3', '--json'], { env });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual([{ topic: 'rewind', partition: 1, currentOffset: before[1], newOffset: (before[1] ?? 0) - 3 }]);
    expect(dry.stderr).toContain('dry run: nothing changed');
    expect((await describeGroup('rewinders')).partitions.map((p) => p.committedOffset)).toEqual(before);

    const run = await logctl(['offset-reset', '--group', 'rewinders', '--topic', 'rewind', '--to-offset', '2', '--execute', '--json'], { env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([0, 1].map((p) => ({ topic: 'rewind', partition: p, currentOffset: before[p], newOffset: 2 })));
    expect((await describeGroup('rewinders')).partitions.map((p) => p.committedOffset)).toEqual([2, 2]);

    const resumed = await logctl(['consume', 'rewind', '--group', 'rewinders', '--until-end'], { env });
    const got = ndjson(resumed.stdout);
    expect(got).toHaveLength(36);
    for (const p of [0, 1]) {
      expect(got.filter((r) => r.partition === p).map((r) => r.offset)).toEqual(Array.from({ length: (before[p] ?? 0) - 2 }, (_, i) => i + 2));
    }

    // Clamped into [logStartOffset, logEndOffset]; without --topic every committed partition.
    const clamp = await logctl(['offset-reset', '--group', 'rewinders', '--to-offset', '1000', '--execute', '--json'], { env });
    expect(JSON.parse(clamp.stdout)).toEqual([0, 1].map((p) => ({ topic: 'rewind', partition: p, currentOffset: before[p], newOffset: before[p] })));
    const earliest = await logctl(['offset-reset', '--group', 'rewinders', '--to', '+1', '--json'], { env });
    expect(JSON.parse(earliest.stdout)).toEqual([0, 1].map((p) => ({ topic: 'rewind', partition: p, currentOffset: before[p], newOffset: 1 })));
  });

  it('is refused while the group has an active member', async () => {
    const member = background(['consume', 'rewind', '--group', 'rewinders']);
    await until('an active member', async () => ((await describeGroup('rewinders')).state === 'Stable' ? true : undefined));
    const refused = await logctl(['offset-reset', '--group', 'rewinders', '--to-earliest', '--execute'], { env });
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^logctl: group 'rewinders' has 1 active member\(s\) \(state Stable\): offsets can only be reset while no consumer is in the group/);
    expect(await member.interrupt()).toBe(0);
    expect((await describeGroup('rewinders')).partitions.every((p) => p.lag === 0)).toBe(true);
  });

  it('bad flags exit 2', async () => {
    const cases = [
      ['offset-reset', '--group', 'g', '--to-earliest', '--to-latest'],
      ['offset-reset', '--group', 'g'],
      ['offset-reset', '--group', 'g', '--to', '0:5'],
      ['offset-reset', '--group', 'g', '--to-datetime', 'yesterday'],
      ['offset-reset', '--group', 'g', '--by-duration', 'soon'],
      ['offset-reset', '--group', 'g', '--to-earliest', '--topic', 'rewind:x'],
      ['offset-reset', '--to-earliest'],
      ['offset-reset', '--group', 'g', '--to-earliest', '--dry-run', '--execute'],
      ['consume', 'rewind', '--group', 'g', '--partition', '0'],
      ['consume', 'rewind', '--group', 'g', '--assignor', 'sticky'],
    ];
    const results = await Promise.all(cases.map((args) => logctl(args, { env })));
    results.forEach((r, i) => {
      expect({ args: cases[i], code: r.code, stdout: r.stdout }).toEqual({ args: cases[i], code: 2, stdout: '' });
      expect(r.stderr).toMatch(/^logctl: /);
    });
  });
});
