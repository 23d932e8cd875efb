// Test helpers: a raw client that writes frames and collects whole response frames.
import type { Socket } from 'node:net';
import { FrameDecoder } from '../../src/net/index.js';

export function frameOf(payload: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(payload.length);
  return Buffer.concat([prefix, payload]);
}

/** Collects frames from a socket; next() waits for the next one. */
export class FrameReader {
  private readonly frames: Buffer[] = [];
  private waiters: ((f: Buffer) => void)[] = [];
  private closeWaiters: (() => void)[] = [];
  closed = false;

  constructor(socket: Socket) {
    const decoder = new FrameDecoder(256 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        const waiter = this.waiters.shift();
        if (waiter) waiter(f);
        else this.frames.push(f);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.closeWaiters) w();
    });
    socket.on('error', () => {});
  }

  next(timeoutMs = 5000): Promise<Buffer> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.waiters.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  get buffered(): number {
    return this.frames.length;
  }

  whenClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for close')), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
