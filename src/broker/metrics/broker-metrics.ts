// What the broker counts and how a scrape turns it into Prometheus text. The hot path only bumps
// numbers in per-topic and per-API objects (one Map lookup per partition or request, no per-record
// work: record counts come from batch headers). Everything else (partitions, offsets, consumer lag,
// event-loop delay) is read at scrape time from the logs and the group coordinator.
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { GroupCoordinator } from '../../coordinator/index.js';
import type { LogManager } from '../../storage/index.js';
import { Exposition, Histogram, type Sample } from './exposition.js';

interface TopicCounters {
  bytesIn: number;
  recordsIn: number;
  bytesOut: number;
  recordsOut: number;
}

/** Where a scrape reads the state it reports. */
export interface MetricsSources {
  logs: LogManager;
  groupCoordinator: GroupCoordinator;
  /** Partitions led here whose ISR is smaller than their replica set (0 on a single broker). */
  underReplicatedPartitions?: () => number;
}

const NS_PER_S = 1e9;

export class BrokerMetrics {
  private readonly topics = new Map<string, TopicCounters>();
  private readonly requests = new Map<string, Histogram>();
  private readonly eventLoop: IntervalHistogram;
  private sources: MetricsSources | null = null;

  constructor() {
    // 20 ms sampling: fine enough to see stalls, cheap enough to leave on.
    this.eventLoop = monitorEventLoopDelay({ resolution: 20 });
    this.eventLoop.enable();
  }

  /** Set once storage and the coordinator exist; until then a scrape reports only counters. */
  attach(sources: MetricsSources): void {
    this.sources = sources;
  }

  /** A produce appended `bytes` of batches holding `records` records to `topic`. */
  produced(topic: string, bytes: number, records: number): void {
    const t = this.topic(topic);
    t.bytesIn += bytes;
    t.recordsIn += records;
  }

  /** A consumer fetch returned `bytes` of batches holding `records` records of `topic`. */
  fetched(topic: string, bytes: number, records: number): void {
    const t = this.topic(topic);
    t.bytesOut += bytes;
    t.recordsOut += records;
  }

  /** One request of `api` answered (or failed) after `startedAt` (performance.now() milliseconds). */
  requestDone(api: string, startedAt: number): void {
    let h = this.requests.get(api);
    if (h === undefined) {
      h = new Histogram();
      this.requests.set(api, h);
    }
    h.observe((performance.now() - startedAt) / 1000);
  }

  /** Stops the event-loop sampler (it holds no handle, but stop() should leave nothing running). */
  close(): void {
    this.eventLoop.disable();
  }

  render(): string {
    const out = new Exposition();
    const topics = [...this.topics.entries()];
    const perTopic = (pick: (t: TopicCounters) => number): Sample[] => topics.map(([topic, t]) => ({ labels: { topic }, value: pick(t) }));
    out.family('logctl_topic_bytes_in_total', 'counter', 'Bytes of record batches appended by producers, per topic.', perTopic((t) => t.bytesIn));
    out.family('logctl_topic_records_in_total', 'counter', 'Records appended by producers, per topic.', perTopic((t) => t.recordsIn));
    out.family('logctl_topic_bytes_out_total', 'counter', 'Bytes of record batches sent to consumers, per topic.', perTopic((t) => t.bytesOut));
    out.family('logctl_topic_records_out_total', 'counter', 'Records sent to consumers, per topic (whole batches).', perTopic((t) => t.recordsOut));
    const apis = [...this.requests.entries()].sort(([a], [b]) => a.localeCompare(b));
    out.family('logctl_requests_total', 'counter', 'Requests answered, per API.', apis.map(([api, h]) => ({ labels: { api }, value: h.count })));
    out.histograms('logctl_request_duration_seconds', 'Time from a request\'s arrival to its response, per API (Fetch includes its long poll).', apis.map(([api, histogram]) => ({ labels: { api }, histogram })));
    if (this.sources !== null) this.renderState(out, this.sources);
    this.renderEventLoop(out);
    return out.text();
  }

  private topic(name: string): TopicCounters {
    let t = this.topics.get(name);
    if (t === undefined) {
      t = { bytesIn: 0, recordsIn: 0, bytesOut: 0, recordsOut: 0 };
      this.topics.set(name, t);
    }
    return t;
  }

  private renderState(out: Exposition, sources: MetricsSources): void {
    const logs = sources.logs.logs().sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    out.family('logctl_partitions', 'gauge', 'Partitions hosted by this broker (internal topics included).', [{ labels: {}, value: logs.length }]);
    out.family('logctl_under_replicated_partitions', 'gauge', 'Partitions whose in-sync replica set is smaller than their replica set.', [
      { labels: {}, value: sources.underReplicatedPartitions?.() ?? 0 },
    ]);
    const perPartition = (pick: (l: (typeof logs)[number]) => number): Sample[] =>
      logs.map((l) => ({ labels: { topic: l.topic, partition: l.partition }, value: pick(l) }));
    out.family('logctl_log_start_offset', 'gauge', 'First offset of each partition.', perPartition((l) => l.logStartOffset));
    out.family('logctl_log_end_offset', 'gauge', 'Offset the next appended record of each partition gets.', perPartition((l) => l.logEndOffset));
    out.family('logctl_high_watermark', 'gauge', 'Last committed offset + 1 of each partition (what consumers can read).', perPartition((l) => l.highWatermark));
    const committed: Sample[] = [];
    const lag: Sample[] = [];
    const coordinator = sources.groupCoordinator;
    for (const { groupId } of coordinator.listGroups().sort((a, b) => a.groupId.localeCompare(b.groupId))) {
      const { errorCode, offsets } = coordinator.fetchOffsets(groupId, null);
      if (errorCode !== 0) continue;
      for (const o of offsets) {
        if (o.offset < 0) continue;
        const labels = { group: groupId, topic: o.topic, partition: o.partition };
        committed.push({ labels, value: o.offset });
        const log = sources.logs.getLog(o.topic, o.partition);
        if (log !== undefined) lag.push({ labels, value: Math.max(0, log.highWatermark - o.offset) });
      }
    }
    out.family('logctl_consumer_group_committed_offset', 'gauge', 'Offset committed by each consumer group, per partition.', committed);
    out.family('logctl_consumer_group_lag', 'gauge', 'High watermark minus the committed offset, per group and partition.', lag);
  }

  /** Delay statistics since the previous scrape (the sampler is reset after each one, as prom-client does). */
  private renderEventLoop(out: Exposition): void {
    const h = this.eventLoop;
    const s = (ns: number): number => (Number.isFinite(ns) ? ns / NS_PER_S : 0);
    const stats: [string, number][] = [
      ['mean', s(h.mean)],
      ['p50', s(h.percentile(50))],
      ['p99', s(h.percentile(99))],
      ['max', s(h.max)],
    ];
    out.family('logctl_event_loop_delay_seconds', 'gauge', 'Event-loop delay since the previous scrape (mean, p50, p99, max).', stats.map(([stat, value]) => ({ labels: { stat }, value })));
    h.reset();
    const memory = process.memoryUsage();
    out.family('process_resident_memory_bytes', 'gauge', 'Resident set size.', [{ labels: {}, value: memory.rss }]);
    out.family('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', [{ labels: {}, value: memory.heapUsed }]);
  }
}
