import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { Admin, KafkaClient, KafkaConnection } from '../../src/client/index.js';
import { ConnectionError, KafkaError } from '../../src/common/index.js';
import { Metadata } from '../../src/protocol/index.js';
import { startTestBroker } from './broker-fixture.js';

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('KafkaConnection and KafkaClient', () => {
  it('reports a refused connection clearly', async () => {
    const port = await freePort();
    const err = await rejection(KafkaClient.connect({ broker: `127.0.0.1:${port}` }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe(`cannot connect to 127.0.0.1:${port}: connection refused (is the broker running?)`);
  });

  it('reports a missing Unix socket clearly', async () => {
    const err = await rejection(KafkaClient.connect({ broker: 'unix:/nonexistent/logctl.sock' }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe('cannot connect to unix:/nonexistent/logctl.sock: no such socket file (is the broker running?)');
  });

  it('negotiates versions, pipelines requests and rejects pending ones when the broker goes away', async () => {
    const tb = await startTestBroker();
    try {
      const client = await KafkaClient.connect({ broker: tb.address });
      const conn = await client.bootstrapConnection();
      expect(conn.versions.get(Metadata.apiKey)?.maxVersion).toBeGreaterThanOrEqual(4);
      const version = client.versionFor(conn, Metadata);
      const many = await Promise.all(
        Array.from({ length: 20 }, () =>
          conn.send(Metadata, version, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }),
        ),
      );
      expect(many.every((r) => r.brokers[0]?.port === tb.broker.tcp.port)).toBe(true);
      await tb.broker.stop();
      const err = await rejection(new Admin(client).listTopics());
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toMatch(/^(cannot connect to 127\.0\.0\.1:\d+: connection refused \(is the broker running\?\)|connection to 127\.0\.0\.1:\d+ closed by the broker|lost connection to .*)$/);
      await client.close();
    } finally {
      await tb.stop();
    }
  });

  it('times out a request that gets no answer', async () => {
    // A listening socket that never answers: the timeout is the client's own.
    const server = net.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const conn = await KafkaConnection.open({ host: '127.0.0.1', port }, { requestTimeoutMs: 100 });
      const err = await rejection(conn.sendRaw(18, 0, [], 'ApiVersions'));
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toBe(`ApiVersions request to 127.0.0.1:${port} timed out after 100 ms`);
      conn.destroy();
      expect(conn.isClosed).toBe(true);
    } finally {
      server.close();
    }
  });

  it('works over a Unix socket, routing the single broker through it', async () => {
    const tb = await startTestBroker({}, true);
    try {
      const path = tb.broker.socketPath as string;
      const client = await KafkaClient.connect({ broker: `unix:${path}` });
      const admin = new Admin(client);
      await admin.createTopics([{ name: 'via-socket', numPartitions: 2, replicationFactor: 1, configs: {} }]);
      expect(await admin.listTopics()).toEqual(['via-socket']);
      const offsets = await client.listOffsets('via-socket', [0, 1], -1);
      expect(offsets.get(1)?.offset).toBe(0);
      await client.close();
    } finally {
      await tb.stop();
    }
  });

  it('throws KafkaError for a partition that does not exist', async () => {
    const tb = await startTestBroker();
    try {
      const client = await KafkaClient.connect({ broker: tb.address });
      await new Admin(client).createTopics([{ name: 't', numPartitions: 1, replicationFactor: 1, configs: {} }]);
      const err = await rejection(client.listOffsets('t', [3], -1));
      expect(err).toBeInstanceOf(KafkaError);
      expect(err.message).toContain('topic "t" has no partition 3 (it has 1)');
      await client.close();
    } finally {
      await tb.stop();
    }
  });
});
