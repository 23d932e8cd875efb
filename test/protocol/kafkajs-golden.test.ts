// Golden bytes from an independent implementation: kafkajs 2.2.4's request encoders and response
// decoders (node_modules/kafkajs/src/protocol/requests/<api>/v<N>/). Our decodeRequest must give the
// exact object for kafkajs's bytes and our encodeRequest must give back the same bytes; kafkajs must parse
// our encoded responses to the exact values.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as P from '../../src/protocol/index.js';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<{ buffer: Buffer }>;
}
type RequestFactory = (args: Record<string, unknown>) => KafkajsRequest;
interface ResponseModule {
  decode(raw: Buffer): Promise<Record<string, unknown>>;
}

const kafkajsRequest = (api: string, version: number): RequestFactory =>
  require(`kafkajs/src/protocol/requests/${api}/v${version}/request.js`) as RequestFactory;
const kafkajsResponse = (api: string, version: number): ResponseModule =>
  require(`kafkajs/src/protocol/requests/${api}/v${version}/response.js`) as ResponseModule;

async function checkRequest<Req>(
  codec: P.ApiCodec<Req, unknown>,
  api: string,
  version: number,
  args: Record<string, unknown>,
  expected: Req,
): Promise<Buffer> {
  const request = kafkajsRequest(api, version)(args);
  expect(request.apiKey).toBe(codec.apiKey);
  expect(request.apiVersion).toBe(version);
  const golden = (await request.encode()).buffer;
  expect(codec.decodeRequest(golden, version)).toEqual(expected);
  expect(Buffer.concat(codec.encodeRequest(expected, version)).toString('hex')).toBe(golden.toString('hex'));
  return golden;
}

async function kafkajsDecode<Res>(codec: P.ApiCodec<unknown, Res>, api: string, version: number, res: Res): Promise<Record<string, unknown>> {
  return kafkajsResponse(api, version).decode(Buffer.concat(codec.encodeResponse(res, version)));
}

let producedRecords: Buffer = Buffer.alloc(0);

describe('requests encoded by kafkajs', () => {
  it('ApiVersions v2', async () => {
    await checkRequest(P.ApiVersions, 'apiVersions', 2, {}, { clientSoftwareName: '', clientSoftwareVersion: '' });
  });

  it('Metadata v4', async () => {
    await checkRequest(P.Metadata, 'metadata', 4, { topics: ['a', 'bé'], allowAutoTopicCreation: false }, {
      topics: [{ name: 'a' }, { name: 'bé' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    // kafkajs writes an empty list as a null array (-1): "all topics".
    await checkRequest(P.Metadata, 'metadata', 4, { topics: [] }, {
      topics: null,
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
  });

  it('Produce v7 with a record batch', async () => {
    const args = {
      acks: -1,
      timeout: 30000,
      transactionalId: null,
      topicData: [
        {
          topic: 'events',
          partitions: [
            { partition: 2, messages: [{ key: 'k1', value: 'v1', timestamp: 1700000000000 }, { key: null, value: 'v2', timestamp: 1700000000001 }] },
          ],
        },
      ],
    };
    const golden = (await kafkajsRequest('produce', 7)(args).encode()).buffer;
    const decoded = P.Produce.decodeRequest(golden, 7);
    const records = decoded.topicData[0]?.partitionData[0]?.records;
    if (!records) throw new Error('no records');
    expect(records.readBigInt64BE(0)).toBe(0n); // baseOffset
    expect(records.readInt8(16)).toBe(2); // magic
    expect(records.readInt32BE(57)).toBe(2); // recordsCount
    expect(decoded).toEqual({
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 'events', partitionData: [{ index: 2, records }] }],
    });
    expect(Buffer.concat(P.Produce.encodeRequest(decoded, 7)).equals(golden)).toBe(true);
    producedRecords = Buffer.from(records);
  });

  it('Fetch v11', async () => {
    await checkRequest(P.Fetch, 'fetch', 11, {
      replicaId: -1,
      maxWaitTime: 5000,
      minBytes: 1,
      maxBytes: 10485760,
      rackId: 'r1',
      topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: '12345678901', maxBytes: 1048576 }] }],
    }, {
      replicaId: -1,
      maxWaitMs: 5000,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 't',
          partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 12345678901n, logStartOffset: -1n, partitionMaxBytes: 1048576 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: 'r1',
    });
  });

  it('ListOffsets v3 and v1', async () => {
    const topics = [{ topic: 't', partitions: [{ partition: 1, timestamp: -2 }] }];
    await checkRequest(P.ListOffsets, 'listOffsets', 3, { replicaId: -1, isolationLevel: 1, topics }, {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, timestamp: -2n, maxNumOffsets: 1 }] }],
    });
    await checkRequest(P.ListOffsets, 'listOffsets', 1, { replicaId: -1, topics }, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, timestamp: -2n, maxNumOffsets: 1 }] }],
    });
  });

  it('CreateTopics v3 (numPartitions -1 allowed)', async () => {
    await checkRequest(P.CreateTopics, 'createTopics', 3, {
      topics: [
        { topic: 'a', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '1000' }] },
        { topic: 'b', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] },
      ],
      validateOnly: true,
      timeout: 5000,
    }, {
      topics: [
        { name: 'a', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }] },
        { name: 'b', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] },
      ],
      timeoutMs: 5000,
      validateOnly: true,
    });
  });

  it('DeleteTopics v1', async () => {
    await checkRequest(P.DeleteTopics, 'deleteTopics', 1, { topics: ['a', 'b'], timeout: 1000 }, { topicNames: ['a', 'b'], timeoutMs: 1000 });
  });

  it('DescribeConfigs v2', async () => {
    await checkRequest(P.DescribeConfigs, 'describeConfigs', 2, {
      resources: [{ type: 2, name: 't', configNames: [] }, { type: 4, name: '1', configNames: ['x'] }],
      includeSynonyms: true,
    }, {
      resources: [
        { resourceType: 2, resourceName: 't', configurationKeys: null },
        { resourceType: 4, resourceName: '1', configurationKeys: ['x'] },
      ],
      includeSynonyms: true,
    });
  });

  it('JoinGroup v4', async () => {
    await checkRequest(P.JoinGroup, 'joinGroup', 4, {
      groupId: 'g',
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      memberId: '',
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
    }, {
      groupId: 'g',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
    });
  });

  it('OffsetCommit v4, OffsetFetch v4, FindCoordinator v2, InitProducerId v1, EndTxn v1', async () => {
    await checkRequest(P.OffsetCommit, 'offsetCommit', 4, {
      groupId: 'g', groupGenerationId: 3, memberId: 'm', retentionTime: -1,
      topics: [{ topic: 't', partitions: [{ partition: 0, offset: '42' }] }],
    }, {
      groupId: 'g', generationIdOrMemberEpoch: 3, memberId: 'm', retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedMetadata: null }] }],
    });
    await checkRequest(P.OffsetFetch, 'offsetFetch', 4, { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0 }] }] }, {
      groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }],
    });
    await checkRequest(P.FindCoordinator, 'findCoordinator', 2, { coordinatorKey: 'g', coordinatorType: 1 }, { key: 'g', keyType: 1 });
    await checkRequest(P.InitProducerId, 'initProducerId', 1, { transactionalId: null, transactionTimeout: 60000 }, {
      transactionalId: null, transactionTimeoutMs: 60000,
    });
    await checkRequest(P.EndTxn, 'endTxn', 1, { transactionalId: 'tx', producerId: '7', producerEpoch: 1, transactionResult: true }, {
      transactionalId: 'tx', producerId: 7n, producerEpoch: 1, committed: true,
    });
  });
});

describe('responses decoded by kafkajs', () => {
  it('ApiVersions v2', async () => {
    const decoded = await kafkajsDecode(P.ApiVersions, 'apiVersions', 2, {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 7 }, { apiKey: 18, minVersion: 0, maxVersion: 3 }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
    expect(decoded).toMatchObject({ errorCode: 0, apiVersions: [{ apiKey: 0, minVersion: 0, maxVersion: 7 }, { apiKey: 18, minVersion: 0, maxVersion: 3 }] });
  });

  it('Metadata v4', async () => {
    const decoded = await kafkajsDecode(P.Metadata, 'metadata', 4, {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'logctl',
      controllerId: 1,
      topics: [
        {
          errorCode: 0, name: 't', isInternal: false, topicAuthorizedOperations: 0,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
        },
      ],
      clusterAuthorizedOperations: 0,
    });
    expect(decoded).toEqual({
      throttleTime: 0,
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'logctl',
      controllerId: 1,
      topicMetadata: [
        {
          topicErrorCode: 0, topic: 't', isInternal: false,
          partitionMetadata: [{ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1] }],
        },
      ],
    });
  });

  it('Produce v7', async () => {
    const decoded = await kafkajsDecode(P.Produce, 'produce', 7, {
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 12n, logAppendTimeMs: -1n, logStartOffset: 3n }] }],
      throttleTimeMs: 0,
    });
    expect(decoded).toMatchObject({
      topics: [{ topicName: 't', partitions: [{ partition: 0, errorCode: 0, baseOffset: '12', logAppendTime: '-1', logStartOffset: '3' }] }],
    });
  });

  it('Fetch v11 with the records kafkajs produced', async () => {
    expect(producedRecords.length).toBeGreaterThan(0);
    const decoded = await kafkajsDecode(P.Fetch, 'fetch', 11, {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'events',
          partitions: [
            {
              partitionIndex: 2, errorCode: 0, highWatermark: 2n, lastStableOffset: 2n, logStartOffset: 0n,
              abortedTransactions: [], preferredReadReplica: -1, records: producedRecords,
            },
          ],
        },
      ],
    });
    const responses = decoded.responses as { topicName: string; partitions: { highWatermark: string; messages: { key: Buffer | null; value: Buffer; offset: string }[] }[] }[];
    expect(responses[0]?.topicName).toBe('events');
    const partition = responses[0]?.partitions[0];
    expect(partition?.highWatermark).toBe('2');
    expect(partition?.messages.map((m) => [m.offset, m.key?.toString() ?? null, m.value.toString()])).toEqual([
      ['0', 'k1', 'v1'],
      ['1', null, 'v2'],
    ]);
  });

  it('ListOffsets v3, CreateTopics v3, FindCoordinator v2, InitProducerId v1', async () => {
    expect(await kafkajsDecode(P.ListOffsets, 'listOffsets', 3, {
      throttleTimeMs: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [], timestamp: -1n, offset: 99n }] }],
    })).toMatchObject({ responses: [{ topic: 't', partitions: [{ partition: 0, errorCode: 0, timestamp: '-1', offset: '99' }] }] });
    expect(await kafkajsDecode(P.CreateTopics, 'createTopics', 3, {
      throttleTimeMs: 0,
      topics: [{ name: 'b', errorCode: 36, errorMessage: 'exists' }, { name: 'a', errorCode: 0, errorMessage: null }],
    })).toMatchObject({ topicErrors: [{ topic: 'a', errorCode: 0, errorMessage: null }, { topic: 'b', errorCode: 36, errorMessage: 'exists' }] });
    expect(await kafkajsDecode(P.FindCoordinator, 'findCoordinator', 2, {
      throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 1, host: 'h', port: 9092,
    })).toMatchObject({ errorCode: 0, errorMessage: null, coordinator: { nodeId: 1, host: 'h', port: 9092 } });
    expect(await kafkajsDecode(P.InitProducerId, 'initProducerId', 1, {
      throttleTimeMs: 0, errorCode: 0, producerId: 4000n, producerEpoch: 2,
    })).toMatchObject({ errorCode: 0, producerId: '4000', producerEpoch: 2 });
  });

  it('JoinGroup v4 and DescribeConfigs v2', async () => {
    expect(await kafkajsDecode(P.JoinGroup, 'joinGroup', 4, {
      throttleTimeMs: 0, errorCode: 0, generationId: 5, protocolName: 'RoundRobinAssigner', leader: 'm1', memberId: 'm1',
      members: [{ memberId: 'm1', metadata: Buffer.from([1, 2]) }],
    })).toMatchObject({
      errorCode: 0, generationId: 5, groupProtocol: 'RoundRobinAssigner', leaderId: 'm1', memberId: 'm1',
      members: [{ memberId: 'm1', memberMetadata: Buffer.from([1, 2]) }],
    });
    expect(await kafkajsDecode(P.DescribeConfigs, 'describeConfigs', 2, {
      throttleTimeMs: 0,
      results: [{
        errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't',
        configs: [{ name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false, synonyms: [] }],
      }],
    })).toMatchObject({
      resources: [{
        errorCode: 0, resourceType: 2, resourceName: 't',
        configEntries: [{ configName: 'retention.ms', configValue: '1000', readOnly: false, isDefault: false, configSource: 1, isSensitive: false }],
      }],
    });
  });
});
