import { Args, Flags } from '@oclif/core';
import ora, { type Ora } from 'ora';
import { Producer } from '../src/client/index.js';
import {
  ClientCommand, OFFSET_GRAMMAR, ProduceFailedError, describeCommand, failureMessage, jsonFlag, parseOffsetPosition, parseReplaySpeed,
  readSlice, recordToJson, renderJson, reproduce, resolveReplaySlice, topicPartitions, writeWithBackpressure,
} from '../src/cli/index.js';
import { UsageError } from '../src/common/index.js';

export default class Replay extends ClientCommand {
  static override summary = 'replay a slice of a topic to stdout or into another topic';
  static override description = describeCommand(
    [
      'Reads the records from --from up to, not including, --to in every selected partition (half-open: --from 0 --to 500 is ' +
        'offsets 0 to 499; without --to, up to the log end offset at start), then exits. ' +
        `Both are positions of the offset grammar (${OFFSET_GRAMMAR}), resolved per partition, so --from @2024-05-01T12:00:00Z ` +
        '--to @2024-05-01T13:00:00Z replays one hour.',
      'Without --to-topic the records are printed on stdout as NDJSON, in the format of `logctl consume`. With --to-topic they are ' +
        'produced into that topic with their keys, values, headers and timestamps; each keeps its partition when both topics have ' +
        'the same number of partitions (otherwise the key decides). --speed original waits between records as long as their ' +
        'timestamps are apart, Nx N times faster (2x, 0.5x); max (the default) does not wait.',
      'A progress spinner is drawn on stderr when stderr is a terminal. At the end "replayed N records" is printed on stderr; ' +
        'with --json (and --to-topic) a summary {topic, toTopic, records, partitions: [{partition, startOffset, endOffset}]} on stdout.',
    ].join('\n\n'),
  );
  static override examples = [
    '<%= config.bin %> replay events --from 0 --to 500 > slice.ndjson',
    '<%= config.bin %> replay events --from @-2h --to-topic events-replay --speed original',
    '<%= config.bin %> replay events --from @2024-05-01T12:00:00Z --to @2024-05-01T13:00:00Z -p 0 --to-topic events-debug --speed 10x --json',
  ];
  static override args = {
    topic: Args.string({ description: 'topic to replay', required: true }),
  };
  static override flags = {
    from: Flags.string({ description: 'first position of the slice (included)', required: true, helpValue: 'SPEC' }),
    to: Flags.string({ description: 'end position of the slice (excluded; default: the log end offset)', helpValue: 'SPEC' }),
    partition: Flags.integer({ char: 'p', description: 'partition to replay (repeatable; default: all)', multiple: true, min: 0, helpValue: 'N' }),
    'to-topic': Flags.string({ description: 'produce the records into this topic instead of printing them', helpValue: 'TOPIC' }),
    speed: Flags.string({ description: 'max, original (keep the gaps between timestamps) or Nx (N times faster)', default: 'max', helpValue: 'max|original|Nx' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Replay);
    const from = parseOffsetPosition(flags.from);
    const to = flags.to === undefined ? undefined : parseOffsetPosition(flags.to);
    const speed = parseReplaySpeed(flags.speed);
    const toTopic = flags['to-topic'];
    if (flags.json && toTopic === undefined) throw new UsageError('--json needs --to-topic: without it stdout carries the records');
    if (toTopic === args.topic) throw new UsageError('--to-topic must differ from the topic being replayed');
    const signal = this.interruptSignal();
    const client = await this.connectClient(flags);
    let spinner: Ora | undefined;
    try {
      const slice = await resolveReplaySlice(client, args.topic, flags.partition ?? [], from, to);
      let count = 0;
      if (process.stderr.isTTY) spinner = ora({ stream: process.stderr, text: `replaying ${args.topic}: 0/${slice.total}` }).start();
      const progress = (): void => {
        count++;
        if (spinner !== undefined && count % 100 === 0) spinner.text = `replaying ${args.topic}: ${count}/${slice.total}`;
      };
      const records = readSlice(client, args.topic, slice, speed, signal);
      if (toTopic === undefined) {
        for await (const record of records) {
          await writeWithBackpressure(process.stdout, JSON.stringify(recordToJson(record)) + '\n');
          progress();
        }
      } else {
        const sourcePartitions = (await topicPartitions(client, args.topic)).length;
        const destination = await client.topicMetadata(toTopic, { autoCreate: true });
        const keepPartitions = destination.partitions.length === sourcePartitions;
        const producer = new Producer(client, {});
        try {
          const summary = await reproduce(records, producer, toTopic, keepPartitions, progress);
          if (summary.failed > 0 || summary.firstError !== undefined) {
            throw new ProduceFailedError(failureMessage({ ...summary, failed: Math.max(summary.failed, summary.total - summary.acknowledged) }));
          }
        } finally {
          await producer.close().catch(() => undefined);
        }
      }
      spinner?.stop();
      process.stderr.write(`replayed ${count} records from ${args.topic}${toTopic === undefined ? '' : ` to ${toTopic}`}\n`);
      if (flags.json) {
        const partitions = slice.partitions.map((p) => ({ partition: p, startOffset: slice.start.get(p) ?? 0, endOffset: slice.end.get(p) ?? 0 }));
        process.stdout.write(renderJson({ topic: args.topic, toTopic, records: count, partitions }));
      }
    } finally {
      spinner?.stop();
      await client.close();
    }
  }
}
