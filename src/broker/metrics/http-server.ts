// The operator's HTTP endpoint (broker start --metrics HOST:PORT, or metrics.listen):
//   GET /metrics      Prometheus text format (text/plain; version=0.0.4)
//   GET /health       200 {"status":"ready"} while serving Kafka requests; 503 {"status":"starting"} or
//                     {"status":"stopping"} otherwise (orchestrators' readiness probe)
//   GET /health/live  200 {"status":"live"} as long as the process answers (liveness probe)
// Anything else is 404; methods other than GET/HEAD are 405. It listens before storage is opened and
// closes after everything else, so that readiness covers the whole start and stop.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage, type Logger } from '../../common/index.js';
import type { BrokerMetrics } from './broker-metrics.js';

export type HealthState = 'starting' | 'ready' | 'stopping';

export class MetricsServer {
  state: HealthState = 'starting';
  private constructor(
    private readonly server: Server,
    readonly address: { host: string; port: number },
  ) {}

  static async listen(listen: { host: string; port: number }, metrics: BrokerMetrics, logger: Logger): Promise<MetricsServer> {
    let self: MetricsServer | null = null;
    const server = createServer((req, res) => {
      if (self !== null) self.handle(req, res, metrics, logger);
    });
    // Scrapers keep connections alive; stop() must not wait for them.
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address() as AddressInfo;
    self = new MetricsServer(server, { host: a.address, port: a.port });
    return self;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, metrics: BrokerMetrics, logger: Logger): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    try {
      if (path === '/metrics') return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics.render());
      if (path === '/health') return send(res, this.state === 'ready' ? 200 : 503, 'application/json', JSON.stringify({ status: this.state }) + '\n');
      if (path === '/health/live') return send(res, 200, 'application/json', '{"status":"live"}\n');
      return send(res, 404, 'text/plain', 'not found: try /metrics, /health or /health/live\n');
    } catch (err) {
      logger.error('metrics endpoint failed', { path, error: errorMessage(err) });
      return send(res, 500, 'text/plain', 'internal error\n');
    }
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
