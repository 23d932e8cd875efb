// A raw ApiVersions v0 round trip, the first request every Kafka client sends. Request frame:
//   int32 size | int16 apiKey=18 | int16 apiVersion=0 | int32 correlationId | int16 clientId length | clientId
// Response frame: int32 size | int32 correlationId | body (int16 errorCode, api ranges...).
import { connect } from 'node:net';

const CLIENT_ID = Buffer.from('bench-probe');

function request(correlationId) {
  const body = Buffer.alloc(2 + 2 + 4 + 2 + CLIENT_ID.length);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(CLIENT_ID.length, 8);
  CLIENT_ID.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** One attempt: resolves true when an answer with errorCode 0 came back, false on refusal/close. */
export function apiVersionsOnce(host, port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const sock = connect({ host, port, noDelay: true });
    let buf = Buffer.alloc(0);
    const finish = (ok) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on('connect', () => sock.write(request(1)));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) finish(buf.readInt32BE(4) === 1 && buf.readInt16BE(8) === 0);
    });
    sock.on('error', () => finish(false));
    sock.on('close', () => finish(false));
  });
}

/** Polls (connect attempts every intervalMs) until ApiVersions is answered; resolves the time it was. */
export async function pollApiVersions(host, port, { deadlineMs = 30_000, intervalMs = 1 } = {}) {
  const end = performance.now() + deadlineMs;
  while (performance.now() < end) {
    if (await apiVersionsOnce(host, port)) return performance.now();
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`no ApiVersions answer from ${host}:${port} within ${deadlineMs} ms`);
}

/** A port that was free a moment ago (bound to 0, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    import('node:net').then(({ createServer }) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
    });
  });
}
