// Client side: opens one socket to a broker (TCP host:port or Unix socket path) within a deadline.
import net from 'node:net';
import { ConnectionError } from '../common/index.js';

export type SocketAddress = { host: string; port: number } | { path: string };

export function describeAddress(address: SocketAddress): string {
  return 'path' in address ? `unix:${address.path}` : `${address.host}:${address.port}`;
}

/** Resolves with a connected socket (no delay on), or rejects with ConnectionError on error or timeout. */
export function connect(address: SocketAddress, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in address ? net.connect({ path: address.path }) : net.connect({ host: address.host, port: address.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectionError(`connection to ${describeAddress(address)} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ConnectionError(`cannot connect to ${describeAddress(address)}: ${err.message}`, { cause: err }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
