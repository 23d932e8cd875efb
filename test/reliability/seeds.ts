// Valid request frames to mutate (live fuzz) and to derive the bad-input corpus from: every codec at
// every advertised version with sample field values (test/protocol/samples.ts), plus realistic
// Produce / Fetch / Metadata / ApiVersions requests against one topic. Admin requests that change
// the cluster (create/delete topics, partitions, records, configs) are left out: a mutated
// numPartitions is an authorized (unauthenticated) resource request, not a parsing problem.
import { buildRecordBatch } from '../../src/records/index.js';
import {
  ADVERTISED_VERSIONS,
  ApiKey,
  ApiVersions,
  Fetch,
  Metadata,
  Produce,
  codecs,
  type SchemaApiCodec,
} from '../../src/protocol/index.js';
import { sample } from '../protocol/samples.js';
import { requestFrame } from './raw-wire.js';

const MUTATING_ADMIN = new Set<number>([
  ApiKey.CreateTopics,
  ApiKey.DeleteTopics,
  ApiKey.DeleteRecords,
  ApiKey.AlterConfigs,
  ApiKey.CreatePartitions,
  ApiKey.DeleteGroups,
]);

export async function produceRequest(topic: string, version: number, values: string[], acks = 1): Promise<Buffer> {
  const records = await buildRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));
  return requestFrame(Produce, version, {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
}

export async function seedFrames(topic: string): Promise<Buffer[]> {
  const seeds: Buffer[] = [];
  for (const [apiKey, range] of ADVERTISED_VERSIONS) {
    const codec = codecs.get(apiKey) as SchemaApiCodec<unknown, unknown> | undefined;
    if (codec === undefined || MUTATING_ADMIN.has(apiKey)) continue;
    for (let v = Math.max(range.minVersion, codec.minVersion); v <= Math.min(range.maxVersion, codec.maxVersion); v++) {
      seeds.push(requestFrame(codec, v, sample(codec.request, v), seeds.length));
    }
  }
  for (let v = 3; v <= 7; v++) seeds.push(await produceRequest(topic, v, [`seed-${v}-a`, `seed-${v}-b`]));
  for (let v = 4; v <= 11; v++) {
    seeds.push(
      requestFrame(Fetch, v, {
        replicaId: -1,
        maxWaitMs: 10,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [],
        rackId: '',
      }),
    );
  }
  for (let v = 1; v <= 8; v++) {
    seeds.push(requestFrame(Metadata, v, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
  }
  for (let v = 0; v <= 3; v++) {
    seeds.push(
      requestFrame(ApiVersions, v, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }),
    );
  }
  return seeds;
}

/** One random mutation of a whole frame: bit flips, a length/count edit, a version swap, or truncation. */
export function mutate(frame: Buffer, random: () => number): Buffer {
  const out = Buffer.from(frame);
  const at = (n: number): number => Math.floor(random() * n);
  const interesting = [-1, 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, -0x80000000, out.length, out.length - 3];
  switch (at(5)) {
    case 0: {
      const flips = 1 + at(8);
      for (let i = 0; i < flips; i++) {
        const p = 4 + at(out.length - 4);
        out[p]! ^= 1 << at(8);
      }
      return out;
    }
    case 1: {
      // A length or count field: overwrite an int16 or int32 somewhere after the size prefix.
      const value = interesting[at(interesting.length)]!;
      const p = 4 + at(Math.max(1, out.length - 8));
      if (random() < 0.5) out.writeInt16BE(((value << 16) >> 16), p);
      else out.writeInt32BE(value | 0, p);
      return out;
    }
    case 2: {
      // Version swap: request header bytes 2-3 (after the size prefix) hold apiVersion.
      out.writeInt16BE(at(20) - 2, 6);
      return out;
    }
    case 3: {
      // Truncation, size prefix fixed to match: the body ends early.
      const cut = out.subarray(0, 4 + at(out.length - 4));
      cut.writeInt32BE(cut.length - 4, 0);
      return cut;
    }
    default: {
      // The size prefix lies about what follows.
      out.writeInt32BE(interesting[at(interesting.length)]! | 0, 0);
      return out;
    }
  }
}
