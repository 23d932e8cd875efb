// Workload L: one producer process sends one 100 B record every intervalMs (acks=all, no linger), a
// consumer process tails the partition; latency = arrival − CLOCK_MONOTONIC stamp in the payload (both
// processes read the same system-wide monotonic clock). The first `warmup` records are not counted.
// The same figures are also reported from `steadyMs` on: three fresh Node processes (broker, producer,
// consumer) spend their first seconds JIT-compiling on the 2 CPUs they share, and that contention, not
// the steady state, makes most of the tail: in a run with V8's optimizing compiler off (--no-opt, p50
// much worse) the p99 of seconds 1-3 was 2-3x lower, and the same from 3 s on.
import { startBrokerProcess } from '../lib/broker.mjs';
import { createTopic } from '../lib/admin.mjs';
import { ClientProcess } from '../lib/child.mjs';

const TOPIC = 'bench-latency';

export async function latencyRun({ client, durationMs = 10_000, intervalMs = 1, size = 100, warmup = 500, steadyMs = 3_000, overrides = {} }) {
  const broker = await startBrokerProcess({ overrides });
  const count = Math.round(durationMs / intervalMs);
  const args = { bootstrap: broker.bootstrap, topic: TOPIC, count, size, intervalMs, warmup, steadyFrom: Math.round(steadyMs / intervalMs) };
  let consumer;
  let producer;
  try {
    await createTopic(broker.bootstrap, TOPIC, 1);
    consumer = new ClientProcess(client, { mode: 'lat-consume', ...args });
    await consumer.waitFor('ready', 120_000);
    producer = new ClientProcess(client, { mode: 'lat-produce', ...args });
    await producer.waitFor('ready', 60_000);
    producer.go();
    const sent = await producer.waitFor('result', durationMs + 60_000);
    if (sent.failed > 0) throw new Error(`latency producer: ${sent.failed} sends failed`);
    const lat = await consumer.waitFor('result', 60_000);
    const { steady } = lat;
    return {
      L: {
        p50Ms: lat.p50, p99Ms: lat.p99, p999Ms: lat.p999, maxMs: lat.max, samples: lat.samples, sendMs: sent.elapsedMs,
        steadyP50Ms: steady.p50, steadyP99Ms: steady.p99, steadyP999Ms: steady.p999,
      },
    };
  } finally {
    consumer?.kill();
    producer?.kill();
    await broker.stop();
  }
}
