import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/index.js';
import { defaultDataDir, loadBrokerConfig } from '../../src/broker/config.js';

const dir = mkdtempSync(join(tmpdir(), 'logctl-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yamlFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadBrokerConfig', () => {
  it('has Kafka-like defaults', () => {
    const c = loadBrokerConfig({ overrides: {}, dataDir: '/data/x' });
    expect(c).toEqual({
      nodeId: 0,
      dataDir: '/data/x',
      listeners: { host: '127.0.0.1', port: 9092 },
      socketPath: '/data/x/logctl.sock',
      logDefaults: {
        segmentBytes: 1073741824,
        segmentMs: 604800000,
        retentionMs: 604800000,
        retentionBytes: -1,
        cleanupPolicy: 'delete',
        maxMessageBytes: 1048588,
        messageTimestampType: 'CreateTime',
        indexIntervalBytes: 4096,
        deleteRetentionMs: 86400000,
      },
      minInsyncReplicas: 1,
      deleteRetentionMs: 86400000,
      flushPolicy: { flushIntervalMessages: 1, flushIntervalMs: 0 },
      groups: {
        offsetsTopicNumPartitions: 50,
        initialRebalanceDelayMs: 3000,
        minSessionTimeoutMs: 6000,
        maxSessionTimeoutMs: 1_800_000,
        offsetMetadataMaxBytes: 4096,
        offsetsRetentionMs: 604_800_000,
        offsetsRetentionCheckIntervalMs: 600_000,
      },
      autoCreateTopics: true,
      deleteTopicEnable: true,
      numPartitions: 1,
      defaultReplicationFactor: 1,
      socketRequestMaxBytes: 104857600,
      messageMaxBytes: 1048588,
      maxConnections: 1000,
      connectionsMaxIdleMs: 600000,
      logRetentionCheckIntervalMs: 300000,
      producerIdExpirationMs: 86_400_000,
      logCleanerBackoffMs: 15000,
      logLevel: 'info',
      metricsListen: null,
      cluster: null,
      replication: {
        sessionTimeoutMs: 10000,
        uncleanLeaderElectionEnable: false,
        replicaLagTimeMaxMs: 30000,
        replicaFetchWaitMaxMs: 500,
        replicaFetchMaxBytes: 1048576,
        highWatermarkCheckpointIntervalMs: 5000,
        controlledShutdownEnable: true,
        controlledShutdownMaxWaitMs: 10000,
      },
    });
  });

  it('defaults the data dir to $XDG_DATA_HOME/logctl, else ~/.local/share/logctl', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/xdg' })).toBe('/xdg/logctl');
    expect(defaultDataDir({})).toBe(join(homedir(), '.local', 'share', 'logctl'));
  });

  it('reads a YAML file with flat and nested Kafka names, then applies --set and flags on top', () => {
    const file = yamlFile(
      'broker.yaml',
      [
        'node.id: 3',
        'listeners: PLAINTEXT://0.0.0.0:19092',
        'advertised.listeners: broker.example:29092',
        'log.dirs: /from/file',
        'num.partitions: 4',
        'auto.create.topics.enable: false',
        'log:',
        '  retention:',
        '    hours: 2',
        '  segment.bytes: 1048576',
        'message.max.bytes: 2000000',
      ].join('\n'),
    );
    const c = loadBrokerConfig({
      file,
      overrides: { 'num.partitions': '6', 'log.flush.interval.messages': '1000', 'log.level': 'debug' },
      listen: '127.0.0.1:0',
      socket: false,
    });
    expect(c.nodeId).toBe(3);
    expect(c.listeners).toEqual({ host: '127.0.0.1', port: 0 });
    expect(c.advertisedHost).toBe('broker.example');
    expect(c.advertisedPort).toBe(29092);
    expect(c.dataDir).toBe('/from/file');
    expect(c.socketPath).toBeNull();
    expect(c.numPartitions).toBe(6);
    expect(c.autoCreateTopics).toBe(false);
    expect(c.logDefaults.retentionMs).toBe(7_200_000);
    expect(c.logDefaults.segmentBytes).toBe(1048576);
    expect(c.logDefaults.maxMessageBytes).toBe(2000000);
    expect(c.messageMaxBytes).toBe(2000000);
    expect(c.flushPolicy).toEqual({ flushIntervalMessages: 1000, flushIntervalMs: 0 });
    expect(c.logLevel).toBe('debug');
  });

  it('prefers log.retention.ms over minutes over hours', () => {
    expect(loadBrokerConfig({ overrides: { 'log.retention.hours': '1', 'log.retention.minutes': '2' } }).logDefaults.retentionMs).toBe(120_000);
    expect(loadBrokerConfig({ overrides: { 'log.retention.minutes': '2', 'log.retention.ms': '5' } }).logDefaults.retentionMs).toBe(5);
    expect(loadBrokerConfig({ overrides: { 'log.retention.ms': '-1' } }).logDefaults.retentionMs).toBe(-1);
  });

  it.each([
    [{ 'no.such.key': '1' }, /--set: unknown broker config "no.such.key"/],
    [{ 'num.partitions': 'many' }, /--set: invalid value "many" for num.partitions: must be an integer/],
    [{ 'num.partitions': '0' }, /num.partitions: must be between 1/],
    [{ 'auto.create.topics.enable': 'yes' }, /must be true or false/],
    [{ listeners: 'localhost' }, /must be host:port/],
    [{ listeners: 'a:1,b:2' }, /only one listener/],
    [{ 'log.level': 'loud' }, /must be one of debug, info/],
  ])('rejects %j with a clear UsageError', (overrides, message) => {
    expect(() => loadBrokerConfig({ overrides })).toThrow(UsageError);
    expect(() => loadBrokerConfig({ overrides })).toThrow(message);
  });

  it('names the file for unknown keys and unreadable YAML', () => {
    const bad = yamlFile('bad.yaml', 'log.retention.forever: true\n');
    expect(() => loadBrokerConfig({ file: bad, overrides: {} })).toThrow(`config file ${bad}: unknown broker config "log.retention.forever"`);
    const broken = yamlFile('broken.yaml', 'a: [1, 2\n');
    expect(() => loadBrokerConfig({ file: broken, overrides: {} })).toThrow(/cannot read broker config file/);
    expect(() => loadBrokerConfig({ file: join(dir, 'missing.yaml'), overrides: {} })).toThrow(/cannot read broker config file/);
    const list = yamlFile('list.yaml', '- a\n- b\n');
    expect(() => loadBrokerConfig({ file: list, overrides: {} })).toThrow(/must be a mapping/);
  });
});

describe('loadBrokerConfig cluster settings', () => {
  it('parses --cluster etcd URLs with a name and the replication settings', () => {
    const c = loadBrokerConfig({
      overrides: { 'replica.lag.time.max.ms': '5000', 'cluster.session.timeout.ms': '3000' },
      cluster: 'etcd://127.0.0.1:2379,10.0.0.2:2379/prod',
      nodeId: '3',
      advertise: 'broker3:9092',
    });
    expect(c.cluster).toEqual({ endpoints: ['127.0.0.1:2379', '10.0.0.2:2379'], name: 'prod' });
    expect(c.nodeId).toBe(3);
    expect([c.advertisedHost, c.advertisedPort]).toEqual(['broker3', 9092]);
    expect(c.replication.replicaLagTimeMaxMs).toBe(5000);
    expect(c.replication.sessionTimeoutMs).toBe(3000);
    expect(loadBrokerConfig({ overrides: {}, cluster: 'etcd://h:1' }).cluster).toEqual({ endpoints: ['h:1'], name: 'default' });
  });

  it('refuses a malformed --cluster', () => {
    expect(() => loadBrokerConfig({ overrides: {}, cluster: 'etcd://nohostport' })).toThrow(/--cluster: invalid value "etcd:\/\/nohostport" for cluster.etcd/);
  });
});
