// `logctl cluster inspect` against real broker processes: exact JSON for a single broker after producing
// known counts, the human verdict, --wait-ready against a broker that starts later and against nothing,
// and a 3-broker cluster on a real etcd.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/index.js';
import { startBrokerProcess as startPortBroker } from '../helpers/broker-process.js';
import { startCluster, waitFor } from '../helpers/cluster.js';
import { BIN, ROOT, closedPort, isolatedEnv, logctl, useBroker, type BrokerProcess, type RunResult } from './helpers.js';

let broker: BrokerProcess;
let env: NodeJS.ProcessEnv;

useBroker({ 'group.initial.rebalance.delay.ms': '0' }, (b, e) => {
  broker = b;
  env = e;
});

async function produce(topic: string, partition: number, count: number): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) => `${topic}-${partition}-${i}\n`).join('');
  expect(await logctl(['produce', topic, '-p', String(partition)], { input: lines, env })).toMatchObject({ code: 0, stderr: '' });
}

const partitionOf = (partition: number, offsets: { start: number; end: number }) => ({
  partition,
  leader: 0,
  leaderEpoch: null,
  replicas: [0],
  isr: [0],
  logStartOffset: offsets.start,
  highWatermark: offsets.end,
  logEndOffset: offsets.end,
});

describe('cluster inspect on a single broker', () => {
  it('prints exact JSON: the broker as controller, offsets, healthy, group lag', async () => {
    expect(await logctl(['topic', 'create', 'inspect-3', '-p', '3'], { env })).toMatchObject({ code: 0 });
    await produce('inspect-3', 0, 5);
    await produce('inspect-3', 1, 3);
    // The group consumes everything (lag 0), then two more records arrive on partition 2: lag 2.
    const consumed = await logctl(['consume', 'inspect-3', '--group', 'inspect-g', '--from-offset', 'beginning', '--until-end'], { env });
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toHaveLength(8);
    await produce('inspect-3', 2, 2);

    const res = await logctl(['cluster', 'inspect', '--json'], { env });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(res.stdout)).toEqual({
      clusterId: expect.any(String),
      brokers: [{ id: 0, address: broker.address, alive: true, controller: true }],
      controller: 0,
      topics: [
        {
          name: 'inspect-3',
          internal: false,
          minInsyncReplicas: 1,
          partitions: [partitionOf(0, { start: 0, end: 5 }), partitionOf(1, { start: 0, end: 3 }), partitionOf(2, { start: 0, end: 2 })],
        },
      ],
      health: { healthy: true, problems: [] },
      groups: [{ groupId: 'inspect-g', totalLag: 2 }],
    });

    // --internal may add only internal topics (our broker does not list __consumer_offsets in Metadata).
    const internal = JSON.parse((await logctl(['cluster', 'inspect', '--json', '--internal'], { env })).stdout) as { topics: { name: string; internal: boolean }[] };
    expect(internal.topics.filter((t) => !t.internal).map((t) => t.name)).toEqual(['inspect-3']);
  });

  it('prints a summary, the tables and the verdict for humans', async () => {
    const res = await logctl(['cluster', 'inspect'], { env });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const lines = res.stdout.split('\n');
    expect(lines[0]).toMatch(/^cluster \S+ {2}brokers 1\/1 alive {2}controller 0 {2}topics 1 {2}partitions 3 {2}groups 1$/);
    expect(lines).toContain(`0       ${broker.address}  yes    yes`);
    expect(lines.find((l) => l.startsWith('inspect-3  0'))?.split(/\s+/)).toEqual(['inspect-3', '0', '0', '-', '0', '0', '0', '5', '5']);
    expect(lines.find((l) => l.startsWith('inspect-g'))?.split(/\s+/)).toEqual(['inspect-g', '2']);
    expect(res.stdout.endsWith('health: healthy\n')).toBe(true);
  });

  it('--wait-ready returns at once for a healthy broker', async () => {
    const res = await logctl(['cluster', 'inspect', '--wait-ready', '--timeout', '5s', '--json'], { env });
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as { health: unknown }).health).toEqual({ healthy: true, problems: [] });
  });

  it('exits 1 with one line when the broker is unreachable, 2 on a bad --timeout', async () => {
    const port = await closedPort();
    const res = await logctl(['cluster', 'inspect', '-b', `127.0.0.1:${port}`], { env });
    expect(res).toEqual(expect.objectContaining({ code: 1, stdout: '' }));
    expect(res.stderr).toMatch(new RegExp(`^logctl: cannot connect to 127\\.0\\.0\\.1:${port}: .+\\n$`));
    const bad = await logctl(['cluster', 'inspect', '--wait-ready', '--timeout', 'soon'], { env });
    expect(bad).toEqual({ code: 2, stdout: '', stdoutBytes: Buffer.alloc(0), stderr: "logctl: invalid --timeout 'soon': expected a duration like 500ms, 30s or 2m\n" });
  });
});

describe('cluster inspect --wait-ready', () => {
  it('exits 1 at the timeout when nothing listens, with the reason', async () => {
    const port = await closedPort();
    const res = await logctl(['cluster', 'inspect', '-b', `127.0.0.1:${port}`, '--wait-ready', '--timeout', '1s'], { env });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(new RegExp(`^logctl: cluster not ready after 1s: cannot connect to 127\\.0\\.0\\.1:${port}: [^\\n]+\\n$`));
  });

  it('waits for a broker started a moment later and exits 0', async () => {
    const port = await closedPort();
    const child = spawn(process.execPath, [BIN, 'cluster', 'inspect', '-b', `127.0.0.1:${port}`, '--wait-ready', '--timeout', '30s', '--json'], {
      cwd: ROOT, env: isolatedEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    // Let it fail a few polls first: it must keep trying, not give up.
    await new Promise((r) => setTimeout(r, 1000));
    expect(child.exitCode).toBe(null);
    const late = await startPortBroker({ port });
    try {
      expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: '' });
      const json = JSON.parse(Buffer.concat(out).toString()) as { controller: number; health: unknown; brokers: unknown[] };
      expect(json.controller).toBe(0);
      expect(json.health).toEqual({ healthy: true, problems: [] });
      expect(json.brokers).toEqual([{ id: 0, address: `127.0.0.1:${port}`, alive: true, controller: true }]);
    } finally {
      await late.stop();
      late.cleanup();
    }
  });
});

describe('cluster inspect on 3 brokers with etcd', () => {
  it('shows 3 alive brokers and becomes healthy after creating an RF 3 topic', async () => {
    const cluster = await startCluster(3, { 'min.insync.replicas': '2' });
    try {
      const admin = new Admin(await cluster.client());
      const [created] = await admin.createTopics([{ name: 'rf3', numPartitions: 3, replicationFactor: 3, configs: {} }]);
      expect(created?.errorCode).toBe(0);
      const res: RunResult = await logctl(['cluster', 'inspect', '-b', cluster.bootstrap(), '--wait-ready', '--timeout', '15s', '--json'], { env: isolatedEnv() });
      expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
      const json = JSON.parse(res.stdout) as {
        brokers: { id: number; alive: boolean; controller: boolean }[];
        controller: number;
        topics: { name: string; minInsyncReplicas: number; partitions: { leader: number; replicas: number[]; isr: number[] }[] }[];
        health: unknown;
      };
      expect(json.brokers.map((b) => [b.id, b.alive])).toEqual([[1, true], [2, true], [3, true]]);
      expect(json.brokers.filter((b) => b.controller).map((b) => b.id)).toEqual([json.controller]);
      expect(json.health).toEqual({ healthy: true, problems: [] });
      const rf3 = json.topics.find((t) => t.name === 'rf3');
      expect(rf3?.minInsyncReplicas).toBe(2);
      expect(rf3?.partitions.map((p) => [[...p.replicas].sort(), [...p.isr].sort(), p.replicas.includes(p.leader)])).toEqual([
        [[1, 2, 3], [1, 2, 3], true],
        [[1, 2, 3], [1, 2, 3], true],
        [[1, 2, 3], [1, 2, 3], true],
      ]);

      // A killed broker is reported (once its etcd session expires): not alive, and the cluster unhealthy,
      // which --wait-ready turns into exit 1 with the reason.
      await cluster.kill(3);
      const unhealthy = await waitFor('broker 3 to be reported down', async () => {
        const r = await logctl(['cluster', 'inspect', '-b', cluster.bootstrap(), '--json'], { env: isolatedEnv() });
        const j = JSON.parse(r.stdout) as { brokers: { id: number; alive: boolean }[]; health: { healthy: boolean; problems: string[] } };
        return j.brokers.find((b) => b.id === 3)?.alive === false && !j.health.healthy ? j : undefined;
      });
      expect(unhealthy.brokers.find((b) => b.id === 3)).toEqual({ id: 3, address: null, alive: false, controller: false });
      expect(unhealthy.health.problems.some((p) => /^rf3-\d is under-replicated: ISR \[[12],[12]\] of replicas \[/.test(p) || /^rf3-\d has no leader$/.test(p))).toBe(true);
      const degraded = await logctl(['cluster', 'inspect', '-b', cluster.bootstrap(), '--wait-ready', '--timeout', '500ms'], { env: isolatedEnv() });
      expect(degraded.code).toBe(1);
      expect(degraded.stderr).toMatch(/^logctl: cluster not ready after 500ms: rf3-\d .+\n$/);
    } finally {
      await cluster.stop();
    }
  }, 40_000);
});
