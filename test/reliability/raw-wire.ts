// Raw sockets for hostile-input tests: send arbitrary bytes to a broker and observe, within a
// deadline, whether it answered (one whole response frame), closed the connection, or did neither.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { encodeRequestFrame, type ApiCodec } from '../../src/protocol/index.js';

export type Address = { host: string; port: number } | { path: string };

export interface Exchange {
  /** 'answered': a whole response frame arrived (the socket may also have closed after it). */
  outcome: 'answered' | 'closed' | 'timeout';
  response: Buffer | null;
  ms: number;
}

export function openSocket(address: Address): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in address ? net.connect({ path: address.path }) : net.connect({ host: address.host, port: address.port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `bytes`, optionally half-closes, and waits for a response frame or the close. */
export async function exchange(address: Address, bytes: Buffer, options: { end?: boolean; timeoutMs?: number } = {}): Promise<Exchange> {
  const started = performance.now();
  const socket = await openSocket(address);
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (outcome: Exchange['outcome'], response: Buffer | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome, response, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish('timeout', null), options.timeoutMs ?? 1000);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) finish('answered', received.subarray(4, 4 + received.readInt32BE(0)));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish('closed', null));
    socket.write(bytes);
    if (options.end) socket.end();
  });
}

/** A whole request frame (size prefix included) for `codec` at `version`. */
export function requestFrame<Req>(codec: ApiCodec<Req, unknown>, version: number, request: Req, correlationId = 1): Buffer {
  return Buffer.concat(encodeRequestFrame({ apiKey: codec.apiKey, apiVersion: version, correlationId, clientId: 'hostile' }, codec.encodeRequest(request, version)));
}

/** VmRSS of a process in bytes (Linux). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}
