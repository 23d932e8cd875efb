import { Args } from '@oclif/core';
import { GroupAdmin } from '../../src/client/index.js';
import { ClientCommand, describeCommand } from '../../src/cli/index.js';
import { ErrorCode, KafkaError, errorCodeInfo } from '../../src/common/index.js';

export default class GroupDelete extends ClientCommand {
  static override summary = 'delete consumer groups and their committed offsets';
  static override description = describeCommand(
    'Deletes each group with its committed offsets. Only a group without members can be deleted (NON_EMPTY_GROUP otherwise). ' +
      'Prints "deleted group G" on stderr per group; if any group fails, the others are still deleted and the command exits 1.',
  );
  static override examples = ['<%= config.bin %> group delete billing', '<%= config.bin %> group delete old-a old-b'];
  static override strict = false;
  static override args = {
    group: Args.string({ description: 'group ids (one or more)', required: true }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(GroupDelete);
    const client = await this.connectClient(flags);
    try {
      const results = await new GroupAdmin(client).deleteGroups(argv.map(String));
      const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE);
      for (const r of results) if (r.errorCode === ErrorCode.NONE) process.stderr.write(`deleted group ${r.groupId}\n`);
      for (const r of failed.slice(1)) process.stderr.write(`logctl: cannot delete group '${r.groupId}': ${errorCodeInfo(r.errorCode).name}\n`);
      const first = failed[0];
      if (first !== undefined) throw new KafkaError(first.errorCode, `cannot delete group '${first.groupId}'`);
    } finally {
      await client.close();
    }
  }
}
