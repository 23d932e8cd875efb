// Client side of the bench protocol (see ../lib/child.mjs) for the Node clients, and their payloads.
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

/** --key value pairs → object (numbers converted). */
export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    out[argv[i].replace(/^--/, '')] = v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

let cpuAtGo = null;

/** Prints ready, then resolves when the orchestrator writes "go" (and notes the CPU used so far). */
export function readyAndWaitGo() {
  emit({ event: 'ready' });
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.once('line', () => {
      cpuAtGo = process.cpuUsage();
      resolve();
    });
  });
}

/** Runs main, reporting failures on the protocol; exits when done (clients may keep sockets open). */
export function runMain(main) {
  main().then(
    (result) => {
      const cpu = cpuAtGo === null ? null : process.cpuUsage(cpuAtGo);
      // A wrapper around another program (kcat.mjs) reports that program's CPU, not its own.
      emit({ event: 'result', ...result, cpuUs: result.cpuUs ?? (cpu === null ? null : cpu.user + cpu.system) });
      process.exit(0);
    },
    (err) => {
      emit({ event: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
      process.exit(1);
    },
  );
}

/**
 * Random (incompressible) values: record i gets `size` bytes at a varying offset of a 16 MiB random pool,
 * so values differ from record to record without generating 1 GB of randomness.
 */
export function payloads(size, { newlines = true } = {}) {
  const pool = randomBytes(16 * 1024 * 1024);
  // Without newlines (0x0A turned into 0x0B, 1 byte in 256): values for a line-oriented tool (kcat).
  if (!newlines) for (let i = pool.indexOf(0x0a); i >= 0; i = pool.indexOf(0x0a, i + 1)) pool[i] = 0x0b;
  const span = pool.length - size;
  return (i) => pool.subarray((i * 7919 * size) % span, ((i * 7919 * size) % span) + size);
}

/** A 100 B latency payload: CLOCK_MONOTONIC ns (shared by every process on Linux) then random bytes. */
export function stampedPayload(size, filler) {
  const b = Buffer.allocUnsafe(size);
  filler.copy(b, 8, 0, size - 8);
  b.writeBigInt64BE(process.hrtime.bigint(), 0);
  return b;
}

/** Workload L's producer loop: one stamped record per `intervalMs` through `send` (a promise per
 *  record), `count` in all; resolves when every send settled. */
export async function pacedSends({ count, intervalMs, size }, send) {
  const filler = payloads(size)(0);
  let sent = 0;
  let failed = 0;
  const deliveries = [];
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(count, Math.floor((performance.now() - t0) / intervalMs) + 1);
      while (sent < due) {
        deliveries.push(send(stampedPayload(size, filler)).catch(() => failed++));
        sent++;
      }
      if (sent < count) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(deliveries);
  return { records: sent, failed, elapsedMs: performance.now() - t0 };
}

/** Latency figures in ms from arrival−stamp samples in ns, the first `warmup` samples dropped; `steady`:
 *  the same from sample `steadyFrom` on (see workloads/latency.mjs). */
export function latencySummary(samplesNs, warmup, steadyFrom) {
  const figures = (from) => {
    const s = samplesNs.slice(from).map((x) => Number(x) / 1e6).sort((a, b) => a - b);
    const pct = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
    return { samples: s.length, p50: pct(50), p99: pct(99), p999: pct(99.9), max: s[s.length - 1] };
  };
  return { ...figures(warmup), steady: figures(steadyFrom) };
}
