// Fetch: whole stored batches from fetchOffset, within partitionMaxBytes and the request's maxBytes,
// always at least one batch for the first partition with data (KIP-74). Long poll: when fewer than
// minBytes are available, wait up to maxWaitMs, woken by Log.watchData (appends), never by polling.
// No fetch sessions (sessionId 0), no read replicas (-1), no transactions yet (LSO = HW, no aborts).
import { ErrorCode } from '../../common/index.js';
import {
  Fetch,
  type FetchRequest,
  type FetchResponse,
  type FetchResponsePartition,
} from '../../protocol/index.js';
import type { Log, ReadAllocator } from '../../storage/index.js';
import type { BrokerContext } from '../context.js';
import { toErrorCode } from '../to-error-code.js';
import { checkFetchLeadership } from './fetch-cluster.js';
import type { Handler } from './handler.js';

const EMPTY: Buffer = Buffer.alloc(0);

export const fetchHandler: Handler<FetchRequest, FetchResponse> = {
  codec: Fetch,
  minVersion: 4,
  maxVersion: 11,
  async handle(request, _version, ctx) {
    const { broker } = ctx;
    const deadline = Date.now() + Math.max(0, request.maxWaitMs);
    // Pooled read buffers this response's records are views of: back to the pool once it is written.
    const lent: Buffer[] = [];
    const alloc = broker.readBuffers.allocator(lent);
    ctx.onWritten = () => broker.readBuffers.release(lent);
    for (;;) {
      const { response, bytes } = await readAll(broker, request, alloc);
      const remaining = deadline - Date.now();
      const closing = ctx.connection.closing;
      if (bytes >= request.minBytes || remaining <= 0 || broker.shutdown.aborted || closing?.aborted === true || hasError(response)) return response;
      // Too little to answer yet: this read's records are dropped, so are its buffers.
      broker.readBuffers.release(lent);
      const woken = await waitForAnyData(broker, request, remaining, closing);
      if (!woken) return (await readAll(broker, request, alloc)).response;
    }
  },
};

function hasError(response: FetchResponse): boolean {
  return response.responses.some((t) => t.partitions.some((p) => p.errorCode !== 0));
}

async function readAll(broker: BrokerContext, request: FetchRequest, alloc: ReadAllocator): Promise<{ response: FetchResponse; bytes: number }> {
  let budget = request.maxBytes;
  let bytes = 0;
  const responses = [];
  for (const topic of request.topics) {
    const partitions: FetchResponsePartition[] = [];
    for (const p of topic.partitions) {
      const refusal = broker.cluster === null ? 0 : checkFetchLeadership(broker.cluster, topic.topic, p, request.replicaId);
      if (refusal !== 0) {
        partitions.push(failed(p.partition, refusal));
        continue;
      }
      const log = broker.logs.getLog(topic.topic, p.partition);
      if (log === undefined) {
        partitions.push(failed(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        continue;
      }
      // Once some data is in the response, later partitions must fit the remaining budget exactly.
      const limit = Math.min(p.partitionMaxBytes, Math.max(budget, 0));
      const result = await readPartition(broker, log, Number(p.fetchOffset), limit, request.replicaId >= 0, bytes > 0, alloc);
      partitions.push(result);
      const size = result.records?.length ?? 0;
      bytes += size;
      budget -= size;
    }
    responses.push({ topic: topic.topic, partitions });
  }
  return { response: { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses }, bytes };
}

async function readPartition(
  broker: BrokerContext,
  log: Log,
  fetchOffset: number,
  limit: number,
  fromReplica: boolean,
  strictLimit: boolean,
  alloc: ReadAllocator,
): Promise<FetchResponsePartition> {
  const base = {
    partitionIndex: log.partition,
    abortedTransactions: [],
    preferredReadReplica: -1,
  };
  try {
    const skip = strictLimit && limit <= 0;
    const result = skip ? null : await log.read(fetchOffset, Math.max(limit, 1), fromReplica ? log.logEndOffset : undefined, alloc);
    let records: Buffer = EMPTY;
    if (result !== null && result.size > 0 && !(strictLimit && result.size > limit)) {
      records = result.records.length === 1 ? (result.records[0] as Buffer) : Buffer.concat(result.records, result.size);
    }
    const highWatermark = BigInt(result?.highWatermark ?? log.highWatermark);
    return {
      ...base,
      errorCode: 0,
      highWatermark,
      lastStableOffset: highWatermark,
      logStartOffset: BigInt(result?.logStartOffset ?? log.logStartOffset),
      records,
    };
  } catch (err) {
    return {
      ...base,
      errorCode: toErrorCode(err, broker.logger, { api: 'Fetch', topic: log.topic, partition: log.partition }),
      highWatermark: BigInt(log.highWatermark),
      lastStableOffset: BigInt(log.highWatermark),
      logStartOffset: BigInt(log.logStartOffset),
      records: EMPTY,
    };
  }
}

function failed(partitionIndex: number, errorCode: number): FetchResponsePartition {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    abortedTransactions: [],
    preferredReadReplica: -1,
    records: EMPTY,
  };
}

/** Resolves true when any requested partition gets data past its fetch offset, false on timeout,
 *  shutdown, or when the client's connection is closing (a half-closed client waits only for this answer). */
function waitForAnyData(broker: BrokerContext, request: FetchRequest, timeoutMs: number, closing?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const cancels: (() => void)[] = [];
    let settled = false;
    const finish = (woken: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const cancel of cancels) cancel();
      broker.shutdown.removeEventListener('abort', stop);
      closing?.removeEventListener('abort', stop);
      resolve(woken);
    };
    const stop = (): void => finish(false);
    const timer = setTimeout(stop, timeoutMs);
    broker.shutdown.addEventListener('abort', stop, { once: true });
    closing?.addEventListener('abort', stop, { once: true });
    const onData = (): void => finish(true);
    for (const topic of request.topics) {
      for (const p of topic.partitions) {
        const log = broker.logs.getLog(topic.topic, p.partition);
        if (log === undefined) continue;
        // A follower waits for the log end (it replicates past the high watermark). A consumer waits
        // past what is already there: data below the high watermark did not reach minBytes.
        const follower = request.replicaId >= 0;
        const offset = follower ? Number(p.fetchOffset) : Math.max(Number(p.fetchOffset), log.highWatermark);
        cancels.push(log.watchData(offset, onData, { untilLogEnd: follower }));
        // Woken while registering (the log closed or failed): the later partitions need no watch.
        if (settled) return;
      }
    }
  });
}
