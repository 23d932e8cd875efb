// Turns error codes found in responses into KafkaErrors whose message says what was being done, the
// code's name, and the broker's own errorMessage when it sent one.
import { ErrorCode, KafkaError, errorCodeInfo } from '../common/index.js';

export function kafkaError(errorCode: number, context: string, brokerMessage?: string | null): KafkaError {
  const name = errorCodeInfo(errorCode).name;
  const detail = brokerMessage !== undefined && brokerMessage !== null && brokerMessage !== '' ? `: ${brokerMessage}` : '';
  return new KafkaError(errorCode, `${context}: ${name}${detail}`);
}

/** Throws kafkaError(...) unless errorCode is NONE. */
export function throwIfError(errorCode: number, context: string, brokerMessage?: string | null): void {
  if (errorCode !== ErrorCode.NONE) throw kafkaError(errorCode, context, brokerMessage);
}

/** Errors after which fresh metadata may route the request to the right (new) leader. */
export function needsMetadataRefresh(errorCode: number): boolean {
  return (
    errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ||
    errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
    errorCode === ErrorCode.LEADER_NOT_AVAILABLE ||
    errorCode === ErrorCode.FENCED_LEADER_EPOCH ||
    errorCode === ErrorCode.UNKNOWN_LEADER_EPOCH
  );
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
