// Runs every workload `runs` times and turns the per-run figures into report rows
// (median, min–max, target, met) keyed by workload, variant, client and figure.
import { produceConsumeRun } from '../workloads/produce-consume.mjs';
import { fanoutRun } from '../workloads/fanout.mjs';
import { latencyRun } from '../workloads/latency.mjs';
import { startupRun } from '../workloads/startup.mjs';
import { memoryRun } from '../workloads/memory.mjs';
import { cliPipelineRun } from '../workloads/cli-pipeline.mjs';
import { summarize } from './stats.mjs';
import { judge } from './targets.mjs';

const RELAXED = { 'log.flush.interval.messages': '100000', 'log.flush.interval.ms': '1000' };

/** figure key in a workload result → figure label, [variant, figure label], or a function of the
 *  task's variant giving [variant, figure label]. */
const FIGURES = {
  P: { recordsPerSec: 'records/s', mbPerSec: 'MB/s', brokerCpuUsPerRecord: 'broker CPU µs/record', clientCpuUsPerRecord: 'client CPU µs/record' },
  C: { recordsPerSec: 'records/s', mbPerSec: 'MB/s', brokerCpuUsPerRecord: 'broker CPU µs/record', clientCpuUsPerRecord: 'client CPU µs/record' },
  D: { bytesPerRecord: 'bytes on disk per record' },
  F: { aggregateRecordsPerSec: 'aggregate records/s', brokerCpuUsPerRecord: 'broker CPU µs/record' },
  L: {
    p50Ms: 'p50 ms', p99Ms: 'p99 ms', p999Ms: 'p99.9 ms', maxMs: 'max ms',
    // Rows of their own (no target): the same run from 3 s on, after the JIT warm-up (workloads/latency.mjs).
    steadyP50Ms: (v) => [`${v}, from 3 s`, 'p50 ms'], steadyP99Ms: (v) => [`${v}, from 3 s`, 'p99 ms'], steadyP999Ms: (v) => [`${v}, from 3 s`, 'p99.9 ms'],
  },
  S: { cliToApiVersionsMs: ['CLI broker', 'spawn → ApiVersions ms'], cliWithCaCertsToApiVersionsMs: ['CLI broker, NODE_EXTRA_CA_CERTS set', 'spawn → ApiVersions ms'], startBrokerMs: ['startBroker()', 'resolve ms'], startBrokerToApiVersionsMs: ['startBroker()', 'to first ApiVersions ms'] },
  M: { idleMiB: ['idle', 'RSS MiB'], partitionsMiB: ['1,000 partitions', 'RSS MiB'], groupsMiB: ['+100 groups', 'RSS MiB'] },
  X: { produceRecordsPerSec: ['logctl produce < file', 'records/s'], consumeRecordsPerSec: ['logctl consume --until-end > file.ndjson', 'records/s'], produceJsonRecordsPerSec: ['logctl produce --input json < file.ndjson', 'records/s'] },
};

function tasks(config) {
  const list = [];
  const want = (w) => config.only === undefined || config.only.includes(w);
  const count = (client) => config.counts[client];
  if (want('P')) {
    for (const [size, variant] of [[100, '100 B'], [1024, '1 KiB']]) {
      for (const client of config.clients) list.push({ workloads: 'PCD', client, variant, run: () => produceConsumeRun({ client, size, count: count(client) }) });
    }
    if (config.clients.includes('ours')) {
      for (const [size, variant] of [[100, '100 B, fsync relaxed'], [1024, '1 KiB, fsync relaxed']]) {
        list.push({ workloads: 'PCD', client: 'ours', variant, run: () => produceConsumeRun({ client: 'ours', size, count: count('ours'), overrides: RELAXED }) });
      }
      // Our producer is idempotent by default (as Kafka's) and keeps 5 batches per partition in flight;
      // without idempotence it keeps 1, so that a retry cannot reorder: what that pipelining buys.
      for (const [size, variant] of [[100, '100 B, not idempotent'], [1024, '1 KiB, not idempotent']]) {
        list.push({ workloads: 'P', client: 'ours', variant, run: () => produceConsumeRun({ client: 'ours', size, count: count('ours'), consume: false, producer: { idempotent: false } }) });
      }
    }
  }
  if (want('F')) for (const client of config.clients) list.push({ workloads: 'F', client, variant: '100 B ×4', run: () => fanoutRun({ client, count: config.counts.fanout }) });
  if (want('L')) {
    // kcat cannot put the send time into a payload: no latency run for it.
    for (const client of config.clients.filter((c) => c !== 'kcat')) list.push({ workloads: 'L', client, variant: '1 rec/ms', run: () => latencyRun({ client, durationMs: config.latencyMs }) });
    // Consumers see a record once it is durable: with fsync before every ack, every record waits for an
    // fdatasync. The same run without it shows what the broker and clients add.
    if (config.clients.includes('ours')) {
      list.push({ workloads: 'L', client: 'ours', variant: '1 rec/ms, fsync relaxed', run: () => latencyRun({ client: 'ours', durationMs: config.latencyMs, overrides: RELAXED }) });
    }
  }
  if (want('S')) list.push({ workloads: 'S', client: '—', variant: null, run: startupRun });
  if (want('M')) list.push({ workloads: 'M', client: '—', variant: null, run: memoryRun });
  if (want('X')) list.push({ workloads: 'X', client: '—', variant: null, run: () => cliPipelineRun({ count: config.counts.cli }) });
  return list;
}

function naReason(message) {
  return /coordinator|JoinGroup|group/i.test(message) ? 'n/a (groups not implemented)' : `failed: ${message.split('\n')[0].slice(0, 160)}`;
}

export async function collect(config, log) {
  const values = new Map(); // "w|variant|client|figure" → { row, runs: number[] }
  const notes = [];
  const put = (workload, variant, client, figure, value, note) => {
    const key = `${workload}|${variant}|${client}|${figure}`;
    if (!values.has(key)) values.set(key, { workload, variant, client, figure, runs: [], note: null });
    const v = values.get(key);
    if (value !== null && value !== undefined) v.runs.push(value);
    if (note) v.note = note;
  };
  for (const task of tasks(config)) {
    for (let i = 0; i < config.runs; i++) {
      const t0 = performance.now();
      let result;
      try {
        result = await task.run();
      } catch (err) {
        const first = err.message.split('\n')[0];
        log(`${task.client} ${task.variant ?? ''} run ${i + 1}: ${first}`);
        notes.push({ workloads: task.workloads, text: `${task.client} ${task.variant ?? task.workloads} run ${i + 1} failed: ${first}` });
        result = Object.fromEntries([...task.workloads].map((w) => [w, { error: err.message }]));
      }
      for (const [workload, figures] of Object.entries(result)) {
        if (!task.workloads.includes(workload) || (task.variant?.includes('relaxed') && workload === 'D')) continue;
        for (const [key, label] of Object.entries(FIGURES[workload])) {
          const [variant, figure] = typeof label === 'function' ? label(task.variant) : Array.isArray(label) ? label : [task.variant, label];
          if (figures.error) {
            put(workload, variant, task.client, figure, null, naReason(figures.error));
            if (workload === 'C') notes.push({ workloads: 'C', text: `${task.client} ${task.variant} consume failed: ${figures.error.split('\n')[0]}` });
          }
          else put(workload, variant, task.client, figure, figures[key], workload === 'M' && key === 'groupsMiB' ? figures.groupsNote : null);
        }
      }
      const brief = JSON.stringify(result, (k, v) => (k === 'error' ? v.split('\n')[0] : typeof v === 'number' ? Number(v.toPrecision(4)) : v));
      log(`${task.client} ${task.variant ?? task.workloads} run ${i + 1}/${config.runs} (${((performance.now() - t0) / 1000).toFixed(1)} s): ${brief}`);
    }
  }
  const rows = [...values.values()].map((v) => {
    const s = summarize(v.runs);
    const median = s?.median ?? null;
    return { ...v, median, min: s?.min ?? null, max: s?.max ?? null, target: judge(v.workload, v.variant, v.figure, v.client, median), met: judge(v.workload, v.variant, v.figure, v.client, median)?.met ?? null };
  });
  const seen = new Set();
  return { rows, notes: notes.filter((n) => !seen.has(n.text) && seen.add(n.text)) };
}
