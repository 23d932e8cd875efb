// Broker addresses as users type them (flags, LOGCTL_BROKER, profiles), parsed into what net.connect takes.
// Accepted forms: "host:port", "host" (port 9092), "[v6addr]:port", "tcp://host:port", "unix:/path",
// "unix:///path". Anything else is a UsageError, so the CLI exits 2 with the reason.
import { UsageError } from '../common/index.js';

export type BrokerAddress = { host: string; port: number } | { path: string };

export const DEFAULT_KAFKA_PORT = 9092;

export function parseBrokerAddress(input: string): BrokerAddress {
  const s = input.trim();
  if (s === '') throw new UsageError('broker address is empty: expected host:port or unix:/path');
  if (s.startsWith('unix:')) return { path: parseUnixPath(s) };
  const rest = s.startsWith('tcp://') ? s.slice('tcp://'.length) : s;
  if (rest.includes('/')) throw bad(input, 'unexpected "/" (use unix:/path for a Unix socket)');
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw bad(input, 'missing "]" after an IPv6 address');
    const host = rest.slice(1, close);
    if (host === '' || !host.includes(':')) throw bad(input, 'brackets must hold an IPv6 address');
    const after = rest.slice(close + 1);
    if (after === '') return { host, port: DEFAULT_KAFKA_PORT };
    if (!after.startsWith(':')) throw bad(input, `unexpected "${after}" after "]"`);
    return { host, port: parsePort(input, after.slice(1)) };
  }
  const colon = rest.lastIndexOf(':');
  if (colon < 0) return { host: checkHost(input, rest), port: DEFAULT_KAFKA_PORT };
  if (rest.indexOf(':') !== colon) throw bad(input, 'an IPv6 address must be written in brackets, e.g. [::1]:9092');
  return { host: checkHost(input, rest.slice(0, colon)), port: parsePort(input, rest.slice(colon + 1)) };
}

/** The address as a user would write it back: error messages and logs. */
export function formatBrokerAddress(address: BrokerAddress): string {
  if ('path' in address) return `unix:${address.path}`;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

function parseUnixPath(s: string): string {
  // "unix:///path" is the URL form (empty authority); "unix:/path" the short one.
  let path = s.slice('unix:'.length);
  if (path.startsWith('//')) path = path.slice(2);
  if (path === '') throw new UsageError(`invalid broker address "${s}": missing socket path after "unix:"`);
  if (!path.startsWith('/') && !path.startsWith('.')) {
    throw new UsageError(`invalid broker address "${s}": the socket path must be absolute or start with "." (unix:/path)`);
  }
  return path;
}

function checkHost(input: string, host: string): string {
  if (host === '') throw bad(input, 'missing host before ":"');
  if (!/^[A-Za-z0-9._-]+$/.test(host)) throw bad(input, `"${host}" is not a valid host name`);
  return host;
}

function parsePort(input: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw bad(input, `port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw bad(input, `port ${port} is out of range 1-65535`);
  return port;
}

function bad(input: string, reason: string): UsageError {
  return new UsageError(`invalid broker address "${input}": ${reason} (expected host:port or unix:/path)`);
}
