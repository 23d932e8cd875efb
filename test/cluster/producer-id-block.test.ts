import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdMetadataStore, EtcdProducerIdBlocks, PRODUCER_ID_BLOCK_KEY } from '../../src/cluster/index.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';

let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
});

describe('producer id blocks in etcd', () => {
  it('gives concurrent claimers from several brokers disjoint blocks', async () => {
    const stores = await Promise.all([0, 1, 2].map(() => EtcdMetadataStore.open({ endpoints: [etcd.endpoint], clusterName: 'pid-blocks' })));
    try {
      const claims = await Promise.all(stores.flatMap((s) => [0, 1, 2, 3].map(() => new EtcdProducerIdBlocks(s.namespace).claim(100))));
      expect([...claims].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i * 100));
      expect((await stores[0]!.namespace.get(PRODUCER_ID_BLOCK_KEY).string())).toBe('1200');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
