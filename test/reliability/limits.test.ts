// The broker's limits are configuration with Kafka's names, each checked end to end against a broker
// process: socket.request.max.bytes, message.max.bytes, max.connections, connections.max.idle.ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type net from 'node:net';
import { Produce } from '../../src/protocol/index.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { exchange, openSocket, type Address } from './raw-wire.js';
import { produceRequest } from './seeds.js';

const SOCKET_REQUEST_MAX_BYTES = 4096;
const MESSAGE_MAX_BYTES = 2048;
const MAX_CONNECTIONS = 6;
const IDLE_MS = 1500;

let broker: BrokerProcess;
let tcp: Address;

beforeAll(async () => {
  broker = await startBrokerProcess({
    set: {
      'socket.request.max.bytes': String(SOCKET_REQUEST_MAX_BYTES),
      'message.max.bytes': String(MESSAGE_MAX_BYTES),
      'max.connections': String(MAX_CONNECTIONS),
      'connections.max.idle.ms': String(IDLE_MS),
    },
  });
  tcp = { host: broker.host, port: broker.port };
}, 30_000);

afterAll(async () => {
  await broker.stop();
  broker.cleanup();
});

/** The errorCode of the single partition of a Produce v7 response body. */
function produceError(response: Buffer): number {
  const body = response.subarray(4); // after the correlation id (response header v0)
  return Produce.decodeResponse(body, 7).responses[0]!.partitionResponses[0]!.errorCode;
}

describe('limits', () => {
  it('socket.request.max.bytes: a frame of the limit is read, one byte more closes the connection', async () => {
    const frame = await produceRequest('limits', 7, ['x'.repeat(1000)]);
    // Pad inside the frame (trailing bytes after the body are ignored by nobody: use a valid size).
    const atLimit = Buffer.concat([frame, Buffer.alloc(SOCKET_REQUEST_MAX_BYTES + 4 - frame.length)]);
    atLimit.writeInt32BE(SOCKET_REQUEST_MAX_BYTES, 0);
    const ok = await exchange(tcp, atLimit);
    // The frame is accepted as a frame; its trailing padding makes it a bad request or a normal answer, but not a size refusal.
    expect(broker.stderr()).not.toContain(`invalid frame size ${SOCKET_REQUEST_MAX_BYTES}`);
    expect(['answered', 'closed']).toContain(ok.outcome);
    const over = Buffer.alloc(4);
    over.writeInt32BE(SOCKET_REQUEST_MAX_BYTES + 1);
    const refused = await exchange(tcp, over);
    expect(refused.outcome).toBe('closed');
    expect(broker.stderr()).toContain(`invalid frame size ${SOCKET_REQUEST_MAX_BYTES + 1} (allowed 1..${SOCKET_REQUEST_MAX_BYTES})`);
  });

  it('message.max.bytes: a larger batch is answered MESSAGE_TOO_LARGE, a smaller one is stored', async () => {
    const small = await exchange(tcp, await produceRequest('limits', 7, ['y'.repeat(MESSAGE_MAX_BYTES - 200)]));
    expect(small.outcome).toBe('answered');
    expect(produceError(small.response!)).toBe(0);
    const large = await exchange(tcp, await produceRequest('limits', 7, ['z'.repeat(MESSAGE_MAX_BYTES + 10)]));
    expect(large.outcome).toBe('answered');
    expect(produceError(large.response!)).toBe(10); // MESSAGE_TOO_LARGE
  });

  it('max.connections: connections beyond the limit are closed at once, the others keep working', async () => {
    const held: net.Socket[] = [];
    try {
      // The broker may still be closing sockets of earlier tests: let their count settle.
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < MAX_CONNECTIONS; i++) held.push(await openSocket(tcp));
      for (const s of held) s.on('error', () => undefined);
      const extra = await exchange(tcp, await produceRequest('limits', 7, ['refused']));
      expect(extra.outcome).toBe('closed');
      expect(broker.stderr()).toContain('max.connections reached');
      // One of the held connections is served normally.
      const answered = await new Promise<boolean>((resolve) => {
        const s = held[0]!;
        s.once('data', () => resolve(true));
        s.once('close', () => resolve(false));
        void produceRequest('limits', 7, ['held']).then((f) => s.write(f));
      });
      expect(answered).toBe(true);
    } finally {
      for (const s of held) s.destroy();
    }
  });

  it('connections.max.idle.ms: an idle connection is closed, an active one is not', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const idle = await openSocket(tcp);
    const active = await openSocket(tcp);
    idle.on('error', () => undefined);
    active.on('error', () => undefined);
    const started = Date.now();
    const idleClosed = new Promise<number>((resolve) => idle.once('close', () => resolve(Date.now() - started)));
    let activeClosed = false;
    active.once('close', () => (activeClosed = true));
    const frame = await produceRequest('limits', 7, ['keepalive']);
    const timer = setInterval(() => active.write(frame), IDLE_MS / 3);
    try {
      const ms = await idleClosed;
      expect(ms).toBeGreaterThanOrEqual(IDLE_MS - 100);
      expect(ms).toBeLessThan(IDLE_MS * 3);
      await new Promise((r) => setTimeout(r, IDLE_MS));
      expect(activeClosed).toBe(false);
    } finally {
      clearInterval(timer);
      idle.destroy();
      active.destroy();
    }
  }, 20_000);
});
