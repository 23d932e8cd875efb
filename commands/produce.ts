import { Args, Flags } from '@oclif/core';
import { Producer } from '../src/client/index.js';
import {
  ClientCommand, ProduceFailedError, createAckReporter, describeCommand, failureMessage, parseDelimiter, parseHeaderFlags, produceStream,
} from '../src/cli/index.js';
import { UsageError } from '../src/common/index.js';

const ACKS = { '0': 0, '1': 1, all: -1 } as const;

export default class Produce extends ClientCommand {
  static override summary = 'write records from stdin to a topic';
  static override description = describeCommand(
    [
      'Reads stdin and sends one record per line (or per --delimiter). Input streams through as it is acknowledged and is never buffered whole. ' +
        'The topic is created on first use when the broker allows it (auto.create.topics.enable).',
      'With --input json it reads the objects `logctl consume` prints (NDJSON or pretty-printed), so consume | jq | produce ' +
        'reproduces keys, values, headers, partitions and timestamps exactly. A TOPIC argument overrides the objects\' "topic".',
      'Nothing is printed on stdout unless --report is given: then one JSON line per group of records acknowledged together, ' +
        '{"topic","partition","baseOffset","lastOffset","count"}. If any record is not acknowledged the command exits 1 with ' +
        '"N of M records were not acknowledged: <reason>" on stderr.',
    ].join('\n\n'),
  );
  static override examples = [
    'seq 1 1000 | <%= config.bin %> produce demo',
    "printf 'user-1:hello\\nuser-2:world\\n' | <%= config.bin %> produce --topic demo --key-delimiter ':'",
    '<%= config.bin %> consume demo --until-end | jq -c \'.value |= . + 1\' | <%= config.bin %> produce --input json demo-plus-one',
    'cat events.log | <%= config.bin %> produce events --header source=import --compression zstd --acks 1',
  ];
  static override args = {
    topic: Args.string({ description: 'topic to write to (or --topic)' }),
  };
  static override flags = {
    topic: Flags.string({ char: 't', description: 'topic to write to', helpValue: 'TOPIC' }),
    input: Flags.option({ options: ['text', 'json'] as const, default: 'text', description: 'text: one record per delimiter; json: objects as printed by consume' })(),
    delimiter: Flags.string({ char: 'D', description: 'record delimiter, escapes \\n \\t \\r \\0 \\xHH allowed', default: '\\n', helpValue: 'SEP' }),
    'key-delimiter': Flags.string({ char: 'K', description: 'split each record into key and value at the first SEP', helpValue: 'SEP' }),
    key: Flags.string({ char: 'k', description: 'key of every record', helpValue: 'KEY' }),
    header: Flags.string({ char: 'H', description: 'header key=value added to every record (repeatable)', multiple: true, helpValue: 'KEY=VALUE' }),
    partition: Flags.integer({ char: 'p', description: 'partition to write to (default: by key hash; sticky when no key)', min: 0, helpValue: 'N' }),
    acks: Flags.option({ options: ['0', '1', 'all'] as const, default: 'all', description: 'acknowledgement to wait for: none, the leader, all in-sync replicas' })(),
    compression: Flags.option({ char: 'z', options: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const, default: 'none', description: 'batch compression codec' })(),
    'linger-ms': Flags.integer({ description: 'how long to wait to fill a batch', default: 5, min: 0, helpValue: 'MS' }),
    report: Flags.boolean({ description: 'print one JSON line per acknowledged group of records on stdout' }),
    idempotent: Flags.boolean({
      allowNo: true,
      description: 'producer id and sequence numbers in every batch, so a retried batch is stored once and in order with up to 5 batches per partition in flight; on by default with --acks all, --no-idempotent turns it off',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Produce);
    if (args.topic && flags.topic && args.topic !== flags.topic) throw new UsageError(`two topics given: '${args.topic}' and --topic '${flags.topic}'`);
    const topic = args.topic ?? flags.topic;
    if (!topic && flags.input === 'text') throw new UsageError('missing topic: logctl produce TOPIC (or --topic TOPIC)');
    if (flags.key !== undefined && flags['key-delimiter'] !== undefined) throw new UsageError('--key and --key-delimiter cannot be used together');
    if (flags.idempotent && flags.acks !== 'all') throw new UsageError(`--idempotent needs --acks all (got --acks ${flags.acks})`);
    const options = {
      topic,
      input: flags.input,
      delimiter: parseDelimiter(flags.delimiter, '--delimiter'),
      keyDelimiter: flags['key-delimiter'] === undefined ? undefined : parseDelimiter(flags['key-delimiter'], '--key-delimiter'),
      key: flags.key === undefined ? undefined : Buffer.from(flags.key, 'utf8'),
      headers: parseHeaderFlags(flags.header ?? []),
      partition: flags.partition,
    };
    const reporter = flags.report ? createAckReporter((line) => process.stdout.write(line)) : undefined;
    const client = await this.connectClient(flags);
    try {
      const producer = new Producer(client, {
        acks: ACKS[flags.acks],
        compression: flags.compression,
        lingerMs: flags['linger-ms'],
        idempotent: flags.idempotent,
      });
      try {
        const summary = await produceStream(producer, process.stdin, { ...options, ...(reporter ? { onAck: reporter.onAck } : {}) });
        reporter?.flush();
        if (summary.failed > 0 || summary.firstError !== undefined) {
          throw new ProduceFailedError(failureMessage({ ...summary, failed: Math.max(summary.failed, summary.total - summary.acknowledged) }));
        }
      } finally {
        await producer.close().catch(() => undefined);
      }
    } finally {
      await client.close();
    }
  }
}
