// A broker's session with etcd: one lease, kept alive in the background, to which the broker's
// registration and (when it is controller) the controller key are attached. When the lease is lost
// (etcd unreachable for longer than the TTL, or the lease revoked) everything attached to it is gone
// from etcd: listeners are told, and the next `leaseId()` grants a fresh lease for re-registration.
import type { Lease, Namespace } from 'etcd3';
import { errorMessage, type Logger } from '../common/index.js';

export class EtcdSession {
  private lease: Lease | null = null;
  private granted: Promise<string> | null = null;
  private closed = false;
  private readonly lostListeners = new Set<(leaseId: string) => void>();

  constructor(
    private readonly namespace: Namespace,
    readonly ttlSeconds: number,
    private readonly logger: Logger,
    private readonly callTimeoutMs: number,
  ) {}

  /** The current lease id, granting a new lease if there is none (first use, or after a loss). */
  leaseId(): Promise<string> {
    if (this.closed) return Promise.reject(new Error('etcd session is closed'));
    if (this.granted !== null) return this.granted;
    const lease = this.namespace.lease(this.ttlSeconds);
    this.lease = lease;
    const granted = lease.grant();
    this.granted = granted;
    lease.on('lost', (err) => {
      if (this.lease !== lease) return;
      this.lease = null;
      this.granted = null;
      void granted.then(
        (id) => {
          this.logger.warn('etcd session lease lost', { leaseId: id, error: errorMessage(err) });
          for (const listener of [...this.lostListeners]) listener(id);
        },
        () => undefined,
      );
    });
    // A failed grant also emits 'lost' (handled above), so the next call retries with a new lease.
    granted.catch(() => undefined);
    return granted;
  }

  /** The lease id if one is currently held and granted, without granting. */
  async currentLeaseId(): Promise<string | null> {
    if (this.granted === null) return null;
    return this.granted.catch(() => null);
  }

  /** Called with the lost lease's id; returns an unsubscribe function. */
  onLost(listener: (leaseId: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Revokes the lease so attached keys disappear at once (clean shutdown), then stops keepalives. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const lease = this.lease;
    this.lease = null;
    this.granted = null;
    if (lease === null) return;
    try {
      await lease.revoke({ deadline: new Date(Date.now() + this.callTimeoutMs) });
    } catch (err) {
      // etcd unreachable: the lease expires on its own after the TTL.
      this.logger.debug('etcd lease revoke failed', { error: errorMessage(err) });
      lease.release();
    }
  }
}
