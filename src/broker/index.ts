export { defaultDataDir, loadBrokerConfig, type BrokerConfig, type LoadBrokerConfigInput } from './config.js';
export { startBroker, type RunningBroker } from './broker.js';
