// One timed client run against a broker: start the client process, wait until it is ready, sample the
// broker's CPU, say go, wait for the result, sample again.
import { ClientProcess } from './child.mjs';

export async function timedClientRun(broker, client, args, { timeoutMs = 600_000, nodeArgs = [] } = {}) {
  const proc = new ClientProcess(client, { bootstrap: broker.bootstrap, ...args }, { nodeArgs });
  try {
    await proc.waitFor('ready', 120_000);
    const cpu0 = broker.cpu();
    const t0 = performance.now();
    const monoStartUs = Number(process.hrtime.bigint() / 1000n);
    proc.go();
    const result = await proc.waitFor('result', timeoutMs);
    const brokerCpuUs = broker.cpu() - cpu0;
    // clientCpuUs: the client measures its own user+sys (all threads) from "go" to its result.
    // mono*Us: CLOCK_MONOTONIC µs, the clock of V8's .cpuprofile timestamps (to cut a profile to this run).
    const monoEndUs = Number(process.hrtime.bigint() / 1000n);
    return { ...result, wallMs: result.at - t0, brokerCpuUs, clientCpuUs: result.cpuUs ?? NaN, monoStartUs, monoEndUs };
  } finally {
    await proc.close();
  }
}

/** records/s, MB/s (10^6 bytes of values), broker and client CPU µs per record of a timed run. */
export function throughput(r) {
  const secs = r.elapsedMs / 1000;
  return {
    recordsPerSec: r.records / secs,
    mbPerSec: r.bytes / 1e6 / secs,
    brokerCpuUsPerRecord: r.brokerCpuUs / r.records,
    clientCpuUsPerRecord: r.clientCpuUs / r.records,
  };
}
