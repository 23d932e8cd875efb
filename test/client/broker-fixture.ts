// Starts a real in-process broker on 127.0.0.1 (port 0) with a temporary data dir, for client tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBrokerConfig, startBroker, type RunningBroker } from '../../src/broker/index.js';
import { silentLogger } from '../../src/common/index.js';

export interface TestBroker {
  broker: RunningBroker;
  /** "127.0.0.1:port" */
  address: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestBroker(overrides: Record<string, string> = {}, socket = false): Promise<TestBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'logctl-client-test-'));
  const config = loadBrokerConfig({
    overrides,
    dataDir,
    listen: '127.0.0.1:0',
    socket: socket ? join(dataDir, 'logctl.sock') : false,
  });
  const broker = await startBroker(config, silentLogger);
  return {
    broker,
    address: `127.0.0.1:${broker.tcp.port}`,
    dataDir,
    async stop() {
      await broker.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
