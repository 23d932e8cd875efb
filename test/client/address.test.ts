import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/index.js';
import { formatBrokerAddress, parseBrokerAddress } from '../../src/client/address.js';

describe('parseBrokerAddress', () => {
  it.each([
    ['127.0.0.1:9092', { host: '127.0.0.1', port: 9092 }],
    ['localhost:19092', { host: 'localhost', port: 19092 }],
    ['kafka-1.example.com:1', { host: 'kafka-1.example.com', port: 1 }],
    ['localhost', { host: 'localhost', port: 9092 }],
    ['  broker:65535 ', { host: 'broker', port: 65535 }],
    ['tcp://broker:9093', { host: 'broker', port: 9093 }],
    ['[::1]:9092', { host: '::1', port: 9092 }],
    ['[fe80::1:2]:1234', { host: 'fe80::1:2', port: 1234 }],
    ['[::1]', { host: '::1', port: 9092 }],
    ['unix:/run/logctl.sock', { path: '/run/logctl.sock' }],
    ['unix:///run/logctl.sock', { path: '/run/logctl.sock' }],
    ['unix:./data/logctl.sock', { path: './data/logctl.sock' }],
  ])('parses %s', (input, expected) => {
    expect(parseBrokerAddress(input)).toEqual(expected);
  });

  it.each([
    ['', 'broker address is empty'],
    ['host:', 'port "" is not a number'],
    [':9092', 'missing host'],
    ['host:0', 'port 0 is out of range 1-65535'],
    ['host:65536', 'port 65536 is out of range'],
    ['host:abc', 'port "abc" is not a number'],
    ['host:-1', 'port "-1" is not a number'],
    ['::1:9092', 'IPv6 address must be written in brackets'],
    ['[::1:9092', 'missing "]"'],
    ['[::1]x', 'unexpected "x"'],
    ['[]:9092', 'brackets must hold an IPv6 address'],
    ['unix:', 'missing socket path'],
    ['unix:relative.sock', 'must be absolute'],
    ['/tmp/x.sock', 'use unix:/path'],
    ['bad host:9092', '"bad host" is not a valid host name'],
  ])('rejects %j with a UsageError naming the problem', (input, message) => {
    let caught: unknown;
    try {
      parseBrokerAddress(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toContain(message);
  });

  it('formats addresses back the way they are parsed', () => {
    for (const s of ['127.0.0.1:9092', '[::1]:9092', 'unix:/run/x.sock']) {
      expect(formatBrokerAddress(parseBrokerAddress(s))).toBe(s);
    }
  });
});
