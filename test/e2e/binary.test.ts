// The single executable (npm run build:binary → dist/logctl), copied alone into an empty directory (no
// node_modules, no sources): broker start, topic create, produce with every codec (the native addons
// come from SEA assets), consume --until-end. The binary is rebuilt when missing or older than any
// source; a failed build fails the test. Native addons are unpacked to TMPDIR only for the load, so
// TMPDIR must be empty again afterwards.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildBinary } from '../../scripts/build-binary.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const built = join(root, 'dist', 'logctl');

/** Newest modification time under the given paths (files or directories, recursively). */
function newest(paths: string[]): number {
  let max = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const st = statSync(p);
    if (st.isDirectory()) max = Math.max(max, newest(readdirSync(p).map((n) => join(p, n))));
    else max = Math.max(max, st.mtimeMs);
  }
  return max;
}

let dir: string;
let bin: string;
let env: NodeJS.ProcessEnv;
let broker: ChildProcess | undefined;
let address: string;

beforeAll(async () => {
  const sources = ['src', 'commands', 'scripts/binary', 'scripts/bundle', 'scripts/build-binary.mjs', 'package.json'].map((p) => join(root, p));
  if (!existsSync(built) || statSync(built).mtimeMs < newest(sources)) {
    await (buildBinary as (o: { log: (m: string) => void }) => Promise<string>)({ log: () => {} });
  }
  dir = mkdtempSync(join(tmpdir(), 'logctl-binary-'));
  bin = join(dir, 'logctl');
  copyFileSync(built, bin);
  mkdirSync(join(dir, 'tmp'));
  mkdirSync(join(dir, 'home'));
  // Only what a fresh server would have: no NODE_* settings, an empty home and a private TMPDIR.
  env = { PATH: '/usr/bin:/bin', HOME: join(dir, 'home'), TMPDIR: join(dir, 'tmp') };
}, 300_000);

afterAll(async () => {
  if (broker && broker.exitCode === null) {
    broker.kill('SIGTERM');
    await new Promise((r) => broker?.once('exit', r));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function logctl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = execFile(bin, args, { cwd: dir, env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolvePromise({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

describe('single executable', () => {
  it('sits alone in an empty directory', () => {
    expect(readdirSync(dir).sort()).toEqual(['home', 'logctl', 'tmp']);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
  });

  it('prints its version and help without any file beside it', async () => {
    const version = await logctl(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^logctl\/\d+\.\d+\.\d+ linux-x64 node-v20\./);
    const help = await logctl(['topic', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--partitions');
  });

  it('runs a broker, creates a topic, produces with every codec and consumes it all back', async () => {
    broker = spawn(bin, ['broker', 'start', '--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0', '--no-socket', '--ready-json'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolveLine, reject) => {
      createInterface({ input: broker!.stdout! }).once('line', resolveLine);
      broker!.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
    });
    address = (JSON.parse(line) as { tcp: string }).tcp;

    expect(await logctl(['topic', 'create', 'bin-t', '-b', address, '--partitions', '1'])).toMatchObject({ code: 0 });
    const codecs = ['zstd', 'lz4', 'snappy', 'gzip', 'none'];
    for (const z of codecs) {
      const produced = await logctl(['produce', 'bin-t', '-b', address, '-z', z], `${z}-1\n${z}-2\n`);
      expect({ z, ...produced }).toEqual({ z, code: 0, stdout: '', stderr: '' });
    }
    const consumed = await logctl(['consume', 'bin-t', '-b', address, '--from-offset', 'beginning', '--until-end', '--format', '%o %v\n']);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(codecs.flatMap((z, i) => [`${2 * i} ${z}-1`, `${2 * i + 1} ${z}-2`]));

    const described = await logctl(['topic', 'describe', 'bin-t', '-b', address, '--json']);
    expect(described.code).toBe(0);
    expect(JSON.stringify(JSON.parse(described.stdout))).toContain('"logEndOffset":10');

    // `cluster inspect` comes with the replication work: covered as soon as the command exists.
    if (existsSync(join(root, 'commands', 'cluster', 'inspect.ts'))) {
      const inspected = await logctl(['cluster', 'inspect', '-b', address]);
      expect(inspected.code).toBe(0);
    }

    broker.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => broker!.once('exit', r));
    expect(code).toBe(0);
    // The native addons were unpacked only for their load.
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });
});

