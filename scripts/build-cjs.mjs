#!/usr/bin/env node
// `npm run build:cjs`: the CommonJS entry of the package (package.json exports "require"), for
// `const { startBroker } = require('logctl')`. The package itself is ESM (tsc writes dist/src/);
// esbuild bundles src/index.ts and the modules it reaches into dist/index.cjs, dependencies left as
// require() calls. dist/index.d.cts is the type declaration tsc wrote for src/index.ts (which declares
// its own types, so it has no imports): run `npx tsc -p .` first.
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildCjs() {
  await build({
    entryPoints: [join(root, 'src', 'index.ts')],
    outfile: join(root, 'dist', 'index.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'error',
    // records/ builds a require() from import.meta.url to load native codecs lazily.
    define: { 'import.meta.url': '__logctlModuleUrl' },
    banner: { js: 'var __logctlModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  const declarations = join(root, 'dist', 'src', 'index.d.ts');
  if (!existsSync(declarations)) throw new Error('dist/src/index.d.ts is missing: run `npx tsc -p .` first');
  copyFileSync(declarations, join(root, 'dist', 'index.d.cts'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCjs();
}
