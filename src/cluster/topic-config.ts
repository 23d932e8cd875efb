// The topic configs logctl supports (Kafka names), with validation. Values are kept as strings, as in
// Kafka's config records; the broker turns them into a storage LogConfig.
import { ErrorCode, KafkaError } from '../common/index.js';

type Check = (value: string) => string | null;

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): Check {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim())) return 'must be an integer';
    const n = BigInt(value.trim());
    if (n < LONG_MIN || n > LONG_MAX) return 'is out of range';
    if (n < BigInt(min) || n > BigInt(max)) return `must be between ${min} and ${max}`;
    return null;
  };
}

function oneOf(...allowed: string[]): Check {
  return (value) => (allowed.includes(value) ? null : `must be one of ${allowed.join(', ')}`);
}

const INT32_MAX = 2_147_483_647;

/** Every supported topic config and the rule its value must follow. */
const CHECKS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['retention.ms', integer(-1)],
  ['retention.bytes', integer(-1)],
  ['segment.bytes', integer(14, INT32_MAX)],
  ['segment.ms', integer(1)],
  ['cleanup.policy', (v) => (normalizeCleanupPolicy(v) === null ? 'must be delete, compact or compact,delete' : null)],
  ['max.message.bytes', integer(0, INT32_MAX)],
  ['min.insync.replicas', integer(1, INT32_MAX)],
  ['message.timestamp.type', oneOf('CreateTime', 'LogAppendTime')],
  ['delete.retention.ms', integer(0)],
  ['index.interval.bytes', integer(0, INT32_MAX)],
]);

export const TOPIC_CONFIG_NAMES: readonly string[] = [...CHECKS.keys()];

export function isSupportedTopicConfig(name: string): boolean {
  return CHECKS.has(name);
}

/** "delete", "compact", or both in either order → the canonical spelling; null when invalid. */
export function normalizeCleanupPolicy(value: string): 'delete' | 'compact' | 'compact,delete' | null {
  const parts = new Set(value.split(',').map((p) => p.trim()));
  if (parts.size === 0 || [...parts].some((p) => p !== 'delete' && p !== 'compact')) return null;
  if (parts.has('delete') && parts.has('compact')) return 'compact,delete';
  return parts.has('compact') ? 'compact' : 'delete';
}

/** The reason a single config value is unacceptable, or null. */
export function topicConfigProblem(name: string, value: string | null): string | null {
  const check = CHECKS.get(name);
  if (check === undefined) return `unknown topic config "${name}" (supported: ${TOPIC_CONFIG_NAMES.join(', ')})`;
  if (value === null) return `config "${name}" needs a value`;
  const problem = check(value);
  return problem === null ? null : `invalid value "${value}" for config "${name}": ${problem}`;
}

/**
 * Validates a set of topic config overrides and returns them normalized (trimmed integers,
 * canonical cleanup.policy). Throws KafkaError(INVALID_CONFIG) naming the first bad entry.
 */
export function validateTopicConfigs(configs: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(configs)) {
    const problem = topicConfigProblem(name, value);
    if (problem !== null) throw new KafkaError(ErrorCode.INVALID_CONFIG, problem);
    const v = value as string;
    out[name] = name === 'cleanup.policy' ? (normalizeCleanupPolicy(v) as string) : v.trim();
  }
  return out;
}
