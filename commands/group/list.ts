import { GroupAdmin } from '../../src/client/index.js';
import { ClientCommand, describeCommand, jsonFlag, renderJson, renderTable } from '../../src/cli/index.js';

export default class GroupList extends ClientCommand {
  static override summary = 'list consumer groups';
  static override description = describeCommand(
    'Prints every consumer group the brokers know, sorted, with its state (Empty, PreparingRebalance, CompletingRebalance, Stable), ' +
      'the assignor it agreed on and its number of members. Groups that only hold committed offsets (reset with offset-reset) are Empty. ' +
      'With --json: an array of {groupId, state, protocolType, protocol, members}.',
  );
  static override examples = ['<%= config.bin %> group list', '<%= config.bin %> group list --json'];
  static override flags = { ...jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(GroupList);
    const client = await this.connectClient(flags);
    try {
      const admin = new GroupAdmin(client);
      const listed = await admin.listGroups();
      const described = await admin.describeGroups(listed.map((g) => g.groupId));
      const groups = described.map((g, i) => ({
        groupId: g.groupId,
        state: g.state,
        protocolType: g.protocolType || (listed[i]?.protocolType ?? ''),
        protocol: g.protocol,
        members: g.members.length,
      }));
      if (flags.json) {
        process.stdout.write(renderJson(groups));
        return;
      }
      if (groups.length === 0) return;
      const rows = groups.map((g) => [g.groupId, g.state, g.protocol || '-', g.members]);
      process.stdout.write(renderTable(['GROUP', 'STATE', 'ASSIGNOR', 'MEMBERS'], rows, this.colors) + '\n');
    } finally {
      await client.close();
    }
  }
}
