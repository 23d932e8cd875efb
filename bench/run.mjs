#!/usr/bin/env node
// logctl benchmark (issue 5): `npm run bench` (full) or `npm run bench -- --quick`.
// Options: --quick, --only P,F,L,S,M,X (P also runs C and D), --clients ours,kafkajs,rdkafka,kcat, --runs N,
// --profile [--records N --size B] (only: CPU-profile broker and our producer under P, lib/profile.mjs).
// Writes bench/RESULTS.md and bench/results.json (--only/--clients with --write merge into them;
// --report rewrites RESULTS.md from results.json).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mergeInto } from './lib/merge.mjs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { ROOT, BUILD, buildSnapshot } from './lib/build.mjs';
import { machineInfo } from './lib/proc.mjs';
import { writeReport } from './lib/report.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

function setup() {
  log(`building into ${BUILD} (npx tsc -p . --outDir; type errors elsewhere in the tree do not stop the emit)`);
  // Profiles name functions: the broker runs from tsc's modules, not from the minified CLI bundle.
  buildSnapshot({ bundle: !flag('profile') });
  const probe = () => spawnSync('/usr/bin/python3', ['-c', 'import confluent_kafka'], { stdio: 'ignore' }).status === 0;
  if (!probe()) {
    log('installing python3-confluent-kafka (librdkafka) with apt-get');
    spawnSync('apt-get', ['install', '-y', 'python3-confluent-kafka'], { stdio: 'ignore' });
    if (!probe()) spawnSync('sh', ['-c', 'apt-get update && apt-get install -y python3-confluent-kafka'], { stdio: 'ignore' });
    if (!probe()) throw new Error('python3-confluent-kafka is not installed and apt-get could not install it');
  }
  const hasKcat = () => spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
  if (!hasKcat()) {
    log('installing kcat (librdkafka from C) with apt-get');
    spawnSync('sh', ['-c', 'apt-get install -y kcat || (apt-get update && apt-get install -y kcat)'], { stdio: 'ignore' });
    if (!hasKcat()) throw new Error('kcat is not installed and apt-get could not install it');
  }
}

function versions() {
  const rd = execFileSync('/usr/bin/python3', ['-c', 'import confluent_kafka as c; print(c.libversion()[0], c.version()[0])'], { encoding: 'utf8' }).trim().split(' ');
  const kafkajs = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'kafkajs', 'package.json'), 'utf8')).version;
  const kcat = execFileSync('kcat', ['-V'], { encoding: 'utf8' }).match(/Version (\S+)/)?.[1];
  return { librdkafka: rd[0], confluentKafka: rd[1], kafkajs, kcat };
}

// --report: rewrite RESULTS.md from results.json (after a change to the report's layout), no runs.
if (flag('report')) {
  const jsonPath = join(ROOT, 'bench', 'results.json');
  writeReport({ ...JSON.parse(readFileSync(jsonPath, 'utf8')), path: join(ROOT, 'bench', 'RESULTS.md'), jsonPath });
  process.exit(0);
}
const quick = flag('quick');
const profile = flag('profile');
setup();
if (profile) {
  const { profileProduce } = await import('./lib/profile.mjs');
  await profileProduce({ count: Number(option('records') ?? 1_000_000), size: Number(option('size') ?? 100), log });
  process.exit(0);
}

// kafkajs encodes and decodes every record in JS: its runs use fewer records to keep the run bounded.
const counts = quick
  ? { ours: 100_000, kafkajs: 100_000, rdkafka: 100_000, kcat: 100_000, fanout: 100_000, cli: 100_000 }
  : { ours: 1_000_000, kafkajs: 250_000, rdkafka: 1_000_000, kcat: 1_000_000, fanout: 1_000_000, cli: 1_000_000 };
const config = {
  runs: Number(option('runs') ?? (quick ? 1 : 3)),
  counts,
  latencyMs: quick ? 5_000 : 10_000,
  clients: (option('clients') ?? 'ours,kafkajs,rdkafka,kcat').split(','),
  only: option('only')?.split(','),
};
const started = performance.now();
const machine = { ...machineInfo(), ...versions(), loadAvgAtStart: loadavg()[0] };
const { collect } = await import('./lib/collect.mjs'); // after the build: workloads import built modules
const { rows, notes } = await collect(config, log);
const elapsedS = (performance.now() - started) / 1000;
machine.loadAvgAtEnd = loadavg()[0];
const partial = config.only !== undefined || option('clients') !== undefined;
if (!partial || flag('write')) {
  const jsonPath = join(ROOT, 'bench', 'results.json');
  const fresh = { machine, mode: quick ? 'quick' : 'full', counts, rows, notes, elapsedS, reruns: [] };
  const report = partial && existsSync(jsonPath) ? mergeInto(JSON.parse(readFileSync(jsonPath, 'utf8')), fresh, config.only ?? []) : fresh;
  writeReport({ ...report, path: join(ROOT, 'bench', 'RESULTS.md'), jsonPath });
  log(`wrote bench/RESULTS.md and bench/results.json (${elapsedS.toFixed(0)} s)`);
} else {
  for (const r of rows) log(`${r.workload} ${r.variant} ${r.client} ${r.figure}: ${r.median ?? r.note} [${r.min}–${r.max}]`);
}
process.exit(0);
