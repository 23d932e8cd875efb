// The layout of a logctl cluster in etcd and the encoding of every value. All keys live under the
// namespace `/logctl/<clusterName>/`; values are UTF-8 JSON objects unless noted:
//
//   cluster_id                  Kafka cluster id, plain text (22 chars, base64url of 16 random bytes);
//                               written once, by the first broker (put if absent).
//   controller_epoch            decimal text; incremented by every newly elected controller, never deleted.
//   controller                  {"nodeId": int, "epoch": int}; attached to the controller's session
//                               lease, so it disappears when the controller dies.
//   brokers/<nodeId>            {"nodeId": int, "host": str, "port": int, "rack": str|null}; attached
//                               to the broker's session lease (liveness = the key exists).
//   shutting_down/<nodeId>      {"nodeId": int}; written by a broker in controlled shutdown, attached to
//                               its session lease: the controller moves its leaderships away and takes
//                               it out of every ISR; it vanishes when the broker's session ends.
//   topics/<name>               {"name", "topicId" (UUID text), "partitions": int, "replicationFactor":
//                               int, "assignments": [[int...]...], "configs": {str: str}}; the topic's
//                               version is the etcd key version (1 at creation, +1 per change).
//   partitions/<name>/<index>   {"topicId", "replicas": [int...], "isr": [int...], "leader": int,
//                               "leaderEpoch": int, "controllerEpoch": int}; the partitionEpoch is
//                               the etcd key version; compare-and-swap uses the key's mod revision.
//
// Decoders check the shape and throw StorageError on anything unexpected, so a foreign or corrupt value
// is never taken for valid metadata.
import { StorageError } from '../common/index.js';
import type { BrokerRecord, TopicRecord } from './metadata-store.js';
import type { PartitionState } from './partition-state.js';

export const KEY = {
  clusterId: 'cluster_id',
  controllerEpoch: 'controller_epoch',
  controller: 'controller',
  brokers: 'brokers/',
  shuttingDown: 'shutting_down/',
  topics: 'topics/',
  partitions: 'partitions/',
  broker: (nodeId: number): string => `brokers/${nodeId}`,
  shuttingDownBroker: (nodeId: number): string => `shutting_down/${nodeId}`,
  topic: (name: string): string => `topics/${name}`,
  topicPartitions: (name: string): string => `partitions/${name}/`,
  partition: (topic: string, partition: number): string => `partitions/${topic}/${partition}`,
} as const;

export function namespaceFor(clusterName: string): string {
  return `/logctl/${clusterName}/`;
}

export interface ControllerRecord {
  nodeId: number;
  epoch: number;
}

/** What a parsed key names; topic names never contain '/', so the split is unambiguous. */
export type ParsedKey =
  | { kind: 'broker'; nodeId: number }
  | { kind: 'shuttingDown'; nodeId: number }
  | { kind: 'topic'; name: string }
  | { kind: 'partition'; topic: string; partition: number }
  | { kind: 'controller' }
  | { kind: 'other' };

export function parseKey(key: string): ParsedKey {
  if (key === KEY.controller) return { kind: 'controller' };
  const parts = key.split('/');
  if (parts.length === 2 && parts[0] === 'brokers' && isIndex(parts[1])) return { kind: 'broker', nodeId: Number(parts[1]) };
  if (parts.length === 2 && parts[0] === 'shutting_down' && isIndex(parts[1])) return { kind: 'shuttingDown', nodeId: Number(parts[1]) };
  if (parts.length === 2 && parts[0] === 'topics' && parts[1] !== undefined && parts[1] !== '') return { kind: 'topic', name: parts[1] };
  if (parts.length === 3 && parts[0] === 'partitions' && parts[1] !== undefined && isIndex(parts[2])) {
    return { kind: 'partition', topic: parts[1], partition: Number(parts[2]) };
  }
  return { kind: 'other' };
}

export function encodeBroker(b: BrokerRecord): string {
  return JSON.stringify({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
}

export function decodeBroker(key: string, text: string): BrokerRecord {
  const o = parseObject(key, text);
  if (!isInt(o.nodeId) || typeof o.host !== 'string' || !isInt(o.port) || !(o.rack === null || typeof o.rack === 'string')) bad(key);
  return { nodeId: o.nodeId as number, host: o.host as string, port: o.port as number, rack: o.rack as string | null };
}

export function encodeController(c: ControllerRecord): string {
  return JSON.stringify({ nodeId: c.nodeId, epoch: c.epoch });
}

export function decodeController(key: string, text: string): ControllerRecord {
  const o = parseObject(key, text);
  if (!isInt(o.nodeId) || !isInt(o.epoch)) bad(key);
  return { nodeId: o.nodeId as number, epoch: o.epoch as number };
}

export function encodeTopic(t: Omit<TopicRecord, 'version'>): string {
  return JSON.stringify({
    name: t.name,
    topicId: t.topicId,
    partitions: t.partitions,
    replicationFactor: t.replicationFactor,
    assignments: t.assignments,
    configs: t.configs,
  });
}

export function decodeTopic(key: string, text: string, version: number): TopicRecord {
  const o = parseObject(key, text);
  const ok =
    typeof o.name === 'string' &&
    typeof o.topicId === 'string' &&
    isInt(o.partitions) &&
    isInt(o.replicationFactor) &&
    isIntMatrix(o.assignments) &&
    (o.assignments as number[][]).length === o.partitions &&
    typeof o.configs === 'object' &&
    o.configs !== null &&
    Object.values(o.configs).every((v) => typeof v === 'string');
  if (!ok) bad(key);
  return {
    name: o.name as string,
    topicId: o.topicId as string,
    partitions: o.partitions as number,
    replicationFactor: o.replicationFactor as number,
    assignments: o.assignments as number[][],
    configs: { ...(o.configs as Record<string, string>) },
    version,
  };
}

export function encodePartition(s: Pick<PartitionState, 'topicId' | 'replicas' | 'isr' | 'leader' | 'leaderEpoch' | 'controllerEpoch'>): string {
  return JSON.stringify({
    topicId: s.topicId,
    replicas: s.replicas,
    isr: s.isr,
    leader: s.leader,
    leaderEpoch: s.leaderEpoch,
    controllerEpoch: s.controllerEpoch,
  });
}

export function decodePartition(key: string, topic: string, partition: number, text: string, version: number): PartitionState {
  const o = parseObject(key, text);
  const ok =
    typeof o.topicId === 'string' &&
    isIntArray(o.replicas) &&
    isIntArray(o.isr) &&
    isInt(o.leader) &&
    isInt(o.leaderEpoch) &&
    isInt(o.controllerEpoch);
  if (!ok) bad(key);
  return {
    topic,
    partition,
    topicId: o.topicId as string,
    replicas: o.replicas as number[],
    isr: o.isr as number[],
    leader: o.leader as number,
    leaderEpoch: o.leaderEpoch as number,
    partitionEpoch: version,
    controllerEpoch: o.controllerEpoch as number,
  };
}

function parseObject(key: string, text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return bad(key);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad(key);
  return raw as Record<string, unknown>;
}

function bad(key: string): never {
  throw new StorageError(`etcd value at ${key} is not valid logctl cluster metadata`);
}

function isIndex(s: string | undefined): s is string {
  return s !== undefined && /^(0|[1-9][0-9]*)$/.test(s);
}

function isInt(v: unknown): boolean {
  return Number.isSafeInteger(v);
}

function isIntArray(v: unknown): boolean {
  return Array.isArray(v) && v.every(isInt);
}

function isIntMatrix(v: unknown): boolean {
  return Array.isArray(v) && v.every(isIntArray);
}
