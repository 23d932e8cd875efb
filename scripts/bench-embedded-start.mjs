#!/usr/bin/env node
// Benchmark (not a test): how long `await startBroker()` from the package entry takes until the broker
// accepts Kafka requests, and how long stop() takes, over N runs (default 20). Needs `npx tsc -p .`.
//   node scripts/bench-embedded-start.mjs [N]
import { performance } from 'node:perf_hooks';
import { startBroker } from '../dist/src/index.js';

const runs = Number(process.argv[2] ?? 20);
const ready = [];
const stopped = [];
// One warm-up run: the first one also pays for loading the modules.
let t = performance.now();
const first = await startBroker();
const cold = performance.now() - t;
await first.stop();
for (let i = 0; i < runs; i++) {
  t = performance.now();
  const broker = await startBroker();
  ready.push(performance.now() - t);
  t = performance.now();
  await broker.stop();
  stopped.push(performance.now() - t);
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(1);
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${s.at(-1).toFixed(1)} ms`;
};
console.log(`startBroker() first call (cold modules): ${cold.toFixed(1)} ms`);
console.log(`startBroker() ready: ${stats(ready)} (${runs} runs)`);
console.log(`stop(): ${stats(stopped)}`);
