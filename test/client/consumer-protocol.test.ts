// The consumer protocol bytes against an independent implementation: kafkajs 2.2.4's MemberMetadata and
// MemberAssignment (node_modules/kafkajs/src/consumer/assignerProtocol.js) must produce exactly our bytes
// and parse ours, and a Java-style v1 subscription (with ownedPartitions) must decode.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../src/client/index.js';
import { ProtocolError } from '../../src/common/index.js';

const require = createRequire(import.meta.url);
interface KafkajsProtocol {
  MemberMetadata: {
    encode(m: { version: number; topics: string[]; userData?: Buffer }): Buffer;
    decode(b: Buffer): { version: number; topics: string[]; userData: Buffer };
  };
  MemberAssignment: {
    encode(a: { version: number; assignment: Record<string, number[]>; userData?: Buffer }): Buffer;
    decode(b: Buffer): { version: number; assignment: Record<string, number[]>; userData: Buffer } | null;
  };
}
const kafkajs = require('kafkajs/src/consumer/assignerProtocol.js') as KafkajsProtocol;

describe('subscription (JoinGroup protocol metadata)', () => {
  it('encodes v0 byte for byte as documented and as kafkajs does', () => {
    expect(encodeSubscription(['t']).toString('hex')).toBe('0000' + '00000001' + '000174' + '00000000');
    const topics = ['orders', 'événements', 'a.b-c_d'];
    expect(encodeSubscription(topics)).toEqual(kafkajs.MemberMetadata.encode({ version: 0, topics }));
    const userData = Buffer.from([1, 2, 3]);
    expect(encodeSubscription(topics, userData)).toEqual(kafkajs.MemberMetadata.encode({ version: 0, topics, userData }));
  });

  it('decodes kafkajs bytes, null userData, and a Java v1 subscription with ownedPartitions', () => {
    const fromKafkajs = kafkajs.MemberMetadata.encode({ version: 0, topics: ['x', 'y'], userData: Buffer.from('ud') });
    expect(decodeSubscription(fromKafkajs)).toEqual({ version: 0, topics: ['x', 'y'], userData: Buffer.from('ud') });
    expect(decodeSubscription(encodeSubscription(['x'], null))).toEqual({ version: 0, topics: ['x'], userData: null });
    // v1: version 1, topics ["t"], userData null, ownedPartitions [{topic "t", partitions [0, 2]}]
    const v1 = Buffer.from('0001' + '00000001' + '000174' + 'ffffffff' + '00000001' + '000174' + '00000002' + '00000000' + '00000002', 'hex');
    expect(decodeSubscription(v1)).toEqual({ version: 1, topics: ['t'], userData: null });
    expect(kafkajs.MemberMetadata.decode(encodeSubscription(['p', 'q']))).toEqual({ version: 0, topics: ['p', 'q'], userData: Buffer.alloc(0) });
  });

  it('rejects truncated bytes with a ProtocolError', () => {
    expect(() => decodeSubscription(Buffer.from('000000000005', 'hex'))).toThrow(ProtocolError);
  });
});

describe('assignment (SyncGroup assignment)', () => {
  it('encodes byte for byte as kafkajs does and round-trips', () => {
    const assignment = new Map([['orders', [0, 2, 4]], ['audit', [1]]]);
    const ours = encodeAssignment(assignment);
    expect(ours).toEqual(kafkajs.MemberAssignment.encode({ version: 0, assignment: { orders: [0, 2, 4], audit: [1] } }));
    expect(ours.toString('hex')).toBe(
      '0000' + '00000002' + '00066f7264657273' + '00000003' + '00000000' + '00000002' + '00000004' + '000561756469740000000100000001' + '00000000',
    );
    expect(decodeAssignment(ours)).toEqual({ version: 0, assignment, userData: Buffer.alloc(0) });
    expect(kafkajs.MemberAssignment.decode(ours)).toEqual({ version: 0, assignment: { orders: [0, 2, 4], audit: [1] }, userData: Buffer.alloc(0) });
  });

  it('an empty buffer (a member the leader left out) is an empty assignment', () => {
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ version: 0, assignment: new Map(), userData: null });
    expect(() => decodeAssignment(Buffer.from('0000000000020001', 'hex'))).toThrow(ProtocolError);
  });
});
