import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import {
  collidingTopic,
  topicNameProblem,
  validateNewTopicName,
  validateTopicConfigs,
  validateTopicName,
} from '../../src/cluster/index.js';

describe('topic names', () => {
  it('accepts Kafka-legal names', () => {
    for (const name of ['a', 'orders', 'my.topic_v2-x', 'A'.repeat(249), '...']) expect(topicNameProblem(name)).toBeNull();
  });

  it('rejects empty, ".", "..", too long and illegal characters with INVALID_TOPIC_EXCEPTION', () => {
    for (const name of ['', '.', '..', 'a'.repeat(250), 'with space', 'slash/x', 'ü']) {
      let caught: unknown;
      try {
        validateTopicName(name);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(KafkaError);
      expect((caught as KafkaError).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    }
  });

  it('refuses to create the internal topics, which may still be looked up', () => {
    expect(() => validateTopicName('__consumer_offsets')).not.toThrow();
    expect(() => validateNewTopicName('__consumer_offsets')).toThrow('topic name "__consumer_offsets" is reserved');
    expect(() => validateNewTopicName('__transaction_state')).toThrow(KafkaError);
    expect(() => validateNewTopicName('__consumer_offsets2')).not.toThrow();
  });

  it('finds "." versus "_" collisions', () => {
    expect(collidingTopic('a.b', ['x', 'a_b'])).toBe('a_b');
    expect(collidingTopic('a.b', ['a.b', 'x'])).toBeNull();
  });
});

describe('topic configs', () => {
  it('accepts and normalizes supported configs', () => {
    expect(
      validateTopicConfigs({
        'retention.ms': '-1',
        'retention.bytes': ' 1024 ',
        'cleanup.policy': 'delete,compact',
        'message.timestamp.type': 'LogAppendTime',
        'segment.bytes': '1048576',
        'max.message.bytes': '2000000',
        'min.insync.replicas': '1',
        'segment.ms': '60000',
        'delete.retention.ms': '0',
        'index.interval.bytes': '4096',
      }),
    ).toEqual({
      'retention.ms': '-1',
      'retention.bytes': '1024',
      'cleanup.policy': 'compact,delete',
      'message.timestamp.type': 'LogAppendTime',
      'segment.bytes': '1048576',
      'max.message.bytes': '2000000',
      'min.insync.replicas': '1',
      'segment.ms': '60000',
      'delete.retention.ms': '0',
      'index.interval.bytes': '4096',
    });
  });

  it.each([
    [{ 'no.such.config': '1' }, /unknown topic config "no.such.config"/],
    [{ 'retention.ms': 'soon' }, /invalid value "soon" for config "retention.ms": must be an integer/],
    [{ 'retention.ms': '-2' }, /must be between -1/],
    [{ 'segment.bytes': '10' }, /must be between 14/],
    [{ 'cleanup.policy': 'forever' }, /cleanup.policy/],
    [{ 'message.timestamp.type': 'Now' }, /CreateTime, LogAppendTime/],
    [{ 'min.insync.replicas': '0' }, /min.insync.replicas/],
    [{ 'retention.bytes': null }, /needs a value/],
  ])('rejects %j with INVALID_CONFIG', (configs, message) => {
    try {
      validateTopicConfigs(configs);
      expect.unreachable();
    } catch (err) {
      expect((err as KafkaError).errorCode).toBe(ErrorCode.INVALID_CONFIG);
      expect((err as KafkaError).message).toMatch(message);
    }
  });
});
