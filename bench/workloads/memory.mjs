// Workload M: broker RSS idle, after creating one topic of 1,000 partitions, and after 100 consumer
// groups (one member each, joined and synced, long session timeout) are attached.
// Groups are joined with raw JoinGroup/SyncGroup through our client's codecs over `connections`
// connections, so the figure is group state, not 100 clients' sockets. Consumer protocol bytes:
//   subscription: int16 version=0 | int32 topicCount | (int16 len, topic)* | int32 userData=-1
//   assignment:   int16 version=0 | int32 topicCount | (int16 len, topic, int32 n, int32 partition*)* | int32 userData=-1
import { startBrokerProcess } from '../lib/broker.mjs';
import { createTopic, withClient } from '../lib/admin.mjs';
import { distUrl } from '../lib/build.mjs';

const { JoinGroup, SyncGroup, FindCoordinator } = await import(distUrl('src/protocol/index.js'));

const TOPIC = 'bench-memory';
const MEMBER_ID_REQUIRED = 79;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function str(s) {
  const b = Buffer.alloc(2 + Buffer.byteLength(s));
  b.writeInt16BE(b.length - 2, 0);
  b.write(s, 2);
  return b;
}
const int32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
};
const subscription = () => Buffer.concat([Buffer.from([0, 0]), int32(1), str(TOPIC), int32(-1)]);
const assignment = (partitions) => Buffer.concat([Buffer.from([0, 0]), int32(1), str(TOPIC), int32(partitions.length), ...partitions.map(int32), int32(-1)]);

async function joinGroup(client, conn, groupId, partitions) {
  const join = (memberId) =>
    client.request(conn, JoinGroup, {
      groupId,
      sessionTimeoutMs: 300_000,
      // Caps the coordinator's initial rebalance delay (min(group.initial.rebalance.delay.ms, this)).
      rebalanceTimeoutMs: 100,
      memberId,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription() }],
    });
  let res = await join('');
  if (res.errorCode === MEMBER_ID_REQUIRED) res = await join(res.memberId);
  if (res.errorCode !== 0) throw new Error(`JoinGroup ${groupId}: error ${res.errorCode}`);
  const sync = await client.request(conn, SyncGroup, {
    groupId,
    generationId: res.generationId,
    memberId: res.memberId,
    protocolType: 'consumer',
    protocolName: res.protocolName,
    assignments: [{ memberId: res.memberId, assignment: assignment(partitions) }],
  });
  if (sync.errorCode !== 0) throw new Error(`SyncGroup ${groupId}: error ${sync.errorCode}`);
}

export async function memoryRun({ partitions = 1000, groups = 100, connections = 10, settleMs = 1000 } = {}) {
  const broker = await startBrokerProcess();
  try {
    await sleep(settleMs);
    const idle = broker.rss();
    await createTopic(broker.bootstrap, TOPIC, partitions);
    await sleep(settleMs);
    const withPartitions = broker.rss();
    let withGroups = null;
    let groupsNote = null;
    await withClient(broker.bootstrap, async (client) => {
      const boot = await client.bootstrapConnection();
      if (!boot.versions.has(11)) {
        groupsNote = 'n/a (groups not implemented)';
        return;
      }
      const conns = await Promise.all(Array.from({ length: connections }, () => client.openConnection({ host: broker.host, port: broker.port })));
      const coord = await client.request(boot, FindCoordinator, { key: 'bench-group-0', keyType: 0 });
      if (coord.errorCode !== 0) throw new Error(`FindCoordinator: error ${coord.errorCode}`);
      await Promise.all(
        conns.map(async (conn, c) => {
          for (let g = c; g < groups; g += connections) await joinGroup(client, conn, `bench-group-${g}`, [g % partitions]);
        }),
      );
      await sleep(settleMs);
      withGroups = broker.rss();
      for (const conn of conns) conn.destroy();
    });
    return { M: { idleMiB: idle / 1048576, partitionsMiB: withPartitions / 1048576, groupsMiB: withGroups === null ? null : withGroups / 1048576, groupsNote } };
  } finally {
    await broker.stop();
  }
}
