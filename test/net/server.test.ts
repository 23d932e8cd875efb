import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionError, silentLogger } from '../../src/common/index.js';
import { connect, Server, type FrameHandler } from '../../src/net/index.js';
import { delay, FrameReader, frameOf } from './helpers.js';

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(1000)));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Payload convention for these tests: byte 0 = delay in ms before answering, byte 1 = command. */
const echoAfterDelay: FrameHandler = async (frame) => {
  await delay(frame[0] ?? 0);
  if (frame[1] === 0xee) throw new Error('handler failure requested by the test');
  if (frame[1] === 0x00) return null;
  return [frameOf(Buffer.from(frame))];
};

function makeServer(handler: FrameHandler = echoAfterDelay, extra: Partial<ConstructorParameters<typeof Server>[0]> = {}): Server {
  const server = new Server({ maxFrameBytes: 1024, maxConnections: 100, idleTimeoutMs: 0, logger: silentLogger, handler, ...extra });
  servers.push(server);
  return server;
}

async function tcpClient(server: Server): Promise<{ socket: net.Socket; reader: FrameReader }> {
  const addr = await server.listenTcp('127.0.0.1', 0);
  const socket = await connect(addr, 2000);
  return { socket, reader: new FrameReader(socket) };
}

describe('Server', () => {
  it('answers in request order when later requests finish first', async () => {
    const { socket, reader } = await tcpClient(makeServer());
    const payloads = [Buffer.from([60, 1]), Buffer.from([0, 2]), Buffer.from([30, 3]), Buffer.from([0, 4])];
    socket.write(Buffer.concat(payloads.map(frameOf)));
    const answers = [];
    for (let i = 0; i < payloads.length; i++) answers.push(await reader.next());
    expect(answers).toEqual(payloads);
    socket.destroy();
  });

  it('writes nothing for a null response and keeps serving', async () => {
    const { socket, reader } = await tcpClient(makeServer());
    socket.write(Buffer.concat([frameOf(Buffer.from([0, 0])), frameOf(Buffer.from([5, 9]))]));
    expect(await reader.next()).toEqual(Buffer.from([5, 9]));
    await delay(20);
    expect(reader.buffered).toBe(0);
    socket.destroy();
  });

  it('closes only the connection whose handler threw', async () => {
    const server = makeServer();
    const { socket, reader } = await tcpClient(server);
    const port = (socket.remotePort as number);
    const other = await connect({ host: '127.0.0.1', port }, 2000);
    const otherReader = new FrameReader(other);
    socket.write(Buffer.concat([frameOf(Buffer.from([0, 1])), frameOf(Buffer.from([0, 0xee])), frameOf(Buffer.from([0, 3]))]));
    expect(await reader.next()).toEqual(Buffer.from([0, 1]));
    await reader.whenClosed();
    expect(reader.buffered).toBe(0);
    other.write(frameOf(Buffer.from([0, 7])));
    expect(await otherReader.next()).toEqual(Buffer.from([0, 7]));
    other.destroy();
  });

  it('closes a connection that sends an oversize frame, and keeps serving others', async () => {
    const server = makeServer();
    const { socket, reader } = await tcpClient(server);
    const port = socket.remotePort as number;
    socket.write(Buffer.from([0x7f, 0, 0, 0]));
    await reader.whenClosed();
    const other = await connect({ host: '127.0.0.1', port }, 2000);
    const otherReader = new FrameReader(other);
    other.write(frameOf(Buffer.from([0, 8])));
    expect(await otherReader.next()).toEqual(Buffer.from([0, 8]));
    other.destroy();
  });

  it('refuses connections beyond max.connections', async () => {
    const server = makeServer(echoAfterDelay, { maxConnections: 1 });
    const { socket, reader } = await tcpClient(server);
    const second = new FrameReader(await connect({ host: '127.0.0.1', port: socket.remotePort as number }, 2000));
    await second.whenClosed();
    socket.write(frameOf(Buffer.from([0, 1])));
    expect(await reader.next()).toEqual(Buffer.from([0, 1]));
    socket.destroy();
  });

  it('closes idle connections after connections.max.idle.ms', async () => {
    const { reader } = await tcpClient(makeServer(echoAfterDelay, { idleTimeoutMs: 100 }));
    await reader.whenClosed(3000);
    expect(reader.closed).toBe(true);
  });

  it('stops reading while too many requests are in flight on one connection', async () => {
    let calls = 0;
    const releases: (() => void)[] = [];
    const handler: FrameHandler = (frame) => {
      calls++;
      return new Promise((resolve) => releases.push(() => resolve([frameOf(Buffer.from(frame))])));
    };
    const { socket, reader } = await tcpClient(makeServer(handler, { maxInFlightPerConnection: 2 }));
    for (let i = 0; i < 6; i++) {
      socket.write(frameOf(Buffer.from([0, i])));
      await delay(10);
    }
    expect(calls).toBe(2);
    while (calls < 6 || releases.length > 0) {
      const release = releases.shift();
      if (release) release();
      await delay(10);
    }
    for (let i = 0; i < 6; i++) expect(await reader.next()).toEqual(Buffer.from([0, i]));
    socket.destroy();
  });

  it('close() lets an in-flight request finish and write its response', async () => {
    const server = makeServer();
    const { socket, reader } = await tcpClient(server);
    socket.write(frameOf(Buffer.from([80, 42])));
    await delay(20);
    const closed = server.close();
    expect(await reader.next()).toEqual(Buffer.from([80, 42]));
    await closed;
    await reader.whenClosed();
  });

  it('serves a Unix socket, replaces a stale socket file and unlinks it on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logctl-net-'));
    dirs.push(dir);
    const path = join(dir, 'test.sock');
    writeFileSync(path, 'stale');
    const server = makeServer();
    expect(await server.listenUnix(path)).toBe(path);
    const socket = await connect({ path }, 2000);
    const reader = new FrameReader(socket);
    socket.write(frameOf(Buffer.from([0, 5])));
    expect(await reader.next()).toEqual(Buffer.from([0, 5]));
    const rival = makeServer();
    await expect(rival.listenUnix(path)).rejects.toThrow(/another process is listening/);
    socket.destroy();
    await server.close();
    expect(existsSync(path)).toBe(false);
  });

  it('connect() rejects with ConnectionError when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(connect({ host: '127.0.0.1', port }, 2000)).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe('Server idle timeout', () => {
  it('does not close a connection while a request is in flight, and closes it once idle', async () => {
    let release: () => void = () => {};
    const handler: FrameHandler = (frame) => new Promise((resolve) => (release = () => resolve([frameOf(Buffer.from(frame))])));
    const server = makeServer(handler, { idleTimeoutMs: 60 });
    const { socket, reader } = await tcpClient(server);
    socket.write(frameOf(Buffer.from([0, 1])));
    await delay(200);
    expect(reader.closed).toBe(false);
    release();
    expect(await reader.next()).toEqual(Buffer.from([0, 1]));
    await reader.whenClosed(3000);
  });
});
