#!/usr/bin/env node
// The CLI. `npm run build` makes dist/cli.cjs, one bundle of oclif, every command and the broker, and
// dist/cli.cjs.cache, V8's code cache for it (scripts/build-cli.mjs documents both). Compiling one file
// from a code cache instead of resolving ~400 modules is what lets `logctl broker start` answer its first
// request in ~120 ms rather than ~350 ms. Without a bundle (a bare `tsc` build), oclif finds the
// compiled commands in dist/commands.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));

if (existsSync(bundle)) {
  runBundle(bundle);
} else {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}

/** Runs the bundle as Node would run a CommonJS main module, with the code cache when it matches. */
function runBundle(file) {
  const source = readFileSync(file, 'utf8');
  const id = /^\/\/ logctl-bundle (\S+)\n/.exec(source)?.[1];
  const cacheOut = process.env.LOGCTL_CODE_CACHE_OUT;
  const cachedData = cacheOut === undefined && id !== undefined ? readCodeCache(`${file}.cache`, id) : undefined;
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
  });
  if (cacheOut !== undefined) {
    process.once('exit', () => writeFileSync(cacheOut, Buffer.concat([Buffer.from(`${id}\n`), script.createCachedData()])));
  }
  const module = new Module(file);
  module.filename = file;
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
}

/** The V8 data of `cacheFile` if it was made for the bundle with this id, else undefined (compile cold). */
function readCodeCache(cacheFile, id) {
  let bytes;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const header = Buffer.from(`${id}\n`);
  return bytes.subarray(0, header.length).equals(header) ? bytes.subarray(header.length) : undefined;
}
