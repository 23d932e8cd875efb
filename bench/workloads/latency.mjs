// Workload L: one producer process sends one 100 B record every intervalMs (acks=all, no linger), a
// consumer process tails the partition; latency = arrival − CLOCK_MONOTONIC stamp in the payload (both
// processes read the same system-wide monotonic clock). The first `warmup` records are not counted.
import { startBrokerProcess } from '../lib/broker.mjs';
import { createTopic } from '../lib/admin.mjs';
import { ClientProcess } from '../lib/child.mjs';

const TOPIC = 'bench-latency';

export async function latencyRun({ client, durationMs = 10_000, intervalMs = 1, size = 100, warmup = 500, overrides = {} }) {
  const broker = await startBrokerProcess({ overrides });
  const count = Math.round(durationMs / intervalMs);
  const args = { bootstrap: broker.bootstrap, topic: TOPIC, count, size, intervalMs, warmup };
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
    return { L: { p50Ms: lat.p50, p99Ms: lat.p99, p999Ms: lat.p999, maxMs: lat.max, samples: lat.samples, sendMs: sent.elapsedMs } };
  } finally {
    consumer?.kill();
    producer?.kill();
    await broker.stop();
  }
}
