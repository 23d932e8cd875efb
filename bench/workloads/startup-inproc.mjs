// Child process of workload S: times `startBroker()` in a fresh Node process (modules already imported,
// so this is the broker's own start: metadata, log recovery, listener) and the first answered ApiVersions.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir } from '../lib/broker.mjs';
import { distUrl } from '../lib/build.mjs';

const { loadBrokerConfig, startBroker } = await import(distUrl('src/broker/index.js'));
const { createLogger } = await import(distUrl('src/common/index.js'));
import { pollApiVersions } from '../lib/probe.mjs';

const dir = freshDir();
const logger = createLogger({ level: 'error' });
const t0 = performance.now();
const config = loadBrokerConfig({ overrides: {}, dataDir: join(dir, 'data'), listen: '127.0.0.1:0', socket: false });
const broker = await startBroker(config, logger);
const ready = performance.now();
const answered = await pollApiVersions(broker.tcp.host, broker.tcp.port);
await broker.stop();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ startBrokerMs: ready - t0, firstAnswerMs: answered - t0 }) + '\n');
