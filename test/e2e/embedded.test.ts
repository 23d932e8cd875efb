// The embeddable broker (src/index.ts, `import { startBroker } from 'logctl'`): temp storage removed on
// stop, no handles left behind, an optional Unix socket, and the package entry points for ESM and CJS
// consumers (with their type declarations), each exercised from a separate Node process or tsc run.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../src/index.js';
import { KafkaClient } from '../../src/client/index.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildCjs } from '../../scripts/build-cjs.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let consumerDir: string;

beforeAll(async () => {
  await (buildCjs as () => Promise<void>)();
  // A project that depends on logctl: node_modules/logctl → this checkout.
  consumerDir = mkdtempSync(join(tmpdir(), 'logctl-consumer-'));
  mkdirSync(join(consumerDir, 'node_modules'));
  symlinkSync(root, join(consumerDir, 'node_modules', 'logctl'), 'dir');
});
afterAll(() => {
  if (consumerDir) rmSync(consumerDir, { recursive: true, force: true });
});

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Resource kinds (TCPServerWrap, Timeout, FSReqCallback...) more numerous in `after` than in `before`. */
function extraResources(before: string[], after: string[]): string[] {
  const count = (list: string[]) => list.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
  const b = count(before);
  return [...count(after)].filter(([k, n]) => n > (b.get(k) ?? 0)).map(([k, n]) => `${k} ×${n - (b.get(k) ?? 0)}`);
}

describe('startBroker (embedded)', () => {
  it('serves Kafka on a free port with temp storage, and leaves no files or handles after stop()', async () => {
    await settle();
    const before = process.getActiveResourcesInfo().sort();
    const broker = await startBroker();
    expect(broker.bootstrapServers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(broker.bootstrapServers).toBe(`127.0.0.1:${broker.port}`);
    expect(broker.socketPath).toBeNull();
    expect(broker.metricsAddress).toBeNull();
    expect(broker.dataDir.startsWith(join(tmpdir(), 'logctl-embedded-'))).toBe(true);
    expect(existsSync(broker.dataDir)).toBe(true);

    await broker.createTopic('emb-orders', { partitions: 3, configs: { 'retention.ms': '60000' } });
    await expect(broker.createTopic('emb-orders')).rejects.toThrow(/already exists/i);
    const client = await KafkaClient.connect({ broker: broker.bootstrapServers });
    const meta = await client.metadata(['emb-orders']);
    expect(meta.topics[0]?.partitions.length).toBe(3);
    await client.close();

    await broker.stop();
    await broker.stop(); // idempotent
    expect(existsSync(broker.dataDir)).toBe(false);
    await settle();
    // vitest's own timers come and go: nothing may be left beyond what was active before.
    expect(extraResources(before, process.getActiveResourcesInfo())).toEqual([]);
  });

  it('listens on a Unix socket when asked, and keeps a given dataDir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'logctl-emb-own-'));
    try {
      const broker = await startBroker({ dataDir, socket: true, config: { 'num.partitions': '2' } });
      expect(broker.socketPath).toBe(join(dataDir, 'logctl.sock'));
      await broker.createTopic('emb-sock');
      const client = await KafkaClient.connect({ broker: `unix:${broker.socketPath}` });
      expect((await client.metadata(['emb-sock'])).topics[0]?.partitions.length).toBe(2);
      await client.close();
      await broker.stop();
      expect(existsSync(join(dataDir, 'emb-sock-0'))).toBe(true);
      expect(existsSync(join(dataDir, 'logctl.sock'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects a bad config, naming the Kafka setting', async () => {
    await expect(startBroker({ config: { 'num.partitions': 'many' } })).rejects.toThrow(/num\.partitions/);
  });
});

describe('package entry points', () => {
  const script = (body: string): string => `
    const broker = await startBroker({ config: { 'num.partitions': '2' } });
    await broker.createTopic('t');
    const dir = broker.dataDir;
    await broker.stop();
    const { existsSync } = await import('node:fs');
    console.log(JSON.stringify({ bootstrap: broker.bootstrapServers, removed: !existsSync(dir), kind: ${body} }));`;

  it('imports from ESM: import { startBroker } from "logctl"', async () => {
    const file = join(consumerDir, 'esm.mjs');
    writeFileSync(file, `import { startBroker } from 'logctl';\n${script(`'esm'`)}\n`);
    const { stdout } = await run(process.execPath, [file], { cwd: consumerDir });
    const out = JSON.parse(stdout) as { bootstrap: string; removed: boolean; kind: string };
    expect(out).toEqual({ bootstrap: expect.stringMatching(/^127\.0\.0\.1:\d+$/), removed: true, kind: 'esm' });
  });

  it('requires from CJS: require("logctl") loads dist/index.cjs', async () => {
    const file = join(consumerDir, 'cjs.cjs');
    writeFileSync(file, `const { startBroker } = require('logctl');\nif (!require.resolve('logctl').endsWith('index.cjs')) throw new Error(require.resolve('logctl'));\n(async () => {${script(`'cjs'`)}\n})().catch((e) => { console.error(e); process.exit(1); });\n`);
    const { stdout } = await run(process.execPath, [file], { cwd: consumerDir });
    const out = JSON.parse(stdout) as { bootstrap: string; removed: boolean; kind: string };
    expect(out).toEqual({ bootstrap: expect.stringMatching(/^127\.0\.0\.1:\d+$/), removed: true, kind: 'cjs' });
  });

  it('type-checks for ESM and CJS TypeScript consumers (NodeNext)', async () => {
    const usage = `const b = await startBroker({ port: 0, logLevel: 'silent', config: { 'num.partitions': '1' } });
      const servers: string = b.bootstrapServers; const socket: string | null = b.socketPath;
      await b.createTopic('x', { partitions: 1, configs: {} }); await b.stop(); void servers; void socket;
      // @ts-expect-error: port is a number
      await startBroker({ port: '9092' });`;
    writeFileSync(join(consumerDir, 'use.mts'), `import { startBroker, type EmbeddedBroker } from 'logctl';\nexport const f = async (): Promise<EmbeddedBroker | void> => { ${usage} };\n`);
    writeFileSync(join(consumerDir, 'use.cts'), `import logctl = require('logctl');\nconst { startBroker } = logctl;\nexport const f = async () => { ${usage} };\n`);
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck', '--typeRoots', join(root, 'node_modules', '@types'), 'use.mts', 'use.cts'];
    const result = await run(process.execPath, [tsc, ...args], { cwd: consumerDir }).then(
      () => ({ code: 0, out: '' }),
      (err: { code: number; stdout: string }) => ({ code: err.code, out: err.stdout }),
    );
    expect(result).toEqual({ code: 0, out: '' });
  });
});
