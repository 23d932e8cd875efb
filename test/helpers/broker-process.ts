// Starts a real `logctl broker start` process (the built CLI) for end-to-end tests and reads its
// `--ready-json` line. Every test that needs a broker process goes through here.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';

export const CLI = resolve(import.meta.dirname, '../../bin/run.js');

export interface BrokerProcess {
  proc: ChildProcess;
  dataDir: string;
  /** host:port of the TCP listener. */
  bootstrap: string;
  host: string;
  port: number;
  socketPath: string | null;
  /** Everything the broker wrote to stderr so far (its logs). */
  stderr(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Removes the data dir (after stop/kill). */
  cleanup(): void;
}

export interface StartOptions {
  dataDir?: string;
  socket?: boolean;
  port?: number;
  set?: Record<string, string>;
  /** The broker's environment (default: this process's, with NO_COLOR). */
  env?: NodeJS.ProcessEnv;
}

export async function startBrokerProcess(options: StartOptions = {}): Promise<BrokerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'logctl-e2e-'));
  const args = [CLI, 'broker', 'start', '--data-dir', dataDir, '--listen', `127.0.0.1:${options.port ?? 0}`, '--ready-json'];
  if (options.socket) args.push('--socket', join(dataDir, 'logctl.sock'));
  else args.push('--no-socket');
  for (const [k, v] of Object.entries(options.set ?? {})) args.push('--set', `${k}=${v}`);
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));

  const ready = await new Promise<{ tcp: string; socket: string | null }>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`broker did not become ready in 20 s; stderr:\n${stderr}`)), 20_000);
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { event?: string; tcp?: string; socket?: string | null };
        if (msg.event === 'ready' && msg.tcp) {
          clearTimeout(timer);
          res({ tcp: msg.tcp, socket: msg.socket ?? null });
        }
      } catch {
        // not a JSON line: ignore
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`broker exited with ${code} before ready; stderr:\n${stderr}`));
    });
  });
  const idx = ready.tcp.lastIndexOf(':');
  const host = ready.tcp.slice(0, idx);
  const port = Number(ready.tcp.slice(idx + 1));
  return {
    proc,
    dataDir,
    bootstrap: ready.tcp,
    host,
    port,
    socketPath: ready.socket,
    stderr: () => stderr,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** One broker process for a test file: started before its tests, stopped and its data dir removed after
 *  them. Returns the broker (available once the tests run). */
export function useBrokerProcess(options: StartOptions = {}): () => BrokerProcess {
  let broker: BrokerProcess | undefined;
  beforeAll(async () => {
    broker = await startBrokerProcess(options);
  });
  afterAll(async () => {
    await broker?.stop();
    broker?.cleanup();
  });
  return () => {
    if (broker === undefined) throw new Error('the broker process is started in beforeAll');
    return broker;
  };
}
