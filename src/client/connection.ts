// One client connection to a broker: writes request frames, matches response frames to requests by
// correlation id, and lets several requests be in flight at once (pipelining).
//
// Bytes on the wire (framing and headers are encoded by protocol/, reassembly is net's FrameDecoder):
//   request:  int32 size | int16 apiKey | int16 apiVersion | int32 correlationId | int16-length clientId
//             | (flexible versions) tagged fields | body
//   response: int32 size | int32 correlationId | (flexible, except ApiVersions) tagged fields | body
// The correlation id is the first 4 bytes of every response frame, read before anything else to find
// the request (and so the apiKey/version that tells how to parse the rest of the header).
import type { Socket } from 'node:net';
import { ConnectionError, ProtocolError, errorMessage, silentLogger, type Logger } from '../common/index.js';
import { FrameDecoder, connect } from '../net/index.js';
import { decodeResponseHeader, encodeRequestFrame, type ApiCodec } from '../protocol/index.js';
import { formatBrokerAddress, type BrokerAddress } from './address.js';
import type { ApiVersionTable } from './versions.js';

export interface ConnectionOptions {
  clientId?: string;
  /** Deadline for the TCP/Unix connect. */
  connectTimeoutMs?: number;
  /** Default deadline for each request (a Fetch adds its maxWaitMs on top). */
  requestTimeoutMs?: number;
  /** Largest response frame accepted (fetch responses can be ~50 MiB). */
  maxFrameBytes?: number;
  logger?: Logger;
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Aborting rejects the request at once; a late response is then dropped by correlation id. */
  signal?: AbortSignal;
}

interface Pending {
  apiKey: number;
  apiVersion: number;
  name: string;
  resolve(body: Buffer): void;
  reject(err: Error): void;
  cleanup(): void;
}

const DEFAULTS = { clientId: 'logctl', connectTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxFrameBytes: 256 * 1024 * 1024 };

export class KafkaConnection {
  readonly address: BrokerAddress;
  readonly label: string;
  /** Broker's advertised API ranges, set by ApiVersions negotiation (KafkaClient does it on open). */
  versions: ApiVersionTable = new Map();
  private readonly socket: Socket;
  private readonly decoder: FrameDecoder;
  private readonly clientId: string;
  private readonly requestTimeoutMs: number;
  private readonly logger: Logger;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 0;
  private closedError: ConnectionError | null = null;
  private socketError: Error | null = null;
  private closing = false;
  private readonly closed: Promise<void>;

  static async open(address: BrokerAddress, options: ConnectionOptions = {}): Promise<KafkaConnection> {
    const timeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    let socket: Socket;
    try {
      socket = await connect(address, timeoutMs);
    } catch (err) {
      throw new ConnectionError(`cannot connect to ${formatBrokerAddress(address)}: ${describeSocketError(err, timeoutMs)}`, {
        cause: err,
      });
    }
    return new KafkaConnection(socket, address, options);
  }

  private constructor(socket: Socket, address: BrokerAddress, options: ConnectionOptions) {
    this.socket = socket;
    this.address = address;
    this.label = formatBrokerAddress(address);
    this.clientId = options.clientId ?? DEFAULTS.clientId;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    this.logger = options.logger ?? silentLogger;
    this.decoder = new FrameDecoder(options.maxFrameBytes ?? DEFAULTS.maxFrameBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.socketError = err;
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.failAll(this.closeReason());
        resolve();
      });
    });
  }

  get isClosed(): boolean {
    return this.closedError !== null || this.socket.destroyed;
  }

  /** Requests sent and not yet answered (or timed out). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request and resolves with the decoded response. */
  async send<Req, Res>(codec: ApiCodec<Req, Res>, version: number, request: Req, options: RequestOptions = {}): Promise<Res> {
    const body = await this.sendRaw(codec.apiKey, version, codec.encodeRequest(request, version), codec.name, options);
    return codec.decodeResponse(body, version);
  }

  /** Sends a request the broker will not answer (Produce with acks=0); resolves once written to the socket. */
  sendNoResponse<Req, Res>(codec: ApiCodec<Req, Res>, version: number, request: Req): Promise<void> {
    const frame = this.frame(codec.apiKey, version, codec.encodeRequest(request, version));
    return new Promise((resolve, reject) => {
      if (this.closedError !== null) return reject(this.closedError);
      this.write(frame, (err) => (err ? reject(this.closeReason()) : resolve()));
    });
  }

  /** Sends request body chunks and resolves with the response body (after the response header). */
  sendRaw(apiKey: number, apiVersion: number, body: Buffer[], name: string, options: RequestOptions = {}): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.closedError !== null) return reject(this.closedError);
      if (options.signal?.aborted) return reject(abortError(options.signal));
      const correlationId = this.nextId();
      const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        cleanup();
        reject(new ConnectionError(`${name} request to ${this.label} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = (): void => {
        this.pending.delete(correlationId);
        cleanup();
        reject(abortError(options.signal));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(correlationId, { apiKey, apiVersion, name, resolve, reject, cleanup });
      this.write(this.frameWithId(apiKey, apiVersion, correlationId, body));
    });
  }

  /** Closes the socket after flushing what was written; pending requests reject with ConnectionError. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.failAll(new ConnectionError(`connection to ${this.label} closed`));
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), 1000);
      timer.unref();
      await this.closed;
      clearTimeout(timer);
    }
    await this.closed;
  }

  /** Closes at once without flushing: for connections whose pending requests nobody awaits any more. */
  destroy(): void {
    this.closing = true;
    this.failAll(new ConnectionError(`connection to ${this.label} closed`));
    this.socket.destroy();
  }

  private nextId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    return id;
  }

  private frame(apiKey: number, apiVersion: number, body: Buffer[]): Buffer[] {
    return this.frameWithId(apiKey, apiVersion, this.nextId(), body);
  }

  private frameWithId(apiKey: number, apiVersion: number, correlationId: number, body: Buffer[]): Buffer[] {
    return encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId: this.clientId }, body);
  }

  private write(chunks: Buffer[], done?: (err?: Error | null) => void): void {
    this.socket.cork();
    chunks.forEach((chunk, i) => this.socket.write(chunk, i === chunks.length - 1 ? done : undefined));
    this.socket.uncork();
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.abortConnection(err);
      return;
    }
    for (const frame of frames) {
      if (frame.length < 4) {
        this.abortConnection(new ProtocolError(`response frame of ${frame.length} bytes has no correlation id`));
        return;
      }
      const correlationId = frame.readInt32BE(0);
      const request = this.pending.get(correlationId);
      if (request === undefined) {
        // Timed out or aborted earlier: nobody waits for it any more.
        this.logger.debug('dropping response without a waiting request', { broker: this.label, correlationId });
        continue;
      }
      this.pending.delete(correlationId);
      request.cleanup();
      try {
        const { bodyOffset } = decodeResponseHeader(frame, request.apiKey, request.apiVersion);
        request.resolve(frame.subarray(bodyOffset));
      } catch (err) {
        request.reject(err instanceof Error ? err : new ProtocolError(errorMessage(err)));
      }
    }
  }

  private abortConnection(err: unknown): void {
    const reason = new ConnectionError(`bad response from ${this.label}: ${errorMessage(err)}`, { cause: err });
    this.failAll(reason);
    this.socket.destroy();
  }

  private closeReason(): ConnectionError {
    if (this.closedError !== null) return this.closedError;
    if (this.socketError !== null) {
      return new ConnectionError(`lost connection to ${this.label}: ${describeSocketError(this.socketError)}`, {
        cause: this.socketError,
      });
    }
    return new ConnectionError(`connection to ${this.label} closed by the broker`);
  }

  private failAll(reason: ConnectionError): void {
    if (this.closedError === null) this.closedError = reason;
    const requests = [...this.pending.values()];
    this.pending.clear();
    for (const r of requests) {
      r.cleanup();
      r.reject(reason);
    }
  }
}

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the broker running?)',
  ENOENT: 'no such socket file (is the broker running?)',
  ECONNRESET: 'connection reset by the broker',
  EPIPE: 'connection closed by the broker',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  EACCES: 'permission denied',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTSOCK: 'not a socket',
};

/** A short human reason for a socket error, from its errno code (found on the error or its cause). */
export function describeSocketError(err: unknown, timeoutMs?: number): string {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code in SOCKET_ERRORS) return SOCKET_ERRORS[code] as string;
  }
  const message = errorMessage(err);
  if (/timed out/i.test(message)) return timeoutMs === undefined ? 'timed out' : `timed out after ${timeoutMs} ms`;
  return message;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}
