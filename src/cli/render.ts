// Output for humans and scripts. Data goes to stdout; colors only when the stream is a TTY, NO_COLOR is
// unset and --no-color was not given. Writes respect backpressure so `consume | slow-reader` does not
// buffer the whole topic in memory.
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';

export interface ColorOptions {
  noColorFlag?: boolean;
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}

export function colorEnabled(options: ColorOptions = {}): boolean {
  const env = options.env ?? process.env;
  if (options.noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return options.isTTY ?? process.stdout.isTTY === true;
}

/** A chalk instance that prints plain text unless color is enabled (never chalk's own detection). */
export function createColors(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 1 : 0 });
}

export type Cell = string | number | boolean | null | undefined;

/** A borderless, aligned table: readable on a terminal and still greppable. */
export function renderTable(head: string[], rows: Cell[][], colors: ChalkInstance = createColors(false)): string {
  const table = new Table({
    head: head.map((h) => colors.bold(h)),
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2, compact: true },
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
      'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
    },
  });
  for (const row of rows) table.push(row.map((c) => (c === null || c === undefined ? '' : String(c))));
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}

/** `--json` output: pretty JSON, a trailing newline; bigint printed as a number string would lose nothing. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v), 2) + '\n';
}

/**
 * Writes to a stream and waits for 'drain' when its buffer is full. Rejects if the stream errors
 * (EPIPE is handled by BaseCommand before it gets here).
 */
export function writeWithBackpressure(stream: NodeJS.WritableStream, data: Buffer | string): Promise<void> {
  if (stream.write(data)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      stream.off('drain', onDrain);
      reject(err);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}
