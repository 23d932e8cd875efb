// Idempotent producers against a real broker process: InitProducerId, kafkajs with idempotent: true,
// a raw retried batch stored once, librdkafka (kcat) with enable.idempotence, and producer ids that
// are never handed out twice across restarts.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/index.js';
import { KafkaClient, KafkaConnection, parseBrokerAddress } from '../../src/client/index.js';
import { InitProducerId, Produce } from '../../src/protocol/index.js';
import { buildRecordBatch, decodeRecordBatches, scanBatches } from '../../src/records/index.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kafkajsClient } from '../helpers/kafkajs.js';

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await startBrokerProcess({ set: { 'num.partitions': '1' } });
});
afterAll(async () => {
  await broker?.stop();
  broker?.cleanup();
});

async function connection(): Promise<KafkaConnection> {
  return KafkaConnection.open(parseBrokerAddress(broker.bootstrap));
}

/** Every record value of partition 0 with its offset, "offset:value". */
async function readValues(topic: string): Promise<string[]> {
  const client = await KafkaClient.connect({ broker: broker.bootstrap });
  try {
    const conn = await client.bootstrapConnection();
    const { Fetch } = await import('../../src/protocol/index.js');
    const res = await conn.send(Fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const records = await decodeRecordBatches(res.responses[0]!.partitions[0]!.records ?? Buffer.alloc(0));
    return records.map((r) => `${r.offset}:${r.value?.toString() ?? 'null'}`);
  } finally {
    await client.close();
  }
}

/** The distinct producer ids of the stored batches of partition 0 (proves the client was idempotent). */
function storedProducerIds(topic: string): bigint[] {
  const ids = new Set<bigint>();
  scanBatches(readFileSync(join(broker.dataDir, `${topic}-0`, '00000000000000000000.log')), (h) => ids.add(h.producerId));
  return [...ids];
}

describe('idempotent producer', () => {
  it('InitProducerId hands out distinct ids with epoch 0 and refuses transactional ids', async () => {
    const conn = await connection();
    try {
      const a = await conn.send(InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
      const b = await conn.send(InitProducerId, 0, { transactionalId: null, transactionTimeoutMs: 60000 });
      expect([a.errorCode, a.producerEpoch, b.errorCode, b.producerEpoch]).toEqual([0, 0, 0, 0]);
      expect(a.producerId).toBeGreaterThanOrEqual(0n);
      expect(b.producerId).toBe(a.producerId + 1n);
      const txn = await conn.send(InitProducerId, 1, { transactionalId: 'tx-1', transactionTimeoutMs: 60000 });
      expect(txn).toMatchObject({ errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 });
    } finally {
      conn.destroy();
    }
  });

  it('kafkajs idempotent producer: every send succeeds and offsets are dense', async () => {
    const kafka = kafkajsClient({ bootstrap: broker.bootstrap });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
    await producer.connect();
    const offsets: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await producer.send({ topic: 'idem-kafkajs', acks: -1, messages: [{ value: `m${2 * i}` }, { value: `m${2 * i + 1}` }] });
      offsets.push(res[0]!.baseOffset!);
    }
    await producer.disconnect();
    expect(offsets).toEqual(Array.from({ length: 20 }, (_, i) => String(2 * i)));
    expect(await readValues('idem-kafkajs')).toEqual(Array.from({ length: 40 }, (_, i) => `${i}:m${i}`));
    const ids = storedProducerIds('idem-kafkajs');
    expect(ids.length === 1 && ids[0]! >= 0n).toBe(true);
  });

  it('stores a raw retried batch once and answers the retry with the first baseOffset', async () => {
    const conn = await connection();
    try {
      const { producerId, producerEpoch } = await conn.send(InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
      const produce = async (values: string[], baseSequence: number) => {
        const records = await buildRecordBatch(values.map((v) => ({ value: Buffer.from(v) })), { producerId, producerEpoch, baseSequence });
        const res = await conn.send(Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'idem-raw', partitionData: [{ index: 0, records }] }] });
        return res.responses[0]!.partitionResponses[0]!;
      };
      // The first produce may only create the topic (auto-creation); retry until it is appended.
      let first = await produce(['a', 'b'], 0);
      for (let i = 0; first.errorCode !== 0 && i < 50; i++) first = await produce(['a', 'b'], 0);
      expect(first).toMatchObject({ errorCode: 0, baseOffset: 0n });
      expect(await produce(['c'], 2)).toMatchObject({ errorCode: 0, baseOffset: 2n });
      expect(await produce(['a', 'b'], 0)).toMatchObject({ errorCode: 0, baseOffset: 0n });
      expect(await produce(['c'], 2)).toMatchObject({ errorCode: 0, baseOffset: 2n });
      expect(await produce(['z'], 9)).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1n });
      expect(await produce(['old'], 3)).toMatchObject({ errorCode: 0, baseOffset: 3n });
      expect(await produce(['fenced'], 4)).toMatchObject({ errorCode: 0, baseOffset: 4n });
      const fenced = await buildRecordBatch([{ value: Buffer.from('x') }], { producerId, producerEpoch: producerEpoch - 1, baseSequence: 5 });
      const res = await conn.send(Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: 'idem-raw', partitionData: [{ index: 0, records: fenced }] }] });
      expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      expect(await readValues('idem-raw')).toEqual(['0:a', '1:b', '2:c', '3:old', '4:fenced']);
    } finally {
      conn.destroy();
    }
  });

  it('kcat with enable.idempotence=true produces every line once', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`);
    execFileSync('kcat', ['-b', broker.bootstrap, '-P', '-t', 'idem-kcat', '-X', 'enable.idempotence=true'], { input: lines.join('\n') + '\n', timeout: 30_000 });
    const out = execFileSync('kcat', ['-b', broker.bootstrap, '-C', '-t', 'idem-kcat', '-o', 'beginning', '-e', '-q', '-f', '%o:%s\n'], { encoding: 'utf8', timeout: 30_000 });
    expect(out.trim().split('\n')).toEqual(lines.map((l, i) => `${i}:${l}`));
    const ids = storedProducerIds('idem-kcat');
    expect(ids.length === 1 && ids[0]! >= 0n).toBe(true);
  });

  it('never hands out a producer id twice across a restart, and keeps deduplicating after it', async () => {
    const conn = await connection();
    const before = await conn.send(InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
    const records = await buildRecordBatch([{ value: Buffer.from('once') }], { producerId: before.producerId, producerEpoch: 0, baseSequence: 0 });
    const send = (c: KafkaConnection) =>
      c.send(Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'idem-raw', partitionData: [{ index: 0, records: Buffer.from(records) }] }] });
    expect((await send(conn)).responses[0]!.partitionResponses[0]!).toMatchObject({ errorCode: 0, baseOffset: 5n });
    conn.destroy();
    await broker.kill();
    broker = await startBrokerProcess({ dataDir: broker.dataDir, set: { 'num.partitions': '1' } });
    const again = await connection();
    try {
      const after = await again.send(InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
      expect(after.producerId).toBeGreaterThan(before.producerId);
      expect((await send(again)).responses[0]!.partitionResponses[0]!).toMatchObject({ errorCode: 0, baseOffset: 5n });
      expect((await readValues('idem-raw')).slice(-1)).toEqual(['5:once']);
    } finally {
      again.destroy();
    }
  });
});
