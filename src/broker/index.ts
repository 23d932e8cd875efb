export { defaultDataDir, loadBrokerConfig, type BrokerConfig, type LoadBrokerConfigInput } from './config.js';
export { type RunningBroker } from './broker.js';
// With traffic counters and the optional /metrics + /health endpoint (metrics.listen).
export { startBroker } from './monitored.js';
export { BrokerMetrics, MetricsServer, countRecords } from './metrics/index.js';
