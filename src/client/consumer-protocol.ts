// The "consumer" embedded protocol: the opaque bytes consumers put in JoinGroup (their subscription,
// one per offered assignor) and the group leader sends back through SyncGroup (each member's assignment).
// The broker never looks inside; every Kafka client (Java, librdkafka, kafkajs) uses these layouts, which
// is what lets `logctl group describe` show the partitions of any consumer. Classic (non-flexible)
// encoding, big-endian:
//
//   Subscription (ConsumerProtocolSubscription, JoinGroup protocol metadata)
//     int16   version            0 written; 1-3 read (their extra fields follow and are ignored)
//     int32   topic count        then per topic: int16 length + UTF-8 name
//     int32   userData length    -1 = null, then the bytes
//     (v1+: ownedPartitions [string topic, int32[] partitions]; v2+: int32 generationId; v3+: rackId)
//
//   Assignment (ConsumerProtocolAssignment, SyncGroup assignment)
//     int16   version            0 written; any read
//     int32   topic count        then per topic: int16 length + UTF-8 name, int32 count + int32 partitions
//     int32   userData length    -1 = null, then the bytes
//
// Example: a v0 subscription to topic "t" with empty userData is
//   00 00 | 00 00 00 01 | 00 01 74 | 00 00 00 00
// An empty buffer as an assignment means "nothing assigned" (a member the leader left out).
import { ProtocolError } from '../common/index.js';
import { Reader, Writer } from '../protocol/index.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface Subscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
}

/** Assigned partitions by topic. */
export type TopicPartitions = Map<string, number[]>;

export interface MemberAssignment {
  version: number;
  assignment: TopicPartitions;
  userData: Buffer | null;
}

function concat(chunks: Buffer[]): Buffer {
  return chunks.length === 1 && chunks[0] !== undefined ? Buffer.from(chunks[0]) : Buffer.concat(chunks);
}

/** Encodes a subscription; userData defaults to empty bytes (as kafkajs writes it). */
export function encodeSubscription(topics: readonly string[], userData: Buffer | null = Buffer.alloc(0)): Buffer {
  const w = new Writer();
  w.int16(0);
  w.int32(topics.length);
  for (const t of topics) w.string(t, false);
  w.bytes(userData, false, false);
  return concat(w.finish());
}

export function decodeSubscription(buf: Buffer): Subscription {
  const r = new Reader(buf);
  try {
    const version = r.int16();
    const n = r.arrayLength(false, false, 2);
    const topics: string[] = [];
    for (let i = 0; i < n; i++) topics.push(r.string(false, false) ?? '');
    // v0 of some clients ends here; userData is absent rather than null.
    const userData = r.remaining >= 4 ? r.bytes(false, true, true) : null;
    return { version, topics, userData };
  } catch (err: unknown) {
    throw new ProtocolError(`invalid consumer subscription: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Encodes an assignment, topics in the map's order; userData defaults to empty bytes (as kafkajs). */
export function encodeAssignment(assignment: TopicPartitions, userData: Buffer | null = Buffer.alloc(0)): Buffer {
  const w = new Writer();
  w.int16(0);
  w.int32(assignment.size);
  for (const [topic, partitions] of assignment) {
    w.string(topic, false);
    w.int32(partitions.length);
    for (const p of partitions) w.int32(p);
  }
  w.bytes(userData, false, false);
  return concat(w.finish());
}

/** Decodes an assignment; an empty buffer is an empty assignment. */
export function decodeAssignment(buf: Buffer): MemberAssignment {
  if (buf.length === 0) return { version: 0, assignment: new Map(), userData: null };
  const r = new Reader(buf);
  try {
    const version = r.int16();
    const n = r.arrayLength(false, false, 6);
    const assignment: TopicPartitions = new Map();
    for (let i = 0; i < n; i++) {
      const topic = r.string(false, false) ?? '';
      const count = r.arrayLength(false, false, 4);
      const partitions: number[] = [];
      for (let j = 0; j < count; j++) partitions.push(r.int32());
      assignment.set(topic, [...(assignment.get(topic) ?? []), ...partitions]);
    }
    const userData = r.remaining >= 4 ? r.bytes(false, true, true) : null;
    return { version, assignment, userData };
  } catch (err: unknown) {
    throw new ProtocolError(`invalid consumer assignment: ${err instanceof Error ? err.message : String(err)}`);
  }
}
