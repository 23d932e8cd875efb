// Every codec by apiKey: the dispatcher's and the ApiVersions handler's source of truth.
import type { ApiCodec } from './api.js';
import { AddOffsetsToTxn } from './messages/add-offsets-to-txn.js';
import { AddPartitionsToTxn } from './messages/add-partitions-to-txn.js';
import { AlterConfigs } from './messages/alter-configs.js';
import { ApiVersions } from './messages/api-versions.js';
import { CreatePartitions } from './messages/create-partitions.js';
import { CreateTopics } from './messages/create-topics.js';
import { DeleteGroups } from './messages/delete-groups.js';
import { DeleteRecords } from './messages/delete-records.js';
import { DeleteTopics } from './messages/delete-topics.js';
import { DescribeConfigs } from './messages/describe-configs.js';
import { DescribeGroups } from './messages/describe-groups.js';
import { EndTxn } from './messages/end-txn.js';
import { Fetch } from './messages/fetch.js';
import { FindCoordinator } from './messages/find-coordinator.js';
import { Heartbeat } from './messages/heartbeat.js';
import { InitProducerId } from './messages/init-producer-id.js';
import { OffsetForLeaderEpoch } from './messages/offset-for-leader-epoch.js';
import { JoinGroup } from './messages/join-group.js';
import { LeaveGroup } from './messages/leave-group.js';
import { ListGroups } from './messages/list-groups.js';
import { ListOffsets } from './messages/list-offsets.js';
import { Metadata } from './messages/metadata.js';
import { OffsetCommit } from './messages/offset-commit.js';
import { OffsetFetch } from './messages/offset-fetch.js';
import { Produce } from './messages/produce.js';
import { SyncGroup } from './messages/sync-group.js';
import { TxnOffsetCommit } from './messages/txn-offset-commit.js';

const all: ApiCodec<unknown, unknown>[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  OffsetForLeaderEpoch,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  TxnOffsetCommit,
  DescribeConfigs,
  AlterConfigs,
  CreatePartitions,
  DeleteGroups,
];

export const codecs: ReadonlyMap<number, ApiCodec<unknown, unknown>> = new Map(all.map((c) => [c.apiKey, c]));
