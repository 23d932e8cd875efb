import { Flags } from '@oclif/core';
import {
  ClientCommand, OFFSET_GRAMMAR, applyOffsetReset, assertGroupInactive, describeCommand, jsonFlag, parseResetDatetime, parseResetDuration,
  parseResetSpec, parseTopicSelector, planOffsetReset, renderJson, renderTable, type ResetStrategy,
} from '../src/cli/index.js';
import { UsageError } from '../src/common/index.js';

const STRATEGIES = ['to-earliest', 'to-latest', 'to-offset', 'shift-by', 'to-datetime', 'by-duration', 'to'] as const;

export default class OffsetReset extends ClientCommand {
  static override summary = "move a consumer group's committed offsets";
  static override description = describeCommand(
    [
      "Plans new committed offsets for a group's partitions and, with --execute, commits them. Without --execute (or with --dry-run, " +
        'the default) nothing changes: the plan is printed (topic, partition, current offset, new offset). ' +
        'The group must have no active members: while consumers are in it the command refuses and exits 1.',
      'PARTITIONS: --topic T (all its partitions) or --topic T:0,2 (repeatable); without --topic, every partition the group has ' +
        'committed offsets for.',
      'TARGET (exactly one): --to-earliest, --to-latest, --to-offset N, --shift-by N or -N (from the committed offset), ' +
        '--to-datetime TIME (RFC 3339 with a zone, or epoch ms: the first record at or after it), --by-duration D ' +
        `(that long ago: 2h, 1h30m, 7d or ISO 8601 PT2H), or --to SPEC (${OFFSET_GRAMMAR}; a position, not a range). ` +
        'New offsets are clamped into [log start offset, log end offset].',
      'With --json: an array of {topic, partition, currentOffset, newOffset} (currentOffset null when nothing was committed), ' +
        'and the plan is applied only with --execute.',
    ].join('\n\n'),
  );
  static override examples = [
    '<%= config.bin %> offset-reset --group billing --topic events --to-earliest',
    '<%= config.bin %> offset-reset --group billing --topic events:0,1 --shift-by -100 --execute',
    '<%= config.bin %> offset-reset --group billing --to @-2h --execute --json',
    '<%= config.bin %> offset-reset --group billing --to-datetime 2024-05-01T12:00:00Z --execute',
  ];
  static override flags = {
    group: Flags.string({ char: 'g', description: 'consumer group whose offsets to move', required: true, helpValue: 'GROUP' }),
    topic: Flags.string({ char: 't', description: 'topic, or topic:partition,partition (repeatable; default: every committed partition)', multiple: true, helpValue: 'T[:P,P]' }),
    'to-earliest': Flags.boolean({ description: 'to the log start offset', exclusive: STRATEGIES.filter((s) => s !== 'to-earliest') }),
    'to-latest': Flags.boolean({ description: 'to the log end offset', exclusive: STRATEGIES.filter((s) => s !== 'to-latest') }),
    'to-offset': Flags.integer({ description: 'to this absolute offset', min: 0, helpValue: 'N', exclusive: STRATEGIES.filter((s) => s !== 'to-offset') }),
    'shift-by': Flags.integer({ description: 'move the committed offset by N (negative: back)', helpValue: '±N', exclusive: STRATEGIES.filter((s) => s !== 'shift-by') }),
    'to-datetime': Flags.string({ description: 'to the first offset at or after TIME', helpValue: 'TIME', exclusive: STRATEGIES.filter((s) => s !== 'to-datetime') }),
    'by-duration': Flags.string({ description: 'to the first offset at or after DURATION ago', helpValue: 'DURATION', exclusive: STRATEGIES.filter((s) => s !== 'by-duration') }),
    to: Flags.string({ description: 'to the position SPEC of the offset grammar', helpValue: 'SPEC', exclusive: STRATEGIES.filter((s) => s !== 'to') }),
    'dry-run': Flags.boolean({ description: 'only print the plan (the default)', exclusive: ['execute'] }),
    execute: Flags.boolean({ description: 'commit the new offsets' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(OffsetReset);
    const strategy = this.strategy(flags);
    const selectors = (flags.topic ?? []).map(parseTopicSelector);
    const client = await this.connectClient(flags);
    try {
      await assertGroupInactive(client, flags.group);
      const plan = await planOffsetReset(client, flags.group, selectors, strategy);
      if (flags.execute) await applyOffsetReset(client, flags.group, plan);
      if (flags.json) {
        process.stdout.write(renderJson(plan));
      } else {
        const rows = plan.map((e) => [e.topic, e.partition, e.currentOffset ?? '-', e.newOffset]);
        process.stdout.write(renderTable(['TOPIC', 'PARTITION', 'CURRENT OFFSET', 'NEW OFFSET'], rows, this.colors) + '\n');
      }
      process.stderr.write(
        flags.execute
          ? `reset ${plan.length} partition(s) of group ${flags.group}\n`
          : `dry run: nothing changed; add --execute to commit these offsets for group ${flags.group}\n`,
      );
    } finally {
      await client.close();
    }
  }

  private strategy(flags: {
    'to-earliest': boolean; 'to-latest': boolean; 'to-offset'?: number | undefined; 'shift-by'?: number | undefined;
    'to-datetime'?: string | undefined; 'by-duration'?: string | undefined; to?: string | undefined;
  }): ResetStrategy {
    if (flags['to-earliest']) return { kind: 'position', position: { kind: 'beginning' } };
    if (flags['to-latest']) return { kind: 'position', position: { kind: 'end' } };
    if (flags['to-offset'] !== undefined) return { kind: 'position', position: { kind: 'absolute', offset: flags['to-offset'] } };
    if (flags['shift-by'] !== undefined) return { kind: 'shift', by: flags['shift-by'] };
    if (flags['to-datetime'] !== undefined) return { kind: 'position', position: parseResetDatetime(flags['to-datetime']) };
    if (flags['by-duration'] !== undefined) return { kind: 'position', position: { kind: 'relativeTime', agoMs: parseResetDuration(flags['by-duration']) } };
    if (flags.to !== undefined) return { kind: 'position', position: parseResetSpec(flags.to) };
    throw new UsageError('missing target: give one of --to-earliest, --to-latest, --to-offset, --shift-by, --to-datetime, --by-duration, --to');
  }
}
