import { Flags } from '@oclif/core';
import { Admin } from '../../src/client/index.js';
import { ClientCommand, describeCommand, jsonFlag, renderJson } from '../../src/cli/index.js';

export default class TopicList extends ClientCommand {
  static override summary = 'list topics';
  static override description = describeCommand('Prints the names of the topics, one per line, sorted (a JSON array with --json).');
  static override examples = ['<%= config.bin %> topic list', '<%= config.bin %> topic list --internal --json'];
  static override flags = {
    internal: Flags.boolean({ description: 'include internal topics (__consumer_offsets)' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TopicList);
    const client = await this.connectClient(flags);
    try {
      const names = [...(await new Admin(client).listTopics(flags.internal))].sort();
      process.stdout.write(flags.json ? renderJson(names) : names.map((n) => n + '\n').join(''));
    } finally {
      await client.close();
    }
  }
}
