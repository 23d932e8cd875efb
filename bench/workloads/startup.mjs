// Workload S: (1) the CLI broker, from spawn() of `node bin/run.js broker start` to the first answered
// ApiVersions (polling connects every ms); (2) in-process `startBroker()` (see startup-inproc.mjs).
import { spawn, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, freshDir, ROOT } from '../lib/broker.mjs';
import { freePort, pollApiVersions } from '../lib/probe.mjs';

export async function startupRun() {
  const dir = freshDir();
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'broker', 'start', '--data-dir', join(dir, 'data'), '--listen', `127.0.0.1:${port}`, '--no-socket'], { stdio: 'ignore' });
  try {
    const answered = await pollApiVersions('127.0.0.1', port);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const inproc = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench', 'workloads', 'startup-inproc.mjs')], { encoding: 'utf8' }).trim().split('\n').pop());
    return { S: { cliToApiVersionsMs: answered - t0, startBrokerMs: inproc.startBrokerMs, startBrokerToApiVersionsMs: inproc.firstAnswerMs } };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
