import { Args } from '@oclif/core';
import { Admin } from '../../src/client/index.js';
import { ClientCommand, describeCommand, jsonFlag, renderJson, renderTable } from '../../src/cli/index.js';

export default class TopicDescribe extends ClientCommand {
  static override summary = 'show partitions and configs of topics';
  static override description = describeCommand(
    'For each topic: its partitions (leader, replicas, in-sync replicas, log start and end offsets) and its configs. ' +
      'With --json: an array of {name, partitions: [{partition, leader, replicas, isr, logStartOffset, logEndOffset}], configs: [{name, value, isDefault, source}]}.',
  );
  static override examples = ['<%= config.bin %> topic describe events', '<%= config.bin %> topic describe events orders --json'];
  static override strict = false;
  static override args = {
    name: Args.string({ description: 'topic names (one or more)', required: true }),
  };
  static override flags = { ...jsonFlag };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(TopicDescribe);
    const client = await this.connectClient(flags);
    try {
      const topics = await new Admin(client).describeTopics(argv.map(String));
      if (flags.json) {
        process.stdout.write(renderJson(topics));
        return;
      }
      const c = this.colors;
      const out = topics.map((t) => {
        const partitions = renderTable(
          ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG START', 'LOG END'],
          t.partitions.map((p) => [p.partition, p.leader, p.replicas.join(','), p.isr.join(','), p.logStartOffset, p.logEndOffset]),
          c,
        );
        const overridden = t.configs.filter((cfg) => !cfg.isDefault);
        const configs = overridden.length
          ? renderTable(['CONFIG', 'VALUE'], overridden.map((cfg) => [cfg.name, cfg.value]), c)
          : 'configs: all broker defaults';
        return `${c.bold('topic')} ${t.name}  (${t.partitions.length} partitions)\n${partitions}\n${configs}\n`;
      });
      process.stdout.write(out.join('\n'));
    } finally {
      await client.close();
    }
  }
}
