// Bench client using kafkajs (pure JS). Produces in send() calls of `chunk` records with up to
// `inflight` calls outstanding (kafkajs has no linger: a send() is one request); consumes through a
// consumer group (kafkajs has no group-less consumer), paused until "go" so the join is not timed.
import kafkajs from 'kafkajs';
import { parseArgs, emit, readyAndWaitGo, runMain, payloads, latencySummary, pacedSends } from './common.mjs';

const { Kafka, logLevel } = kafkajs;
const a = parseArgs();
const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: [a.bootstrap], logLevel: logLevel.NOTHING });

async function produce() {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = payloads(a.size);
  const chunk = a.chunk ?? 1000;
  const inflight = a.inflight ?? 5;
  let acked = 0;
  let failed = 0;
  const sendChunk = async (from, to) => {
    const messages = [];
    for (let i = from; i < to; i++) messages.push({ value: value(i) });
    const res = await producer.send({ topic: a.topic, acks: -1, messages });
    // Every ack checked: one RecordMetadata per partition written, each must be error-free.
    for (const r of res) if (r.errorCode !== 0) failed++;
    acked += to - from;
  };
  await readyAndWaitGo();
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < a.count) {
      const from = next;
      next = Math.min(a.count, next + chunk);
      await sendChunk(from, next);
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
  const elapsedMs = performance.now() - t0;
  return { records: a.count, acked, failed, bytes: a.count * a.size, elapsedMs };
}

/**
 * Joins a fresh group and reports ready once joined. With waitGo, batch handling (and so the timing)
 * waits for "go": at most the first fetch is done before it.
 */
async function groupConsume(onBatch, waitGo) {
  const consumer = kafka.consumer({ groupId: `bench-${process.pid}-${Date.now()}`, maxBytes: 50 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: a.topic, fromBeginning: true });
  let joined;
  const joinedP = new Promise((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  let done;
  let crashed;
  const doneP = new Promise((resolve, reject) => ((done = resolve), (crashed = reject)));
  consumer.on(consumer.events.CRASH, (e) => crashed(new Error(`consumer crashed: ${e.payload.error?.message ?? e.payload.error}`)));
  let go = Promise.resolve();
  if (waitGo) go = joinedP.then(() => readyAndWaitGo());
  else joinedP.then(() => setTimeout(() => emit({ event: 'ready' }), 300));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      await go;
      onBatch(batch, done);
    },
  });
  return doneP;
}

async function consume() {
  let records = 0;
  let bytes = 0;
  let t0 = 0;
  await groupConsume((batch, done) => {
    if (t0 === 0) t0 = performance.now();
    for (const m of batch.messages) bytes += m.value === null ? 0 : m.value.length;
    records += batch.messages.length;
    if (records >= a.count) done();
  }, true);
  return { records, bytes, elapsedMs: performance.now() - t0 };
}

async function latProduce() {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await readyAndWaitGo();
  return pacedSends(a, (value) => producer.send({ topic: a.topic, acks: -1, messages: [{ partition: 0, value }] }));
}

async function latConsume() {
  const samples = [];
  await groupConsume((batch, done) => {
    const now = process.hrtime.bigint();
    for (const m of batch.messages) samples.push(now - m.value.readBigInt64BE(0));
    if (samples.length >= a.count) done();
  }, false);
  return latencySummary(samples, a.warmup, a.steadyFrom);
}

runMain(async () => {
  const modes = { produce, consume, 'lat-produce': latProduce, 'lat-consume': latConsume };
  return modes[a.mode]();
});
