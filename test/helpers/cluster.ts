// A real cluster for the replication tests: one etcd and N `logctl broker start --cluster` processes on
// 127.0.0.1 (port 0, temp data dirs), with short session and lag timeouts so failures are detected in
// seconds. Brokers can be killed, paused (SIGSTOP) and restarted on their data dir.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { KafkaClient } from '../../src/client/index.js';
import { startBrokerProcess, type BrokerProcess } from './broker-process.js';
import { startEtcd, type EtcdProcess } from './etcd.js';

export const SESSION_TIMEOUT_MS = 2000;

export interface TestCluster {
  etcd: EtcdProcess;
  /** By node id; undefined while a broker is down. */
  brokers: Map<number, BrokerProcess>;
  dataDirs: Map<number, string>;
  start(nodeId: number): Promise<BrokerProcess>;
  kill(nodeId: number): Promise<void>;
  bootstrap(): string;
  client(): Promise<KafkaClient>;
  /** Concatenated segment bytes of a partition on a node's disk. */
  logBytes(nodeId: number, topic: string, partition: number): Buffer;
  stop(): Promise<void>;
}

export async function startCluster(size: number, set: Record<string, string> = {}): Promise<TestCluster> {
  const etcd = await startEtcd();
  const brokers = new Map<number, BrokerProcess>();
  const dataDirs = new Map<number, string>();
  const ports = new Map<number, number>();
  const clients: KafkaClient[] = [];
  const start = async (nodeId: number): Promise<BrokerProcess> => {
    const options: Parameters<typeof startBrokerProcess>[0] = {
      set: {
        'cluster.etcd': `etcd://${etcd.endpoint}/test`,
        'node.id': String(nodeId),
        'cluster.session.timeout.ms': String(SESSION_TIMEOUT_MS),
        'replica.lag.time.max.ms': '3000',
        'replica.fetch.wait.max.ms': '200',
        'log.level': 'info',
        ...set,
      },
    };
    const dir = dataDirs.get(nodeId);
    if (dir !== undefined) options.dataDir = dir;
    // A restarted broker keeps its port, as a real one would.
    const port = ports.get(nodeId);
    if (port !== undefined) options.port = port;
    const b = await startBrokerProcess(options);
    dataDirs.set(nodeId, b.dataDir);
    ports.set(nodeId, b.port);
    brokers.set(nodeId, b);
    return b;
  };
  const cluster: TestCluster = {
    etcd,
    brokers,
    dataDirs,
    start,
    async kill(nodeId) {
      await brokers.get(nodeId)?.kill();
      brokers.delete(nodeId);
    },
    bootstrap() {
      const first = [...brokers.values()][0];
      if (first === undefined) throw new Error('no broker running');
      return first.bootstrap;
    },
    async client() {
      const c = await KafkaClient.connect({ broker: cluster.bootstrap(), requestTimeoutMs: 10_000 });
      clients.push(c);
      return c;
    },
    logBytes(nodeId, topic, partition) {
      const dir = join(dataDirs.get(nodeId) ?? '', `${topic}-${partition}`);
      if (!existsSync(dir)) return Buffer.alloc(0);
      const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
      return Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await Promise.all([...brokers.values()].map((b) => b.kill()));
      for (const b of brokers.values()) b.cleanup();
      for (const dir of dataDirs.values()) (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
      await etcd.stop();
    },
  };
  try {
    for (let id = 1; id <= size; id++) await start(id);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One cluster for a test file: started before its tests (60 s allowed), stopped after them. Returns
 *  the cluster (available once the tests run). */
export function useCluster(size: number, set: Record<string, string> = {}): () => TestCluster {
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster(size, set);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error('the cluster is started in beforeAll');
    return cluster;
  };
}
