// Bench client using logctl's own client (src/client, from the bench's build), the one the CLI uses.
// Modes: produce | consume | lat-produce | lat-consume (see ../lib/child.mjs for the protocol).
import { distUrl } from '../lib/build.mjs';
import { parseArgs, emit, readyAndWaitGo, runMain, payloads, latencySummary, pacedSends } from './common.mjs';

const { KafkaClient, Producer, Consumer } = await import(distUrl('src/client/index.js'));
const a = parseArgs();

async function endOffsets(client) {
  const meta = await client.topicMetadata(a.topic);
  const parts = meta.partitions.map((p) => p.partition);
  return client.listOffsets(a.topic, parts, -1);
}

async function produce(client) {
  // The producer's default is idempotent (5 batches per partition in flight); --idempotent false: 1.
  const producer = new Producer(client, { acks: -1, ...(a.idempotent === undefined ? {} : { idempotent: a.idempotent === 'true' }) });
  const value = payloads(a.size);
  await client.topicMetadata(a.topic);
  let acked = 0;
  let failed = 0;
  let firstError = null;
  const lastOffset = new Map();
  const onAck = (md) => {
    // Every ack checked: offsets of a partition must be consecutive, in send order.
    const prev = lastOffset.get(md.partition) ?? -1;
    if (md.offset !== prev + 1) failed++, (firstError ??= `partition ${md.partition} offset ${md.offset} after ${prev}`);
    else acked++;
    lastOffset.set(md.partition, md.offset);
  };
  const onDelivery = (err, md) => {
    if (err === null) return onAck(md);
    failed++;
    firstError ??= String(err);
  };
  await readyAndWaitGo();
  const t0 = performance.now();
  // The fast path: no promise per record; await only when the producer asks for it (backpressure).
  for (let i = 0; i < a.count; i++) {
    const wait = producer.produce({ topic: a.topic, value: value(i) }, onDelivery);
    if (wait !== undefined) await wait;
  }
  await producer.flush();
  const elapsedMs = performance.now() - t0;
  return { records: a.count, acked, failed, firstError, bytes: a.count * a.size, elapsedMs };
}

async function consume(client) {
  const ends = await endOffsets(client);
  const consumer = new Consumer(client);
  const start = new Map([...ends.keys()].map((p) => [p, 0]));
  const until = new Map([...ends].map(([p, o]) => [p, o.offset]));
  await readyAndWaitGo();
  const t0 = performance.now();
  let records = 0;
  let bytes = 0;
  // consumeBatches: one array per fetched partition chunk (consume() yields them one record at a time).
  for await (const batch of consumer.consumeBatches(a.topic, start, { untilOffsets: until })) {
    for (const r of batch) {
      records++;
      bytes += r.value === null ? 0 : r.value.length;
    }
  }
  return { records, bytes, elapsedMs: performance.now() - t0 };
}

async function latProduce(client) {
  const producer = new Producer(client, { acks: -1, lingerMs: 0 });
  await client.topicMetadata(a.topic);
  await readyAndWaitGo();
  return pacedSends(a, (value) => producer.send({ topic: a.topic, partition: 0, value }));
}

async function latConsume(client) {
  const consumer = new Consumer(client);
  await client.topicMetadata(a.topic);
  const samples = [];
  setTimeout(() => emit({ event: 'ready' }), 500);
  for await (const r of consumer.consume(a.topic, new Map([[0, 0]]), { untilOffsets: new Map([[0, a.count]]) })) {
    samples.push(process.hrtime.bigint() - r.value.readBigInt64BE(0));
  }
  return latencySummary(samples, a.warmup, a.steadyFrom);
}

runMain(async () => {
  const client = await KafkaClient.connect({ broker: a.bootstrap, clientId: 'bench-ours' });
  const modes = { produce, consume, 'lat-produce': latProduce, 'lat-consume': latConsume };
  return modes[a.mode](client);
});
