// `logctl replay` against a real broker process through real pipes: exact half-open slices, lossless
// re-production into another topic, pacing by timestamps, and usage errors.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, logctl, shell, useBroker } from './helpers.js';

let env: NodeJS.ProcessEnv;

useBroker({}, (_broker, e) => {
  env = e;
});

type Json = Record<string, unknown>;
const ndjson = (text: string): Json[] => (text.trim() === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l) as Json));

describe('replay', () => {
  it('--from 0 --to 500 prints exactly offsets 0..499, in the format of consume', async () => {
    expect((await shell('seq 1 1000 | logctl produce slice', env)).code).toBe(0);
    const [replayed, consumed] = await Promise.all([
      logctl(['replay', 'slice', '--from', '0', '--to', '500'], { env }),
      logctl(['consume', 'slice', '--from-offset', '0:500'], { env }),
    ]);
    expect(replayed.code).toBe(0);
    expect(replayed.stderr).toBe('replayed 500 records from slice\n');
    const records = ndjson(replayed.stdout);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(records.map((r) => r.value)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(replayed.stdout).toBe(consumed.stdout);
  });

  it('--to-topic reproduces keys, values, headers, timestamps and partitions exactly', async () => {
    await Promise.all(['rp-src', 'rp-dst'].map(async (t) => expect((await logctl(['topic', 'create', t, '--partitions', '3'], { env })).code).toBe(0)));
    const binary = Buffer.from([0xff, 0x00, 0x80, 0x7f]).toString('base64');
    const input = [
      { partition: 0, timestamp: 1_600_000_000_000, key: 'k1', value: 'plain text', headers: [{ key: 'h', value: 'x' }, { key: 'h', value: 'y' }] },
      { partition: 1, timestamp: 1_600_000_000_005, key: { id: 7 }, value: { nested: [1, 2] }, headers: [] },
      { partition: 2, timestamp: 1_500_000_000_000, key: binary, keyEncoding: 'base64', value: binary, valueEncoding: 'base64',
        headers: [{ key: 'bin', value: binary, valueEncoding: 'base64' }, { key: 'nil', value: null }] },
      { partition: 1, timestamp: 1_600_000_000_009, key: null, value: null, headers: [] },
      { partition: 0, timestamp: 1_600_000_000_001, key: '', value: '{"spaced": true}', headers: [] },
    ];
    const produced = await logctl(['produce', 'rp-src', '--input', 'json'], { env, input: input.map((r) => JSON.stringify(r)).join('\n') });
    expect(produced).toMatchObject({ code: 0, stderr: '' });

    const replayed = await logctl(['replay', 'rp-src', '--from', 'beginning', '--to-topic', 'rp-dst', '--json'], { env });
    expect(replayed.stderr).toBe('replayed 5 records from rp-src to rp-dst\n');
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toEqual({
      topic: 'rp-src', toTopic: 'rp-dst', records: 5,
      partitions: [{ partition: 0, startOffset: 0, endOffset: 2 }, { partition: 1, startOffset: 0, endOffset: 2 }, { partition: 2, startOffset: 0, endOffset: 1 }],
    });
    const read = async (topic: string): Promise<Json[]> => {
      const r = await logctl(['consume', topic, '--until-end'], { env });
      return ndjson(r.stdout).map(({ topic: _t, ...rest }) => rest).sort((a, b) => Number(a.partition) - Number(b.partition) || Number(a.offset) - Number(b.offset));
    };
    const [src, dst] = await Promise.all([read('rp-src'), read('rp-dst')]);
    expect(src).toHaveLength(5);
    expect(dst).toEqual(src);
  });

  it('--speed original keeps the gap between timestamps', async () => {
    const t0 = 1_700_000_000_000;
    const input = [0, 1000].map((dt, i) => JSON.stringify({ timestamp: t0 + dt, value: i })).join('\n');
    expect((await logctl(['produce', 'paced', '--input', 'json'], { env, input })).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'replay', 'paced', '--from', '0', '--speed', 'original'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const arrivals: number[] = [];
    let buffered = '';
    child.stdout.on('data', (c: Buffer) => {
      buffered += c.toString();
      for (const _ of buffered.match(/\n/g) ?? []) arrivals.push(Date.now());
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(arrivals).toHaveLength(2);
    // A lower bound only: the second record waits for the 1 s gap (a little slack for timer granularity).
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('bad flags exit 2', async () => {
    const cases = [
      ['replay', 'slice', '--from', 'bogus'],
      ['replay', 'slice', '--from', '0', '--to', '1:2'],
      ['replay', 'slice', '--from', '0', '--speed', 'fast'],
      ['replay', 'slice', '--from', '0', '--json'],
      ['replay', 'slice'],
      ['replay', 'slice', '--from', '0', '--partition', '7'],
    ];
    const results = await Promise.all(cases.map((args) => logctl(args, { env })));
    results.forEach((r, i) => {
      expect({ args: cases[i], code: r.code, stdout: r.stdout }).toEqual({ args: cases[i], code: 2, stdout: '' });
      expect(r.stderr).toMatch(/^logctl: /);
    });
  });
});
