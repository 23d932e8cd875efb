import { describe, expect, it } from 'vitest';
import { RequestOrder } from '../../src/broker/request-order.js';

function deferred(): { promise: Promise<string>; resolve: (v: string) => void } {
  let resolve: (v: string) => void = () => {};
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RequestOrder', () => {
  it('starts consecutive Produce requests at once, in arrival order', () => {
    const order = new RequestOrder();
    const conn = { id: 1, remote: 'x' };
    const started: string[] = [];
    order.run(conn, true, () => (started.push('p1'), deferred().promise));
    order.run(conn, true, () => (started.push('p2'), deferred().promise));
    expect(started).toEqual(['p1', 'p2']);
  });

  it('makes other requests wait for everything before them, and the next Produce wait for them', async () => {
    const order = new RequestOrder();
    const conn = { id: 1, remote: 'x' };
    const started: string[] = [];
    const p1 = deferred();
    const f1 = deferred();
    order.run(conn, true, () => (started.push('p1'), p1.promise));
    const fetch = order.run(conn, false, () => (started.push('f1'), f1.promise));
    order.run(conn, true, () => (started.push('p2'), Promise.resolve('p2')));
    order.run(conn, true, () => (started.push('p3'), Promise.resolve('p3')));
    expect(started).toEqual(['p1']);
    p1.resolve('p1');
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['p1', 'f1']);
    f1.resolve('f1');
    expect(await fetch).toBe('f1');
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['p1', 'f1', 'p2', 'p3']);
  });

  it('keeps connections independent and survives failures', async () => {
    const order = new RequestOrder();
    const a = { id: 1, remote: 'a' };
    const b = { id: 2, remote: 'b' };
    const started: string[] = [];
    const failing = order.run(a, false, () => Promise.reject(new Error('boom')));
    order.run(b, false, () => (started.push('b1'), Promise.resolve('b1')));
    expect(started).toEqual(['b1']);
    await expect(failing).rejects.toThrow('boom');
    expect(await order.run(a, false, () => Promise.resolve('a2'))).toBe('a2');
  });
});
