// kafkajs consumer groups against a real `logctl broker start` process: three members split a
// 6-partition topic two partitions each and consume every record exactly once; a member that leaves
// hands its partitions over and the others continue from the committed offsets; the committed offsets
// survive a broker restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kafkajsClient } from '../helpers/kafkajs.js';

const TOPIC = 'grp-events';
const GROUP = 'grp-e2e';
const PARTITIONS = 6;

let broker: BrokerProcess;

beforeAll(async () => {
  broker = await startBrokerProcess();
});
afterAll(async () => {
  await broker?.stop();
  broker?.cleanup();
});

interface Member {
  name: string;
  consumer: ReturnType<ReturnType<typeof kafkajsClient>['consumer']>;
  /** The partitions of the latest GROUP_JOIN (after its sync). */
  assigned: number[];
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('kafkajs consumer group', () => {
  it('splits partitions, consumes exactly once, rebalances on leave, keeps committed offsets over a restart', async () => {
    const kafka = kafkajsClient({ bootstrap: broker.bootstrap });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });

    /** "partition:offset" → how many times the group delivered it. */
    const seen = new Map<string, number>();
    const byMember = new Map<string, Set<number>>();
    const members: Member[] = [];
    for (const name of ['a', 'b', 'c']) {
      const consumer = kafka.consumer({ groupId: GROUP, heartbeatInterval: 300, maxWaitTimeInMs: 300, sessionTimeout: 10_000 });
      const member: Member = { name, consumer, assigned: [] };
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        member.assigned = [...(e.payload.memberAssignment[TOPIC] ?? [])].sort((x, y) => x - y);
      });
      members.push(member);
      byMember.set(name, new Set());
    }
    await Promise.all(
      members.map(async (m) => {
        await m.consumer.connect();
        await m.consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
        await m.consumer.run({
          eachMessage: async ({ partition, message }) => {
            const k = `${partition}:${message.offset}`;
            seen.set(k, (seen.get(k) ?? 0) + 1);
            byMember.get(m.name)!.add(partition);
          },
        });
      }),
    );

    const stableWith = async (active: Member[], perMember: number): Promise<boolean> => {
      if (!active.every((m) => m.assigned.length === perMember)) return false;
      if (new Set(active.flatMap((m) => m.assigned)).size !== PARTITIONS) return false;
      const [group] = (await admin.describeGroups([GROUP])).groups;
      return group?.state === 'Stable' && group.members.length === active.length;
    };
    await until('3 members with 2 partitions each', () => stableWith(members, 2));

    const producer = kafka.producer();
    await producer.connect();
    const produce = async (count: number, from: number): Promise<void> => {
      for (let chunk = 0; chunk < count; chunk += 500) {
        await producer.send({
          topic: TOPIC,
          messages: Array.from({ length: Math.min(500, count - chunk) }, (_, i) => ({ partition: (from + chunk + i) % PARTITIONS, value: `v${from + chunk + i}` })),
        });
      }
    };
    const committedEverything = async (): Promise<boolean> => {
      const ends = await admin.fetchTopicOffsets(TOPIC);
      const [committed] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      return ends.every((e) => committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
    };

    await produce(10_000, 0);
    await until('10,000 records consumed and committed', async () => seen.size === 10_000 && (await committedEverything()));
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Each member consumed exactly the partitions it was assigned.
    for (const m of members) expect([...byMember.get(m.name)!].sort((x, y) => x - y)).toEqual(m.assigned);

    // c leaves: its two partitions move to a and b, which continue from the committed offsets.
    const leaving = members.pop()!;
    const moved = leaving.assigned;
    await leaving.consumer.disconnect();
    await until('2 members with 3 partitions each', () => stableWith(members, 3));
    expect(moved.every((p) => members.some((m) => m.assigned.includes(p)))).toBe(true);
    await produce(3_000, 10_000);
    await until('13,000 records consumed and committed', async () => seen.size === 13_000 && (await committedEverything()));
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    const [committed] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    const before = committed!.partitions.map((p) => [p.partition, p.offset]).sort((x, y) => Number(x[0]) - Number(y[0]));
    // Record i went to partition i % 6: 13,000 = 6 × 2166 + 4.
    expect(before).toEqual([0, 1, 2, 3, 4, 5].map((p) => [p, String(p < 4 ? 2167 : 2166)]));

    await Promise.all(members.map((m) => m.consumer.disconnect()));
    await producer.disconnect();
    await admin.disconnect();

    // Restart the broker on the same data dir: the committed offsets are unchanged.
    expect(await broker.stop()).toBe(0);
    broker = await startBrokerProcess({ dataDir: broker.dataDir });
    const admin2 = kafkajsClient({ bootstrap: broker.bootstrap }).admin();
    await admin2.connect();
    try {
      const [after] = await admin2.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      expect(after!.partitions.map((p) => [p.partition, p.offset]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual(before);
      const { groups } = await admin2.listGroups();
      expect(groups).toContainEqual({ groupId: GROUP, protocolType: 'consumer' });
      const [described] = (await admin2.describeGroups([GROUP])).groups;
      expect(described).toMatchObject({ groupId: GROUP, state: 'Empty', members: [] });
    } finally {
      await admin2.disconnect();
    }
  });
});
