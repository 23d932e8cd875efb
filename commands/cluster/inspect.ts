import { Flags } from '@oclif/core';
import { inspectCluster, waitUntilHealthy, type ClusterInspection } from '../../src/client/index.js';
import { ClientCommand, describeCommand, jsonFlag, parseResetDuration, renderJson, renderTable } from '../../src/cli/index.js';
import { UsageError } from '../../src/common/index.js';

export default class ClusterInspect extends ClientCommand {
  static override summary = 'show brokers, partitions, group lag and a health verdict';
  static override description = describeCommand(
    [
      'Shows the brokers (id, address, alive, controller), every partition (leader, leader epoch when the broker reports it, ' +
        'replicas, in-sync replicas, log start offset, high watermark, log end offset), the total lag of each consumer group, ' +
        'and a health verdict: healthy when there is a controller and every partition has a leader, all its replicas in sync ' +
        'and at least min.insync.replicas in sync. Works against a single broker too (it is its own controller). ' +
        'An unhealthy cluster still exits 0 unless --wait-ready is given.',
      'With --wait-ready: inspects every 250 ms until the cluster is healthy and exits 0, or exits 1 at --timeout with the ' +
        'reason on stderr. A broker that is not reachable yet counts as not ready, so a script can start a broker and wait for it.',
      'With --json: {clusterId, brokers: [{id, address, alive, controller}], controller, topics: [{name, internal, minInsyncReplicas, ' +
        'partitions: [{partition, leader, leaderEpoch, replicas, isr, logStartOffset, highWatermark, logEndOffset}]}], ' +
        'health: {healthy, problems}, groups: [{groupId, totalLag}]} (null where unknown).',
    ].join('\n\n'),
  );
  static override examples = [
    '<%= config.bin %> cluster inspect',
    '<%= config.bin %> cluster inspect --json',
    '<%= config.bin %> cluster inspect --wait-ready --timeout 2m',
  ];
  static override flags = {
    'wait-ready': Flags.boolean({ description: 'wait until the cluster is healthy (exit 0) or --timeout passes (exit 1)' }),
    timeout: Flags.string({ description: 'how long --wait-ready waits: 500ms, 30s, 2m', default: '30s', helpValue: 'DURATION' }),
    internal: Flags.boolean({ description: 'include internal topics (__consumer_offsets)' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ClusterInspect);
    const timeoutMs = parseTimeout(flags.timeout);
    const inspect = (client: Parameters<typeof inspectCluster>[0]) => inspectCluster(client, { includeInternal: flags.internal });
    let result: ClusterInspection;
    if (flags['wait-ready']) {
      result = await waitUntilHealthy({ connect: () => this.connectClient(flags), inspect, timeoutMs });
    } else {
      const client = await this.connectClient(flags);
      try {
        result = await inspect(client);
      } finally {
        await client.close();
      }
    }
    process.stdout.write(flags.json ? renderJson(result) : this.render(result));
  }

  private render(r: ClusterInspection): string {
    const c = this.colors;
    const dash = (v: number | null): string | number => (v === null ? '-' : v);
    const partitions = r.topics.reduce((n, t) => n + t.partitions.length, 0);
    const alive = r.brokers.filter((b) => b.alive).length;
    const head =
      `${c.bold('cluster')} ${r.clusterId ?? '-'}  brokers ${alive}/${r.brokers.length} alive  controller ${dash(r.controller)}  ` +
      `topics ${r.topics.length}  partitions ${partitions}  groups ${r.groups.length}\n`;
    const brokers = renderTable(
      ['BROKER', 'ADDRESS', 'ALIVE', 'CONTROLLER'],
      r.brokers.map((b) => [b.id, b.address ?? '-', b.alive ? 'yes' : c.red('no'), b.controller ? 'yes' : '']),
      c,
    );
    const rows = r.topics.flatMap((t) =>
      t.partitions.map((p) => [
        t.name, p.partition, p.leader < 0 ? c.red('none') : p.leader, dash(p.leaderEpoch), p.replicas.join(','), p.isr.join(','),
        dash(p.logStartOffset), dash(p.highWatermark), dash(p.logEndOffset),
      ]),
    );
    const table = rows.length
      ? renderTable(['TOPIC', 'PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR', 'LOG START', 'HIGH WATERMARK', 'LOG END'], rows, c)
      : 'no topics';
    const groups = r.groups.length ? renderTable(['GROUP', 'TOTAL LAG'], r.groups.map((g) => [g.groupId, dash(g.totalLag)]), c) + '\n' : '';
    const verdict = r.health.healthy
      ? `health: ${c.green('healthy')}\n`
      : `health: ${c.red('unhealthy')}\n${r.health.problems.map((p) => `  - ${p}\n`).join('')}`;
    return `${head}\n${brokers}\n\n${table}\n\n${groups ? groups + '\n' : ''}${verdict}`;
  }
}

/** --timeout: the duration grammar of `offset-reset --by-duration` (500ms, 30s, 2m, 1h30m). */
function parseTimeout(text: string): number {
  try {
    return parseResetDuration(text);
  } catch {
    throw new UsageError(`invalid --timeout '${text}': expected a duration like 500ms, 30s or 2m`);
  }
}
