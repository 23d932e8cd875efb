// A one-partition Fetch request for tests that speak the protocol directly: no long poll (maxWaitMs 0,
// minBytes 0), 1 MiB per partition, read_committed; anything else through `overrides`.
import type { FetchRequest } from '../../src/protocol/index.js';

export function fetchRequest(
  topic: string,
  partition: number,
  fetchOffset: number | bigint,
  overrides: Partial<FetchRequest> = {},
  partitionMaxBytes = 1 << 20,
): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 50 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: BigInt(fetchOffset), logStartOffset: -1n, partitionMaxBytes }] }],
    forgottenTopicsData: [],
    rackId: '',
    ...overrides,
  };
}
