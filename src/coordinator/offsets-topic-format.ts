// The records of the internal topic `__consumer_offsets`, in Kafka's own key/value formats, so that the
// topic's contents mean the same thing they mean in Kafka. All integers are big-endian; a `string` is
// int16 length + UTF-8 bytes, a nullable string has length -1 for null; `bytes` is int32 length + bytes.
//
// Which partition holds a group: abs(javaStringHashCode(groupId)) % numPartitions, where abs(MIN_INT) = 0
// (Kafka's Utils.abs), so that a group lands on the partition Kafka would put it on.
//
// Offset commit key (key version 1; version 0 has the same layout and is read too):
//   int16 version(1) | string group | string topic | int32 partition
// Offset commit value (written as version 3; versions 0-2 are read too):
//   v0: int16 version | int64 offset | string metadata | int64 commitTimestamp
//   v1: int16 version | int64 offset | string metadata | int64 commitTimestamp | int64 expireTimestamp
//   v2: int16 version | int64 offset | string metadata | int64 commitTimestamp
//   v3: int16 version | int64 offset | int32 leaderEpoch (-1 = none) | string metadata | int64 commitTimestamp
// Group metadata key (key version 2):
//   int16 version(2) | string group
// Group metadata value (written as version 3, Kafka's GroupMetadataValue v3; versions 0-2 are read too):
//   int16 version | string protocolType | int32 generation | nullable string protocol |
//   nullable string leader | int64 currentStateTimestamp (v2+) | int32 memberCount | members...
//   member: string memberId | nullable string groupInstanceId (v3+) | string clientId | string clientHost |
//           int32 rebalanceTimeoutMs (v1+) | int32 sessionTimeoutMs | bytes subscription | bytes assignment
//   (subscription = the member's metadata for the group's selected protocol)
// A record with a null value (tombstone) deletes its key: a deleted group or a deleted committed offset.
import { CorruptRecordError } from '../common/index.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
export const DEFAULT_OFFSETS_TOPIC_PARTITIONS = 50;

const OFFSET_KEY_VERSION = 1;
const GROUP_KEY_VERSION = 2;
const OFFSET_VALUE_VERSION = 3;
const GROUP_VALUE_VERSION = 3;

/** java.lang.String#hashCode over UTF-16 code units, with int32 overflow. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

export function partitionForGroup(groupId: string, numPartitions: number): number {
  const h = javaStringHashCode(groupId);
  return (h === -2147483648 ? 0 : Math.abs(h)) % numPartitions;
}

export type OffsetsTopicKey =
  | { type: 'offset'; group: string; topic: string; partition: number }
  | { type: 'group'; group: string };

export interface OffsetCommitValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  currentStateTimestamp: number;
  members: StoredMember[];
}

/** Appends fields to a list of chunks; concatenated once at the end. */
class Writer {
  private readonly chunks: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    return this.push(b);
  }
  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    return this.push(b);
  }
  int64(v: number): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(BigInt(v));
    return this.push(b);
  }
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const bytes = Buffer.from(s, 'utf8');
    return this.int16(bytes.length).push(bytes);
  }
  bytes(b: Buffer): this {
    return this.int32(b.length).push(b);
  }
  private push(b: Buffer): this {
    this.chunks.push(b);
    return this;
  }
  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Bounds-checked reads; any overrun is a CorruptRecordError naming what was being read. */
class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer, private readonly what: string) {}
  private need(n: number): number {
    if (n < 0 || this.pos + n > this.buf.length) throw new CorruptRecordError(`truncated ${this.what} in ${OFFSETS_TOPIC}`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  int64(): number {
    return Number(this.buf.readBigInt64BE(this.need(8)));
  }
  nullableString(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    const at = this.need(len);
    return this.buf.toString('utf8', at, at + len);
  }
  string(): string {
    return this.nullableString() ?? '';
  }
  bytes(): Buffer {
    const len = this.int32();
    if (len === -1) return Buffer.alloc(0);
    const at = this.need(len);
    return Buffer.from(this.buf.subarray(at, at + len));
  }
}

export function encodeOffsetKey(group: string, topic: string, partition: number): Buffer {
  return new Writer().int16(OFFSET_KEY_VERSION).string(group).string(topic).int32(partition).finish();
}

export function encodeGroupKey(group: string): Buffer {
  return new Writer().int16(GROUP_KEY_VERSION).string(group).finish();
}

export function decodeKey(buf: Buffer): OffsetsTopicKey {
  const r = new Reader(buf, 'record key');
  const version = r.int16();
  if (version === 0 || version === 1) return { type: 'offset', group: r.string(), topic: r.string(), partition: r.int32() };
  if (version === 2) return { type: 'group', group: r.string() };
  throw new CorruptRecordError(`unknown ${OFFSETS_TOPIC} key version ${version}`);
}

export function encodeOffsetValue(v: OffsetCommitValue): Buffer {
  return new Writer()
    .int16(OFFSET_VALUE_VERSION)
    .int64(v.offset)
    .int32(v.leaderEpoch)
    .string(v.metadata)
    .int64(v.commitTimestamp)
    .finish();
}

export function decodeOffsetValue(buf: Buffer): OffsetCommitValue {
  const r = new Reader(buf, 'offset commit value');
  const version = r.int16();
  if (version < 0 || version > 3) throw new CorruptRecordError(`unknown offset commit value version ${version}`);
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = r.int64();
  return { offset, leaderEpoch, metadata, commitTimestamp };
}

export function encodeGroupValue(v: GroupMetadataValue): Buffer {
  const w = new Writer()
    .int16(GROUP_VALUE_VERSION)
    .string(v.protocolType)
    .int32(v.generationId)
    .string(v.protocolName)
    .string(v.leaderId)
    .int64(v.currentStateTimestamp)
    .int32(v.members.length);
  for (const m of v.members) {
    w.string(m.memberId)
      .string(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeoutMs)
      .int32(m.sessionTimeoutMs)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return w.finish();
}

export function decodeGroupValue(buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf, 'group metadata value');
  const version = r.int16();
  if (version < 0 || version > 3) throw new CorruptRecordError(`unknown group metadata value version ${version}`);
  const protocolType = r.string();
  const generationId = r.int32();
  const protocolName = r.nullableString();
  const leaderId = r.nullableString();
  const currentStateTimestamp = version >= 2 ? r.int64() : -1;
  const count = r.int32();
  if (count < 0 || count > buf.length) throw new CorruptRecordError(`bad member count ${count} in group metadata value`);
  const members: StoredMember[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.string();
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = r.string();
    const clientHost = r.string();
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : -1;
    const sessionTimeoutMs = r.int32();
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      sessionTimeoutMs,
      rebalanceTimeoutMs: rebalanceTimeoutMs === -1 ? sessionTimeoutMs : rebalanceTimeoutMs,
      subscription: r.bytes(),
      assignment: r.bytes(),
    });
  }
  return { protocolType, generationId, protocolName, leaderId, currentStateTimestamp, members };
}
