// An in-memory file system for power-loss tests of storage/ (plugged in with setStorageFileSystem).
// It keeps, for every file, the content as of its last fsync plus the writes and truncations since,
// and for every directory the entries as of its last fsync plus the creations, renames and unlinks
// since. crash() returns the disk a power loss could leave behind: per file the synced content plus a
// random prefix of the later operations (the last one possibly torn at a random byte), per directory
// the synced entries plus a random prefix of its later operations, or with mode 'drop-unsynced'
// nothing unsynced at all. crashAfter(n) freezes the file system after n more mutating operations:
// every later call throws CrashError, as if the process had died there.
import type { DirEntry, FileSystem, OpenFlags, StorageFile } from '../../src/storage/index.js';

export class CrashError extends Error {
  constructor(op: string) {
    super(`simulated crash before ${op}`);
    this.name = 'CrashError';
  }
}

type FileOp = { kind: 'write'; position: number; bytes: Buffer } | { kind: 'truncate'; length: number };
type DirOp =
  | { kind: 'set'; name: string; node: Node }
  | { kind: 'delete'; name: string }
  /** One operation: after a crash a rename happened or did not, never half. */
  | { kind: 'rename'; from: string; name: string; node: Node };

interface Node {
  isDir: boolean;
  /** Files: current content. */
  data: Buffer;
  durable: Buffer;
  fileOps: FileOp[];
  /** Directories: current entries. */
  entries: Map<string, Node>;
  durableEntries: Map<string, Node>;
  dirOps: DirOp[];
  mtimeMs: number;
}

function newNode(isDir: boolean, data: Buffer = Buffer.alloc(0), entries = new Map<string, Node>()): Node {
  return { isDir, data, durable: data, fileOps: [], entries, durableEntries: new Map(entries), dirOps: [], mtimeMs: Date.now() };
}

function errno(code: string, op: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${op} '${path}'`), { code });
}

function applyFileOp(data: Buffer, op: FileOp, tearAt?: number): Buffer {
  if (op.kind === 'truncate') {
    if (op.length <= data.length) return data.subarray(0, op.length);
    return Buffer.concat([data, Buffer.alloc(op.length - data.length)]);
  }
  const bytes = tearAt === undefined ? op.bytes : op.bytes.subarray(0, tearAt);
  const end = op.position + bytes.length;
  const out = Buffer.alloc(Math.max(data.length, end));
  data.copy(out);
  bytes.copy(out, op.position);
  return out;
}

function applyDirOp(entries: Map<string, Node>, op: DirOp): void {
  if (op.kind === 'delete') {
    entries.delete(op.name);
    return;
  }
  if (op.kind === 'rename') entries.delete(op.from);
  entries.set(op.name, op.node);
}

export type CrashMode = 'drop-unsynced' | 'random';

export interface FsStats {
  ops: number;
  fsyncs: number;
}

export class CrashableFileSystem implements FileSystem {
  readonly root: Node;
  readonly stats: FsStats = { ops: 0, fsyncs: 0 };
  /** Labels of the mutating operations performed, in order (tests print them on failure). */
  readonly log: string[] = [];
  private limit = Infinity;
  private frozen = false;
  /** Test hook: return an error to fail that operation instead of performing it (EIO, ENOSPC…). */
  failWith: ((op: string, path: string) => Error | undefined) | null = null;

  constructor(root?: Node) {
    this.root = root ?? newNode(true);
  }

  /** Freezes after `n` more mutating operations. */
  crashAfter(n: number): void {
    this.limit = this.stats.ops + n;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** A copy of the durable state, this instance untouched (a base state for many crash runs). */
  snapshot(): CrashableFileSystem {
    const frozen = this.frozen;
    const copy = this.crash('drop-unsynced');
    this.frozen = frozen;
    return copy;
  }

  /** The disk after a power loss now (this instance is frozen for good; may be called again for
   *  other outcomes of the same crash). */
  crash(mode: CrashMode, random: () => number = Math.random): CrashableFileSystem {
    this.frozen = true;
    const copies = new Map<Node, Node>();
    const pick = (n: number): number => (mode === 'drop-unsynced' ? 0 : Math.floor(random() * (n + 1)));
    const copy = (node: Node): Node => {
      const done = copies.get(node);
      if (done !== undefined) return done;
      if (!node.isDir) {
        const kept = pick(node.fileOps.length);
        let data = node.durable;
        for (let i = 0; i < kept; i++) {
          const op = node.fileOps[i]!;
          // The last write that reached the disk may have reached it only in part.
          const torn = i === kept - 1 && op.kind === 'write' && random() < 0.5 ? Math.floor(random() * op.bytes.length) : undefined;
          data = applyFileOp(data, op, torn);
        }
        const c = newNode(false, Buffer.from(data));
        copies.set(node, c);
        return c;
      }
      const entries = new Map(node.durableEntries);
      const kept = pick(node.dirOps.length);
      for (let i = 0; i < kept; i++) applyDirOp(entries, node.dirOps[i]!);
      const c = newNode(true);
      copies.set(node, c);
      for (const [name, child] of entries) c.entries.set(name, copy(child));
      c.durableEntries = new Map(c.entries);
      return c;
    };
    return new CrashableFileSystem(copy(this.root));
  }

  /** Creates directories that are already durable (the data dir that existed before the test). */
  mkdirDurable(path: string): void {
    let node = this.root;
    for (const part of parts(path)) {
      let child = node.entries.get(part);
      if (child === undefined) {
        child = newNode(true);
        node.entries.set(part, child);
        node.durableEntries.set(part, child);
      }
      node = child;
    }
  }

  /** Current content of a file (tests), or undefined. */
  peek(path: string): Buffer | undefined {
    const node = this.lookup(path);
    return node === undefined || node.isDir ? undefined : node.data;
  }

  /** Replaces a file's content durably (tests that corrupt the disk between runs). */
  poke(path: string, data: Buffer): void {
    const node = this.lookup(path);
    if (node === undefined || node.isDir) throw errno('ENOENT', 'poke', path);
    node.data = data;
    node.durable = data;
    node.fileOps = [];
  }

  list(path: string): string[] {
    const node = this.lookup(path);
    return node === undefined ? [] : [...node.entries.keys()].sort();
  }

  private check(op: string, path: string): void {
    if (this.frozen) throw new CrashError(`${op} ${path}`);
    if (this.stats.ops >= this.limit) {
      this.frozen = true;
      throw new CrashError(`${op} ${path}`);
    }
    const injected = this.failWith?.(op, path);
    if (injected !== undefined) throw injected;
  }

  /** Every mutating operation goes through here: crash check, then count it. */
  private mutate(op: string, path: string): void {
    this.check(op, path);
    this.stats.ops++;
    this.log.push(`${op} ${path}`);
  }

  private readCheck(path: string): void {
    if (this.frozen) throw new CrashError(`read ${path}`);
  }

  private lookup(path: string): Node | undefined {
    let node: Node | undefined = this.root;
    for (const part of parts(path)) {
      if (node === undefined || !node.isDir) return undefined;
      node = node.entries.get(part);
    }
    return node;
  }

  private parentOf(path: string): { dir: Node; name: string } {
    const p = parts(path);
    const name = p.pop();
    const dir = this.lookup('/' + p.join('/'));
    if (name === undefined || dir === undefined || !dir.isDir) throw errno('ENOENT', 'lookup', path);
    return { dir, name };
  }

  private dirOp(dir: Node, op: DirOp): void {
    applyDirOp(dir.entries, op);
    dir.dirOps.push(op);
    dir.mtimeMs = Date.now();
  }

  async open(path: string, flags: OpenFlags): Promise<StorageFile> {
    await tick();
    let node = this.lookup(path);
    if (flags === 'w' || flags === 'w+') {
      if (node === undefined) {
        this.mutate('create', path);
        const { dir, name } = this.parentOf(path);
        node = newNode(false);
        this.dirOp(dir, { kind: 'set', name, node });
      } else {
        if (node.isDir) throw errno('EISDIR', 'open', path);
        this.mutate('truncate', path);
        this.fileOp(node, { kind: 'truncate', length: 0 });
      }
    } else {
      this.readCheck(path);
      if (node === undefined) throw errno('ENOENT', 'open', path);
      if (node.isDir && flags !== 'r') throw errno('EISDIR', 'open', path);
    }
    return new MemFile(this, node, path);
  }

  /** @internal */
  fileOp(node: Node, op: FileOp): void {
    node.data = applyFileOp(node.data, op);
    node.fileOps.push(op);
    node.mtimeMs = Date.now();
  }

  /** @internal: a file operation from a MemFile */
  doMutate(op: string, path: string): void {
    this.mutate(op, path);
  }

  /** @internal */
  doRead(path: string): void {
    this.readCheck(path);
  }

  /** @internal */
  fsync(node: Node, path: string): void {
    this.mutate('fsync', path);
    this.stats.fsyncs++;
    if (node.isDir) {
      node.durableEntries = new Map(node.entries);
      node.dirOps = [];
    } else {
      node.durable = node.data;
      node.fileOps = [];
    }
  }

  async readFile(path: string): Promise<Buffer> {
    await tick();
    this.readCheck(path);
    const node = this.lookup(path);
    if (node === undefined) throw errno('ENOENT', 'open', path);
    if (node.isDir) throw errno('EISDIR', 'read', path);
    return Buffer.from(node.data);
  }

  async readdir(path: string): Promise<DirEntry[]> {
    await tick();
    this.readCheck(path);
    const node = this.lookup(path);
    if (node === undefined) throw errno('ENOENT', 'scandir', path);
    if (!node.isDir) throw errno('ENOTDIR', 'scandir', path);
    return [...node.entries].map(([name, n]) => ({ name, isDirectory: n.isDir }));
  }

  async mkdirp(path: string): Promise<void> {
    await tick();
    let node = this.root;
    let at = '';
    for (const part of parts(path)) {
      at += '/' + part;
      let child = node.entries.get(part);
      if (child === undefined) {
        this.mutate('mkdir', at);
        child = newNode(true);
        this.dirOp(node, { kind: 'set', name: part, node: child });
      } else if (!child.isDir) {
        throw errno('ENOTDIR', 'mkdir', at);
      }
      node = child;
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await tick();
    const src = this.parentOf(from);
    const dst = this.parentOf(to);
    const node = src.dir.entries.get(src.name);
    if (node === undefined) {
      this.readCheck(from);
      throw errno('ENOENT', 'rename', from);
    }
    this.mutate('rename', `${from} -> ${to}`);
    if (src.dir !== dst.dir) throw new Error('CrashableFileSystem: rename across directories is not modelled');
    this.dirOp(src.dir, { kind: 'rename', from: src.name, name: dst.name, node });
  }

  async unlink(path: string): Promise<void> {
    await tick();
    const { dir, name } = this.parentOf(path);
    const node = dir.entries.get(name);
    if (node === undefined) {
      this.readCheck(path);
      throw errno('ENOENT', 'unlink', path);
    }
    if (node.isDir) throw errno('EISDIR', 'unlink', path);
    this.mutate('unlink', path);
    this.dirOp(dir, { kind: 'delete', name });
  }

  async removeTree(path: string): Promise<void> {
    await tick();
    const node = this.lookup(path);
    if (node === undefined) return;
    const removeChildren = (n: Node, at: string): void => {
      for (const [name, child] of [...n.entries]) {
        if (child.isDir) removeChildren(child, `${at}/${name}`);
        this.mutate('unlink', `${at}/${name}`);
        this.dirOp(n, { kind: 'delete', name });
      }
    };
    if (node.isDir) removeChildren(node, path);
    const { dir, name } = this.parentOf(path);
    this.mutate('rmdir', path);
    this.dirOp(dir, { kind: 'delete', name });
  }
}

class MemFile implements StorageFile {
  constructor(
    private readonly fs: CrashableFileSystem,
    private readonly node: Node,
    private readonly path: string,
  ) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    await tick();
    this.fs.doRead(this.path);
    const n = Math.max(0, Math.min(length, this.node.data.length - position));
    this.node.data.copy(buffer, offset, position, position + n);
    return { bytesRead: n };
  }

  async write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    await tick();
    this.fs.doMutate('write', this.path);
    this.fs.fileOp(this.node, { kind: 'write', position, bytes: Buffer.from(buffer.subarray(offset, offset + length)) });
    return { bytesWritten: length };
  }

  async writev(buffers: Buffer[], position: number): Promise<{ bytesWritten: number }> {
    await tick();
    this.fs.doMutate('write', this.path);
    const bytes = Buffer.concat(buffers);
    this.fs.fileOp(this.node, { kind: 'write', position, bytes });
    return { bytesWritten: bytes.length };
  }

  async writeFile(data: string | Buffer): Promise<void> {
    await tick();
    this.fs.doMutate('write', this.path);
    this.fs.fileOp(this.node, { kind: 'write', position: 0, bytes: Buffer.from(data) });
  }

  async truncate(length: number): Promise<void> {
    await tick();
    this.fs.doMutate('truncate', this.path);
    this.fs.fileOp(this.node, { kind: 'truncate', length });
  }

  async datasync(): Promise<void> {
    await tick();
    this.fs.fsync(this.node, this.path);
  }

  async sync(): Promise<void> {
    await tick();
    this.fs.fsync(this.node, this.path);
  }

  async stat(): Promise<{ size: number; mtimeMs: number }> {
    await tick();
    this.fs.doRead(this.path);
    return { size: this.node.data.length, mtimeMs: this.node.mtimeMs };
  }

  async close(): Promise<void> {
    // Closing never fails and never syncs, as on Linux.
  }
}

function parts(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

/** Yields to the event loop like real I/O, so that appends queue up and group commit happens. */
function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
