import { Args, Flags } from '@oclif/core';
import { Admin } from '../../src/client/index.js';
import { ClientCommand, describeCommand, jsonFlag, renderJson } from '../../src/cli/index.js';
import { ErrorCode, KafkaError } from '../../src/common/index.js';

export default class TopicDelete extends ClientCommand {
  static override summary = 'delete topics and all their records';
  static override description = describeCommand('Deletes one or more topics. Their data is removed from the broker and cannot be recovered.');
  static override examples = ['<%= config.bin %> topic delete events', '<%= config.bin %> topic delete old-a old-b --if-exists'];
  static override strict = false;
  static override args = {
    name: Args.string({ description: 'topic names (one or more)', required: true }),
  };
  static override flags = {
    'if-exists': Flags.boolean({ description: 'succeed when a topic does not exist' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(TopicDelete);
    const names = argv.map(String);
    const client = await this.connectClient(flags);
    try {
      const results = await new Admin(client).deleteTopics(names);
      const missing = (code: number): boolean => code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      const failed = results.find((r) => r.errorCode !== ErrorCode.NONE && !(missing(r.errorCode) && flags['if-exists']));
      if (failed) {
        const why = missing(failed.errorCode) ? `topic '${failed.name}' does not exist` : `cannot delete topic '${failed.name}'`;
        throw new KafkaError(failed.errorCode, why);
      }
      if (flags.json) process.stdout.write(renderJson(results.map((r) => ({ name: r.name, deleted: r.errorCode === ErrorCode.NONE }))));
      else for (const r of results) process.stderr.write(r.errorCode === ErrorCode.NONE ? `deleted topic '${r.name}'\n` : `topic '${r.name}' does not exist\n`);
    } finally {
      await client.close();
    }
  }
}
