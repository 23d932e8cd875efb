// Producer ids for InitProducerId, handed out from blocks so that the durable write happens once per
// block, not once per producer: a block is claimed (persisted) before any of its ids is given out, so
// after a crash the next start claims a new block and an id is never handed out twice.
//
// Single node: `<dataDir>/producer-id-block`, text, one line: the first producer id not yet claimed
// (decimal) and "\n"; replaced atomically (write + fsync of a temp file, rename, fsync of the dir).
// Absent = 0. Cluster: the etcd key of cluster/producer-id-block.ts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProducerIdBlockSource } from '../cluster/index.js';
import { StorageError } from '../common/index.js';
import { writeFileAtomically } from '../storage/index.js';

export const PRODUCER_ID_BLOCK_FILE = 'producer-id-block';
export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class LocalProducerIdBlocks implements ProducerIdBlockSource {
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, PRODUCER_ID_BLOCK_FILE);
  }

  async claim(size: number): Promise<number> {
    let first = 0;
    try {
      const text = (await readFile(this.path, 'utf8')).trim();
      first = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(first)) throw new StorageError(`${this.path} does not hold a producer id: "${text}"`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await writeFileAtomically(this.path, `${first + size}\n`);
    return first;
  }
}

export class ProducerIdManager {
  private next = 0;
  private end = 0;
  /** Serializes claims: concurrent InitProducerId requests share one block claim. */
  private claiming: Promise<void> | null = null;

  constructor(
    private readonly source: ProducerIdBlockSource,
    private readonly blockSize = PRODUCER_ID_BLOCK_SIZE,
  ) {}

  async nextId(): Promise<bigint> {
    while (this.next >= this.end) {
      this.claiming ??= this.source.claim(this.blockSize).then(
        (first) => {
          this.next = first;
          this.end = first + this.blockSize;
          this.claiming = null;
        },
        (err: unknown) => {
          this.claiming = null;
          throw err;
        },
      );
      await this.claiming;
    }
    return BigInt(this.next++);
  }
}
