// Bench client: kcat, librdkafka's own command-line tool, written in C, so that librdkafka's figures
// are not bounded by an interpreter (the rdkafka client pays ~1.9 µs of Python per produce() call).
// This Node process only wraps it: it writes the input file before "go" (untimed), then runs kcat once
// and reports kcat's wall time and CPU (bash's `times` for the child: user+sys of every thread).
// Modes: produce | consume (see ../lib/child.mjs for the protocol). No latency mode: kcat cannot stamp
// a payload with the send time.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs, emit, readyAndWaitGo, runMain, payloads } from './common.mjs';

const a = parseArgs();
const dir = mkdtempSync(join(tmpdir(), 'logctl-bench-kcat-'));

/** Runs kcat with `args` (stdout to `outPath`); resolves { code, stderr, elapsedMs, cpuUs }. */
async function kcat(args, outPath) {
  // `times` prints the shell's, then its children's, user and system time: "0m0.611s 0m0.304s".
  const script = 'kcat "$@" > "$OUT"; rc=$?; times >&2; exit $rc';
  const t0 = performance.now();
  const child = spawn('bash', ['-c', script, 'kcat', ...args], { env: { ...process.env, OUT: outPath }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  const elapsedMs = performance.now() - t0;
  const lines = stderr.trim().split('\n');
  const secs = [...(lines.pop() ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map(([, m, s]) => Number(m) * 60 + Number(s));
  if (secs.length !== 2) throw new Error(`kcat: no CPU times in its stderr: ${stderr.slice(-400)}`);
  return { code, stderr: lines.join('\n'), elapsedMs, cpuUs: (secs[0] + secs[1]) * 1e6 };
}

const common = ['-b', a.bootstrap, '-t', a.topic, '-q'];

async function produce() {
  // One value per line: random bytes without 0x0A, so that kcat's line splitting yields exactly `count`
  // values of `size` bytes. Written in 4 MiB chunks.
  const input = join(dir, 'values');
  const out = createWriteStream(input);
  const value = payloads(a.size, { newlines: false });
  const perChunk = Math.max(1, Math.floor((4 << 20) / (a.size + 1)));
  for (let i = 0; i < a.count; i += perChunk) {
    const n = Math.min(perChunk, a.count - i);
    const chunk = Buffer.allocUnsafe(n * (a.size + 1));
    for (let j = 0; j < n; j++) {
      value(i + j).copy(chunk, j * (a.size + 1));
      chunk[j * (a.size + 1) + a.size] = 0x0a;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await readyAndWaitGo();
  // acks=all as every producer here; librdkafka's defaults otherwise (batching, not idempotent).
  const r = await kcat(['-P', ...common, '-p', '0', '-X', 'acks=all', '-l', input], join(dir, 'stdout'));
  // kcat prints "% Delivery failed for message: ..." for every refused record and then exits 1.
  const failed = (r.stderr.match(/Delivery failed/g) ?? []).length;
  if (r.code !== 0 && failed === 0) throw new Error(`kcat -P exited with ${r.code}: ${r.stderr.slice(-400)}`);
  return { records: a.count, acked: r.code === 0 ? a.count : a.count - failed, failed, firstError: r.stderr.split('\n').find((l) => l.includes('Delivery failed')) ?? null, bytes: a.count * a.size, elapsedMs: r.elapsedMs, cpuUs: r.cpuUs };
}

async function consume() {
  await readyAndWaitGo();
  // One line per record: its offset and value size, checked below (every record once, in order).
  // queued.min.messages as in the rdkafka client (see rdkafka_bench.py).
  const outPath = join(dir, 'consumed');
  const r = await kcat(['-C', ...common, '-p', '0', '-o', 'beginning', '-c', String(a.count), '-e', '-X', 'queued.min.messages=1000000', '-f', '%o %S\\n'], outPath);
  if (r.code !== 0) throw new Error(`kcat -C exited with ${r.code}: ${r.stderr.slice(-400)}`);
  const lines = readFileSync(outPath, 'latin1').trimEnd().split('\n');
  let bytes = 0;
  lines.forEach((line, i) => {
    const [offset, size] = line.split(' ').map(Number);
    if (offset !== i) throw new Error(`kcat -C: record ${i} has offset ${offset}`);
    bytes += size;
  });
  return { records: lines.length, bytes, elapsedMs: r.elapsedMs, cpuUs: r.cpuUs };
}

// The files go before the result is printed: an orchestrator may kill this process right after it.
runMain(() => ({ produce, consume })[a.mode]().finally(() => rmSync(dir, { recursive: true, force: true })));
