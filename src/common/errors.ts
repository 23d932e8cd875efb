// The error hierarchy shared by every layer. common/ is the leaf of the dependency graph, so storage/
// can raise a KafkaError(OFFSET_OUT_OF_RANGE) without importing protocol/.
import { ErrorCode, errorCodeInfo, type ErrorCodeName } from './error-codes.js';

/** Base of every error logctl raises on purpose; `code` is a stable string for the CLI and logs. */
export abstract class LogctlError extends Error {
  abstract readonly code: string;
  override get name(): string {
    return this.constructor.name;
  }
}

/** An error with a Kafka wire meaning: the broker answers it as `errorCode`, the client received it. */
export class KafkaError extends LogctlError {
  readonly errorCode: number;
  constructor(errorCode: number | ErrorCodeName, message?: string, options?: ErrorOptions) {
    const numeric = typeof errorCode === 'number' ? errorCode : ErrorCode[errorCode];
    super(message ?? errorCodeInfo(numeric).name, options);
    this.errorCode = numeric;
  }
  get code(): string {
    return errorCodeInfo(this.errorCode).name;
  }
  get retriable(): boolean {
    return errorCodeInfo(this.errorCode).retriable;
  }
}

/** Bytes on the wire that do not decode: the connection that sent them is closed. */
export class ProtocolError extends LogctlError {
  readonly code = 'PROTOCOL_ERROR';
}

/** A record batch that fails validation (size, magic, CRC, counts): answered as CORRUPT_MESSAGE. */
export class CorruptRecordError extends KafkaError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.CORRUPT_MESSAGE, message, options);
  }
}

/** On-disk data that is not what it should be (index, checkpoint): rebuilt or answered as KAFKA_STORAGE_ERROR. */
export class StorageError extends LogctlError {
  readonly code = 'STORAGE_ERROR';
}

/** Bad input from a CLI user: exit code 2. */
export class UsageError extends LogctlError {
  readonly code = 'USAGE_ERROR';
}

/** A failure to reach or talk to a broker (refused, closed, timed out). */
export class ConnectionError extends LogctlError {
  readonly code = 'CONNECTION_ERROR';
}

/** The error's message, whatever was thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
