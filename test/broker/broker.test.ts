import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, ApiVersions, Metadata, encodeRequestFrame } from '../../src/protocol/index.js';
import { connect } from '../../src/net/index.js';
import { FrameReader, frameOf } from '../net/helpers.js';
import { RawClient, startTestBroker, type TestBroker } from './helpers.js';

let t: TestBroker;
beforeAll(async () => {
  t = await startTestBroker();
});
afterAll(async () => {
  await t.cleanup();
});

const ADVERTISED = [
  { apiKey: 0, minVersion: 0, maxVersion: 7 },
  { apiKey: 1, minVersion: 4, maxVersion: 11 },
  { apiKey: 3, minVersion: 0, maxVersion: 4 },
  { apiKey: 8, minVersion: 2, maxVersion: 4 },
  { apiKey: 9, minVersion: 1, maxVersion: 4 },
  { apiKey: 10, minVersion: 0, maxVersion: 2 },
  { apiKey: 11, minVersion: 2, maxVersion: 4 },
  { apiKey: 12, minVersion: 1, maxVersion: 2 },
  { apiKey: 13, minVersion: 1, maxVersion: 2 },
  { apiKey: 14, minVersion: 1, maxVersion: 2 },
  { apiKey: 15, minVersion: 0, maxVersion: 2 },
  { apiKey: 16, minVersion: 0, maxVersion: 2 },
  { apiKey: 18, minVersion: 0, maxVersion: 3 },
  { apiKey: 19, minVersion: 2, maxVersion: 4 },
  { apiKey: 20, minVersion: 1, maxVersion: 1 },
  { apiKey: 21, minVersion: 0, maxVersion: 1 },
  { apiKey: 22, minVersion: 0, maxVersion: 1 },
  { apiKey: 23, minVersion: 0, maxVersion: 3 },
  { apiKey: 32, minVersion: 1, maxVersion: 2 },
  { apiKey: 33, minVersion: 0, maxVersion: 1 },
  { apiKey: 37, minVersion: 0, maxVersion: 1 },
  { apiKey: 42, minVersion: 0, maxVersion: 1 },
];

function withoutListOffsets(keys: { apiKey: number; minVersion: number; maxVersion: number }[]): typeof keys {
  return keys.filter((k) => k.apiKey !== ApiKey.ListOffsets);
}

describe('broker lifecycle and dispatcher', () => {
  it('answers ApiVersions at every version with the registry ranges', async () => {
    const c = await t.client();
    for (const version of [0, 1, 2, 3]) {
      const res = await c.send(ApiVersions, version, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
      expect(res.errorCode).toBe(0);
      expect(withoutListOffsets(res.apiKeys)).toEqual(ADVERTISED);
      const listOffsets = res.apiKeys.find((k) => k.apiKey === ApiKey.ListOffsets);
      expect(listOffsets?.maxVersion).toBe(3);
      expect([0, 1]).toContain(listOffsets?.minVersion);
    }
  });

  it('answers an unknown ApiVersions version with error 35 in the v0 layout', async () => {
    const c = await t.client();
    const frame = encodeRequestFrame({ apiKey: ApiKey.ApiVersions, apiVersion: 9, correlationId: 77, clientId: 'x' }, [Buffer.from([0, 0, 0])]);
    c.socket.write(Buffer.concat(frame));
    const response = await c.reader.next();
    expect(response.readInt32BE(0)).toBe(77);
    const body = ApiVersions.decodeResponse(response.subarray(4), 0);
    expect(body.errorCode).toBe(35);
    expect(body.apiKeys).toContainEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
  });

  it('closes the connection on an unsupported version of another API', async () => {
    const c = await t.client();
    c.write(Metadata, 5, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    await c.reader.whenClosed();
    expect(c.reader.buffered).toBe(0);
  });

  it('answers Metadata with this broker as the only broker and controller', async () => {
    const c = await t.client();
    const res = await c.send(Metadata, 1, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(res.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: t.broker.tcp.port, rack: null }]);
    expect(res.controllerId).toBe(0);
  });

  it('serves the Unix socket too', async () => {
    expect(t.broker.socketPath).toBe(`${t.dataDir}/logctl.sock`);
    const c = await RawClient.open({ path: t.broker.socketPath as string });
    const res = await c.send(ApiVersions, 2, { clientSoftwareName: '', clientSoftwareVersion: '' });
    expect(res.errorCode).toBe(0);
    c.close();
  });

  it('keeps serving after 1,000 garbage frames', async () => {
    const garbage: Buffer[] = [];
    for (let i = 0; i < 1000; i++) {
      const len = 1 + ((i * 7919) % 64);
      const payload = Buffer.alloc(len);
      for (let j = 0; j < len; j++) payload[j] = (i * 31 + j * 17) & 0xff;
      garbage.push(frameOf(payload));
    }
    // 50 connections of 20 garbage frames each: each is closed at its first bad frame.
    for (let conn = 0; conn < 50; conn++) {
      const socket = await connect(t.broker.tcp, 2000);
      const reader = new FrameReader(socket);
      socket.write(Buffer.concat(garbage.slice(conn * 20, conn * 20 + 20)));
      await reader.whenClosed().catch(() => socket.destroy());
      socket.destroy();
    }
    const c = await t.client();
    const res = await c.send(ApiVersions, 2, { clientSoftwareName: '', clientSoftwareVersion: '' });
    expect(res.errorCode).toBe(0);
  });
});
