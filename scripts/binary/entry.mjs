// The single executable's main script (bundled by scripts/build-binary.mjs into one CJS file).
// As in dist/cli.cjs, oclif runs over the command map bundled at build time (scripts/bundle/). What differs:
// - Native addons: records/ loads snappy, lz4-napi, zstd-napi and @node-rs/crc32 with a runtime
//   require(). A hook on Module._load answers those names with the bundled packages, whose .node files
//   come from SEA assets (native.cjs).
import Module from 'node:module';
import { dirname } from 'node:path';
import { runCli } from '../bundle/run-oclif.mjs';

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

runCli(dirname(process.execPath));
