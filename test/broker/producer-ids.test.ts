import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalProducerIdBlocks, PRODUCER_ID_BLOCK_FILE, ProducerIdManager } from '../../src/broker/producer-ids.js';

describe('producer id blocks', () => {
  it('claims a durable block before handing out its ids, and a new one after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'logctl-pid-'));
    try {
      const first = new ProducerIdManager(new LocalProducerIdBlocks(dir), 3);
      // Concurrent requests share one claim and still get distinct ids.
      const ids = await Promise.all(Array.from({ length: 5 }, () => first.nextId()));
      expect(ids).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(await readFile(join(dir, PRODUCER_ID_BLOCK_FILE), 'utf8')).toBe('6\n');
      // A restart (crash or not) skips the rest of the last block: 5 is never handed out.
      const second = new ProducerIdManager(new LocalProducerIdBlocks(dir), 3);
      expect(await second.nextId()).toBe(6n);
      expect(await readFile(join(dir, PRODUCER_ID_BLOCK_FILE), 'utf8')).toBe('9\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
