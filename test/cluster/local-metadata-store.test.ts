import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError, StorageError } from '../../src/common/index.js';
import { LocalMetadataStore, METADATA_FILE_NAME } from '../../src/cluster/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'logctl-meta-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    return (err as KafkaError).errorCode;
  }
  return 0;
}

describe('LocalMetadataStore', () => {
  it('survives a restart with topics, configs, partitions and cluster id', async () => {
    const dir = tempDir();
    const store = await LocalMetadataStore.open(dir);
    const created = await store.createTopic({ name: 'orders', partitions: 2, replicationFactor: 1, assignments: [[0], [0]], configs: { 'retention.ms': '1000' } });
    expect(created.version).toBe(1);
    expect(created.topicId).toMatch(/^[0-9a-f-]{36}$/);
    await store.createTopic({ name: 'gone', partitions: 1, replicationFactor: 1, assignments: [[0]], configs: {} });
    await store.updateConfigs('orders', { 'cleanup.policy': 'compact' });
    await store.addPartitions('orders', 3, [[0]]);
    await store.deleteTopic('gone');
    await store.close();

    const reopened = await LocalMetadataStore.open(dir);
    expect(reopened.clusterId).toBe(store.clusterId);
    expect(await reopened.listTopics()).toEqual([
      { name: 'orders', topicId: created.topicId, partitions: 3, replicationFactor: 1, assignments: [[0], [0], [0]], configs: { 'cleanup.policy': 'compact' }, version: 3 },
    ]);
    expect(readdirSync(dir)).toEqual([METADATA_FILE_NAME]);
  });

  it('answers Kafka errors for duplicates, unknown topics and stale versions', async () => {
    const store = await LocalMetadataStore.open(tempDir());
    await store.createTopic({ name: 't', partitions: 1, replicationFactor: 1, assignments: [[0]], configs: {} });
    expect(await codeOf(store.createTopic({ name: 't', partitions: 1, replicationFactor: 1, assignments: [[0]], configs: {} }))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(await codeOf(store.deleteTopic('nope'))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await codeOf(store.updateConfigs('t', {}, 7))).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    expect(await codeOf(store.addPartitions('t', 1, []))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect((await store.getTopic('t'))?.version).toBe(1);
  });

  it('returns copies, so callers cannot change the stored state', async () => {
    const store = await LocalMetadataStore.open(tempDir());
    await store.createTopic({ name: 't', partitions: 1, replicationFactor: 1, assignments: [[0]], configs: {} });
    const t = await store.getTopic('t');
    if (t) t.configs['retention.ms'] = '5';
    expect((await store.getTopic('t'))?.configs).toEqual({});
  });

  it('refuses to start on a corrupt file instead of silently starting empty', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, METADATA_FILE_NAME), '{"formatVersion":1,"clusterId":"x","topics":{"t":');
    await expect(LocalMetadataStore.open(dir)).rejects.toThrow(StorageError);
    await expect(LocalMetadataStore.open(dir)).rejects.toThrow(/is corrupt/);
  });

  it('registers brokers in memory', async () => {
    const store = await LocalMetadataStore.open(tempDir());
    await store.registerBroker({ nodeId: 3, host: 'h', port: 9, rack: null });
    expect(await store.listBrokers()).toEqual([{ nodeId: 3, host: 'h', port: 9, rack: null }]);
  });
});
