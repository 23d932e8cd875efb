// The ONLY place where an exception becomes a Kafka error code. Handlers catch per-partition failures
// and ask here; anything unexpected is logged with its stack, since the client only sees -1.
import { ErrorCode, KafkaError, StorageError, errorMessage, type Logger } from '../common/index.js';

export interface WireError {
  errorCode: number;
  errorMessage: string | null;
}

/** KafkaError (CorruptRecordError included) → its code, StorageError → KAFKA_STORAGE_ERROR, else -1. */
export function toErrorCode(err: unknown, logger: Logger, where?: Record<string, unknown>): number {
  return toWireError(err, logger, where).errorCode;
}

export function toWireError(err: unknown, logger: Logger, where?: Record<string, unknown>): WireError {
  if (err instanceof KafkaError) return { errorCode: err.errorCode, errorMessage: err.message };
  if (err instanceof StorageError) {
    logger.error('storage error', { ...where, error: err.message });
    return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: err.message };
  }
  logger.error('unexpected error while handling a request', {
    ...where,
    error: errorMessage(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: errorMessage(err) };
}
