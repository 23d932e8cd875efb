import { Args, Flags } from '@oclif/core';
import { Admin } from '../../src/client/index.js';
import { ClientCommand, describeCommand, jsonFlag, parseKeyValues, renderJson } from '../../src/cli/index.js';
import { UsageError } from '../../src/common/index.js';

export default class TopicAlterConfig extends ClientCommand {
  static override summary = 'change or reset topic configs';
  static override description = describeCommand(
    'Sets topic configs (Kafka names such as retention.ms, cleanup.policy) and resets others to the broker default. ' +
      'Prints the resulting non-default configs with --json.',
  );
  static override examples = [
    '<%= config.bin %> topic alter-config events --set retention.ms=3600000 --set segment.bytes=1048576',
    '<%= config.bin %> topic alter-config events --delete retention.ms',
  ];
  static override args = {
    name: Args.string({ description: 'topic name', required: true }),
  };
  static override flags = {
    set: Flags.string({ description: 'config to set, key=value (repeatable)', multiple: true, helpValue: 'KEY=VALUE' }),
    delete: Flags.string({ description: 'config to reset to its default (repeatable)', multiple: true, helpValue: 'KEY' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TopicAlterConfig);
    const set = parseKeyValues(flags.set ?? [], '--set');
    const remove = flags.delete ?? [];
    if (Object.keys(set).length === 0 && remove.length === 0) throw new UsageError('nothing to change: give --set key=value or --delete key');
    const client = await this.connectClient(flags);
    try {
      const admin = new Admin(client);
      await admin.alterConfigs(args.name, set, remove);
      if (flags.json) {
        const configs = (await admin.describeConfigs(args.name)).filter((c) => !c.isDefault);
        process.stdout.write(renderJson({ name: args.name, configs: Object.fromEntries(configs.map((c) => [c.name, c.value])) }));
      } else process.stderr.write(`updated configs of topic '${args.name}'\n`);
    } finally {
      await client.close();
    }
  }
}
