// Native addons inside the single executable. A SEA binary has no node_modules, so the four .node
// files (CRC-32C, snappy, lz4, zstd) ride along as SEA assets. On first use, an addon is written to a
// private temp directory, loaded with process.dlopen, and deleted at once: the dynamic loader keeps
// the mapping alive after the unlink, so no file outlives the load (nothing is left behind on exit).
'use strict';
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const loaded = new Map();

/** Loads the addon stored as SEA asset `name` and returns its exports. */
function loadNativeAsset(name) {
  const cached = loaded.get(name);
  if (cached !== undefined) return cached;
  const sea = require('node:sea');
  const bytes = Buffer.from(sea.getAsset(name));
  const dir = mkdtempSync(join(tmpdir(), 'logctl-native-'));
  try {
    const file = join(dir, name);
    writeFileSync(file, bytes, { mode: 0o700 });
    const module = { exports: {} };
    process.dlopen(module, file);
    loaded.set(name, module.exports);
    return module.exports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * etcd3 reads its .proto files from disk when its module is evaluated. Inside the binary they are SEA
 * assets: written to a temp directory only for the synchronous load, then removed.
 */
function loadProtoAssets(files, main, loadSync, options) {
  const sea = require('node:sea');
  const dir = mkdtempSync(join(tmpdir(), 'logctl-proto-'));
  try {
    for (const f of files) writeFileSync(join(dir, f), Buffer.from(sea.getAsset(`proto/${f}`)));
    return loadSync(join(dir, main), options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { loadNativeAsset, loadProtoAssets };
