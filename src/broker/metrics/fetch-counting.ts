// Bytes and records out per topic, counted from the Fetch responses consumers get. A wrapper keeps
// the fetch handler itself free of metrics code. Record counts come from each batch header's
// recordsCount (RecordBatch v2: batchLength int32 at byte 8, recordsCount int32 at byte 57, a batch
// spans 12 + batchLength bytes): one read per batch, never per record. A trailing partial batch
// (possible at the end of a fetch) adds its bytes but no records.
import type { FetchRequest, FetchResponse } from '../../protocol/index.js';
import { BATCH_FIELD, BATCH_HEADER_SIZE, BATCH_OVERHEAD } from '../../records/index.js';
import type { Handler } from '../handlers/handler.js';

export function countFetched(handler: Handler<FetchRequest, FetchResponse>): Handler<FetchRequest, FetchResponse> {
  return {
    ...handler,
    handle(request, version, ctx) {
      const metrics = ctx.broker.metrics;
      const pending = handler.handle(request, version, ctx);
      // Replica fetches (replicaId >= 0) are replication traffic, not consumption.
      if (metrics === undefined || request.replicaId >= 0) return pending;
      return pending.then((response) => {
        for (const topic of response?.responses ?? []) {
          let bytes = 0;
          let records = 0;
          for (const p of topic.partitions) {
            if (p.records === null || p.records.length === 0) continue;
            bytes += p.records.length;
            records += countRecords(p.records);
          }
          if (bytes > 0) metrics.fetched(topic.topic, bytes, records);
        }
        return response;
      });
    },
  };
}

/** Sum of recordsCount over the whole batches in buf. */
export function countRecords(buf: Buffer): number {
  let records = 0;
  let at = 0;
  while (at + BATCH_HEADER_SIZE <= buf.length) {
    const size = BATCH_OVERHEAD + buf.readInt32BE(at + BATCH_FIELD.batchLength);
    if (size < BATCH_HEADER_SIZE || at + size > buf.length) break;
    records += buf.readInt32BE(at + BATCH_FIELD.recordsCount);
    at += size;
  }
  return records;
}
