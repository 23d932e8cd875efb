// The CLI contract through real pipes against a real broker process (DESIGN.md §6, issue 2 §7).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, ROOT, closedPort, logctl, shell, useBroker } from './helpers.js';

let env: NodeJS.ProcessEnv;

useBroker({}, (_broker, e) => {
  env = e;
});

function ndjson(text: string): Record<string, unknown>[] {
  return text.trim() === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('logctl produce | consume', () => {
  it('seq 1 1000 | produce demo, then consume --from-offset 0 --until-end gives 1..1000 in order', async () => {
    const produced = await shell('seq 1 1000 | logctl produce demo', env);
    expect(produced).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const consumed = await logctl(['consume', 'demo', '--from-offset', '0', '--until-end'], { env });
    expect(consumed.stderr).toBe('');
    expect(consumed.code).toBe(0);
    const records = ndjson(consumed.stdout);
    expect(records.map((r) => r.value)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(records[0]).toMatchObject({ topic: 'demo', partition: 0, key: null, headers: [] });
  });

  it('consume --output json | produce --input json reproduces keys, values, headers, partitions and timestamps', async () => {
    expect((await logctl(['topic', 'create', 'rt-src', '--partitions', '3'], { env })).code).toBe(0);
    expect((await logctl(['topic', 'create', 'rt-dst', '--partitions', '3'], { env })).code).toBe(0);
    const binary = Buffer.from([0xff, 0x00, 0x80, 0x7f]).toString('base64');
    const input = [
      { partition: 0, timestamp: 1_600_000_000_000, key: 'k1', value: 'plain text', headers: [{ key: 'h', value: 'x' }, { key: 'h', value: 'y' }] },
      { partition: 1, timestamp: 1_600_000_000_001, key: { id: 7 }, value: { nested: [1, 2, { a: null }] }, headers: [] },
      { partition: 2, timestamp: 1_600_000_000_002, key: binary, keyEncoding: 'base64', value: binary, valueEncoding: 'base64',
        headers: [{ key: 'bin', value: binary, valueEncoding: 'base64' }, { key: 'nil', value: null }] },
      { partition: 1, timestamp: 1_600_000_000_003, key: null, value: null, headers: [] },
      { partition: 0, timestamp: 1_600_000_000_004, key: '', value: '{"spaced": true}', headers: [] },
    ];
    const produced = await logctl(['produce', 'rt-src', '--input', 'json'], { env, input: input.map((r) => JSON.stringify(r)).join('\n') });
    expect(produced).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const piped = await shell('logctl consume rt-src --until-end --output json | logctl produce --input json rt-dst', env);
    expect(piped).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const read = async (topic: string): Promise<Record<string, unknown>[]> => {
      const r = await logctl(['consume', topic, '--until-end'], { env });
      expect(r.code).toBe(0);
      return ndjson(r.stdout).map(({ topic: _topic, ...rest }) => rest).sort((a, b) => Number(a.timestamp) - Number(b.timestamp));
    };
    const src = await read('rt-src');
    expect(src).toHaveLength(5);
    expect(src.map(({ offset: _o, ...r }) => r)).toEqual(input.map((r) => ({ keyEncoding: undefined, valueEncoding: undefined, ...r })).map(strip));
    expect(await read('rt-dst')).toEqual(src);
  });

  it('--report prints one JSON line per acknowledged group of records', async () => {
    const r = await shell('seq 1 50 | logctl produce report-demo --report', env);
    expect(r.code).toBe(0);
    const lines = ndjson(r.stdout);
    expect(lines.reduce((n, l) => n + Number(l.count), 0)).toBe(50);
    expect(lines[0]).toMatchObject({ topic: 'report-demo', partition: 0, baseOffset: 0 });
    expect(lines.at(-1)).toMatchObject({ lastOffset: 49 });
  });

  it('--format renders kcat-style tokens; | head -1 ends quietly', async () => {
    const r = await logctl(['consume', 'demo', '-o', '10:13', '--format', '%t:%p:%o=%v\\n'], { env });
    expect(r).toMatchObject({ code: 0, stdout: 'demo:0:10=11\ndemo:0:11=12\ndemo:0:12=13\n', stderr: '' });
    const head = await shell('logctl consume demo | head -1; echo "status=${PIPESTATUS[0]}"', env);
    expect(head.stdout.split('\n')[0]).toContain('"offset":0');
    expect(head.stdout).toContain('status=0');
    expect(head.stderr).toBe('');
  });
});

describe('following', () => {
  it('consume without a stop condition follows new records and exits 0 on SIGINT', async () => {
    expect((await logctl(['topic', 'create', 'follow-demo'], { env })).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'consume', 'follow-demo', '--from-offset', 'end'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const firstRecord = new Promise<void>((r) => child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); if (stdout.includes('\n')) r(); }));
    // The consumer's start (offset 'end') races with the first records: keep producing until it prints one.
    const producing = (async () => {
      for (let i = 0; i < 20 && !stdout; i++) {
        await logctl(['produce', 'follow-demo'], { env, input: `tick-${i}\n` });
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await Promise.race([firstRecord, producing]);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await producing;
    expect(stderr).toBe('');
    expect(ndjson(stdout)[0]).toMatchObject({ topic: 'follow-demo', value: expect.stringMatching(/^tick-\d+$/) as unknown });
  });
});

describe.concurrent('failures: one line on stderr, nothing on stdout', () => {
  it('consume of a missing topic exits 1', async () => {
    const r = await logctl(['consume', 'no-such-topic', '--until-end'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^logctl: topic 'no-such-topic' does not exist[^\n]*\n$/);
  });

  it('produce to a stopped broker exits 1', async () => {
    const port = await closedPort();
    const r = await logctl(['produce', 'demo', '--broker', `127.0.0.1:${port}`], { env, input: '1\n2\n' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^logctl: [^\\n]*127\\.0\\.0\\.1:${port}[^\\n]*\\n$`));
  });

  it.each([
    [['consume', 'demo', '--count', 'abc']],
    [['consume', 'demo', '--from-offset', 'yesterday']],
    [['produce', 'demo', '--acks', '2']],
    [['consume', 'demo', '--no-such-flag']],
  ])('a bad flag value exits 2: %j', async (args) => {
    const r = await logctl(args, { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^logctl: [^\n]+\n$/);
  });

  it('bad --input json exits 2 naming the line', async () => {
    const r = await logctl(['produce', 'demo', '--input', 'json'], { env, input: '{"value":1}\n{"key":"k"}\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('logctl: line 2: missing "value" (use null for a tombstone)\n');
  });
});

describe('topic commands', () => {
  it('create, list, describe --json, alter-config, delete', async () => {
    expect(await logctl(['topic', 'create', 'events', '-p', '6', '-c', 'retention.ms=86400000'], { env })).toMatchObject({ code: 0, stdout: '' });
    expect((await logctl(['topic', 'create', 'events'], { env })).code).toBe(1);
    expect((await logctl(['topic', 'create', 'events', '--if-not-exists'], { env })).code).toBe(0);
    expect((await logctl(['topic', 'list'], { env })).stdout.split('\n')).toContain('events');

    const described = JSON.parse((await logctl(['topic', 'describe', 'events', '--json'], { env })).stdout) as {
      name: string; partitions: { partition: number; leader: number; logStartOffset: number; logEndOffset: number }[]; configs: { name: string; value: string }[];
    }[];
    expect(described[0]?.name).toBe('events');
    expect(described[0]?.partitions.map((p) => [p.partition, p.leader, p.logStartOffset, p.logEndOffset])).toEqual(
      [0, 1, 2, 3, 4, 5].map((p) => [p, 0, 0, 0]),
    );
    expect(described[0]?.configs.find((c) => c.name === 'retention.ms')?.value).toBe('86400000');

    const altered = await logctl(['topic', 'alter-config', 'events', '--set', 'retention.ms=1000', '--json'], { env });
    expect(JSON.parse(altered.stdout)).toEqual({ name: 'events', configs: { 'retention.ms': '1000' } });

    expect((await logctl(['topic', 'delete', 'events'], { env })).code).toBe(0);
    const again = await logctl(['topic', 'delete', 'events'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("topic 'events' does not exist");
    expect((await logctl(['topic', 'delete', 'events', '--if-exists'], { env })).code).toBe(0);
  });
});

/** The expected consume object of an input record: encodings only where present. */
function strip(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { partition: r.partition, timestamp: r.timestamp, key: r.key };
  if (r.keyEncoding) out.keyEncoding = r.keyEncoding;
  out.value = r.value;
  if (r.valueEncoding) out.valueEncoding = r.valueEncoding;
  out.headers = r.headers;
  return out;
}
