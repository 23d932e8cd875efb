// The storage shared by the offset index and the time index: a file of fixed-size entries that is kept
// whole in memory (a growing Buffer) and only ever appended to or cut back on disk. No mmap and no
// preallocation: the file is always exactly `count * entrySize` bytes once flushed, so a file whose size
// is not a multiple of the entry size was torn by a crash and is rebuilt.
// New entries are written lazily (flush), never one syscall per entry: an index is a cache of the
// segment, and recovery rebuilds it from the segment when it is missing or inconsistent.
import { storageFs, type StorageFile } from './file-system.js';
import { StorageError } from '../common/index.js';

export class IndexFile {
  private buf: Buffer;
  private count = 0;
  /** Entries already on disk: [0, written). */
  private written = 0;

  private constructor(
    readonly path: string,
    readonly entrySize: number,
    private readonly fh: StorageFile,
    initial: Buffer,
  ) {
    this.buf = Buffer.alloc(Math.max(initial.length, entrySize * 64));
    initial.copy(this.buf);
    this.count = initial.length / entrySize;
    this.written = this.count;
  }

  /** Opens an existing file and loads it; throws StorageError when its size is not whole entries or
   *  `check` finds a reason not to trust its entries. */
  static async load(path: string, entrySize: number, check: (entries: Buffer) => string | undefined): Promise<IndexFile> {
    const fh = await storageFs().open(path, 'r+');
    try {
      const { size } = await fh.stat();
      if (size % entrySize !== 0) {
        throw new StorageError(`${path}: size ${size} is not a multiple of the ${entrySize}-byte entry size`);
      }
      const data = Buffer.alloc(size);
      if (size > 0) await fh.read(data, 0, size, 0);
      const problem = check(data);
      if (problem !== undefined) throw new StorageError(`${path}: ${problem}`);
      return new IndexFile(path, entrySize, fh, data);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Creates (or empties) the file. */
  static async create(path: string, entrySize: number): Promise<IndexFile> {
    const fh = await storageFs().open(path, 'w+');
    return new IndexFile(path, entrySize, fh, Buffer.alloc(0));
  }

  get entries(): number {
    return this.count;
  }

  /** The in-memory entries, valid until the next append. */
  view(): Buffer {
    return this.buf.subarray(0, this.count * this.entrySize);
  }

  /** Reserves the next entry and returns its byte position in view() for the caller to fill. */
  push(): number {
    if ((this.count + 1) * this.entrySize > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.count * this.entrySize);
      this.buf = bigger;
    }
    const at = this.count * this.entrySize;
    this.count++;
    return at;
  }

  /** Keeps the first `entries` entries, in memory and on disk. */
  async truncate(entries: number): Promise<void> {
    if (entries >= this.count) return;
    this.count = entries;
    if (this.written > entries) {
      this.written = entries;
      await this.fh.truncate(entries * this.entrySize);
    }
  }

  /** Writes the entries not yet on disk; fsyncs when `sync`. */
  async flush(sync: boolean): Promise<void> {
    if (this.written < this.count) {
      const from = this.written * this.entrySize;
      const to = this.count * this.entrySize;
      let done = 0;
      while (done < to - from) {
        const { bytesWritten } = await this.fh.write(this.buf, from + done, to - from - done, from + done);
        if (bytesWritten <= 0) throw new StorageError(`${this.path}: write made no progress`);
        done += bytesWritten;
      }
      this.written = this.count;
    }
    if (sync) await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** What the offset index and the time index share: entries that each name an offset, in offset order. */
export abstract class SegmentIndex<Entry extends { offset: number }> {
  protected constructor(
    readonly baseOffset: number,
    protected readonly file: IndexFile,
  ) {}

  get path(): string {
    return this.file.path;
  }

  get entries(): number {
    return this.file.entries;
  }

  /** The last entry, or undefined when empty. */
  last(): Entry | undefined {
    const n = this.file.entries;
    return n === 0 ? undefined : this.entryAt(n - 1);
  }

  /** Drops the entries for offsets >= offset. */
  async truncateTo(offset: number): Promise<void> {
    let keep = this.file.entries;
    while (keep > 0 && this.entryAt(keep - 1).offset >= offset) keep--;
    await this.file.truncate(keep);
  }

  flush(sync: boolean): Promise<void> {
    return this.file.flush(sync);
  }

  close(): Promise<void> {
    return this.file.close();
  }

  protected abstract entryAt(i: number): Entry;
}
