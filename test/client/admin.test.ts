import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { startTestBroker, type TestBroker } from './broker-fixture.js';

let tb: TestBroker;
let client: KafkaClient;
let admin: Admin;

beforeAll(async () => {
  tb = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  client = await KafkaClient.connect({ broker: tb.address });
  admin = new Admin(client);
});

afterAll(async () => {
  await client?.close();
  await tb?.stop();
});

async function rejection(p: Promise<unknown>): Promise<KafkaError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(KafkaError);
    return err as KafkaError;
  }
  throw new Error('expected a rejection');
}

describe('Admin against a real broker', () => {
  it('creates, lists, describes and deletes topics', async () => {
    const created = await admin.createTopics([
      { name: 'orders', numPartitions: 3, replicationFactor: 1, configs: { 'retention.ms': '3600000' } },
      { name: 'audit', numPartitions: 1, replicationFactor: 1, configs: {} },
    ]);
    expect(created).toEqual([
      { name: 'orders', errorCode: 0, errorMessage: null },
      { name: 'audit', errorCode: 0, errorMessage: null },
    ]);
    const again = await admin.createTopics([{ name: 'orders', numPartitions: 1, replicationFactor: 1, configs: {} }]);
    expect(again[0]?.errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);

    expect(await admin.listTopics()).toEqual(['audit', 'orders']);

    const [orders] = await admin.describeTopics(['orders']);
    expect(orders?.name).toBe('orders');
    const node = tb.broker.config.nodeId;
    expect(orders?.partitions).toEqual([0, 1, 2].map((partition) => ({
      partition,
      leader: node,
      replicas: [node],
      isr: [node],
      logStartOffset: 0,
      logEndOffset: 0,
    })));
    const retention = orders?.configs.find((c) => c.name === 'retention.ms');
    expect(retention).toMatchObject({ value: '3600000', isDefault: false, source: 'DYNAMIC_TOPIC_CONFIG' });
    const cleanup = orders?.configs.find((c) => c.name === 'cleanup.policy');
    expect(cleanup?.isDefault).toBe(true);

    const deleted = await admin.deleteTopics(['audit']);
    expect(deleted).toEqual([{ name: 'audit', errorCode: 0 }]);
    expect(await admin.listTopics()).toEqual(['orders']);
  });

  it('describes offsets after producing and deletes records', async () => {
    await admin.createTopics([{ name: 'events', numPartitions: 1, replicationFactor: 1, configs: {} }]);
    const producer = new Producer(client, { lingerMs: 0 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ topic: 'events', value: Buffer.from(`v${i}`) })));
    await producer.close();
    const [before] = await admin.describeTopics(['events']);
    expect(before?.partitions[0]).toMatchObject({ logStartOffset: 0, logEndOffset: 20 });
    expect(await admin.deleteRecords('events', 0, 5)).toBe(5);
    const [after] = await admin.describeTopics(['events']);
    expect(after?.partitions[0]).toMatchObject({ logStartOffset: 5, logEndOffset: 20 });
  });

  it('alters configs: sets and removes overrides, keeping the others', async () => {
    await admin.createTopics([{ name: 'cfg', numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': '1000' } }]);
    await admin.alterConfigs('cfg', { 'segment.bytes': '1048576' }, []);
    let overrides = (await admin.describeConfigs('cfg')).filter((c) => !c.isDefault).map((c) => [c.name, c.value]);
    expect(overrides).toEqual([
      ['retention.ms', '1000'],
      ['segment.bytes', '1048576'],
    ]);
    await admin.alterConfigs('cfg', {}, ['retention.ms']);
    overrides = (await admin.describeConfigs('cfg')).filter((c) => !c.isDefault).map((c) => [c.name, c.value]);
    expect(overrides).toEqual([['segment.bytes', '1048576']]);
    const err = await rejection(admin.alterConfigs('cfg', { 'retention.ms': 'soon' }, []));
    expect(err.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(err.message).toMatch(/^alter configs of topic "cfg": INVALID_CONFIG/);
  });

  it('adds partitions', async () => {
    await admin.createTopics([{ name: 'grow', numPartitions: 1, replicationFactor: 1, configs: {} }]);
    await admin.createPartitions('grow', 4);
    const [grow] = await admin.describeTopics(['grow']);
    expect(grow?.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    const err = await rejection(admin.createPartitions('grow', 2));
    expect(err.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
  });

  it('reports unknown topics as KafkaError UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const err = await rejection(admin.describeTopics(['nope']));
    expect(err.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(err.message).toContain('topic "nope" does not exist');
    const deleted = await admin.deleteTopics(['nope']);
    expect(deleted).toEqual([{ name: 'nope', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }]);
  });

  it('fails a produce to a missing topic when the broker does not auto-create', async () => {
    const producer = new Producer(client);
    const err = await rejection(producer.send({ topic: 'missing', value: Buffer.from('x') }));
    expect(err.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(err.message).toBe('topic "missing" does not exist: UNKNOWN_TOPIC_OR_PARTITION');
    await producer.close();
  });

  it('rejects invalid topic creation with the broker message', async () => {
    const [res] = await admin.createTopics([{ name: 'bad/name', numPartitions: 1, replicationFactor: 1, configs: {} }]);
    expect(res?.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(res?.errorMessage).toBeTruthy();
  });
});
