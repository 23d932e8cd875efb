// Text checkpoint files, in Kafka's format (ASCII, '\n' line ends):
//   line 1   version, always "0"
//   line 2   N, the number of entries
//   N lines  the entries, fields separated by one space:
//     recovery-point-offset-checkpoint, log-start-offset-checkpoint, replication-offset-checkpoint
//     (data dir root):             "<topic> <partition> <offset>"
//     leader-epoch-checkpoint (partition dir): "<epoch> <startOffset>"
// Files are replaced atomically: the new content goes to "<name>.tmp", which is fsynced, renamed over
// "<name>", and the directory is fsynced so the rename itself survives a crash. A file that does not
// parse is reported as a StorageError; callers ignore it with a warning and rebuild the information.
import { storageFs } from './file-system.js';
import { dirname } from 'node:path';
import { StorageError } from '../common/index.js';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
/** Cluster mode only: each log's high watermark (Kafka's name for the same file). */
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const TEMP_SUFFIX = '.tmp';

const VERSION = 0;

/** Replaces `path` with `data` so that a crash leaves either the old or the new file, never a mix. */
export async function writeFileAtomically(path: string, data: string | Buffer): Promise<void> {
  const tmp = path + TEMP_SUFFIX;
  const fs = storageFs();
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, path);
  await fsyncDir(dirname(path));
}

/** fsyncs a directory so that creations, renames and unlinks in it are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await storageFs().open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function format(lines: string[]): string {
  return `${VERSION}\n${lines.length}\n${lines.map((l) => l + '\n').join('')}`;
}

/** Reads the entry lines of a checkpoint; undefined when the file does not exist. */
async function readLines(path: string, fields: number): Promise<string[][] | undefined> {
  let text: string;
  try {
    text = (await storageFs().readFile(path)).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== String(VERSION)) throw new StorageError(`${path}: unknown version ${JSON.stringify(lines[0])}`);
  const count = Number(lines[1]);
  if (!Number.isSafeInteger(count) || count < 0 || lines[1] !== String(count) || lines.length !== count + 2) {
    throw new StorageError(`${path}: entry count ${JSON.stringify(lines[1])} does not match ${lines.length - 2} lines`);
  }
  return lines.slice(2).map((line, i) => {
    const parts = line.split(' ');
    if (parts.length !== fields || parts.some((p) => p === '')) {
      throw new StorageError(`${path}: line ${i + 3} does not have ${fields} fields`);
    }
    return parts;
  });
}

function parseNumber(path: string, s: string): number {
  const n = Number(s);
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(n)) throw new StorageError(`${path}: ${JSON.stringify(s)} is not an integer`);
  return n;
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export function writeOffsetCheckpoint(path: string, entries: PartitionOffset[]): Promise<void> {
  return writeFileAtomically(path, format(entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`)));
}

/** The entries of an offset checkpoint ([] when the file does not exist); throws StorageError when corrupt. */
export async function readOffsetCheckpoint(path: string): Promise<PartitionOffset[]> {
  const rows = (await readLines(path, 3)) ?? [];
  return rows.map(([topic, partition, offset]) => ({
    topic: topic!,
    partition: parseNumber(path, partition!),
    offset: parseNumber(path, offset!),
  }));
}

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export function writeLeaderEpochCheckpoint(path: string, entries: EpochEntry[]): Promise<void> {
  return writeFileAtomically(path, format(entries.map((e) => `${e.epoch} ${e.startOffset}`)));
}

/** The leader-epoch entries, or undefined when the file does not exist; throws StorageError when corrupt. */
export async function readLeaderEpochCheckpoint(path: string): Promise<EpochEntry[] | undefined> {
  const rows = await readLines(path, 2);
  if (rows === undefined) return undefined;
  const entries = rows.map(([epoch, start]) => ({ epoch: parseNumber(path, epoch!), startOffset: parseNumber(path, start!) }));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.epoch <= entries[i - 1]!.epoch || entries[i]!.startOffset < entries[i - 1]!.startOffset) {
      throw new StorageError(`${path}: entries are not in increasing epoch and offset order`);
    }
  }
  return entries;
}
