import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DefaultPartitioner, murmur2, partitionForKey, toPositive } from '../../src/client/partitioner.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

describe('murmur2', () => {
  it('matches the Java client on its published test vectors', () => {
    // From Kafka's UtilsTest.testMurmur2 (org.apache.kafka.common.utils).
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key))).toBe(hash);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(479470107);
  });

  it('equals kafkajs for many keys of every length and byte value', () => {
    const keys: Buffer[] = [Buffer.alloc(0)];
    for (let i = 0; i < 2000; i++) keys.push(Buffer.from(`key-${i}`));
    for (let len = 1; len <= 64; len++) for (let j = 0; j < 20; j++) keys.push(randomBytes(len));
    keys.push(Buffer.alloc(7, 0xff), Buffer.alloc(8, 0x80), Buffer.from('ünïcødé ✓'));
    for (const key of keys) expect(murmur2(key), key.toString('hex')).toBe(kafkajsMurmur2(key));
  });

  it('picks the same partition as kafkajs for keyed records', () => {
    for (let i = 0; i < 500; i++) {
      const key = Buffer.from(`user-${i}`);
      for (const n of [1, 3, 7, 12]) expect(partitionForKey(key, n)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % n);
    }
  });

  it('toPositive clears the sign bit like Java Utils.toPositive', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });
});

describe('DefaultPartitioner', () => {
  it('honours keys and sticks null-key records to one partition until its batch is sealed', () => {
    const p = new DefaultPartitioner();
    expect(p.partition('t', Buffer.from('foobar'), 10)).toBe(partitionForKey(Buffer.from('foobar'), 10));
    const first = p.partition('t', null, 4);
    expect(p.partition('t', undefined, 4)).toBe(first);
    p.batchSealed('t', first, 4);
    const second = p.partition('t', null, 4);
    expect(second).toBe((first + 1) % 4);
    const seen = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const q = p.partition('t', null, 4);
      seen.add(q);
      p.batchSealed('t', q, 4);
    }
    expect(seen).toEqual(new Set([0, 1, 2, 3]));
  });
});
