// The base of every logctl command: global flags, the broker address, colors, and one error policy.
//
// Error policy (the exit codes documented in every command's help and man page):
//   0  success (also when stdout is closed early, e.g. `logctl consume t | head -1`)
//   1  runtime failure: cannot connect, a Kafka error (its code name is printed), records not acknowledged
//   2  usage error: unknown or malformed flags and arguments, a bad offset spec, bad input records
// An error is one line on stderr, `logctl: <message>`; --verbose adds the stack trace. stdout stays
// untouched so a pipeline's consumer never sees half an error.
import { stripVTControlCharacters } from 'node:util';
import { Command, Errors, Flags } from '@oclif/core';
import type { ChalkInstance } from 'chalk';
import { KafkaClient, parseBrokerAddress } from '../client/index.js';
import { ConnectionError, KafkaError, LogctlError, UsageError, errorMessage } from '../common/index.js';
import { resolveBrokerAddress } from './broker-address.js';
import { colorEnabled, createColors } from './render.js';

export const EXIT_CODES_HELP = [
  'EXIT CODES',
  '  0  success',
  '  1  runtime failure: broker unreachable, Kafka error (its code name is printed), unacknowledged records',
  '  2  usage error: bad flag, argument, offset spec or input',
].join('\n');

export const ENVIRONMENT_HELP = [
  'ENVIRONMENT',
  '  LOGCTL_BROKER    broker address when --broker is not given (host:port or unix:/path)',
  '  XDG_CONFIG_HOME  profiles are read from $XDG_CONFIG_HOME/logctl/config.yaml (~/.config/logctl/config.yaml)',
  '  XDG_DATA_HOME    the local broker socket $XDG_DATA_HOME/logctl/logctl.sock is tried before 127.0.0.1:9092',
  '  NO_COLOR         disables colors, like --no-color',
].join('\n');

/** A command's long description: what it does, then the exit codes (and environment for client commands). */
export function describeCommand(text: string, options: { environment?: boolean } = {}): string {
  return [text, EXIT_CODES_HELP, ...(options.environment === false ? [] : [ENVIRONMENT_HELP])].join('\n\n');
}

export const outputFlags = {
  'no-color': Flags.boolean({ description: 'never print colors (also when NO_COLOR is set)', helpGroup: 'GLOBAL' }),
  verbose: Flags.boolean({ description: 'print stack traces of errors and debug logs on stderr', helpGroup: 'GLOBAL' }),
};

export const brokerFlags = {
  broker: Flags.string({
    char: 'b',
    description: 'broker address, host:port or unix:/path (default: $LOGCTL_BROKER, profile, local socket, 127.0.0.1:9092)',
    helpValue: 'HOST:PORT',
    helpGroup: 'GLOBAL',
  }),
  profile: Flags.string({
    description: 'profile of ~/.config/logctl/config.yaml to take the broker address from (default: "default")',
    helpValue: 'NAME',
    helpGroup: 'GLOBAL',
  }),
};

export const jsonFlag = {
  json: Flags.boolean({ description: 'print machine-readable JSON on stdout instead of a table' }),
};

type CommandError = Error & { exitCode?: number };

/** Output and error policy for every command, including `broker start` (which needs no broker address). */
export abstract class BaseCommand extends Command {
  static override baseFlags = { ...outputFlags };

  /** Colors for stdout (tables); plain unless stdout is a TTY and colors are allowed. */
  protected colors: ChalkInstance = createColors(false);

  override async init(): Promise<void> {
    await super.init();
    // `logctl consume t | head -1`: the reader is gone, which is a normal way for a pipeline to end.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      process.stderr.write(`logctl: cannot write to stdout: ${err.message}\n`);
      process.exit(1);
    });
    this.colors = createColors(colorEnabled({ noColorFlag: this.argv.includes('--no-color') }));
  }

  protected get verbose(): boolean {
    return this.argv.includes('--verbose');
  }

  /**
   * An AbortSignal that fires on the first SIGINT/SIGTERM; a second signal exits at once (130).
   * Long-running commands (consume, broker start) stop cleanly on it and exit 0.
   */
  protected interruptSignal(): AbortSignal {
    const controller = new AbortController();
    const onSignal = (): void => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return controller.signal;
  }

  protected override async catch(err: CommandError): Promise<never> {
    if (err instanceof Errors.ExitError) throw err;
    const { message, exit } = describeError(err);
    process.stderr.write(`logctl: ${message}\n`);
    if (this.verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    // ExitError is oclif's quiet exit: handle() prints nothing for it and exits with its code.
    this.exit(exit);
  }
}

/** A command that talks to a broker: adds --broker/--profile and the connection. */
export abstract class ClientCommand extends BaseCommand {
  static override baseFlags = { ...outputFlags, ...brokerFlags };

  /** Resolves the broker address (flag → env → profile → local socket → default) and connects. */
  protected async connectClient(flags: { broker?: string | undefined; profile?: string | undefined }): Promise<KafkaClient> {
    const { address: text } = resolveBrokerAddress({ flag: flags.broker, profile: flags.profile });
    const address = parseBrokerAddress(text);
    try {
      return await KafkaClient.connect({ broker: address, clientId: 'logctl' });
    } catch (err: unknown) {
      if (err instanceof KafkaError || err instanceof UsageError) throw err;
      const where = text;
      const message = errorMessage(err);
      throw new ConnectionError(message.includes(where) ? message : `cannot connect to ${where}: ${message}`, { cause: err });
    }
  }
}

/** One line and an exit code for anything a command may throw. */
export function describeError(err: unknown): { message: string; exit: number } {
  if (err instanceof UsageError) return { message: oneLine(err.message), exit: 2 };
  if (err instanceof KafkaError) {
    const message = oneLine(err.message);
    return { message: message === err.code ? message : `${message} (${err.code})`, exit: 1 };
  }
  if (err instanceof LogctlError) return { message: oneLine(err.message), exit: 1 };
  if (err instanceof Errors.CLIError) {
    // oclif's parse errors (unknown flag, bad integer, missing argument) carry exit 2.
    return { message: oneLine(err.message), exit: err.oclif.exit ?? 2 };
  }
  return { message: oneLine(errorMessage(err)), exit: 1 };
}

function oneLine(message: string): string {
  const lines = stripVTControlCharacters(message)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^See more help with/.test(l));
  return lines.join('; ') || 'unknown error';
}
