// The idempotent producer against the real in-process broker: batches carry one producer id with
// consecutive sequences, and a batch whose answer is lost (the connection drops after the broker
// appended it) is retried with the same bytes and stored once.
import { readFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import { ErrorCode, UsageError } from '../../src/common/index.js';
import { advanceSequence, decodeRecordBatches, scanBatches, type BatchHeader } from '../../src/records/index.js';
import { startTestBroker, type TestBroker } from './broker-fixture.js';

let tb: TestBroker;
let client: KafkaClient;

beforeAll(async () => {
  tb = await startTestBroker();
  client = await KafkaClient.connect({ broker: tb.address });
});

afterAll(async () => {
  await client?.close();
  await tb?.stop();
});

async function createTopic(c: KafkaClient, name: string): Promise<void> {
  const [res] = await new Admin(c).createTopics([{ name, numPartitions: 1, replicationFactor: 1, configs: {} }]);
  expect(res?.errorCode).toBe(0);
}

/** The batch headers stored in partition 0's first segment (acks=all fsyncs before answering). */
async function storedBatches(topic: string): Promise<BatchHeader[]> {
  const buf = await readFile(join(tb.dataDir, `${topic}-0`, '00000000000000000000.log'));
  const headers: BatchHeader[] = [];
  const scan = scanBatches(buf, (h) => headers.push(h));
  expect(scan.validBytes).toBe(buf.length);
  return headers;
}

interface Proxy {
  address: string;
  produceRequests: Buffer[];
  /** Error codes of the Produce answers (single-partition requests), in order. */
  produceErrors: number[];
  /** The most Produce requests sent on and not answered yet, at any moment. */
  readonly maxProduceInFlight: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy to the broker that forwards everything, except that it closes the client's connection
 * instead of forwarding the answer to the first `dropProduceAnswers` Produce requests: the broker has
 * appended the batch, the client only sees a lost connection. With `corruptFirstProduce`, the first
 * Produce request is held until a second one arrives, and goes out with its last byte (inside the
 * record batch) flipped, right before it: the broker refuses it (CRC) while the next is in flight.
 */
async function droppingProxy(target: string, dropProduceAnswers: number, corruptFirstProduce = false): Promise<Proxy> {
  const [host, port] = target.split(':') as [string, string];
  const produceRequests: Buffer[] = [];
  const produceErrors: number[] = [];
  let toDrop = dropProduceAnswers;
  let toCorrupt = corruptFirstProduce;
  let held: Buffer | null = null;
  let maxProduceInFlight = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((down) => {
    const up = connect(Number(port), host);
    sockets.add(down).add(up);
    const apiKeys: number[] = [];
    // Per connection: a dropped connection's unanswered requests are retried on the next one.
    let produceInFlight = 0;
    frames(down, (frame) => {
      const apiKey = frame.readInt16BE(4);
      apiKeys.push(apiKey);
      if (apiKey === 0) {
        produceRequests.push(frame);
        maxProduceInFlight = Math.max(maxProduceInFlight, ++produceInFlight);
      }
      if (apiKey === 0 && toCorrupt) {
        toCorrupt = false;
        held = Buffer.from(frame);
        held[held.length - 1]! ^= 0xff;
        return;
      }
      if (held !== null) up.write(held);
      held = null;
      up.write(frame);
    });
    frames(up, (frame) => {
      if (apiKeys.shift() !== 0) return void down.write(frame);
      produceInFlight--;
      // Produce response v3+: int32 size, int32 correlationId, topics array (int32), topic name
      // (int16 length + bytes), partitions array (int32), int32 index, int16 errorCode.
      produceErrors.push(frame.readInt16BE(4 + 4 + 4 + 2 + frame.readInt16BE(12) + 4 + 4));
      if (toDrop > 0) {
        toDrop--;
        down.destroy();
        up.destroy();
        return;
      }
      down.write(frame);
    });
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  return {
    address: `127.0.0.1:${address.port}`,
    produceRequests,
    produceErrors,
    get maxProduceInFlight() {
      return maxProduceInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Calls `onFrame` with each whole size-prefixed frame (prefix included) read from `socket`. */
function frames(socket: Socket, onFrame: (frame: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = 4 + pending.readInt32BE(0);
      onFrame(pending.subarray(0, size));
      pending = pending.subarray(size);
    }
  });
}

describe('idempotent producer', () => {
  it('refuses acks other than -1 and more than five batches per partition in flight', () => {
    expect(() => new Producer(client, { idempotent: true, acks: 1 })).toThrow(UsageError);
    expect(() => new Producer(client, { idempotent: true, acks: 0 })).toThrow(/acks=-1/);
    expect(() => new Producer(client, { idempotent: true, maxInFlightPerPartition: 6 })).toThrow(/at most 5 batches/);
    expect(() => new Producer(client, { idempotent: true, maxInFlightPerPartition: 5 })).not.toThrow();
  });

  it('writes one producer id and consecutive sequences into every batch', async () => {
    const topic = 'idem-seq';
    await createTopic(client, topic);
    const producer = new Producer(client, { idempotent: true, lingerMs: 0 });
    const sizes = [3, 1, 7, 2];
    let n = 0;
    for (const size of sizes) {
      const sent = Array.from({ length: size }, () => producer.send({ topic, partition: 0, value: Buffer.from(`v${n++}`) }));
      const offsets = (await Promise.all(sent)).map((m) => m.offset);
      expect(offsets).toEqual(Array.from({ length: size }, (_, i) => n - size + i));
    }
    await producer.close();
    const batches = await storedBatches(topic);
    expect(batches.map((b) => b.recordsCount)).toEqual(sizes);
    const producerId = batches[0]?.producerId ?? -1n;
    expect(producerId).toBeGreaterThanOrEqual(0n);
    expect(batches.map((b) => b.producerId)).toEqual(sizes.map(() => producerId));
    expect(batches.map((b) => b.producerEpoch)).toEqual([0, 0, 0, 0]);
    expect(batches.map((b) => b.baseSequence)).toEqual([0, 3, 4, 11]);
    expect(batches.map((b) => b.baseOffset)).toEqual([0, 3, 4, 11]);

    // A second producer gets another id and starts again at sequence 0.
    const second = new Producer(client, { idempotent: true });
    await second.send({ topic, partition: 0, value: Buffer.from('other') });
    await second.close();
    const last = (await storedBatches(topic)).at(-1);
    expect(last?.producerId).not.toBe(producerId);
    expect(last?.baseSequence).toBe(0);
    expect(last?.baseOffset).toBe(13);
  });

  it('wraps sequences from 2^31 - 1 to 0', () => {
    expect(advanceSequence(0, 5)).toBe(5);
    expect(advanceSequence(0x7ffffffe, 1)).toBe(0x7fffffff);
    expect(advanceSequence(0x7ffffffe, 2)).toBe(0);
    expect(advanceSequence(0x7ffffffd, 10)).toBe(7);
  });

  it.each([
    { idempotent: true, stored: [2, 1] },
    // The control case: without idempotence the lost answer's batch is stored twice.
    { idempotent: false, stored: [2, 2, 1] },
  ])('a batch retried after its answer was lost is stored once (idempotent: $idempotent)', async ({ idempotent, stored }) => {
    const topic = `idem-retry-${idempotent}`;
    await createTopic(client, topic);
    const proxy = await droppingProxy(tb.address, 1);
    const viaProxy = await KafkaClient.connect({ broker: proxy.address });
    try {
      const producer = new Producer(viaProxy, { idempotent, lingerMs: 0, retryBackoffMs: 10 });
      const first = await Promise.all([0, 1].map((i) => producer.send({ topic, partition: 0, value: Buffer.from(`a${i}`) })));
      const second = await producer.send({ topic, partition: 0, value: Buffer.from('b') });
      await producer.close();
      // Without idempotence the client is told the offsets of the second copy.
      expect(first.map((m) => m.offset)).toEqual(idempotent ? [0, 1] : [2, 3]);
      expect(second.offset).toBe(idempotent ? 2 : 4);
      // The first batch went out twice: identical requests but for the correlation id (bytes 8..11).
      expect(proxy.produceRequests.length).toBe(3);
      const [a, b] = proxy.produceRequests.slice(0, 2).map((f) => Buffer.from(f).fill(0, 8, 12)) as [Buffer, Buffer];
      expect(a.equals(b)).toBe(true);
      const batches = await storedBatches(topic);
      expect(batches.map((h) => h.recordsCount)).toEqual(stored);
      if (idempotent) expect(batches.map((h) => h.baseSequence)).toEqual([0, 2]);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  /**
   * Sends `count` records through a proxy (see droppingProxy) as many small pipelined batches, then checks
   * that each was acknowledged at its send position and stored once, in send order, under dense offsets
   * and consecutive sequences, and that up to 5 batches were in flight at once. Returns the error codes of
   * the Produce answers the proxy saw.
   */
  async function sendPipelinedThroughProxy(topic: string, count: number, dropProduceAnswers: number, corruptFirstProduce: boolean): Promise<number[]> {
    await createTopic(client, topic);
    const proxy = await droppingProxy(tb.address, dropProduceAnswers, corruptFirstProduce);
    const viaProxy = await KafkaClient.connect({ broker: proxy.address });
    const valueOf = (i: number): string => `r${String(i).padStart(4, '0')}`;
    try {
      const producer = new Producer(viaProxy, { idempotent: true, lingerMs: 0, batchBytes: 256, retryBackoffMs: 10 });
      const sent = Array.from({ length: count }, (_, i) => producer.send({ topic, partition: 0, value: Buffer.from(valueOf(i)) }));
      const offsets = (await Promise.all(sent)).map((m) => m.offset);
      await producer.close();
      expect(offsets).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(proxy.maxProduceInFlight).toBeGreaterThan(1);
      expect(proxy.maxProduceInFlight).toBeLessThanOrEqual(5);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
    const batches = await storedBatches(topic);
    expect(batches.reduce((n, b) => n + b.recordsCount, 0)).toBe(count);
    let next = 0;
    for (const b of batches) {
      expect([b.baseOffset, b.baseSequence]).toEqual([next, next]);
      next += b.recordsCount;
    }
    const values = (await decodeRecordBatches(await readFile(join(tb.dataDir, `${topic}-0`, '00000000000000000000.log')))).map((r) => r.value?.toString());
    expect(values).toEqual(Array.from({ length: count }, (_, i) => valueOf(i)));
    return proxy.produceErrors;
  }

  it('pipelines up to five batches per partition and keeps them once and in order when answers are lost', async () => {
    await sendPipelinedThroughProxy('idem-pipelined-lost', 400, 1, false);
  });

  it('resends the batches refused as out of sequence behind a failed one, in order', async () => {
    const errors = await sendPipelinedThroughProxy('idem-pipelined-refused', 200, 0, true);
    // The corrupted first batch was refused as CORRUPT_MESSAGE, the one sent behind it as out of sequence.
    expect(errors.slice(0, 2)).toEqual([ErrorCode.CORRUPT_MESSAGE, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER]);
  });

  it('loses only the batch that failed for good: the ones in flight behind it are resent under the new producer id, in order', async () => {
    const topic = 'idem-too-large';
    const [res] = await new Admin(client).createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': '10000' } }]);
    expect(res?.errorCode).toBe(0);
    const producer = new Producer(client, { lingerMs: 0, batchBytes: 2000, retryBackoffMs: 10 }); // idempotent by default
    const reports: string[] = [];
    for (let i = 0; i < 300; i++) {
      const value = Buffer.alloc(i === 150 ? 20_000 : 100, i % 256);
      producer.produce({ topic, partition: 0, value }, (err, md) => (reports[i] = err === null ? String(md!.offset) : `error ${err.message}`));
    }
    await producer.close();
    expect(reports[150]).toMatch(/MESSAGE_TOO_LARGE/);
    const sent = reports.filter((_, i) => i !== 150);
    expect(sent).toEqual(sent.map((_, i) => String(i)));
    const values = (await decodeRecordBatches(await readFile(join(tb.dataDir, `${topic}-0`, '00000000000000000000.log')))).map((r) => r.value![0]);
    expect(values).toEqual(Array.from({ length: 300 }, (_, i) => i % 256).filter((_, i) => i !== 150));
    // Two producer ids: the first until the failure, the second for what came after (and was resent).
    const ids = [...new Set((await storedBatches(topic)).map((b) => b.producerId))];
    expect(ids.length).toBe(2);
  });

  it('goes on under a new producer id when the broker forgot the producer (producer.id.expiration.ms)', async () => {
    const forgetful = await startTestBroker({ 'producer.id.expiration.ms': '100', 'log.retention.check.interval.ms': '20' });
    const c = await KafkaClient.connect({ broker: forgetful.address });
    try {
      const [res] = await new Admin(c).createTopics([{ name: 'idem-expired', numPartitions: 1, replicationFactor: 1, configs: {} }]);
      expect(res?.errorCode).toBe(0);
      const producer = new Producer(c, { lingerMs: 0, retryBackoffMs: 10 });
      expect((await producer.send({ topic: 'idem-expired', partition: 0, value: Buffer.from('a') })).offset).toBe(0);
      await new Promise((r) => setTimeout(r, 400)); // the broker forgets the idle producer id
      // Its next batch (sequence 1) is out of sequence for a producer the broker does not know.
      expect((await producer.send({ topic: 'idem-expired', partition: 0, value: Buffer.from('b') })).offset).toBe(1);
      await producer.close();
    } finally {
      await c.close();
      await forgetful.stop();
    }
  });
});
