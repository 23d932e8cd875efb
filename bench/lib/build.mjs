// A private build of the tree for the benchmark. Other engineers rebuild dist/ while a run is going (a
// half-written dist/ once made every broker start fail), so the bench compiles into its own directory:
//   $BUILD/dist (tsc --outDir, then the CLI bundle dist/cli.cjs and its code cache, as `npm run build`),
//   $BUILD/bin/run.js and package.json (copies), $BUILD/node_modules → the checkout's node_modules.
// Child processes find it through LOGCTL_BENCH_BUILD.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD = process.env.LOGCTL_BENCH_BUILD ?? join(tmpdir(), 'logctl-bench-build');
export const CLI = join(BUILD, 'bin', 'run.js');

/** URL of a built module, e.g. distUrl('src/client/index.js'), for dynamic import(). */
export const distUrl = (rel) => pathToFileURL(join(BUILD, 'dist', rel)).href;

/** Compiles the checkout into BUILD (type errors elsewhere in the tree do not stop tsc's emit); with
 *  `bundle` false, no dist/cli.cjs: bin/run.js then runs the compiled modules (readable profiles). */
export function buildSnapshot({ bundle = true } = {}) {
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(join(BUILD, 'bin'), { recursive: true });
  spawnSync('npx', ['tsc', '-p', join(ROOT, 'tsconfig.json'), '--outDir', join(BUILD, 'dist')], { cwd: ROOT, stdio: 'ignore' });
  cpSync(join(ROOT, 'package.json'), join(BUILD, 'package.json'));
  cpSync(join(ROOT, 'bin', 'run.js'), CLI);
  symlinkSync(join(ROOT, 'node_modules'), join(BUILD, 'node_modules'));
  if (bundle) spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs'), '--root', BUILD], { cwd: ROOT, stdio: 'inherit' });
  for (const rel of ['commands/broker/start.js', ...(bundle ? ['cli.cjs', 'cli.cjs.cache'] : [])]) {
    if (!existsSync(join(BUILD, 'dist', rel))) throw new Error(`build failed: ${BUILD}/dist/${rel} missing`);
  }
  process.env.LOGCTL_BENCH_BUILD = BUILD;
}
