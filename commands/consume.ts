import { Args, Flags } from '@oclif/core';
import type { ConsumedRecord } from '../src/client/index.js';
import {
  ClientCommand, FORMAT_TOKENS, OFFSET_GRAMMAR, consumeTopic, describeCommand, parseFormat, parseOffsetSpec, recordToJson,
  renderFormat, writeWithBackpressure, type ValueFormat,
} from '../src/cli/index.js';
import { UsageError } from '../src/common/index.js';

export default class Consume extends ClientCommand {
  static override summary = 'print records of a topic';
  static override description = describeCommand(
    [
      'Prints records of a topic on stdout, starting at --from-offset in every selected partition, in offset order per partition. ' +
        'It follows new records until interrupted (Ctrl-C exits 0), unless --until-end, --count or a range A:B says when to stop. ' +
        'A topic that does not exist is an error: consume never creates topics.',
      `OFFSETS: ${OFFSET_GRAMMAR}. N is absolute, +N is N after the log start offset, -N is N before the end.`,
      'OUTPUT: ndjson (the default when stdout is not a terminal) prints one object per line: ' +
        '{"topic","partition","offset","timestamp","key","value","headers":[{"key","value"}]}. ' +
        'Keys, values and header values that are canonical JSON (numbers, objects, arrays, booleans) are embedded as JSON, ' +
        'other UTF-8 text as a string, and binary as base64 with "keyEncoding"/"valueEncoding": "base64". ' +
        '`logctl produce --input json` reads these objects back unchanged. ' +
        'json prints the same objects pretty-printed, one after another (a JSON stream, as `jq .` prints). ' +
        'text (the default on a terminal) prints each value followed by a newline.',
      `FORMAT: --format overrides --output. Tokens: ${FORMAT_TOKENS}.`,
      'GROUPS: with --group G the command joins consumer group G and reads only the partitions the group assigns it, ' +
        'so several `consume --group G` processes split a topic\'s partitions between them. Each partition starts at the ' +
        'group\'s committed offset, or at --from-offset (a position, not a range) when the group has none. Positions are ' +
        'committed every --commit-interval-ms, before a rebalance moves partitions, and on exit (Ctrl-C, --count, --until-end), ' +
        'then the process leaves the group. --assignor picks the assignment strategy offered to the group (range or roundrobin, ' +
        'as in Java and librdkafka clients); kafkajs consumers use another protocol name and cannot share a group with logctl.',
    ].join('\n\n'),
  );
  static override examples = [
    '<%= config.bin %> consume demo --from-offset beginning --until-end',
    "<%= config.bin %> consume demo --from-offset -10 --until-end | jq -c '.value'",
    "<%= config.bin %> consume demo --from-offset @-1h --partition 0 --format '%p:%o %k=%v\\n'",
    '<%= config.bin %> consume demo --from-offset 100:200 --output json',
    '<%= config.bin %> consume demo --from-offset end --count 1',
    '<%= config.bin %> consume demo --group billing --until-end',
  ];
  static override args = {
    topic: Args.string({ description: 'topic to read (or --topic)' }),
  };
  static override flags = {
    topic: Flags.string({ char: 't', description: 'topic to read', helpValue: 'TOPIC' }),
    'from-offset': Flags.string({ char: 'o', description: 'where to start, or a range A:B', default: 'beginning', helpValue: 'SPEC' }),
    partition: Flags.integer({ char: 'p', description: 'partition to read (repeatable; default: all)', multiple: true, min: 0, helpValue: 'N' }),
    'until-end': Flags.boolean({ char: 'e', description: 'exit once every partition is read up to the end offset it had at start' }),
    count: Flags.integer({ char: 'n', description: 'exit after N records', min: 0, helpValue: 'N' }),
    output: Flags.option({ options: ['ndjson', 'json', 'text'] as const, description: 'output form (default: ndjson unless stdout is a terminal, then text)' })(),
    format: Flags.string({ char: 'f', description: 'print each record with this template (tokens %t %p %o %k %v %T %h)', helpValue: 'FMT' }),
    'value-format': Flags.option({ options: ['auto', 'json', 'string', 'base64', 'hex'] as const, default: 'auto', description: 'how values appear in ndjson/json output' })(),
    group: Flags.string({ char: 'G', description: 'consume as a member of this consumer group, from its committed offsets', helpValue: 'GROUP' }),
    assignor: Flags.option({ options: ['range', 'roundrobin'] as const, default: 'range', description: 'partition assignment strategy offered to the group (with --group)' })(),
    'commit-interval-ms': Flags.integer({ description: 'how often a group member commits its positions (with --group)', default: 5000, min: 0, helpValue: 'MS' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Consume);
    if (args.topic && flags.topic && args.topic !== flags.topic) throw new UsageError(`two topics given: '${args.topic}' and --topic '${flags.topic}'`);
    const topic = args.topic ?? flags.topic;
    if (!topic) throw new UsageError('missing topic: logctl consume TOPIC (or --topic TOPIC)');
    const spec = parseOffsetSpec(flags['from-offset']);
    const render = recordRenderer(flags.format, flags.output ?? (process.stdout.isTTY ? 'text' : 'ndjson'), flags['value-format']);
    const signal = this.interruptSignal();
    const client = await this.connectClient(flags);
    try {
      await consumeTopic(client, {
        topic,
        partitions: flags.partition ?? [],
        spec,
        untilEnd: flags['until-end'],
        count: flags.count,
        signal,
        write: (records) => writeWithBackpressure(process.stdout, renderAll(render, records)),
        group: flags.group,
        // The other strategy stays on offer, second, so members started with either one can share a group.
        assignors: flags.assignor === 'range' ? ['range', 'roundrobin'] : ['roundrobin', 'range'],
        commitIntervalMs: flags['commit-interval-ms'],
        onAssign: (partitions, generation) => {
          if (this.verbose) process.stderr.write(`logctl: group ${flags.group ?? ''} generation ${generation}: partitions ${partitions.join(',') || 'none'}\n`);
        },
      });
    } finally {
      await client.close();
    }
  }
}

/** The records' output as one write: strings joined, any Buffer (raw text values) concatenated. */
function renderAll(render: (r: ConsumedRecord) => Buffer | string, records: ConsumedRecord[]): Buffer | string {
  if (records.length === 1) return render(records[0]!);
  const parts = records.map(render);
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

function recordRenderer(format: string | undefined, output: 'ndjson' | 'json' | 'text', valueFormat: ValueFormat): (r: ConsumedRecord) => Buffer | string {
  if (format !== undefined) {
    const template = parseFormat(format);
    return (r) => renderFormat(template, r);
  }
  if (output === 'text') {
    const newline = Buffer.from('\n');
    return (r) => (r.value ? Buffer.concat([r.value, newline]) : newline);
  }
  const indent = output === 'json' ? 2 : undefined;
  return (r) => JSON.stringify(recordToJson(r, valueFormat), null, indent) + '\n';
}
