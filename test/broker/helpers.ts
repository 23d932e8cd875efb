// Test helpers: an in-process broker on port 0 in a temp dir, and a raw protocol client over a real socket.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/common/index.js';
import { loadBrokerConfig, startBroker, type BrokerConfig, type RunningBroker } from '../../src/broker/index.js';
import { connect } from '../../src/net/index.js';
import { CreateTopics, decodeResponseHeader, encodeRequestFrame, type ApiCodec } from '../../src/protocol/index.js';
import { FrameReader } from '../net/helpers.js';

export interface TestBroker {
  broker: RunningBroker;
  dataDir: string;
  client(): Promise<RawClient>;
  restart(overrides?: Record<string, string>): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startTestBroker(overrides: Record<string, string> = {}): Promise<TestBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'logctl-broker-'));
  const configFor = (o: Record<string, string>): BrokerConfig => loadBrokerConfig({ overrides: o, dataDir, listen: '127.0.0.1:0' });
  const clients: RawClient[] = [];
  const t: TestBroker = {
    broker: await startBroker(configFor(overrides), silentLogger),
    dataDir,
    async client() {
      const c = await RawClient.open(t.broker.tcp);
      clients.push(c);
      return c;
    },
    async restart(o = overrides) {
      for (const c of clients.splice(0)) c.close();
      await t.broker.stop();
      t.broker = await startBroker(configFor(o), silentLogger);
    },
    async cleanup() {
      for (const c of clients.splice(0)) c.close();
      await t.broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

export class RawClient {
  private correlationId = 0;
  readonly reader: FrameReader;

  private constructor(readonly socket: Socket) {
    this.reader = new FrameReader(socket);
  }

  static async open(address: { host: string; port: number } | { path: string }): Promise<RawClient> {
    return new RawClient(await connect(address, 2000));
  }

  /** Sends one request and waits for its response (in-order protocol: the next frame is ours). */
  async send<Req, Res>(codec: ApiCodec<Req, Res>, version: number, request: Req, timeoutMs = 5000): Promise<Res> {
    const correlationId = this.write(codec, version, request);
    return this.receive(codec, version, correlationId, timeoutMs);
  }

  write<Req, Res>(codec: ApiCodec<Req, Res>, version: number, request: Req): number {
    const correlationId = ++this.correlationId;
    const frame = encodeRequestFrame(
      { apiKey: codec.apiKey, apiVersion: version, correlationId, clientId: 'test' },
      codec.encodeRequest(request, version),
    );
    this.socket.write(Buffer.concat(frame));
    return correlationId;
  }

  async receive<Req, Res>(codec: ApiCodec<Req, Res>, version: number, correlationId: number, timeoutMs = 5000): Promise<Res> {
    const frame = await this.reader.next(timeoutMs);
    const header = decodeResponseHeader(frame, codec.apiKey, version);
    if (header.correlationId !== correlationId) throw new Error(`correlation id ${header.correlationId}, expected ${correlationId}`);
    return codec.decodeResponse(frame.subarray(header.bodyOffset), version);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Creates a topic through the CreateTopics API and fails loudly if the broker refuses. */
export async function createTopic(t: TestBroker, name: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<void> {
  const c = await RawClient.open(t.broker.tcp);
  try {
    const res = await c.send(CreateTopics, 3, {
      topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const result = res.topics[0];
    if (result?.errorCode !== 0) throw new Error(`create ${name}: error ${result?.errorCode} ${result?.errorMessage}`);
  } finally {
    c.close();
  }
}
