import { Args, Flags } from '@oclif/core';
import { Admin } from '../../src/client/index.js';
import { ClientCommand, describeCommand, jsonFlag, parseKeyValues, renderJson } from '../../src/cli/index.js';
import { ErrorCode, KafkaError } from '../../src/common/index.js';

export default class TopicCreate extends ClientCommand {
  static override summary = 'create a topic';
  static override description = describeCommand(
    'Creates a topic with the given number of partitions and topic configs (Kafka names, e.g. retention.ms). ' +
      'Without --partitions or --replication-factor the broker defaults apply (num.partitions, default.replication.factor).',
  );
  static override examples = [
    '<%= config.bin %> topic create events --partitions 6 --config retention.ms=86400000',
    '<%= config.bin %> topic create orders --partitions 3 --config cleanup.policy=compact --if-not-exists',
  ];
  static override args = {
    name: Args.string({ description: 'topic name', required: true }),
  };
  static override flags = {
    partitions: Flags.integer({ char: 'p', description: 'number of partitions (default: the broker\'s num.partitions)', min: 1 }),
    'replication-factor': Flags.integer({ char: 'r', description: 'replicas per partition (default: the broker\'s default)', min: 1 }),
    config: Flags.string({ char: 'c', description: 'topic config key=value (repeatable)', multiple: true, helpValue: 'KEY=VALUE' }),
    'if-not-exists': Flags.boolean({ description: 'succeed without changes when the topic already exists' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TopicCreate);
    const configs = parseKeyValues(flags.config ?? [], '--config');
    const client = await this.connectClient(flags);
    try {
      const [result] = await new Admin(client).createTopics([
        { name: args.name, numPartitions: flags.partitions ?? -1, replicationFactor: flags['replication-factor'] ?? -1, configs },
      ]);
      const code = result?.errorCode ?? ErrorCode.NONE;
      const exists = code === ErrorCode.TOPIC_ALREADY_EXISTS;
      if (code !== ErrorCode.NONE && !(exists && flags['if-not-exists'])) {
        throw new KafkaError(code, result?.errorMessage || `cannot create topic '${args.name}'`);
      }
      if (flags.json) process.stdout.write(renderJson({ name: args.name, created: !exists }));
      else process.stderr.write(exists ? `topic '${args.name}' already exists\n` : `created topic '${args.name}'\n`);
    } finally {
      await client.close();
    }
  }
}
