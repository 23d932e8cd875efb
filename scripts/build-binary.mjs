#!/usr/bin/env node
// `npm run build:binary`: builds dist/logctl, a single executable (Linux x64) holding Node, every
// command and the broker. Offline, from the local Node install:
//   1. esbuild bundles scripts/binary/entry.mjs (oclif + all of commands/ and src/) into one CJS file,
//      with the in-memory command map of scripts/bundle/commands.mjs;
//   2. the native addons' .node files become SEA assets (scripts/binary/native.cjs loads them);
//   3. `node --experimental-sea-config` writes the blob, postject injects it into a copy of `node`.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeMetafile, build } from 'esbuild';
import { BUNDLE_OPTIONS, commandsPlugin } from './bundle/commands.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'dist', 'sea');
const output = join(root, 'dist', 'logctl');
const require = createRequire(join(root, 'package.json'));
const LOADER = join(root, 'scripts', 'binary', 'native.cjs');
const ETCD_PROTOS = ['rpc.proto', 'kv.proto', 'auth.proto'];
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Native addon packages (as required by their loaders) → the asset name of their .node file. */
const NATIVE = [
  { request: '@node-rs/crc32-linux-x64-gnu', asset: 'crc32.node', file: () => join(dirname(require.resolve('@node-rs/crc32-linux-x64-gnu/package.json')), 'crc32.linux-x64-gnu.node') },
  { request: '@napi-rs/snappy-linux-x64-gnu', asset: 'snappy.node', file: () => join(dirname(require.resolve('@napi-rs/snappy-linux-x64-gnu/package.json')), 'snappy.linux-x64-gnu.node') },
  { request: '@antoniomuso/lz4-napi-linux-x64-gnu', asset: 'lz4.node', file: () => join(dirname(require.resolve('@antoniomuso/lz4-napi-linux-x64-gnu/package.json')), 'lz4-napi.linux-x64-gnu.node') },
  { request: 'zstd-napi/binding.js', asset: 'zstd.node', file: () => join(dirname(require.resolve('zstd-napi/package.json')), 'build', 'Release', 'binding.node') },
];

const nativePlugin = {
  name: 'logctl-native-assets',
  setup(b) {
    const byRequest = new Map(NATIVE.map((n) => [n.request, n]));
    b.onResolve({ filter: /^(@node-rs\/crc32-linux-x64-gnu|@napi-rs\/snappy-linux-x64-gnu|@antoniomuso\/lz4-napi-linux-x64-gnu)$/ }, (args) => ({ path: args.path, namespace: 'native' }));
    // Every other prebuilt the loaders probe (other platforms, musl, wasi, a .node beside the loader):
    // a module that throws, as a missing file would (the SEA require would also print a warning).
    b.onResolve({ filter: /\.node$|\.wasi\.cjs$|^@(napi-rs|node-rs|antoniomuso)\/[a-z0-9-]+-(android|darwin|freebsd|win32|linux|openharmony|wasm32)-[a-z0-9-]+$/ }, (args) => ({
      path: args.path,
      namespace: 'unavailable',
    }));
    b.onLoad({ filter: /.*/, namespace: 'unavailable' }, (args) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(`${args.path} is not part of this executable`)}), { code: 'MODULE_NOT_FOUND' });\n`,
      loader: 'js',
    }));
    b.onLoad({ filter: /zstd-napi[/\\]binding\.js$/ }, () => ({ contents: nativeStub('zstd.node'), loader: 'js', resolveDir: root }));
    b.onLoad({ filter: /etcd3[/\\]lib[/\\]connection-pool\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const call = '(0, proto_loader_1.loadSync)(`${__dirname}/../proto/rpc.proto`,';
      if (!source.includes(call)) throw new Error(`etcd3 changed how it loads rpc.proto (${args.path}); update scripts/build-binary.mjs`);
      const replacement = `require(${JSON.stringify(LOADER)}).loadProtoAssets(${JSON.stringify(ETCD_PROTOS)}, 'rpc.proto', proto_loader_1.loadSync,`;
      return { contents: source.replace(call, replacement), loader: 'js', resolveDir: dirname(args.path) };
    });
    b.onLoad({ filter: /.*/, namespace: 'native' }, (args) => ({ contents: nativeStub(byRequest.get(args.path).asset), loader: 'js', resolveDir: root }));
  },
};

/** Runs a build step; its chatter (postject warns about ELF note sections on every run) shows only on failure. */
function quiet([command, ...args]) {
  try {
    execFileSync(command, args, { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`${[command, ...args].join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`, { cause: err });
  }
}

function nativeStub(asset) {
  return `module.exports = require(${JSON.stringify(LOADER)}).loadNativeAsset(${JSON.stringify(asset)});\n`;
}

export async function buildBinary({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const started = Date.now();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const bundle = join(work, 'logctl.cjs');
  const result = await build({
    entryPoints: [join(root, 'scripts', 'binary', 'entry.mjs')],
    outfile: bundle,
    ...BUNDLE_OPTIONS,
    // Inside the binary, "this module's URL" is the executable (records/ builds createRequire from it).
    define: { 'import.meta.url': '__logctlModuleUrl' },
    // OCLIF_DISABLE_ENGINE_WARNING: oclif checks the Node version by requiring its package.json from disk;
    // the binary carries its own Node, so the check has nothing to say (and would print a SEA warning).
    banner: { js: 'var __logctlModuleUrl = require("node:url").pathToFileURL(process.execPath).href; process.env.OCLIF_DISABLE_ENGINE_WARNING ??= "1";' },
    // oclif reads tsconfig.json with TypeScript only when running commands from .ts sources (development).
    external: ['typescript'],
    metafile: true,
    plugins: [commandsPlugin, nativePlugin],
  });
  for (const w of result.warnings) log(`esbuild: ${w.text}`);
  if (process.env.LOGCTL_BUNDLE_REPORT) log(await analyzeMetafile(result.metafile));
  const assets = Object.fromEntries(NATIVE.map((n) => [n.asset, n.file()]));
  const etcdProtoDir = join(dirname(require.resolve('etcd3/package.json')), 'proto');
  for (const f of ETCD_PROTOS) assets[`proto/${f}`] = join(etcdProtoDir, f);
  const seaConfig = join(work, 'sea-config.json');
  const blob = join(work, 'sea-prep.blob');
  writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2));
  quiet([process.execPath, '--experimental-sea-config', seaConfig]);
  rmSync(output, { force: true });
  copyFileSync(process.execPath, output);
  chmodSync(output, 0o755);
  quiet([process.execPath, require.resolve('postject/dist/cli.js'), output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
  rmSync(work, { recursive: true, force: true });
  log(`built ${relative(root, output)} (${(statSync(output).size / 1048576).toFixed(1)} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return output;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildBinary();
}
