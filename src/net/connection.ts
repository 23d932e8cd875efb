// One client connection on the broker side: reads frames ahead (clients pipeline), hands each to the
// handler at once, and writes the responses strictly in request order, as Kafka clients expect
// (kafka-python matches responses to requests by position, not by correlation id).
import type { Socket } from 'node:net';
import { errorMessage, ProtocolError, type Logger } from '../common/index.js';
import { FrameDecoder } from './frame-decoder.js';
import type { FramePool } from './frame-pool.js';

export interface ConnectionContext {
  id: number;
  remote: string;
  /** Aborts once the client half-closed or the connection is closing: long polls should answer now,
   *  since nobody will send another request on it (and a half-closed client waits only for answers). */
  closing?: AbortSignal;
}

/** A response frame's chunks. `onWritten`, when set, runs once they are all handed to the kernel (or
 *  their write failed): then the chunks' memory may be reused (pooled fetch buffers). */
export type ResponseChunks = Buffer[] & { onWritten?: () => void };

/**
 * Called for every frame, in order; the returned promise's chunks (or null = no response, acks=0)
 * are written in request order even if later requests finish first. Throwing closes the connection.
 */
export type FrameHandler = (frame: Buffer, ctx: ConnectionContext) => Promise<ResponseChunks | null>;

export interface ConnectionOptions {
  maxFrameBytes: number;
  idleTimeoutMs: number;
  /** Reading pauses while this many requests await their response (backpressure on one client). */
  maxInFlight: number;
  logger: Logger;
  handler: FrameHandler;
  /** Memory for frames assembled from several chunks (see frame-pool.ts). */
  framePool?: FramePool;
}

/** A request whose response may not be written yet because an earlier one is still pending. */
interface Slot {
  settled: boolean;
  response: ResponseChunks | null;
  error: unknown;
}

export class Connection {
  readonly ctx: ConnectionContext;
  private readonly socket: Socket;
  private readonly options: ConnectionOptions;
  private readonly decoder: FrameDecoder;
  private readonly queue: Slot[] = [];
  private closing = false;
  private closed = false;
  private readonly closedPromise: Promise<void>;
  private pausedForBackpressure = false;
  private readonly closingController = new AbortController();

  constructor(socket: Socket, id: number, options: ConnectionOptions) {
    this.socket = socket;
    this.options = options;
    this.decoder = new FrameDecoder(options.maxFrameBytes, options.framePool);
    const remote = socket.remoteAddress !== undefined ? `${socket.remoteAddress}:${socket.remotePort}` : 'unix';
    this.ctx = { id, remote, closing: this.closingController.signal };
    socket.setNoDelay(true);
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => {
      this.closed = true;
      this.closingController.abort();
    });
    socket.on('error', (err) => options.logger.debug('connection error', { connection: id, error: err.message }));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.applyBackpressure());
    socket.on('end', () => {
      // The client half-closed: answer what it already sent, then close our side.
      void this.close();
    });
    if (options.idleTimeoutMs > 0) {
      socket.on('timeout', () => {
        // A request still being served (a long-polling fetch) is activity, not idleness: re-arm.
        if (this.queue.length > 0) {
          socket.setTimeout(options.idleTimeoutMs);
          return;
        }
        options.logger.debug('closing idle connection', { connection: id, remote: this.ctx.remote });
        socket.destroy();
      });
      socket.setTimeout(options.idleTimeoutMs);
    }
  }

  get inFlight(): number {
    return this.queue.length;
  }

  /** Resolves once the socket is fully closed. */
  get done(): Promise<void> {
    return this.closedPromise;
  }

  /** Graceful close: stop reading, let in-flight requests finish and their responses go out, then end. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.closingController.abort();
      this.socket.pause();
      this.endIfDrained();
    }
    return this.closedPromise;
  }

  /** Immediate close, dropping pending responses. */
  destroy(): void {
    this.closing = true;
    this.closingController.abort();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.options.logger.warn('closing connection: bad frame', {
        connection: this.ctx.id,
        remote: this.ctx.remote,
        error: errorMessage(err),
      });
      this.destroy();
      return;
    }
    for (const frame of frames) this.dispatch(frame);
    this.applyBackpressure();
  }

  /**
   * Stops reading while too many requests await their response, or while the client is not reading
   * what we already wrote (a slow consumer must not make us buffer its future fetch responses).
   */
  private applyBackpressure(): void {
    if (this.closing || this.closed) return;
    const overloaded = this.queue.length >= this.options.maxInFlight || this.socket.writableNeedDrain;
    if (overloaded && !this.pausedForBackpressure) {
      this.pausedForBackpressure = true;
      this.socket.pause();
    } else if (!overloaded && this.pausedForBackpressure) {
      this.pausedForBackpressure = false;
      this.socket.resume();
    }
  }

  private dispatch(frame: Buffer): void {
    const slot: Slot = { settled: false, response: null, error: undefined };
    this.queue.push(slot);
    let promise: Promise<ResponseChunks | null>;
    try {
      promise = this.options.handler(frame, this.ctx);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (response) => {
        slot.settled = true;
        slot.response = response;
        this.flush();
      },
      (err: unknown) => {
        slot.settled = true;
        slot.error = err ?? new Error('handler failed');
        this.flush();
      },
    );
  }

  /** Writes every settled response at the head of the queue, in order, in one corked burst. */
  private flush(): void {
    if (this.closed) return;
    let corked = false;
    while (this.queue.length > 0 && (this.queue[0] as Slot).settled) {
      const slot = this.queue.shift() as Slot;
      if (slot.error !== undefined) {
        // Undecodable input is the client's fault (a warning); anything else is a bug worth a stack.
        const fields = { connection: this.ctx.id, remote: this.ctx.remote, error: errorMessage(slot.error) };
        if (slot.error instanceof ProtocolError) {
          this.options.logger.warn('closing connection: bad request', fields);
        } else {
          const stack = slot.error instanceof Error ? slot.error.stack : undefined;
          this.options.logger.error('closing connection: request failed', { ...fields, stack });
        }
        this.queue.length = 0;
        this.destroy();
        return;
      }
      if (slot.response === null) continue;
      if (!corked) {
        this.socket.cork();
        corked = true;
      }
      const { onWritten } = slot.response;
      const last = slot.response.length - 1;
      for (let i = 0; i <= last; i++) {
        // Write callbacks run in order, so the last one's means every chunk of the frame is out.
        if (i === last && onWritten !== undefined) this.socket.write(slot.response[i]!, () => onWritten());
        else this.socket.write(slot.response[i]!);
      }
    }
    if (corked) this.socket.uncork();
    this.applyBackpressure();
    this.endIfDrained();
  }

  private endIfDrained(): void {
    // end() alone would wait for the client's FIN; once our bytes are flushed nothing else is owed.
    if (this.closing && this.queue.length === 0 && !this.closed) this.socket.end(() => this.socket.destroy());
  }
}
