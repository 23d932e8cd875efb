// Leader failures in a real 3-broker cluster (RF 3, min.insync.replicas 2, acks=all): SIGKILL of the
// leader LOGCTL_FAILOVER_KILLS times (default 3) during continuous produce by an idempotent producer,
// after which every record is stored at most once, every acknowledged one exactly once, in send order,
// and the replicas are byte-identical up to the high watermark; and a leader paused (SIGSTOP) past
// its etcd session that must acknowledge nothing more and rejoin as a follower, truncating its divergent tail by leader epoch.
import { describe, expect, it } from 'vitest';
import { Admin, Consumer, KafkaClient, Producer } from '../../src/client/index.js';
import { Produce } from '../../src/protocol/index.js';
import { buildRecordBatch } from '../../src/records/index.js';
import { SESSION_TIMEOUT_MS, useCluster, waitFor } from '../helpers/cluster.js';
import { prefixBelow } from './log-prefix.js';

/** Leader SIGKILLs in the first test (scripts/reliability.sh: 10). */
const KILLS = Number(process.env['LOGCTL_FAILOVER_KILLS'] ?? '3');

const cluster = useCluster(3, { 'min.insync.replicas': '2' });

async function leaderOf(topic: string, partition = 0, avoid?: number): Promise<{ leader: number; isr: number[] }> {
  return waitFor(`a leader for ${topic}-${partition}`, async () => {
    const c = await KafkaClient.connect({ broker: [...cluster().brokers.values()].find((b) => b !== cluster().brokers.get(avoid ?? -1))!.bootstrap });
    try {
      const meta = await c.metadata([topic]);
      const p = meta.topics[0]?.partitions.find((x) => x.partition === partition);
      if (p === undefined || p.leader < 0 || p.leader === avoid || !cluster().brokers.has(p.leader)) return undefined;
      return { leader: p.leader, isr: p.isr };
    } finally {
      await c.close();
    }
  });
}

async function readAll(topic: string): Promise<{ offset: number; value: string }[]> {
  const client = await cluster().client();
  const end = (await client.listOffsets(topic, [0], -1)).get(0)?.offset ?? 0;
  const out: { offset: number; value: string }[] = [];
  if (end === 0) return out;
  const consumer = new Consumer(client, { maxWaitMs: 200 });
  for await (const r of consumer.consume(topic, new Map([[0, 0]]), { untilOffsets: new Map([[0, end]]) })) {
    out.push({ offset: r.offset, value: r.value?.toString() ?? '' });
  }
  return out;
}

async function replicasIdentical(topic: string): Promise<Buffer> {
  return waitFor('identical replica logs', async () => {
    const logs = [1, 2, 3].map((id) => cluster().logBytes(id, topic, 0));
    return logs.every((l) => l.equals(logs[0]!)) ? logs[0] : undefined;
  }, 20_000);
}

describe('leader failover', () => {
  it(`stores every record exactly once, in send order, across ${KILLS} leader SIGKILLs (idempotent, acks=all)`, async () => {
    const began = Date.now();
    const admin = new Admin(await cluster().client());
    await admin.createTopics([{ name: 'chaos', numPartitions: 1, replicationFactor: 3, configs: {} }]);
    const producer = new Producer(await cluster().client(), {
      idempotent: true,
      acks: -1,
      lingerMs: 1,
      retries: 1000,
      retryBackoffMs: 100,
      requestTimeoutMs: 5000,
    });
    // Record `r<seq>` is the seq-th record sent; acked: seq -> offset it was acknowledged at.
    const acked = new Map<number, number>();
    const failed = new Map<number, string>();
    const kills: { leader: number; nextSeq: number; acked: number }[] = [];
    let stop = false;
    let seq = 0;
    const writer = (async () => {
      while (!stop) {
        const group = Array.from({ length: 5 }, () => seq++);
        await Promise.all(
          group.map((n) =>
            producer.send({ topic: 'chaos', partition: 0, value: Buffer.from(`r${n}`) }).then(
              (m) => void acked.set(n, m.offset),
              (err: unknown) => void failed.set(n, String(err)),
            ),
          ),
        );
      }
    })();
    for (let round = 0; round < KILLS; round++) {
      await waitFor(`progress before kill ${round + 1}`, async () => acked.size > (round + 1) * 50, 30_000);
      const { leader } = await leaderOf('chaos');
      kills.push({ leader, nextSeq: seq, acked: acked.size });
      await cluster().kill(leader);
      await leaderOf('chaos', 0, leader);
      await cluster().start(leader);
    }
    await waitFor('more progress after the last failover', async () => acked.size > (KILLS + 2) * 50, 30_000);
    stop = true;
    await writer;
    await producer.flush();
    await producer.close();

    const log = await readAll('chaos');
    const seqs = log.map((r) => Number(r.value.slice(1)));
    /** Locates a record's send among the kills, for the failure message. */
    const nearKill = (n: number): string => {
      const after = kills.findIndex((k) => k.nextSeq > n);
      return after < 0 ? `after kill ${kills.length}` : `before kill ${after + 1} (leader ${kills[after]?.leader})`;
    };
    // No record twice, acknowledged or not: a retried batch is deduplicated by the broker.
    const offsetsOf = new Map<number, number[]>();
    log.forEach((r, i) => offsetsOf.set(seqs[i]!, [...(offsetsOf.get(seqs[i]!) ?? []), r.offset]));
    const duplicates = [...offsetsOf].filter(([, o]) => o.length > 1).map(([n, o]) => `r${n} at offsets ${o.join(',')} (sent ${nearKill(n)})`);
    console.log(
      `failover: ${kills.length} kills (leaders ${kills.map((k) => k.leader).join(',')}), ${seq} sent, ${acked.size} acknowledged, ` +
        `${failed.size} failed, ${log.length} in the log, ${duplicates.length} duplicated, ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );
    expect(duplicates.slice(0, 20)).toEqual([]);
    // Offsets are dense; records are in send order (one batch of the partition in flight at a time).
    expect(log.map((r) => r.offset)).toEqual(Array.from({ length: log.length }, (_, i) => i));
    const outOfOrder = seqs.flatMap((n, i) => (i > 0 && n <= seqs[i - 1]! ? [`r${n} at offset ${i} after r${seqs[i - 1]}`] : []));
    expect(outOfOrder.slice(0, 20)).toEqual([]);
    // Each acknowledged record is at the offset it was acknowledged with (so present exactly once).
    const misplaced = [...acked].filter(([n, offset]) => seqs[offset] !== n).map(([n, o]) => `r${n} acked at ${o}, there: r${seqs[o]}`);
    expect(misplaced.slice(0, 20)).toEqual([]);
    if (failed.size > 0) console.warn(`${failed.size} records not acknowledged, first: ${[...failed].slice(0, 3).map(([n, e]) => `r${n}: ${e}`).join(' | ')}`);
    // The three replicas hold the same bytes up to the high watermark, which covers the whole log read.
    const client = await cluster().client();
    const highWatermark = (await client.listOffsets('chaos', [0], -1)).get(0)?.offset ?? -1;
    expect(highWatermark).toBe(log.length);
    await waitFor('replicas byte-identical up to the high watermark', async () => {
      const prefixes = [1, 2, 3].map((id) => prefixBelow(cluster().logBytes(id, 'chaos', 0), highWatermark));
      return prefixes.every((p) => p.endOffset === highWatermark && p.bytes.equals(prefixes[0]!.bytes));
    });
  }, 60_000 + KILLS * 30_000);

  it('fences a leader paused past its session: it acks nothing more and rejoins as a truncated follower', async () => {
    const admin = new Admin(await cluster().client());
    await admin.createTopics([{ name: 'paused', numPartitions: 1, replicationFactor: 3, configs: {} }]);
    const producer = new Producer(await cluster().client(), { acks: -1, lingerMs: 1 });
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'paused', partition: 0, value: Buffer.from(`before${i}`) });
    await producer.close();
    const { leader } = await leaderOf('paused');
    const old = cluster().brokers.get(leader)!;
    // A connection to the old leader, opened while it runs; the request goes out while it is paused.
    const direct = await KafkaClient.connect({ broker: old.bootstrap });
    const conn = await direct.bootstrapConnection();
    old.proc.kill('SIGSTOP');
    try {
      const records = await buildRecordBatch([{ value: Buffer.from('written-to-the-paused-leader') }]);
      const pending = conn.send(Produce, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 2000,
        topicData: [{ name: 'paused', partitionData: [{ index: 0, records }] }],
      });
      const newLeader = await leaderOf('paused', 0, leader);
      expect(newLeader.leader).not.toBe(leader);
      // A fresh client: one that was talking to the paused leader would wait for its request timeout.
      const live = cluster().brokers.get(newLeader.leader)!;
      const after = new Producer(await KafkaClient.connect({ broker: live.bootstrap }), { acks: -1, lingerMs: 1, requestTimeoutMs: 5000 });
      for (let i = 0; i < 10; i++) await after.send({ topic: 'paused', partition: 0, value: Buffer.from(`after${i}`) });
      await after.close();
      await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS));
      old.proc.kill('SIGCONT');
      const res = await pending.catch((err: unknown) => {
        throw new Error(`the paused leader did not answer after SIGCONT: ${String(err)}\n${old.stderr().slice(-3000)}`);
      });
      expect(res.responses[0]?.partitionResponses[0]?.errorCode).not.toBe(0);
    } finally {
      old.proc.kill('SIGCONT');
      await direct.close();
    }
    // It rejoins the ISR as a follower, and its log matches the others'.
    await waitFor('the old leader back in the ISR', async () => (await leaderOf('paused')).isr.length === 3);
    await replicasIdentical('paused');
    const log = await readAll('paused');
    expect(log.map((r) => r.value)).toEqual([...Array.from({ length: 20 }, (_, i) => `before${i}`), ...Array.from({ length: 10 }, (_, i) => `after${i}`)]);
  });
});
