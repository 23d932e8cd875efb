// Broker observability: counters and scrape-time state (broker-metrics), the Prometheus text format
// (exposition), the HTTP endpoint with health probes (http-server) and the fetch wrapper.
export { BrokerMetrics, type MetricsSources } from './broker-metrics.js';
export { MetricsServer, type HealthState } from './http-server.js';
export { countFetched, countRecords } from './fetch-counting.js';
