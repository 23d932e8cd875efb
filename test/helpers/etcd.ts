// Starts a real single-member etcd on 127.0.0.1 (random free client and peer ports, temp data dir) for
// the cluster tests, waits until it answers /health, and stops and removes it afterwards. Installs
// etcd-server through scripts/install-etcd.sh when the binary is missing.
//
// etcd cannot be told to bind port 0 and report it, so its ports are picked free beforehand; another
// process (a broker of a parallel test file) can take one in between, so a start that fails with
// "address already in use" is retried with new ports.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const INSTALL_SCRIPT = resolve(import.meta.dirname, '../../scripts/install-etcd.sh');
const START_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 5;

export interface EtcdProcess {
  /** "127.0.0.1:PORT", the form `--cluster etcd://...` and EtcdMetadataStore hosts take. */
  endpoint: string;
  /** Everything etcd wrote to stderr (its log), for failure messages. */
  log(): string;
  /** SIGTERM, wait for exit, remove the data dir. Idempotent. */
  stop(): Promise<void>;
}

export async function startEtcd(): Promise<EtcdProcess> {
  execFileSync('bash', [INSTALL_SCRIPT], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEtcdOnce();
    } catch (err) {
      if (attempt >= START_ATTEMPTS || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startEtcdOnce(): Promise<EtcdProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'logctl-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const proc = spawn(
    'etcd',
    [
      '--name', 'default',
      '--data-dir', dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `default=${peerUrl}`,
      '--logger', 'zap',
      '--log-level', 'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };
  try {
    await waitHealthy(proc, clientUrl);
  } catch (err) {
    await stop();
    throw new Error(`etcd did not start: ${(err as Error).message}\n${stderr}`);
  }
  return { endpoint: `127.0.0.1:${clientPort}`, log: () => stderr, stop };
}

async function waitHealthy(proc: ChildProcess, clientUrl: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`exited with code ${proc.exitCode}`);
    try {
      const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no healthy answer from ${clientUrl} within ${START_TIMEOUT_MS} ms`);
}

/** A port the OS considers free right now (bind port 0, read it, close). */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

export interface TcpProxy {
  /** "127.0.0.1:PORT" to give a client instead of the real endpoint. */
  endpoint: string;
  /** Simulates the client's host dying or being partitioned: drops every connection, refuses new ones. */
  cut(): void;
  close(): Promise<void>;
}

/** A TCP relay in front of etcd, so a test can sever one client's link to etcd (crash/partition). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, portText] = target.split(':');
  const sockets = new Set<Socket>();
  let cut = false;
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(portText), host ?? '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `127.0.0.1:${port}`,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    async close() {
      cut = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
