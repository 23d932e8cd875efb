import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError, silentLogger } from '../../src/common/index.js';
import { loadBrokerConfig, startBroker } from '../../src/broker/index.js';
import { Fetch } from '../../src/protocol/index.js';
import { createTopic, RawClient, startTestBroker } from './helpers.js';

describe('broker shutdown and startup failures', () => {
  it('stop() answers a long-polling fetch, then closes and removes the socket file', async () => {
    const t = await startTestBroker();
    try {
      await createTopic(t, 'sd-topic');
      const c = await t.client();
      const pending = c.send(
        Fetch,
        11,
        {
          replicaId: -1,
          maxWaitMs: 30_000,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topic: 'sd-topic', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
          forgottenTopicsData: [],
          rackId: '',
        },
        10_000,
      );
      await new Promise((r) => setTimeout(r, 100));
      await t.broker.stop();
      const res = await pending;
      expect(res.responses[0]?.partitions[0]?.errorCode).toBe(0);
      expect(res.responses[0]?.partitions[0]?.records?.length ?? 0).toBe(0);
      await c.reader.whenClosed();
      expect(existsSync(join(t.dataDir, 'logctl.sock'))).toBe(false);
    } finally {
      await t.cleanup();
    }
  });

  it('refuses to start on a corrupt cluster metadata file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'logctl-corrupt-'));
    try {
      writeFileSync(join(dataDir, 'cluster-metadata.json'), 'not json');
      const config = loadBrokerConfig({ overrides: {}, dataDir, listen: '127.0.0.1:0' });
      await expect(startBroker(config, silentLogger)).rejects.toThrow(StorageError);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start when another broker holds the Unix socket, and leaves that broker running', async () => {
    const t = await startTestBroker();
    try {
      const otherDir = mkdtempSync(join(tmpdir(), 'logctl-second-'));
      const config = loadBrokerConfig({ overrides: {}, dataDir: otherDir, listen: '127.0.0.1:0', socket: t.broker.socketPath as string });
      await expect(startBroker(config, silentLogger)).rejects.toThrow(/another process is listening/);
      rmSync(otherDir, { recursive: true, force: true });
      const c = await RawClient.open({ path: t.broker.socketPath as string });
      c.close();
    } finally {
      await t.cleanup();
    }
  });
});
