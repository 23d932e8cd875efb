// Finding a group's coordinator (FindCoordinator, key type 0) and running requests against it with
// Kafka's retry rule: NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE mean "look the coordinator up again",
// COORDINATOR_LOAD_IN_PROGRESS means "same broker, try again shortly" (it is replaying __consumer_offsets).
import { ErrorCode } from '../common/index.js';
import { FindCoordinator } from '../protocol/index.js';
import type { KafkaClient } from './client.js';
import type { KafkaConnection } from './connection.js';
import { kafkaError, sleep } from './kafka-errors.js';

const GROUP_KEY_TYPE = 0;
const MAX_ATTEMPTS = 8;
const BACKOFF_MS = 100;

/** Errors after which the request is sent again, to a freshly looked-up coordinator. */
export function isCoordinatorError(errorCode: number): boolean {
  return (
    errorCode === ErrorCode.NOT_COORDINATOR ||
    errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
    errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
  );
}

/** The node id of the group's coordinator (retried while the cluster has none to offer yet). */
export async function findGroupCoordinator(client: KafkaClient, groupId: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const conn = await client.bootstrapConnection();
    const res = await client.request(conn, FindCoordinator, { key: groupId, keyType: GROUP_KEY_TYPE });
    if (res.errorCode === ErrorCode.NONE) return res.nodeId;
    if (!isCoordinatorError(res.errorCode) || attempt >= MAX_ATTEMPTS) {
      throw kafkaError(res.errorCode, `find the coordinator of group "${groupId}"`, res.errorMessage);
    }
    await sleep(BACKOFF_MS * attempt);
  }
}

/**
 * Runs `request` on a connection to the group's coordinator. `request` returns the response's error
 * code with its result; coordinator errors repeat the lookup and the request, anything else is the
 * caller's to judge.
 */
export async function onGroupCoordinator<T>(
  client: KafkaClient,
  groupId: string,
  request: (conn: KafkaConnection) => Promise<{ errorCode: number; result: T }>,
): Promise<{ errorCode: number; result: T }> {
  for (let attempt = 1; ; attempt++) {
    const nodeId = await findGroupCoordinator(client, groupId);
    const outcome = await request(await client.connectionFor(nodeId));
    if (!isCoordinatorError(outcome.errorCode) || attempt >= MAX_ATTEMPTS) return outcome;
    await sleep(BACKOFF_MS * attempt);
  }
}
