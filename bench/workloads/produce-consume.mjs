// Workloads P (produce), C (consume back from offset 0) and D (bytes on disk per record), on one fresh
// broker per run: the consume reads exactly the records the produce wrote and verified.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startBrokerProcess } from '../lib/broker.mjs';
import { createTopic, storedCount } from '../lib/admin.mjs';
import { timedClientRun, throughput } from '../lib/run-client.mjs';

const TOPIC = 'bench-pc';

/** Apparent bytes of everything in a directory (du -sb): logs, indexes, checkpoints, metadata. */
export function diskBytes(dir) {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** One P+C run: { P, D, C } figures (C = { error } when the consume failed); throws on a wrong ack or count. */
export async function produceConsumeRun({ client, size, count, overrides = {}, consume = true, nodeArgs = [], producer = {} }) {
  // The data dir is kept past stop(): D is measured after a clean shutdown, which writes what the broker
  // keeps in memory until a segment rolls (the sparse indexes' newest entries).
  const broker = await startBrokerProcess({ overrides, nodeArgs, keepDir: true });
  const partitionDir = join(broker.dataDir, `${TOPIC}-0`);
  try {
    await createTopic(broker.bootstrap, TOPIC, 1);
    const emptyBytes = diskBytes(partitionDir);
    const p = await timedClientRun(broker, client, { mode: 'produce', topic: TOPIC, count, size, ...producer });
    if (p.acked !== count || p.failed !== 0) throw new Error(`${client} produce: ${p.acked}/${count} acked, ${p.failed} failed (${p.firstError})`);
    const stored = await storedCount(broker.bootstrap, TOPIC);
    if (stored !== count) throw new Error(`${client} produce: broker stores ${stored} records, expected ${count}`);
    const out = { P: { ...throughput(p), records: count } };
    if (consume) {
      // A failed consume (e.g. kafkajs needs consumer groups) must not discard the produce figures.
      try {
        const c = await timedClientRun(broker, client, { mode: 'consume', topic: TOPIC, count, size });
        if (c.records !== count) throw new Error(`${client} consume: got ${c.records} records, expected ${count}`);
        out.C = { ...throughput(c), records: count };
      } catch (err) {
        out.C = { error: err.message };
      }
    }
    await broker.stop();
    // Only the partition's directory: a consumer group's committed offsets (kafkajs) are not the records'.
    out.D = { bytesPerRecord: (diskBytes(partitionDir) - emptyBytes) / count, records: count };
    return out;
  } finally {
    await broker.stop(); // a no-op when it already stopped above
    rmSync(dirname(broker.dataDir), { recursive: true, force: true });
  }
}
