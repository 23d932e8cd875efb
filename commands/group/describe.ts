import { Args } from '@oclif/core';
import { ClientCommand, describeCommand, describeGroupViews, jsonFlag, renderJson, renderTable, type GroupView } from '../../src/cli/index.js';

export default class GroupDescribe extends ClientCommand {
  static override summary = 'show members, committed offsets and lag of consumer groups';
  static override description = describeCommand(
    [
      'For each group: its state, assignor and members (member id, client id, host, assigned partitions), and for every partition ' +
        'the group has a committed offset for or has assigned: the committed offset, the log end offset (high watermark) and the lag ' +
        'between them, with the total lag. "-" means nothing is committed yet. A group that does not exist is an error (exit 1).',
      'With --json: an array with one object per group, {groupId, state, protocolType, protocol, totalLag, ' +
        'members: [{memberId, clientId, host, assignment: [{topic, partitions}]}], ' +
        'partitions: [{topic, partition, committedOffset, logEndOffset, lag, memberId}]} (null where unknown).',
    ].join('\n\n'),
  );
  static override examples = ['<%= config.bin %> group describe billing', '<%= config.bin %> group describe billing audit --json'];
  static override strict = false;
  static override args = {
    group: Args.string({ description: 'group ids (one or more)', required: true }),
  };
  static override flags = { ...jsonFlag };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(GroupDescribe);
    const client = await this.connectClient(flags);
    try {
      const views = await describeGroupViews(client, argv.map(String));
      process.stdout.write(flags.json ? renderJson(views) : views.map((v) => this.render(v)).join('\n'));
    } finally {
      await client.close();
    }
  }

  private render(v: GroupView): string {
    const c = this.colors;
    const dash = (n: number | null): string | number => (n === null ? '-' : n);
    const clientOf = new Map(v.members.map((m) => [m.memberId, m]));
    const head = `${c.bold('group')} ${v.groupId}  state ${v.state}  assignor ${v.protocol || '-'}  members ${v.members.length}  total lag ${v.totalLag}\n`;
    const partitions = v.partitions.length
      ? renderTable(
          ['TOPIC', 'PARTITION', 'COMMITTED', 'LOG END', 'LAG', 'CLIENT', 'HOST'],
          v.partitions.map((p) => {
            const m = p.memberId === null ? undefined : clientOf.get(p.memberId);
            return [p.topic, p.partition, dash(p.committedOffset), dash(p.logEndOffset), dash(p.lag), m?.clientId ?? '-', m?.host ?? '-'];
          }),
          c,
        ) + '\n'
      : 'no committed offsets\n';
    const members = v.members.length
      ? renderTable(
          ['MEMBER', 'CLIENT', 'HOST', 'PARTITIONS'],
          v.members.map((m) => [m.memberId, m.clientId, m.host, m.assignment.map((a) => `${a.topic}:${a.partitions.join(',')}`).join(' ') || '-']),
          c,
        ) + '\n'
      : '';
    return head + partitions + members;
  }
}
