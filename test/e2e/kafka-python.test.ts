// kafka-python 2.0.2, a pure-Python client with hard-coded old request versions (Metadata v0/v1, Fetch v4,
// ListOffsets v1), against a real broker process.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { useBrokerProcess } from '../helpers/broker-process.js';

const broker = useBrokerProcess();

interface Result {
  topicListed: boolean;
  sent: [string, string][];
  received: [string, string, number, number, [string, string][]][];
  endOffsets: Record<string, number>;
}

it('kafka-python creates a topic, produces with every codec and reads every record back', () => {
  const script = resolve(import.meta.dirname, 'clients/kafka_python_roundtrip.py');
  const out = execFileSync('/usr/bin/python3', [script, broker().bootstrap, 'kpy'], { encoding: 'utf8', timeout: 90_000 });
  const result = JSON.parse(out) as Result;
  expect(result.topicListed).toBe(true);
  expect(result.sent.length).toBe(1000);
  const byKey = new Map(result.received.map((r) => [r[0], r]));
  expect(result.received.length).toBe(1000);
  for (const [key, value] of result.sent) {
    const got = byKey.get(key);
    expect(got?.[1]).toBe(value);
    expect(got?.[4]).toEqual([['h', key]]);
  }
  expect(result.endOffsets['0']! + result.endOffsets['1']!).toBe(1000);
});
