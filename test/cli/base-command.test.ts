import { Errors } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import { ConnectionError, ErrorCode, KafkaError, UsageError } from '../../src/common/index.js';
import { describeError } from '../../src/cli/base-command.js';
import { parseHeaderFlags, parseKeyValues } from '../../src/cli/key-values.js';
import { colorEnabled, renderTable } from '../../src/cli/render.js';

describe('describeError', () => {
  it('maps usage errors to exit 2 and runtime errors to exit 1, on one line', () => {
    expect(describeError(new UsageError('bad offset'))).toEqual({ message: 'bad offset', exit: 2 });
    expect(describeError(new ConnectionError('cannot connect to 127.0.0.1:1: refused'))).toEqual({ message: 'cannot connect to 127.0.0.1:1: refused', exit: 1 });
    expect(describeError(new Error('boom\n  at somewhere'))).toEqual({ message: 'boom; at somewhere', exit: 1 });
  });

  it('names the Kafka error code once', () => {
    expect(describeError(new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, "topic 'a' already exists"))).toEqual({
      message: "topic 'a' already exists (TOPIC_ALREADY_EXISTS)", exit: 1,
    });
    expect(describeError(new KafkaError(ErrorCode.MESSAGE_TOO_LARGE))).toEqual({ message: 'MESSAGE_TOO_LARGE', exit: 1 });
  });

  it("keeps oclif's parse error exit code and drops its help hint", () => {
    const err = new Errors.CLIError('Expected an integer\nSee more help with --help', { exit: 2 });
    expect(describeError(err)).toEqual({ message: 'Expected an integer', exit: 2 });
  });
});

describe('key=value flags', () => {
  it('splits at the first =, later keys win, headers keep order and repeats', () => {
    expect(parseKeyValues(['a=1', 'b=x=y', 'a=2'], '--config')).toEqual({ a: '2', b: 'x=y' });
    expect(parseHeaderFlags(['h=1', 'h=2', 'e='])).toEqual([
      { key: 'h', value: Buffer.from('1') }, { key: 'h', value: Buffer.from('2') }, { key: 'e', value: Buffer.alloc(0) },
    ]);
    expect(() => parseKeyValues(['novalue'], '--config')).toThrow(UsageError);
    expect(() => parseKeyValues(['=v'], '--set')).toThrow("invalid --set '=v'");
  });
});

describe('colors and tables', () => {
  it('uses colors only on a TTY without NO_COLOR or --no-color', () => {
    expect(colorEnabled({ isTTY: true, env: {} })).toBe(true);
    expect(colorEnabled({ isTTY: false, env: {} })).toBe(false);
    expect(colorEnabled({ isTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    expect(colorEnabled({ isTTY: true, env: {}, noColorFlag: true })).toBe(false);
  });

  it('renders an aligned borderless table without trailing spaces', () => {
    expect(renderTable(['NAME', 'N'], [['a', 1], ['long-name', null]])).toBe('NAME       N\na          1\nlong-name');
  });
});
