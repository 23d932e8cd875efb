// TCP and Unix-socket listeners sharing one connection table and one frame handler.
import { existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { ConnectionError, errorMessage, type Logger } from '../common/index.js';
import { Connection, type FrameHandler } from './connection.js';
import type { FramePool } from './frame-pool.js';

export interface ServerOptions {
  maxFrameBytes: number;
  maxConnections: number;
  idleTimeoutMs: number;
  logger: Logger;
  handler: FrameHandler;
  /** Requests in flight on one connection before reading pauses (default 100). */
  maxInFlightPerConnection?: number;
  /** Memory for frames assembled from several chunks, shared by all connections (frame-pool.ts). */
  framePool?: FramePool;
}

const DEFAULT_MAX_IN_FLIGHT = 100;
const STALE_PROBE_TIMEOUT_MS = 500;

export class Server {
  private readonly options: ServerOptions;
  private readonly listeners: net.Server[] = [];
  private readonly unixPaths: string[] = [];
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private closing: Promise<void> | null = null;

  constructor(options: ServerOptions) {
    this.options = options;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listenTcp(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = this.createServer();
    await listen(server, { host, port });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new ConnectionError(`cannot listen on ${host}:${port}`);
    return { host: address.address, port: address.port };
  }

  /** Listens on a Unix socket; a socket file left by a dead broker is removed, a live one is an error. */
  async listenUnix(path: string): Promise<string> {
    if (existsSync(path)) {
      if (await answers(path)) throw new ConnectionError(`another process is listening on ${path}`);
      unlinkSync(path);
    }
    const server = this.createServer();
    await listen(server, { path });
    this.unixPaths.push(path);
    return path;
  }

  /**
   * Stops accepting, lets each connection finish its in-flight requests and write their responses,
   * then closes the sockets. After graceMs the remaining sockets are destroyed.
   */
  close(graceMs = 10_000): Promise<void> {
    this.closing ??= this.doClose(graceMs);
    return this.closing;
  }

  private async doClose(graceMs: number): Promise<void> {
    const stopped = this.listeners.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    const drained = Promise.all([...this.connections].map((c) => c.close()));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const c of this.connections) c.destroy();
        resolve();
      }, graceMs);
      timer.unref();
    });
    await Promise.race([drained, grace]);
    clearTimeout(timer);
    await Promise.all(stopped);
    for (const path of this.unixPaths) {
      try {
        unlinkSync(path);
      } catch {
        // already gone: nothing to clean up
      }
    }
  }

  private createServer(): net.Server {
    // allowHalfOpen: a client that shuts down its writing side still gets the responses it is owed.
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    server.on('error', (err) => this.options.logger.error('listener error', { error: err.message }));
    this.listeners.push(server);
    return server;
  }

  private accept(socket: net.Socket): void {
    const { logger } = this.options;
    if (this.closing !== null || this.connections.size >= this.options.maxConnections) {
      logger.warn('refusing connection', {
        reason: this.closing !== null ? 'shutting down' : 'max.connections reached',
        remote: socket.remoteAddress ?? 'unix',
      });
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, this.nextConnectionId++, {
      maxFrameBytes: this.options.maxFrameBytes,
      idleTimeoutMs: this.options.idleTimeoutMs,
      maxInFlight: this.options.maxInFlightPerConnection ?? DEFAULT_MAX_IN_FLIGHT,
      logger,
      handler: this.options.handler,
      ...(this.options.framePool === undefined ? {} : { framePool: this.options.framePool }),
    });
    this.connections.add(connection);
    void connection.done.then(() => this.connections.delete(connection));
  }
}

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(new ConnectionError(`cannot listen on ${describe(options)}: ${errorMessage(err)}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function describe(options: net.ListenOptions): string {
  return options.path ?? `${options.host ?? ''}:${options.port ?? ''}`;
}

/** True if something accepts connections on the Unix socket at path. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ path });
    const finish = (alive: boolean): void => {
      probe.destroy();
      resolve(alive);
    };
    probe.setTimeout(STALE_PROBE_TIMEOUT_MS, () => finish(false));
    probe.once('connect', () => finish(true));
    probe.once('error', () => finish(false));
  });
}
