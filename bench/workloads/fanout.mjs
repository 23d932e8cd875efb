// Workload F: 4 consumer processes (a group each where the client needs groups) each read every record
// of a topic; aggregate records/s = all records delivered ÷ (last finish − common go).
import { startBrokerProcess } from '../lib/broker.mjs';
import { createTopic } from '../lib/admin.mjs';
import { ClientProcess } from '../lib/child.mjs';
import { timedClientRun } from '../lib/run-client.mjs';

const TOPIC = 'bench-fanout';

export async function fanoutRun({ client, count, consumers = 4, size = 100 }) {
  const broker = await startBrokerProcess();
  const procs = [];
  try {
    await createTopic(broker.bootstrap, TOPIC, 1);
    // Loaded with our client, untimed: only the reads are measured.
    const load = await timedClientRun(broker, 'ours', { mode: 'produce', topic: TOPIC, count, size });
    if (load.acked !== count) throw new Error(`fan-out load: ${load.acked}/${count} acked`);
    for (let i = 0; i < consumers; i++) {
      procs.push(new ClientProcess(client, { mode: 'consume', bootstrap: broker.bootstrap, topic: TOPIC, count, size }));
    }
    await Promise.all(procs.map((p) => p.waitFor('ready', 120_000)));
    const cpu0 = broker.cpu();
    const t0 = performance.now();
    for (const p of procs) p.go();
    const results = await Promise.all(procs.map((p) => p.waitFor('result')));
    const cpuUs = broker.cpu() - cpu0;
    const total = results.reduce((n, r) => n + r.records, 0);
    if (total !== count * consumers) throw new Error(`fan-out: ${total} records delivered, expected ${count * consumers}`);
    const secs = (Math.max(...results.map((r) => r.at)) - t0) / 1000;
    return { F: { aggregateRecordsPerSec: total / secs, brokerCpuUsPerRecord: cpuUs / total, records: total } };
  } finally {
    for (const p of procs) p.kill();
    await broker.stop();
  }
}
