// Kafka wire codecs: pure Buffer → object → Buffer[] functions, no I/O.
export { ApiKey, ADVERTISED_VERSIONS, FLEXIBLE_FROM, isFlexible, type ApiName } from './api-keys.js';
export type { ApiCodec, SchemaApiCodec } from './api.js';
export {
  decodeRequestHeader,
  encodeRequestFrame,
  encodeResponseFrame,
  decodeResponseHeader,
  type RequestHeader,
} from './header.js';
export { Reader } from './reader.js';
export { Writer, chunksLength, RECORDS_BY_REFERENCE } from './writer.js';
export { codecs } from './registry.js';
export * from './messages/produce.js';
export * from './messages/fetch.js';
export * from './messages/list-offsets.js';
export * from './messages/metadata.js';
export * from './messages/offset-commit.js';
export * from './messages/offset-fetch.js';
export * from './messages/find-coordinator.js';
export * from './messages/join-group.js';
export * from './messages/heartbeat.js';
export * from './messages/leave-group.js';
export * from './messages/sync-group.js';
export * from './messages/describe-groups.js';
export * from './messages/list-groups.js';
export * from './messages/api-versions.js';
export * from './messages/create-topics.js';
export * from './messages/delete-topics.js';
export * from './messages/delete-records.js';
export * from './messages/init-producer-id.js';
export * from './messages/offset-for-leader-epoch.js';
export * from './messages/add-partitions-to-txn.js';
export * from './messages/add-offsets-to-txn.js';
export * from './messages/end-txn.js';
export * from './messages/txn-offset-commit.js';
export * from './messages/describe-configs.js';
export * from './messages/alter-configs.js';
export * from './messages/create-partitions.js';
export * from './messages/delete-groups.js';
