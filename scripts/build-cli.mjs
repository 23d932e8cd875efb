#!/usr/bin/env node
// Part of `npm run build` (after tsc): bundles the CLI into dist/cli.cjs and makes its V8 code cache,
// dist/cli.cjs.cache, which bin/run.js loads. Why: resolving, reading and compiling ~400 ESM/CJS modules
// (oclif, every command, the broker) cost ~250 ms before `logctl broker start` could listen; one bundle
// compiled from a warm code cache costs ~70 ms (bench workload S).
//   node scripts/build-cli.mjs [--root DIR]   DIR holds bin/run.js; the bundle goes to DIR/dist (default: the checkout)
//
// The cache is made by running the bundle once as `broker start` (port 0, a temporary data dir, no
// socket) until it is ready, then stopping it: V8 then caches every function the start-up compiled,
// not only the top level. dist/cli.cjs.cache layout (see bin/run.js, which checks it):
//   bytes 0..n-1  the bundle's build id: the ASCII text after "// logctl-bundle " on the bundle's first line
//   byte  n       '\n'
//   bytes n+1..   V8 code cache data (script.createCachedData()) for the wrapped bundle source
// The id is random per build; V8 itself only checks the source length, so without it a cache from an
// older bundle of the same length could be accepted.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, commandsPlugin, ROOT } from './bundle/commands.mjs';

/** The packages left outside the bundle, loaded from node_modules at run time. */
const EXTERNAL = [
  // native addons (records/ loads them with a runtime require when a codec is first used)
  '@node-rs/crc32', 'snappy', 'lz4-napi', 'zstd-napi',
  // etcd3 reads its .proto files from its own directory; it is imported only in cluster mode
  'etcd3',
  // oclif reads tsconfig.json with TypeScript only when running commands from .ts sources
  'typescript',
];

export async function buildCli({ root = ROOT } = {}) {
  const bundle = join(root, 'dist', 'cli.cjs');
  const id = randomUUID();
  await build({
    entryPoints: [join(ROOT, 'scripts', 'bundle', 'cli-entry.mjs')],
    outfile: bundle,
    ...BUNDLE_OPTIONS,
    external: EXTERNAL,
    // import() of an external (etcd3) becomes require(): a dynamic import inside vm.Script (bin/run.js)
    // would need vm's experimental main-context loader.
    supported: { 'dynamic-import': false },
    // records/ builds createRequire from "this module's URL": here, the bundle's own file.
    define: { 'import.meta.url': '__logctlModuleUrl' },
    banner: { js: `// logctl-bundle ${id}\nvar __logctlModuleUrl = require("node:url").pathToFileURL(__filename).href;` },
    plugins: [commandsPlugin],
  });
  await warmCodeCache(root, `${bundle}.cache`);
  return bundle;
}

/** Starts `broker start` from the new bundle with LOGCTL_CODE_CACHE_OUT set, stops it once ready. */
async function warmCodeCache(root, cacheFile) {
  const dir = mkdtempSync(join(tmpdir(), 'logctl-code-cache-'));
  const partial = join(dir, 'cli.cjs.cache');
  try {
    const args = [join(root, 'bin', 'run.js'), 'broker', 'start', '--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0', '--no-socket', '--ready-json', '--log-level', 'warn'];
    const child = spawn(process.execPath, args, { env: { ...process.env, LOGCTL_CODE_CACHE_OUT: partial }, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.includes('"event":"ready"')) {
        child.kill('SIGTERM');
        break;
      }
    }
    const { code, signal } = await exited;
    if (code !== 0 || !existsSync(partial)) throw new Error(`warming the code cache failed: broker start exited with ${code ?? signal}`);
    renameSync(partial, cacheFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--root');
  await buildCli(at > 0 ? { root: resolve(process.argv[at + 1]) } : {});
}
