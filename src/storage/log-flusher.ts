// When a log's writes become durable: the fsyncs of its active segment and the recovery point they
// move. Log writes in its serial queue and asks here what an acknowledgement must wait for:
// - default policy (fsync before every ack): a written group waits for an fsync that started after
//   its write ended. The fsyncs run one after another beside the queue, so the queue writes group N+1
//   while group N is being synced (in the queue they took turns: with 1 MiB batches each took half the
//   time), and every group written during one fsync shares the next (group commit).
// - relaxed policy: the group is acknowledged at once; an fsync runs beside the queue once
//   flushIntervalMessages are unflushed or flushIntervalMs after the first unflushed write.
// An fsync covers what was written before it started, so the recovery point moves to the log end as
// it was then, unless a truncation came in between. Only the log file is synced: recovery always
// rescans the active segment and rebuilds its indexes.
import type { KafkaError } from '../common/index.js';
import { fsyncBeforeAck, type FlushPolicy } from './log-config.js';
import type { Segment } from './segment.js';

/** What the flusher needs of its log. */
export interface FlusherHost {
  /** The segment appends go to now. */
  active(): Segment;
  logEndOffset(): number;
  /** False once the log is closed or offline: no new fsync starts. */
  available(): boolean;
  /** An fsync ran (counted in the log's stats). */
  synced(): void;
  /** An fsync failed: the log goes offline (and calls failAll). */
  fail(err: unknown): void;
}

interface DurableWaiter {
  end: number;
  resolve: () => void;
  reject: (err: KafkaError) => void;
}

export class LogFlusher {
  private _recoveryPoint: number;
  private unflushedMessages = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The fsync running beside the queue, and whether another is due after it. */
  private running: Promise<void> | null = null;
  private again = false;
  /** Counts truncations: an fsync that straddles one must not raise the recovery point. */
  private truncations = 0;
  /** Default policy: written groups waiting for an fsync (in log order), and the last one's promise. */
  private waiters: DurableWaiter[] = [];
  private lastWaiter: Promise<void> = Promise.resolve();

  constructor(
    private readonly policy: FlushPolicy,
    recoveryPoint: number,
    private readonly host: FlusherHost,
  ) {
    this._recoveryPoint = recoveryPoint;
  }

  /** Offsets below it are on disk (fsynced). */
  get recoveryPoint(): number {
    return this._recoveryPoint;
  }

  /**
   * A group of `messages` was written and the log now ends at `end`: null when it may be acknowledged
   * at once (the relaxed policy), else a promise of an fsync covering it (rejected if the log fails).
   */
  written(messages: number, end: number): Promise<void> | null {
    if (!fsyncBeforeAck(this.policy)) {
      this.unflushedMessages += messages;
      this.schedule();
      return null;
    }
    if (end <= this._recoveryPoint) return Promise.resolve();
    const durable = new Promise<void>((resolve, reject) => this.waiters.push({ end, resolve, reject }));
    this.lastWaiter = durable.catch(() => undefined);
    this.syncInBackground();
    return durable;
  }

  /** Resolves once every group written so far was settled: the log's other tasks (truncation,
   *  deletion, roll, flush, close) never run between a write and its acknowledgement. */
  idle(): Promise<void> {
    return this.lastWaiter;
  }

  /** Everything below `offset` is durable (a sealed segment, an fsync in the queue). */
  covered(offset: number): void {
    this._recoveryPoint = Math.max(this._recoveryPoint, offset);
  }

  /** The log was truncated to end at `logEndOffset`. */
  truncated(logEndOffset: number): void {
    this.truncations++;
    this._recoveryPoint = Math.min(this._recoveryPoint, logEndOffset);
  }

  /** fsyncs the active segment now, in the log's queue; afterwards everything written is durable. */
  async syncNow(): Promise<void> {
    const end = this.host.logEndOffset();
    if (await this.host.active().flush(true)) this.host.synced();
    this.unflushedMessages = 0;
    this._recoveryPoint = end;
  }

  /** The log went offline: the groups waiting for an fsync fail with it. */
  failAll(failure: KafkaError): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(failure);
  }

  /** Stops the timer and waits for a running fsync (the log is closing). */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    await this.running;
  }

  /** The relaxed policy: an fsync once flushIntervalMessages are unflushed or flushIntervalMs
   *  after the first unflushed write, whichever comes first. */
  private schedule(): void {
    if (this.unflushedMessages >= this.policy.flushIntervalMessages) {
      this.syncInBackground();
    } else if (this.policy.flushIntervalMs > 0 && this.timer === null && this.unflushedMessages > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.syncInBackground();
      }, this.policy.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** One fsync beside the queue (or, when one runs, another right after it); settles the waiters it covers. */
  private syncInBackground(): void {
    if (!this.host.available()) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    const end = this.host.logEndOffset();
    const truncations = this.truncations;
    this.unflushedMessages = 0;
    this.running = this.host
      .active()
      .syncData()
      .then(
        (synced) => {
          if (synced) this.host.synced();
          if (truncations === this.truncations) this.covered(end);
          while (this.waiters.length > 0 && this.waiters[0]!.end <= this._recoveryPoint) this.waiters.shift()!.resolve();
          // Groups written while this fsync ran: the next one covers them.
          if (this.waiters.length > 0) this.again = true;
        },
        (err: unknown) => this.host.fail(err),
      )
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.syncInBackground();
        }
      });
  }
}
