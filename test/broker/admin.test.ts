import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/index.js';
import {
  AlterConfigs,
  CreatePartitions,
  CreateTopics,
  DeleteRecords,
  DeleteTopics,
  DescribeConfigs,
  ListOffsets,
  Metadata,
  Produce,
  type CreatableTopic,
  type MetadataRequest,
} from '../../src/protocol/index.js';
import { buildRecordBatch } from '../../src/records/index.js';
import { createTopic, startTestBroker, type RawClient, type TestBroker } from './helpers.js';

let t: TestBroker;
beforeAll(async () => {
  t = await startTestBroker({ 'num.partitions': '2' });
});
afterAll(async () => {
  await t.cleanup();
});

function metadataRequest(topics: string[] | null, allowAutoTopicCreation = false): MetadataRequest {
  return { topics: topics === null ? null : topics.map((name) => ({ name })), allowAutoTopicCreation, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
}

function topic(name: string, numPartitions = -1, replicationFactor = -1, configs: Record<string, string> = {}): CreatableTopic {
  return { name, numPartitions, replicationFactor, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) };
}

async function produce(c: RawClient, name: string, values: string[], timestamp?: number): Promise<void> {
  for (const v of values) {
    const records = await buildRecordBatch([{ value: Buffer.from(v), ...(timestamp === undefined ? {} : { timestamp }) }]);
    const res = await c.send(Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name, partitionData: [{ index: 0, records }] }] });
    expect(res.responses[0]?.partitionResponses[0]?.errorCode).toBe(0);
  }
}

async function listOffset(c: RawClient, name: string, timestamp: bigint, version = 3) {
  const res = await c.send(ListOffsets, version, { replicaId: -1, isolationLevel: 1, topics: [{ name, partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets: 1 }] }] });
  return res.topics[0]?.partitions[0];
}

describe('metadata', () => {
  it('distinguishes all topics (v0 [], v1+ null) from none (v1+ [])', async () => {
    await createTopic(t, 'md-a');
    const c = await t.client();
    const names = (r: { topics: { name: string }[] }): string[] => r.topics.map((x) => x.name);
    expect(names(await c.send(Metadata, 0, metadataRequest([])))).toContain('md-a');
    expect(names(await c.send(Metadata, 1, metadataRequest(null)))).toContain('md-a');
    expect(names(await c.send(Metadata, 4, metadataRequest([])))).toEqual([]);
  });

  it('auto-creates topics when the v4 request allows it, and only then', async () => {
    const c = await t.client();
    const refused = await c.send(Metadata, 4, metadataRequest(['md-auto'], false));
    expect(refused.topics).toEqual([{ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: 'md-auto', isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 }]);
    const created = await c.send(Metadata, 4, metadataRequest(['md-auto'], true));
    expect(created.topics[0]?.errorCode).toBe(0);
    expect(created.topics[0]?.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes])).toEqual([
      [0, 0, [0], [0]],
      [1, 0, [0], [0]],
    ]);
    expect(created.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const invalid = await c.send(Metadata, 4, metadataRequest(['bad name'], true));
    expect(invalid.topics[0]?.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });
});

describe('create, delete and partition topics', () => {
  it('creates with broker defaults for -1 (kafkajs CreateTopics v3) and reports each error', async () => {
    const c = await t.client();
    const res = await c.send(CreateTopics, 3, {
      topics: [
        topic('ct-defaults'),
        topic('ct-bad name'),
        topic('ct-rf', 1, 3),
        topic('ct-parts', 0, 1),
        topic('ct-config', 1, 1, { 'retention.ms': 'soon' }),
        topic('ct-unknown-config', 1, 1, { 'no.such': '1' }),
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(res.topics.map((x) => [x.name, x.errorCode])).toEqual([
      ['ct-defaults', 0],
      ['ct-bad name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['ct-rf', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['ct-parts', ErrorCode.INVALID_PARTITIONS],
      ['ct-config', ErrorCode.INVALID_CONFIG],
      ['ct-unknown-config', ErrorCode.INVALID_CONFIG],
    ]);
    expect(res.topics[4]?.errorMessage).toMatch(/retention.ms/);
    const again = await c.send(CreateTopics, 4, { topics: [topic('ct-defaults')], timeoutMs: 1000, validateOnly: false });
    expect(again.topics[0]?.errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    const md = await c.send(Metadata, 4, metadataRequest(['ct-defaults', 'ct-rf']));
    expect(md.topics.map((x) => [x.name, x.errorCode, x.partitions.length])).toEqual([
      ['ct-defaults', 0, 2],
      ['ct-rf', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
    ]);
  });

  it('validateOnly creates nothing', async () => {
    const c = await t.client();
    const res = await c.send(CreateTopics, 2, { topics: [topic('ct-dry', 3, 1)], timeoutMs: 1000, validateOnly: true });
    expect(res.topics[0]?.errorCode).toBe(0);
    const md = await c.send(Metadata, 4, metadataRequest(['ct-dry']));
    expect(md.topics[0]?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('deletes topics', async () => {
    await createTopic(t, 'dt-gone');
    const c = await t.client();
    const res = await c.send(DeleteTopics, 1, { topicNames: ['dt-gone', 'dt-never'], timeoutMs: 1000 });
    expect(res.responses).toEqual([
      { name: 'dt-gone', errorCode: 0 },
      { name: 'dt-never', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    const md = await c.send(Metadata, 4, metadataRequest(['dt-gone']));
    expect(md.topics[0]?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('adds partitions', async () => {
    await createTopic(t, 'cp-grow', 1);
    const c = await t.client();
    const res = await c.send(CreatePartitions, 1, { topics: [{ name: 'cp-grow', count: 3, assignments: null }, { name: 'cp-grow2', count: 3, assignments: null }], timeoutMs: 1000, validateOnly: false });
    expect(res.results.map((r) => r.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const shrink = await c.send(CreatePartitions, 0, { topics: [{ name: 'cp-grow', count: 2, assignments: null }], timeoutMs: 1000, validateOnly: false });
    expect(shrink.results[0]?.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    const md = await c.send(Metadata, 4, metadataRequest(['cp-grow']));
    expect(md.topics[0]?.partitions.length).toBe(3);
  });
});

describe('configs', () => {
  it('describes every supported topic config with overrides marked', async () => {
    await createTopic(t, 'dc-topic', 1, { 'retention.ms': '60000' });
    const c = await t.client();
    const res = await c.send(DescribeConfigs, 2, { resources: [{ resourceType: 2, resourceName: 'dc-topic', configurationKeys: null }], includeSynonyms: false });
    const configs = res.results[0]?.configs ?? [];
    expect(configs.map((x) => x.name).sort()).toEqual([
      'cleanup.policy', 'delete.retention.ms', 'index.interval.bytes', 'max.message.bytes', 'message.timestamp.type',
      'min.insync.replicas', 'retention.bytes', 'retention.ms', 'segment.bytes', 'segment.ms',
    ]);
    expect(configs.find((x) => x.name === 'retention.ms')).toMatchObject({ value: '60000', configSource: 1, readOnly: false });
    expect(configs.find((x) => x.name === 'cleanup.policy')).toMatchObject({ value: 'delete', configSource: 5 });
    expect(configs.find((x) => x.name === 'max.message.bytes')).toMatchObject({ value: '1048588', configSource: 5 });

    const some = await c.send(DescribeConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'dc-topic', configurationKeys: ['segment.bytes'] }], includeSynonyms: true });
    expect(some.results[0]?.configs.map((x) => [x.name, x.value])).toEqual([['segment.bytes', '1073741824']]);

    const missing = await c.send(DescribeConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'dc-missing', configurationKeys: null }], includeSynonyms: false });
    expect(missing.results[0]?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('describes the broker resource', async () => {
    const c = await t.client();
    const res = await c.send(DescribeConfigs, 2, { resources: [{ resourceType: 4, resourceName: '0', configurationKeys: ['num.partitions', 'node.id'] }], includeSynonyms: false });
    expect(res.results[0]?.configs.map((x) => [x.name, x.value, x.readOnly])).toEqual([
      ['node.id', '0', true],
      ['num.partitions', '2', true],
    ]);
  });

  it('alters the whole set of topic configs, and validateOnly changes nothing', async () => {
    await createTopic(t, 'ac-topic', 1, { 'retention.ms': '60000' });
    const c = await t.client();
    const alter = async (configs: Record<string, string>, validateOnly = false) =>
      (await c.send(AlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'ac-topic', configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }], validateOnly })).responses[0];
    const describe = async () =>
      Object.fromEntries(
        ((await c.send(DescribeConfigs, 2, { resources: [{ resourceType: 2, resourceName: 'ac-topic', configurationKeys: ['retention.ms', 'cleanup.policy'] }], includeSynonyms: false })).results[0]?.configs ?? []).map((x) => [x.name, x.value]),
      );
    expect((await alter({ 'cleanup.policy': 'compact' }, true))?.errorCode).toBe(0);
    expect(await describe()).toEqual({ 'retention.ms': '60000', 'cleanup.policy': 'delete' });
    expect((await alter({ 'cleanup.policy': 'compact' }))?.errorCode).toBe(0);
    expect(await describe()).toEqual({ 'retention.ms': '604800000', 'cleanup.policy': 'compact' });
    const bad = await alter({ 'segment.bytes': '1' });
    expect(bad?.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad?.errorMessage).toMatch(/segment.bytes/);
  });
});

describe('offsets and deleting records', () => {
  it('lists earliest, latest and by timestamp, and moves the log start with DeleteRecords', async () => {
    await createTopic(t, 'lo-topic', 1);
    const c = await t.client();
    await produce(c, 'lo-topic', ['a'], 1_000);
    await produce(c, 'lo-topic', ['b'], 2_000);
    await produce(c, 'lo-topic', ['c'], 3_000);
    expect(await listOffset(c, 'lo-topic', -2n)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: -1n });
    expect(await listOffset(c, 'lo-topic', -1n)).toMatchObject({ errorCode: 0, offset: 3n, timestamp: -1n });
    expect(await listOffset(c, 'lo-topic', 1_500n, 1)).toMatchObject({ errorCode: 0, offset: 1n, timestamp: 2_000n });
    expect(await listOffset(c, 'lo-topic', 9_000n)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
    expect(await listOffset(c, 'lo-missing', -1n)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });

    const del = await c.send(DeleteRecords, 1, { topics: [{ name: 'lo-topic', partitions: [{ partitionIndex: 0, offset: 2n }, { partitionIndex: 7, offset: 0n }] }], timeoutMs: 1000 });
    expect(del.topics[0]?.partitions).toEqual([
      { partitionIndex: 0, lowWatermark: 2n, errorCode: 0 },
      { partitionIndex: 7, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    expect(await listOffset(c, 'lo-topic', -2n)).toMatchObject({ offset: 2n });
    const tooFar = await c.send(DeleteRecords, 0, { topics: [{ name: 'lo-topic', partitions: [{ partitionIndex: 0, offset: 10n }] }], timeoutMs: 1000 });
    expect(tooFar.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });
});

describe('restart', () => {
  it('keeps topics, partitions and configs across a restart', async () => {
    await createTopic(t, 'rs-topic', 3, { 'cleanup.policy': 'compact' });
    const before = await t.client();
    await produce(before, 'rs-topic', ['x', 'y']);
    await t.restart();
    const c = await t.client();
    const md = await c.send(Metadata, 4, metadataRequest(['rs-topic']));
    expect(md.topics[0]?.partitions.length).toBe(3);
    expect(await listOffset(c, 'rs-topic', -1n)).toMatchObject({ offset: 2n });
    const dc = await c.send(DescribeConfigs, 2, { resources: [{ resourceType: 2, resourceName: 'rs-topic', configurationKeys: ['cleanup.policy'] }], includeSynonyms: false });
    expect(dc.results[0]?.configs[0]?.value).toBe('compact');
  });
});
