// startBroker with observability around it: traffic counters for every broker, and, when
// metrics.listen is set, the HTTP endpoint. The endpoint listens before the broker starts (so /health
// answers 503 "starting" during recovery) and closes after it stopped (503 "stopping" meanwhile).
import { createLogger, type Logger } from '../common/index.js';
import { startBroker as startBrokerProcess, type RunningBroker } from './broker.js';
import type { BrokerConfig } from './config.js';
import { BrokerMetrics, MetricsServer } from './metrics/index.js';

export async function startBroker(config: BrokerConfig, logger: Logger = createLogger({ level: config.logLevel })): Promise<RunningBroker> {
  const metrics = new BrokerMetrics();
  let endpoint: MetricsServer | null = null;
  let broker: RunningBroker;
  try {
    if (config.metricsListen !== null) endpoint = await MetricsServer.listen(config.metricsListen, metrics, logger);
    broker = await startBrokerProcess(config, logger, metrics);
  } catch (err) {
    metrics.close();
    await endpoint?.close();
    throw err;
  }
  if (endpoint !== null) {
    endpoint.state = 'ready';
    logger.info('metrics endpoint listening', { address: `${endpoint.address.host}:${endpoint.address.port}` });
  }
  let stopping: Promise<void> | null = null;
  return {
    ...broker,
    metricsAddress: endpoint?.address ?? null,
    stop() {
      stopping ??= (async () => {
        if (endpoint !== null) endpoint.state = 'stopping';
        try {
          await broker.stop();
        } finally {
          metrics.close();
          await endpoint?.close();
        }
      })();
      return stopping;
    },
  };
}
