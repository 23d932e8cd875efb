// Broker process control: each run gets a fresh CLI broker (`logctl broker start`) on 127.0.0.1 with a
// fresh temporary data dir, default durability unless `overrides` (--set key=value) say otherwise.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cpuMicros, rssBytes } from './proc.mjs';

import { CLI } from './build.mjs';

export { ROOT, CLI } from './build.mjs';

export function freshDir(prefix = 'logctl-bench-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Starts `node [nodeArgs] bin/run.js broker start ...` and resolves once it printed its ready line.
 * The returned handle samples the broker's CPU and RSS and stops it (SIGTERM, graceful) on stop().
 */
export async function startBrokerProcess({ overrides = {}, nodeArgs = [], keepDir = false } = {}) {
  const dataDir = freshDir();
  const sets = Object.entries(overrides).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const args = [...nodeArgs, CLI, 'broker', 'start', '--data-dir', join(dataDir, 'data'), '--listen', '127.0.0.1:0', '--no-socket', '--ready-json', ...sets];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const logPath = join(dataDir, 'broker.log');
  child.stderr.pipe(createWriteStream(logPath));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = await new Promise((resolve, reject) => {
    exited.then(({ code }) => reject(new Error(`broker exited with ${code} before ready: ${readFileSync(logPath, 'utf8').trim().split('\n').pop()}`)));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line));
      } catch (err) {
        reject(new Error(`broker printed "${line}" instead of its ready JSON`));
      }
    });
  }).catch((err) => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  const [host, port] = [ready.tcp.slice(0, ready.tcp.lastIndexOf(':')), Number(ready.tcp.slice(ready.tcp.lastIndexOf(':') + 1))];
  return {
    pid: child.pid,
    bootstrap: ready.tcp,
    host,
    port,
    dataDir: join(dataDir, 'data'),
    cpu: () => cpuMicros(child.pid),
    rss: () => rssBytes(child.pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await exited;
      clearTimeout(timer);
      if (!keepDir) rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}
