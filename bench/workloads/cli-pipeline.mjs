// Workload X: the shell pipeline, `logctl produce TOPIC < file`, then `logctl consume TOPIC --until-end
// > file.ndjson`, then `logctl produce COPY --input json < file.ndjson` (consume → produce reproduces
// records), as processes of the CLI (bundle, code cache); not a target of issue 5, a guard for the
// path users script. Values are 100 B of base64 text (one record per line; text, not JSON, so
// consume prints each as a JSON string). Wall time includes each CLI process's start (~0.1 s).
import { spawn } from 'node:child_process';
import { createWriteStream, openSync, closeSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CLI, freshDir, startBrokerProcess } from '../lib/broker.mjs';
import { createTopic, storedCount } from '../lib/admin.mjs';

const TOPIC = 'bench-cli';
const COPY = 'bench-cli-copy';

export async function cliPipelineRun({ count }) {
  const dir = freshDir('logctl-bench-cli-');
  const broker = await startBrokerProcess();
  try {
    await createTopic(broker.bootstrap, TOPIC, 1);
    const input = join(dir, 'lines');
    await writeLines(input, count);
    const { NODE_EXTRA_CA_CERTS: _ca, ...env } = process.env; // as in workload S: a user's shell has none
    const run = async (args, stdinPath, stdoutPath = '/dev/null') => {
      const stdin = openSync(stdinPath, 'r');
      const stdout = openSync(stdoutPath, 'w');
      const t0 = performance.now();
      const child = spawn(process.execPath, [CLI, ...args, '-b', broker.bootstrap], { stdio: [stdin, stdout, 'pipe'], env });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const [code] = await once(child, 'exit');
      closeSync(stdin);
      closeSync(stdout);
      if (code !== 0) throw new Error(`logctl ${args[0]} exited with ${code}: ${stderr.trim().slice(-300)}`);
      return { secs: (performance.now() - t0) / 1000 };
    };
    const stored = async (topic) => {
      const n = await storedCount(broker.bootstrap, topic);
      if (n !== count) throw new Error(`logctl produce: broker stores ${n} records in ${topic}, expected ${count}`);
    };
    const p = await run(['produce', TOPIC], input);
    await stored(TOPIC);
    const consumed = join(dir, 'consumed.ndjson');
    const c = await run(['consume', TOPIC, '--until-end', '--output', 'ndjson'], '/dev/null', consumed);
    await createTopic(broker.bootstrap, COPY, 1);
    const j = await run(['produce', COPY, '--input', 'json'], consumed);
    await stored(COPY);
    return { X: { produceRecordsPerSec: count / p.secs, consumeRecordsPerSec: count / c.secs, produceJsonRecordsPerSec: count / j.secs, records: count } };
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `count` lines of 100 base64 characters (random bytes). */
async function writeLines(path, count) {
  const out = createWriteStream(path);
  const perChunk = 10_000;
  for (let i = 0; i < count; i += perChunk) {
    const n = Math.min(perChunk, count - i);
    const text = randomBytes(n * 75).toString('base64').match(/.{100}/g).join('\n') + '\n';
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
