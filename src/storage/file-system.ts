// The file operations storage/ performs, behind one small seam so that crash tests can run the real
// storage code on a simulated disk (test/helpers/crashable-fs.ts drops what was not fsynced). The
// default is node:fs itself: a FileHandle satisfies StorageFile, given the two synchronous calls on its
// descriptor that segment.ts uses for small I/O at a log's tail (see there), so production pays two
// closures per open() and nothing per read, write or fsync. A simulated disk may leave the synchronous
// calls out; storage/ then uses the promise forms for everything.
import { readSync, writevSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, unlink, type FileHandle } from 'node:fs/promises';

/** The subset of node's FileHandle that storage/ uses. */
export interface StorageFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  writev(buffers: Buffer[], position: number): Promise<{ bytesWritten: number }>;
  /** Writes `data` from position 0 (the file was just opened with 'w'). */
  writeFile(data: string | Buffer): Promise<void>;
  truncate(length: number): Promise<void>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  stat(): Promise<{ size: number; mtimeMs: number }>;
  close(): Promise<void>;
  /** Synchronous positional read and write (bytes read / written), when the file system has them. */
  readSync?(buffer: Buffer, offset: number, length: number, position: number): number;
  writevSync?(buffers: Buffer[], position: number): number;
}

/** 'r' also opens directories (for fsyncing them); 'w' / 'w+' create or empty the file. */
export type OpenFlags = 'r' | 'r+' | 'w' | 'w+';

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

export interface FileSystem {
  open(path: string, flags: OpenFlags): Promise<StorageFile>;
  readFile(path: string): Promise<Buffer>;
  readdir(path: string): Promise<DirEntry[]>;
  /** Creates the directory and its missing parents; no error when it exists. */
  mkdirp(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Removes a directory tree; no error when it does not exist. */
  removeTree(path: string): Promise<void>;
}

/** A FileHandle with the synchronous calls on its descriptor. */
function withSyncCalls(fh: FileHandle): StorageFile {
  return Object.assign(fh, {
    readSync: (buffer: Buffer, offset: number, length: number, position: number) => readSync(fh.fd, buffer, offset, length, position),
    writevSync: (buffers: Buffer[], position: number) => writevSync(fh.fd, buffers, position),
  });
}

export const nodeFileSystem: FileSystem = {
  open: async (path, flags) => withSyncCalls(await open(path, flags)),
  readFile: (path) => readFile(path),
  readdir: async (path) => (await readdir(path, { withFileTypes: true })).map((e) => ({ name: e.name, isDirectory: e.isDirectory() })),
  mkdirp: async (path) => {
    await mkdir(path, { recursive: true });
  },
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  removeTree: (path) => rm(path, { recursive: true, force: true }),
};

let current: FileSystem = nodeFileSystem;

/** The file system storage/ uses right now. */
export function storageFs(): FileSystem {
  return current;
}

/** Test seam: makes storage/ use `fs` (process-wide) until the returned function restores the previous one. */
export function setStorageFileSystem(fs: FileSystem): () => void {
  const previous = current;
  current = fs;
  return () => {
    current = previous;
  };
}
