// MetadataStore for a single broker: everything in one JSON file in the data dir, loaded on start and
// replaced atomically on every change (write a temp file, fsync, rename over, fsync the directory), so
// a crash leaves either the old or the new file, never a torn one.
//
// File `<dataDir>/cluster-metadata.json` (UTF-8 JSON):
//   { "formatVersion": 1,
//     "clusterId": "<22 chars base64url of 16 random bytes>",
//     "topics": { "<name>": { "name", "topicId" (UUID text), "partitions", "replicationFactor",
//                             "assignments": [[nodeId, ...], ...], "configs": { "<kafka name>": "<value>" },
//                             "version" } } }
// Brokers are liveness state, not persisted: each broker registers itself when it starts.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, KafkaError, StorageError, errorMessage } from '../common/index.js';
import type { BrokerRecord, MetadataStore, NewTopic, TopicRecord } from './metadata-store.js';

export const METADATA_FILE_NAME = 'cluster-metadata.json';
const FORMAT_VERSION = 1;

interface MetadataFile {
  formatVersion: number;
  clusterId: string;
  topics: Record<string, TopicRecord>;
}

export class LocalMetadataStore implements MetadataStore {
  readonly clusterId: string;
  private readonly dir: string;
  private readonly file: string;
  private topics: Map<string, TopicRecord>;
  private readonly brokers = new Map<number, BrokerRecord>();
  /** Serializes writes so that two updates never interleave their temp files. */
  private writeChain: Promise<void> = Promise.resolve();

  private constructor(dir: string, data: MetadataFile) {
    this.dir = dir;
    this.file = join(dir, METADATA_FILE_NAME);
    this.clusterId = data.clusterId;
    this.topics = new Map(Object.entries(data.topics));
  }

  /** Loads the store (creating the data dir and file if needed); a corrupt file is a StorageError. */
  static async open(dataDir: string): Promise<LocalMetadataStore> {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, METADATA_FILE_NAME);
    let text: string | null = null;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StorageError(`cannot read ${file}: ${errorMessage(err)}`, { cause: err });
      }
    }
    if (text === null) {
      const store = new LocalMetadataStore(dataDir, { formatVersion: FORMAT_VERSION, clusterId: newClusterId(), topics: {} });
      await store.persist(store.topics);
      return store;
    }
    return new LocalMetadataStore(dataDir, parseMetadataFile(file, text));
  }

  async getTopic(name: string): Promise<TopicRecord | undefined> {
    const t = this.topics.get(name);
    return t === undefined ? undefined : clone(t);
  }

  async listTopics(): Promise<TopicRecord[]> {
    return [...this.topics.values()].map(clone).sort((a, b) => a.name.localeCompare(b.name));
  }

  createTopic(topic: NewTopic): Promise<TopicRecord> {
    return this.mutate((topics) => {
      if (topics.has(topic.name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic "${topic.name}" already exists`);
      const record: TopicRecord = { ...clone(topic), topicId: randomUUID(), version: 1 };
      topics.set(topic.name, record);
      return record;
    });
  }

  async deleteTopic(name: string, expectedVersion?: number): Promise<void> {
    await this.mutate((topics) => {
      existing(topics, name, expectedVersion);
      topics.delete(name);
      return undefined;
    });
  }

  updateConfigs(name: string, configs: Record<string, string>, expectedVersion?: number): Promise<TopicRecord> {
    return this.mutate((topics) => {
      const t = existing(topics, name, expectedVersion);
      const updated: TopicRecord = { ...t, configs: { ...configs }, version: t.version + 1 };
      topics.set(name, updated);
      return updated;
    });
  }

  addPartitions(name: string, partitions: number, newAssignments: number[][], expectedVersion?: number): Promise<TopicRecord> {
    return this.mutate((topics) => {
      const t = existing(topics, name, expectedVersion);
      if (partitions <= t.partitions) {
        throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `topic "${name}" already has ${t.partitions} partitions`);
      }
      if (newAssignments.length !== partitions - t.partitions) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `expected ${partitions - t.partitions} new assignments`);
      }
      const updated: TopicRecord = {
        ...t,
        partitions,
        assignments: [...t.assignments, ...newAssignments.map((a) => [...a])],
        version: t.version + 1,
      };
      topics.set(name, updated);
      return updated;
    });
  }

  async registerBroker(broker: BrokerRecord): Promise<void> {
    this.brokers.set(broker.nodeId, { ...broker });
  }

  async listBrokers(): Promise<BrokerRecord[]> {
    return [...this.brokers.values()].map((b) => ({ ...b })).sort((a, b) => a.nodeId - b.nodeId);
  }

  async close(): Promise<void> {
    await this.writeChain;
  }

  /**
   * Applies a change to a copy of the topic table, persists the copy, and only then makes it current,
   * so a failed write leaves memory and disk agreeing on the old state.
   */
  private mutate<T>(change: (topics: Map<string, TopicRecord>) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const next = new Map(this.topics);
      const result = change(next);
      await this.persist(next);
      this.topics = next;
      return result === undefined ? result : (clone(result) as T);
    };
    const p = this.writeChain.then(run);
    this.writeChain = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  private async persist(topics: Map<string, TopicRecord>): Promise<void> {
    const data: MetadataFile = { formatVersion: FORMAT_VERSION, clusterId: this.clusterId, topics: Object.fromEntries(topics) };
    const tmp = `${this.file}.tmp`;
    const handle = await open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(JSON.stringify(data, null, 2) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
    const dirHandle = await open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}

function existing(topics: Map<string, TopicRecord>, name: string, expectedVersion: number | undefined): TopicRecord {
  const t = topics.get(name);
  if (t === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}" does not exist`);
  if (expectedVersion !== undefined && t.version !== expectedVersion) {
    throw new KafkaError(ErrorCode.INVALID_UPDATE_VERSION, `topic "${name}" is at version ${t.version}, not ${expectedVersion}`);
  }
  return t;
}

function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Parses and checks the file's shape; anything unexpected is a clear StorageError, never a reset. */
function parseMetadataFile(file: string, text: string): MetadataFile {
  const fail = (why: string): never => {
    throw new StorageError(`cluster metadata file ${file} is corrupt (${why}); refusing to start rather than lose topics`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(errorMessage(err));
  }
  if (typeof raw !== 'object' || raw === null) return fail('not a JSON object');
  const obj = raw as Record<string, unknown>;
  if (obj.formatVersion !== FORMAT_VERSION) return fail(`unsupported formatVersion ${String(obj.formatVersion)}`);
  if (typeof obj.clusterId !== 'string' || obj.clusterId === '') return fail('missing clusterId');
  if (typeof obj.topics !== 'object' || obj.topics === null) return fail('missing topics');
  const topics: Record<string, TopicRecord> = {};
  for (const [name, value] of Object.entries(obj.topics as Record<string, unknown>)) {
    const t = value as Partial<TopicRecord> | null;
    const ok =
      t !== null &&
      typeof t === 'object' &&
      t.name === name &&
      typeof t.topicId === 'string' &&
      Number.isInteger(t.partitions) &&
      Number.isInteger(t.replicationFactor) &&
      Number.isInteger(t.version) &&
      Array.isArray(t.assignments) &&
      t.assignments.length === t.partitions &&
      typeof t.configs === 'object' &&
      t.configs !== null &&
      Object.values(t.configs).every((v) => typeof v === 'string');
    if (!ok) return fail(`bad record for topic "${name}"`);
    topics[name] = t as TopicRecord;
  }
  return { formatVersion: FORMAT_VERSION, clusterId: obj.clusterId, topics };
}
