export type { BrokerRecord, MetadataStore, NewTopic, TopicRecord } from './metadata-store.js';
export { LocalMetadataStore, METADATA_FILE_NAME } from './local-metadata-store.js';
export { collidingTopic, MAX_TOPIC_NAME_LENGTH, topicNameProblem, validateTopicName } from './topic-name.js';
export {
  isSupportedTopicConfig,
  normalizeCleanupPolicy,
  TOPIC_CONFIG_NAMES,
  topicConfigProblem,
  validateTopicConfigs,
} from './topic-config.js';
