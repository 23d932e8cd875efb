// Kafka's topic name rules (Topic.java): 1-249 characters of [a-zA-Z0-9._-], not "." or "..".
import { ErrorCode, KafkaError } from '../common/index.js';

export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** The reason a topic name is invalid, or null if it is valid. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`;
  if (!LEGAL.test(name)) return `topic name "${name}" contains characters other than ASCII letters, digits, '.', '_' and '-'`;
  return null;
}

/** Throws KafkaError(INVALID_TOPIC_EXCEPTION) with the reason when the name breaks Kafka's rules. */
export function validateTopicName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem !== null) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
}

/** Internal topics the broker owns; clients may not create topics with these names. */
export const RESERVED_TOPIC_NAMES: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

/** Like validateTopicName, and also refuses the internal topics' names (for creation). */
export function validateNewTopicName(name: string): void {
  validateTopicName(name);
  if (RESERVED_TOPIC_NAMES.has(name)) {
    throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `topic name "${name}" is reserved for the broker's internal topic`);
  }
}

/**
 * Kafka's metric names map '.' to '_', so "a.b" and "a_b" collide there; Kafka refuses to create a
 * topic whose name collides with an existing one this way. Returns the existing name it collides with.
 */
export function collidingTopic(name: string, existing: Iterable<string>): string | null {
  const key = name.replaceAll('.', '_');
  for (const other of existing) {
    if (other !== name && other.replaceAll('.', '_') === key) return other;
  }
  return null;
}
