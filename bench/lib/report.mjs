// Writes bench/results.json and bench/RESULTS.md from the summarized rows.
import { writeFileSync } from 'node:fs';

const WORKLOAD_TITLES = {
  P: 'P: produce (one producer, acks=all, every ack checked, stored count verified)',
  C: 'C: consume from offset 0 (one consumer, the records P wrote)',
  F: 'F: fan-out (4 consumer processes, each reads every record)',
  L: 'L: end-to-end latency (1 record of 100 B per ms, consumer tailing in another process)',
  S: 'S: startup to the first answered request',
  M: 'M: broker memory (RSS)',
  D: 'D: bytes on disk per 100 B record (du -sb of the partition directory after P and a clean stop ÷ records)',
  X: 'X: the CLI in a shell pipeline (no target in issue 5)',
};

const METHOD = [
  'Clients: **ours** = logctl\'s src/client (Producer.produce() per record with a delivery callback, defaults: idempotent with 5 batches per partition in flight, linger 5 ms, 1 MiB batches; Consumer.consumeBatches with explicit offsets); **kafkajs** 2.x (send() calls of 1,000 records, 5 in flight; consumer through a consumer group, joined before the timed section); **rdkafka** = librdkafka via Debian python3-confluent-kafka (produce() per record with a delivery callback, default batching; consumer with assign() from offset 0, queued.min.messages 1,000,000: at librdkafka 2.0\'s default of 100,000 it idles up to ~1 s whenever its prefetch queue was full, see rdkafka_bench.py); **kcat** = librdkafka\'s own C tool on the same librdkafka (`kcat -P -l <file>` of one value per line, acks=all, default batching; `kcat -C -o beginning -e`, queued.min.messages as rdkafka), so that librdkafka is measured without Python; kcat\'s wall time includes its own start and connect. Every client runs in its own process.',
  'Every ack is checked (our client and rdkafka: per-record offsets consecutive; kafkajs: every partition response error-free; kcat: no "Delivery failed" report and exit status 0; kcat -C: every offset once, in order) and the stored count (high watermark − log start) must equal the records sent.',
  'C reads back exactly the records of the P run just before it, on the same broker. D: du -sb of the partition\'s directory (log, indexes, producer snapshot) after the broker stopped cleanly (it writes its newest sparse index entries then), minus its size right after topic creation, ÷ records.',
  'F: the topic is loaded with our client (untimed), then 4 consumer processes of the named client each read every record; aggregate = 4 × records ÷ (last finish − common start).',
  'L: producer and consumer are separate processes; the payload starts with CLOCK_MONOTONIC ns (process.hrtime.bigint() / time.monotonic_ns(), system-wide on Linux); producers use no linger (lingerMs 0 / linger.ms 0; kafkajs sends each record as its own request); the first 500 records are warm-up and not counted. The rows "from 3 s" are the same runs counting only the records sent from 3 s on: the three processes are fresh, and while their JIT compilers work (the first seconds) they compete for the 2 CPUs, which makes most of the tail (see workloads/latency.mjs); the targets are judged on the rows with every record after the first 500.',
  'S: CLI = spawn of `node bin/run.js broker start` until a raw ApiVersions v0 is answered (connect polled every ms), without NODE_EXTRA_CA_CERTS (this machine sets it; Node 20 parses that bundle at every process start, ~55 ms; the row "NODE_EXTRA_CA_CERTS set" keeps it); startBroker() = in a fresh Node process with the modules already imported.',
  'M: RSS from /proc/<pid>/status after 1 s of settling; groups are 100 one-member groups joined and synced with raw JoinGroup/SyncGroup over 10 connections.',
  'X: `logctl produce TOPIC < file` of lines of 100 base64 characters, then `logctl consume TOPIC --until-end --output ndjson > file.ndjson`, then `logctl produce COPY --input json < file.ndjson`, each a CLI process (bundle with code cache, without NODE_EXTRA_CA_CERTS); records ÷ wall time from spawn to exit, start-up included.',
  'Client CPU = the client process\'s own user+sys (all threads) over the timed section: where it is far above broker CPU, the client, not the broker, bounds the throughput.',
  'CPU time resolution is one clock tick (10 ms) per sample, so per-record CPU is exact to ±0.01 µs at 1,000,000 records (±0.1 at 100,000).',
];

function fmt(x, figure = '') {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (figure.startsWith('bytes on disk')) return x.toFixed(3); // the target (≤ 110) is within a byte
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

export function writeReport({ path, jsonPath, machine, mode, counts, rows, notes, elapsedS, reruns = [] }) {
  writeFileSync(jsonPath, JSON.stringify({ machine, mode, counts, elapsedS, rows, notes, reruns }, null, 2) + '\n');
  const out = [];
  out.push('# logctl benchmark results', '');
  out.push(`Generated by \`npm run bench${mode === 'quick' ? ' -- --quick' : ''}\` on ${machine.date} (${mode} mode, ${elapsedS.toFixed(0)} s).`, '');
  out.push(`Machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memGiB} GiB RAM, Linux ${machine.kernel}, Node ${machine.node}, librdkafka ${machine.librdkafka ?? '?'} (confluent-kafka-python ${machine.confluentKafka ?? '?'}, kcat ${machine.kcat ?? '?'}), kafkajs ${machine.kafkajs ?? '?'}.`, '');
  for (const r of reruns) out.push(`Workloads ${r.only.join(', ')} were re-run on ${r.date} (\`--only ${r.only.join(',')} --write\`, ${r.elapsedS.toFixed(0)} s, load average ${r.loadAvgAtStart.toFixed(2)} → ${r.loadAvgAtEnd.toFixed(2)}) and merged in.`, '');
  out.push(`Load average (1 min) at start ${machine.loadAvgAtStart.toFixed(2)}, at end ${machine.loadAvgAtEnd.toFixed(2)}: anything well above 0 means other processes shared the ${machine.nproc} CPUs and the figures are pessimistic.`, '');
  out.push('Each figure is the median of the runs with min–max; every run uses a fresh broker (`logctl broker start`, fresh temp data dir, 127.0.0.1, default durability = fsync before acking, unless the row says fsync relaxed). MB = 10^6 bytes of record values. Broker CPU = user+sys of the broker process over the timed section (from /proc/<pid>/stat) ÷ records.', '');
  out.push('Records per run: ' + Object.entries(counts).map(([k, v]) => `${k === 'fanout' ? 'F (each of the 4 consumers, any client)' : k === 'cli' ? 'X' : k}: ${v.toLocaleString('en-US')}`).join('; ') + '.', '');
  for (const w of Object.keys(WORKLOAD_TITLES)) {
    const ws = rows.filter((r) => r.workload === w);
    if (ws.length === 0) continue;
    out.push(`## ${WORKLOAD_TITLES[w]}`, '');
    out.push('| client | variant | figure | median | min–max | runs | target | met |', '|---|---|---|---:|---:|---:|---|---|');
    for (const r of ws) {
      const range = r.median === null ? r.note ?? '' : `${fmt(r.min, r.figure)}–${fmt(r.max, r.figure)}`;
      const met = r.target ? (r.met === null ? '—' : r.met ? 'met' : '**missed**') : '';
      out.push(`| ${r.client} | ${r.variant} | ${r.figure} | ${r.median === null ? r.note ?? 'n/a' : fmt(r.median, r.figure)} | ${range} | ${r.runs.length} | ${r.target?.text ?? ''} | ${met} |`);
    }
    out.push('');
  }
  out.push('## Method notes', '', ...METHOD.map((n) => `- ${n}`), '');
  if (notes.length > 0) out.push('## Failures and n/a in this run', '', ...notes.map((n) => `- ${n.text}`), '');
  writeFileSync(path, out.join('\n'));
}
