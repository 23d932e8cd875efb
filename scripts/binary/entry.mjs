// The single executable's main script (bundled by scripts/build-binary.mjs into one CJS file).
// Two things differ from `node bin/run.js`:
// - Commands: oclif normally finds them on the file system (package.json "oclif.commands"), which does
//   not exist inside the binary. Here the root plugin is built in memory from package.json and a command
//   map generated at build time (oclif's "explicit" strategy, with its command cache filled in advance,
//   so oclif never tries to import a file).
// - Native addons: records/ loads snappy, lz4-napi, zstd-napi and @node-rs/crc32 with a runtime
//   require(). A hook on Module._load answers those names with the bundled packages, whose .node files
//   come from SEA assets (native.cjs).
import Module from 'node:module';
import { dirname } from 'node:path';
import { Config, Plugin, flush, handle, run } from '@oclif/core';
import { COMMANDS } from 'logctl:commands';
import pjson from '../../package.json';

const bundled = {
  snappy: () => require('snappy'),
  'lz4-napi': () => require('lz4-napi'),
  'zstd-napi': () => require('zstd-napi'),
  'zstd-napi/binding.js': () => require('zstd-napi/binding.js'),
  '@node-rs/crc32': () => require('@node-rs/crc32'),
};

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  const found = Object.hasOwn(bundled, request) ? bundled[request] : undefined;
  if (found !== undefined) return found();
  return originalLoad.call(this, request, parent, isMain);
};

async function main() {
  const root = dirname(process.execPath);
  const plugin = new Plugin({
    isRoot: true,
    root,
    ignoreManifest: true,
    pjson: { ...pjson, oclif: { ...pjson.oclif, commands: { strategy: 'explicit', target: './commands.js', identifier: 'COMMANDS' } } },
  });
  // oclif's explicit strategy imports `target` unless its command cache is already filled.
  plugin.commandCache = COMMANDS;
  await plugin.load();
  const config = await Config.load({ root, plugins: new Map([[plugin.name, plugin]]) });
  await run(process.argv.slice(2), config);
  flush();
}

main().catch((error) => handle(error));
