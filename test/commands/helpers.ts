// Spawns the built CLI (`node bin/run.js`, compiled by `npx tsc -p .` first) through real pipes, and a
// real broker process on a random port. Every child gets its own XDG directories so that a developer's
// profiles or local broker socket never leak into a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { startBrokerProcess as startSharedBroker } from '../helpers/broker-process.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'run.js');

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'commands', 'consume.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p .` (npm test does) before these tests');
  }
}

let homes = 0;

/** An environment whose HOME and XDG directories do not exist: no profiles, no local socket. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = join(tmpdir(), `logctl-cli-nohome-${process.pid}-${homes++}`);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), ...extra };
  delete env.LOGCTL_BROKER;
  delete env.FORCE_COLOR;
  return { ...env, ...extra };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

function collect(child: ChildProcess): Promise<RunResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolvePromise({ code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Runs `logctl ARGS` with `input` written to its stdin (through a pipe). */
export function logctl(args: string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: options.env ?? isolatedEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  const result = collect(child);
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(options.input ?? '');
  return result;
}

/** Runs a bash pipeline in which `logctl` is the built CLI; pipefail makes any stage's failure the exit code. */
export function shell(script: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const child = spawn('bash', ['-c', `set -o pipefail; logctl() { "${process.execPath}" "${BIN}" "$@"; }; ${script}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child);
}

export interface BrokerProcess {
  address: string;
  dataDir: string;
  stop(): Promise<number | null>;
}

/** `settings`: broker settings passed as `--set key=value` (e.g. group.initial.rebalance.delay.ms=0). */
export async function startBrokerProcess(settings: Record<string, string> = {}): Promise<BrokerProcess> {
  const broker = await startSharedBroker({ set: settings, env: isolatedEnv() });
  return {
    address: broker.bootstrap,
    dataDir: broker.dataDir,
    stop: async () => {
      const code = await broker.stop();
      broker.cleanup();
      return code;
    },
  };
}

/**
 * One broker process for a whole test file: started (after checking the build) in beforeAll and handed to
 * `started` with the env that points logctl at it; stopped in afterAll, where its exit code must be 0
 * (SIGTERM is a graceful stop).
 */
export function useBroker(settings: Record<string, string>, started: (broker: BrokerProcess, env: NodeJS.ProcessEnv) => void): void {
  let broker: BrokerProcess | undefined;
  beforeAll(async () => {
    assertBuilt();
    broker = await startBrokerProcess(settings);
    started(broker, isolatedEnv({ LOGCTL_BROKER: broker.address }));
  });
  afterAll(async () => {
    expect(await broker?.stop()).toBe(0);
  });
}

/** A TCP port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
