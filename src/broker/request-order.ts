// Per-connection execution order. Kafka handles one request per connection at a time, so a request
// always sees the effects of the ones before it. logctl keeps that visible behaviour with one
// relaxation: consecutive Produce requests run concurrently (their appends still reach each
// partition in arrival order), so a pipelining producer shares fsyncs (group commit). Every other
// request, and the first Produce after one, waits until everything before it has finished.
import type { ConnectionContext } from '../net/index.js';

interface ConnectionState {
  /** Requests not yet finished. */
  pending: number;
  /** Non-Produce requests not yet finished, plus everything before each of them. */
  pendingBarrier: number;
  /** Resolves when everything issued so far has finished. */
  allDone: Promise<void>;
  /** Resolves when every request up to the last non-Produce one has finished. */
  barrierDone: Promise<void>;
}

export class RequestOrder {
  private readonly states = new WeakMap<ConnectionContext, ConnectionState>();

  /**
   * Runs `start` once the request may begin: synchronously when nothing blocks it (keeping arrival
   * order into storage), otherwise after the requests it must follow.
   */
  run<T>(connection: ConnectionContext, concurrent: boolean, start: () => Promise<T>): Promise<T> {
    let state = this.states.get(connection);
    if (state === undefined) {
      state = { pending: 0, pendingBarrier: 0, allDone: Promise.resolve(), barrierDone: Promise.resolve() };
      this.states.set(connection, state);
    }
    const s = state;
    const mustWait = concurrent ? s.pendingBarrier > 0 : s.pending > 0;
    const waitFor = concurrent ? s.barrierDone : s.allDone;
    const result = mustWait ? waitFor.then(start) : invoke(start);
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    s.pending++;
    s.allDone = Promise.all([s.allDone, done]).then(() => undefined);
    void done.then(() => s.pending--);
    if (!concurrent) {
      s.pendingBarrier = s.pending;
      s.barrierDone = s.allDone;
      const barrier = s.allDone;
      void barrier.then(() => {
        if (s.barrierDone === barrier) s.pendingBarrier = 0;
      });
    }
    return result;
  }
}

function invoke<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (err) {
    return Promise.reject(err);
  }
}
