// Kafka API keys of the requests logctl speaks (Kafka's ApiKeys.java numbering).
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  CreatePartitions: 37,
  DeleteGroups: 42,
} as const;

export type ApiName = keyof typeof ApiKey;

/**
 * First flexible version of each API (KIP-482): the request header is v2 and the response header v1
 * from there on. Kept here rather than read from the codecs so that headers decode without them.
 */
export const FLEXIBLE_FROM: ReadonlyMap<number, number> = new Map([
  [ApiKey.Produce, 9],
  [ApiKey.Fetch, 12],
  [ApiKey.ListOffsets, 6],
  [ApiKey.Metadata, 9],
  [ApiKey.OffsetCommit, 8],
  [ApiKey.OffsetFetch, 6],
  [ApiKey.FindCoordinator, 3],
  [ApiKey.JoinGroup, 6],
  [ApiKey.Heartbeat, 4],
  [ApiKey.LeaveGroup, 4],
  [ApiKey.SyncGroup, 4],
  [ApiKey.DescribeGroups, 5],
  [ApiKey.ListGroups, 3],
  [ApiKey.ApiVersions, 3],
  [ApiKey.CreateTopics, 5],
  [ApiKey.DeleteTopics, 4],
  [ApiKey.DeleteRecords, 2],
  [ApiKey.InitProducerId, 2],
  [ApiKey.OffsetForLeaderEpoch, 4],
  [ApiKey.AddPartitionsToTxn, 3],
  [ApiKey.AddOffsetsToTxn, 3],
  [ApiKey.EndTxn, 3],
  [ApiKey.TxnOffsetCommit, 3],
  [ApiKey.DescribeConfigs, 4],
  [ApiKey.AlterConfigs, 2],
  [ApiKey.CreatePartitions, 2],
  [ApiKey.DeleteGroups, 2],
]);

/** Whether (apiKey, apiVersion) is a flexible version; unknown keys are not (their header is read as v1). */
export function isFlexible(apiKey: number, apiVersion: number): boolean {
  const from = FLEXIBLE_FROM.get(apiKey);
  return from !== undefined && apiVersion >= from;
}

/**
 * The version ranges the broker should advertise in ApiVersions (protocol.md §3, verified with kafkajs,
 * librdkafka and kafka-python). Codecs may support more (Metadata up to 8, ListOffsets 0), because some
 * clients send versions they never negotiated; advertising more changes what clients choose.
 */
export const ADVERTISED_VERSIONS: ReadonlyMap<number, { minVersion: number; maxVersion: number }> = new Map(
  (
    [
      [ApiKey.Produce, 0, 7],
      [ApiKey.Fetch, 4, 11],
      [ApiKey.ListOffsets, 1, 3],
      [ApiKey.Metadata, 0, 4],
      [ApiKey.OffsetCommit, 2, 4],
      [ApiKey.OffsetFetch, 1, 4],
      [ApiKey.FindCoordinator, 0, 2],
      [ApiKey.JoinGroup, 2, 4],
      [ApiKey.Heartbeat, 1, 2],
      [ApiKey.LeaveGroup, 1, 2],
      [ApiKey.SyncGroup, 1, 2],
      [ApiKey.DescribeGroups, 0, 2],
      [ApiKey.ListGroups, 0, 2],
      [ApiKey.ApiVersions, 0, 3],
      [ApiKey.CreateTopics, 2, 4],
      [ApiKey.DeleteTopics, 1, 1],
      [ApiKey.DeleteRecords, 0, 1],
      [ApiKey.InitProducerId, 0, 1],
      [ApiKey.OffsetForLeaderEpoch, 0, 3],
      [ApiKey.AddPartitionsToTxn, 0, 1],
      [ApiKey.AddOffsetsToTxn, 0, 1],
      [ApiKey.EndTxn, 0, 1],
      [ApiKey.TxnOffsetCommit, 0, 1],
      [ApiKey.DescribeConfigs, 1, 2],
      [ApiKey.AlterConfigs, 0, 1],
      [ApiKey.CreatePartitions, 0, 1],
      [ApiKey.DeleteGroups, 0, 1],
    ] as const
  ).map(([key, minVersion, maxVersion]) => [key, { minVersion, maxVersion }]),
);
