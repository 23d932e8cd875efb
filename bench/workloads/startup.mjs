// Workload S: (1) the CLI broker, from spawn() of `node bin/run.js broker start` to the first answered
// ApiVersions (polling connects every ms); (2) in-process `startBroker()` (see startup-inproc.mjs).
// NODE_EXTRA_CA_CERTS: this machine's environment sets it, and Node 20 reads and parses that certificate
// bundle while starting, before any script runs (~55 ms here, for every Node process). A user's shell
// normally has no such setting, so the target row runs without it; a second row keeps the figure with it.
import { spawn, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, freshDir, ROOT } from '../lib/broker.mjs';
import { freePort, pollApiVersions } from '../lib/probe.mjs';

export async function startupRun() {
  const { NODE_EXTRA_CA_CERTS: caCerts, ...plainEnv } = process.env;
  const S = { cliToApiVersionsMs: await cliStartMs(plainEnv) };
  if (caCerts !== undefined) S.cliWithCaCertsToApiVersionsMs = await cliStartMs(process.env);
  const inproc = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench', 'workloads', 'startup-inproc.mjs')], { encoding: 'utf8' }).trim().split('\n').pop());
  return { S: { ...S, startBrokerMs: inproc.startBrokerMs, startBrokerToApiVersionsMs: inproc.firstAnswerMs } };
}

/** spawn() of the CLI broker → its first answered ApiVersions, in ms. */
async function cliStartMs(env) {
  const dir = freshDir();
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'broker', 'start', '--data-dir', join(dir, 'data'), '--listen', `127.0.0.1:${port}`, '--no-socket'], { stdio: 'ignore', env });
  try {
    const answered = await pollApiVersions('127.0.0.1', port);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    return answered - t0;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
