// /metrics and /health against a real broker: exact traffic counters after raw Produce/Fetch requests
// of known batches, per-partition offsets, consumer-group lag from a committed offset, and the health
// states of the endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/common/index.js';
import { BrokerMetrics, MetricsServer } from '../../src/broker/index.js';
import { Fetch, OffsetCommit, Produce, type ProduceRequest } from '../../src/protocol/index.js';
import { buildRecordBatch } from '../../src/records/index.js';
import { createTopic, startTestBroker, type RawClient, type TestBroker } from './helpers.js';
import { fetchRequest } from '../helpers/fetch-request.js';

let t: TestBroker;
let base: string;

beforeAll(async () => {
  t = await startTestBroker({ 'metrics.listen': '127.0.0.1:0' });
  const address = t.broker.metricsAddress;
  if (!address) throw new Error('metrics endpoint not started');
  base = `http://${address.host}:${address.port}`;
});
afterAll(async () => {
  await t?.cleanup();
});

function produceRequest(topic: string, partition: number, records: Buffer): ProduceRequest {
  return { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

const records = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}-${i}`) }));

/** The samples of a scrape as "name{labels}" → value. */
async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function send(c: RawClient, topic: string, partition: number, batch: Buffer): Promise<void> {
  const res = await c.send(Produce, 7, produceRequest(topic, partition, batch));
  expect(res.responses[0]?.partitionResponses[0]?.errorCode).toBe(0);
}

describe('broker metrics', () => {
  it('counts bytes and records in and out per topic, requests per API, offsets and group lag', async () => {
    await createTopic(t, 'm-orders', 2);
    await createTopic(t, 'm-audit', 1);
    const c = await t.client();
    const plain = await buildRecordBatch(records(7, 'plain'));
    const zstd = await buildRecordBatch(records(5, 'zstd'), { compression: 'zstd' });
    const audit = await buildRecordBatch(records(3, 'audit'), { compression: 'lz4' });
    await send(c, 'm-orders', 0, plain);
    await send(c, 'm-orders', 1, zstd);
    await send(c, 'm-audit', 0, audit);
    const fetched = await c.send(Fetch, 11, fetchRequest('m-orders', 0, 0));
    expect(fetched.responses[0]?.partitions[0]?.records?.length).toBe(plain.length);
    const commit = await c.send(OffsetCommit, 2, {
      groupId: 'billing', generationIdOrMemberEpoch: -1, memberId: '', retentionTimeMs: -1n,
      topics: [{ name: 'm-orders', partitions: [{ partitionIndex: 0, committedOffset: 4n, committedMetadata: null }] }],
    });
    expect(commit.topics[0]?.partitions[0]?.errorCode).toBe(0);

    const m = await scrape();
    expect(m.get('logctl_topic_bytes_in_total{topic="m-orders"}')).toBe(plain.length + zstd.length);
    expect(m.get('logctl_topic_records_in_total{topic="m-orders"}')).toBe(12);
    expect(m.get('logctl_topic_bytes_in_total{topic="m-audit"}')).toBe(audit.length);
    expect(m.get('logctl_topic_records_in_total{topic="m-audit"}')).toBe(3);
    expect(m.get('logctl_topic_bytes_out_total{topic="m-orders"}')).toBe(plain.length);
    expect(m.get('logctl_topic_records_out_total{topic="m-orders"}')).toBe(7);
    expect(m.get('logctl_topic_bytes_out_total{topic="m-audit"}')).toBe(0);
    // CreateTopics ×2 (helpers), Produce ×3, Fetch ×1, OffsetCommit ×1: each counted once it answered.
    expect(m.get('logctl_requests_total{api="Produce"}')).toBe(3);
    expect(m.get('logctl_requests_total{api="Fetch"}')).toBe(1);
    expect(m.get('logctl_requests_total{api="CreateTopics"}')).toBe(2);
    expect(m.get('logctl_requests_total{api="OffsetCommit"}')).toBe(1);
    expect(m.get('logctl_request_duration_seconds_count{api="Produce"}')).toBe(3);
    expect(m.get('logctl_request_duration_seconds_bucket{api="Produce",le="+Inf"}')).toBe(3);
    expect(m.get('logctl_request_duration_seconds_sum{api="Produce"}')).toBeGreaterThan(0);
    expect(m.get('logctl_log_end_offset{topic="m-orders",partition="0"}')).toBe(7);
    expect(m.get('logctl_high_watermark{topic="m-orders",partition="0"}')).toBe(7);
    expect(m.get('logctl_log_end_offset{topic="m-orders",partition="1"}')).toBe(5);
    expect(m.get('logctl_high_watermark{topic="m-audit",partition="0"}')).toBe(3);
    expect(m.get('logctl_log_start_offset{topic="m-audit",partition="0"}')).toBe(0);
    expect(m.get('logctl_consumer_group_committed_offset{group="billing",topic="m-orders",partition="0"}')).toBe(4);
    expect(m.get('logctl_consumer_group_lag{group="billing",topic="m-orders",partition="0"}')).toBe(3);
    // 3 topic partitions plus the __consumer_offsets partition the commit created.
    expect(m.get('logctl_partitions')).toBe(4);
    expect(m.get('logctl_under_replicated_partitions')).toBe(0);
    expect(m.get('logctl_event_loop_delay_seconds{stat="max"}')).toBeGreaterThanOrEqual(0);
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('answers /health ready, /health/live, 404 and 405', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ready' });
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'live' });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('health endpoint states', () => {
  it('is 503 while starting and stopping, 200 when ready, and closed after stop', async () => {
    const metrics = new BrokerMetrics();
    const server = await MetricsServer.listen({ host: '127.0.0.1', port: 0 }, metrics, silentLogger);
    const url = `http://127.0.0.1:${server.address.port}/health`;
    try {
      const starting = await fetch(url);
      expect([starting.status, await starting.json()]).toEqual([503, { status: 'starting' }]);
      server.state = 'ready';
      const ready = await fetch(url);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
      server.state = 'stopping';
      const stopping = await fetch(url);
      expect([stopping.status, await stopping.json()]).toEqual([503, { status: 'stopping' }]);
      // /health/live stays 200 whatever the readiness.
      expect((await fetch(`http://127.0.0.1:${server.address.port}/health/live`)).status).toBe(200);
    } finally {
      await server.close();
      metrics.close();
    }
    await expect(fetch(url)).rejects.toThrow();
  });

  it('a broker with metrics.listen stops its endpoint with it', async () => {
    const b = await startTestBroker({ 'metrics.listen': '127.0.0.1:0' });
    const address = b.broker.metricsAddress;
    expect(address).not.toBeNull();
    const url = `http://${address?.host}:${address?.port}/health`;
    expect((await fetch(url)).status).toBe(200);
    await b.cleanup();
    await expect(fetch(url)).rejects.toThrow();
  });
});
