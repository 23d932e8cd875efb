// logctl produce --idempotent against a real broker process: every stored batch carries the producer
// id the broker handed out, with consecutive sequences; --acks 0/1 with it is a usage error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBatches, type BatchHeader } from '../../src/records/index.js';
import { logctl, shell, useBroker, type BrokerProcess } from './helpers.js';

let broker: BrokerProcess;
let env: NodeJS.ProcessEnv;

useBroker({}, (b, e) => {
  broker = b;
  env = e;
});

describe('logctl produce --idempotent', () => {
  it('refuses --acks 1 with exit code 2', async () => {
    const res = await logctl(['produce', 'idem-cli', '--idempotent', '--acks', '1'], { input: 'x\n', env });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--idempotent needs --acks all');
  });

  it('stores batches with one producer id and consecutive sequences', async () => {
    expect((await logctl(['topic', 'create', 'idem-cli', '--partitions', '1'], { env })).code).toBe(0);
    // --linger-ms 0 and pauses in the input: several batches.
    const produced = await shell('(seq 1 50; sleep 1; seq 51 100; sleep 0.3; seq 101 150) | logctl produce idem-cli --idempotent --linger-ms 0', env);
    expect(produced).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const buf = readFileSync(join(broker.dataDir, 'idem-cli-0', '00000000000000000000.log'));
    const batches: BatchHeader[] = [];
    scanBatches(buf, (h) => batches.push(h));
    expect(batches.reduce((n, b) => n + b.recordsCount, 0)).toBe(150);
    expect(batches.length).toBeGreaterThan(1);
    const producerId = batches[0]?.producerId ?? -1n;
    expect(producerId).toBeGreaterThanOrEqual(0n);
    expect(new Set(batches.map((b) => b.producerId))).toEqual(new Set([producerId]));
    expect(batches.map((b) => b.baseSequence)).toEqual(batches.map((b) => b.baseOffset));
  });

  it('is on by default with --acks all, off with --no-idempotent or --acks 1', async () => {
    expect((await logctl(['topic', 'create', 'idem-default', '--partitions', '1'], { env })).code).toBe(0);
    for (const flags of [[], ['--no-idempotent'], ['--acks', '1']]) {
      const res = await logctl(['produce', 'idem-default', '--linger-ms', '0', ...flags], { input: 'x\n', env });
      expect(res).toMatchObject({ code: 0, stdout: '', stderr: '' });
    }
    const buf = readFileSync(join(broker.dataDir, 'idem-default-0', '00000000000000000000.log'));
    const batches: BatchHeader[] = [];
    scanBatches(buf, (h) => batches.push(h));
    expect(batches.map((b) => b.producerId >= 0n)).toEqual([true, false, false]);
  });
});
