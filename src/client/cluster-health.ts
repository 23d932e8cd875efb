// The health verdict of `cluster inspect` and the `--wait-ready` poll built on it. A cluster is healthy
// when it has a controller and every partition (internal ones included) has a leader, its full replica
// set in sync, and at least min.insync.replicas in sync. Problems are one short sentence each, named
// topic-partition as Kafka does.
import { LogctlError, errorMessage } from '../common/index.js';
import type { KafkaClient } from './client.js';
import type { ClusterInspection, InspectedTopic } from './cluster-inspect.js';

export interface ClusterHealth {
  healthy: boolean;
  problems: string[];
}

/** The cluster did not become healthy (or reachable) before the --wait-ready deadline. */
export class ClusterNotReadyError extends LogctlError {
  readonly code = 'CLUSTER_NOT_READY';
}

export function clusterHealth(state: { controller: number | null; topics: InspectedTopic[] }): ClusterHealth {
  const problems: string[] = [];
  if (state.controller === null) problems.push('no controller');
  for (const t of state.topics) {
    for (const p of t.partitions) {
      const name = `${t.name}-${p.partition}`;
      if (p.leader < 0) problems.push(`${name} has no leader`);
      if (p.isr.length < p.replicas.length) {
        problems.push(`${name} is under-replicated: ISR [${p.isr.join(',')}] of replicas [${p.replicas.join(',')}]`);
      }
      if (t.minInsyncReplicas !== null && p.isr.length < t.minInsyncReplicas) {
        problems.push(`${name} is under min ISR: ${p.isr.length} in sync, min.insync.replicas is ${t.minInsyncReplicas}`);
      }
    }
  }
  return { healthy: problems.length === 0, problems };
}

export interface WaitReadyOptions {
  /** Opens a client; it may fail while the broker is not up yet (that counts as not ready). */
  connect: () => Promise<KafkaClient>;
  inspect: (client: KafkaClient) => Promise<ClusterInspection>;
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Inspects every intervalMs until the cluster is healthy and returns that inspection. At the deadline it
 * throws ClusterNotReadyError with the last reason (unreachable, or the first health problem). An
 * attempt still running at the deadline is abandoned, not awaited.
 */
export async function waitUntilHealthy(options: WaitReadyOptions): Promise<ClusterInspection> {
  const interval = options.intervalMs ?? 250;
  const deadline = Date.now() + options.timeoutMs;
  // Held in an object: the attempt closure sets it, and the finally block must see that assignment.
  const held: { client: KafkaClient | null } = { client: null };
  let reason = 'no answer from the broker yet';
  try {
    for (;;) {
      const attempt = (async (): Promise<ClusterInspection> => {
        held.client ??= await options.connect();
        return options.inspect(held.client);
      })();
      const outcome = await withDeadline(attempt, deadline);
      if (outcome === 'deadline') break;
      if (outcome.ok) {
        const { problems } = outcome.value.health;
        if (outcome.value.health.healthy) return outcome.value;
        reason = problems.length === 1 ? (problems[0] ?? '') : `${problems[0]} (and ${problems.length - 1} more problems)`;
      } else {
        reason = errorMessage(outcome.error);
        // A broken client (broker restarted, connection lost) is replaced on the next attempt.
        await held.client?.close().catch(() => undefined);
        held.client = null;
      }
      const wait = Math.min(interval, deadline - Date.now());
      if (wait <= 0) break;
      await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    await held.client?.close().catch(() => undefined);
  }
  throw new ClusterNotReadyError(`cluster not ready after ${formatMs(options.timeoutMs)}: ${reason}`);
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function withDeadline<T>(work: Promise<T>, deadline: number): Promise<Outcome<T> | 'deadline'> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'deadline'>((r) => (timer = setTimeout(() => r('deadline'), Math.max(0, deadline - Date.now()))));
  const settled = work.then(
    (value): Outcome<T> => ({ ok: true, value }),
    (error: unknown): Outcome<T> => ({ ok: false, error }),
  );
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
