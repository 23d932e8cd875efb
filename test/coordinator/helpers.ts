// A GroupCoordinator over a real LogManager in a temp dir, with short timeouts, and join/sync shorthands.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { GroupCoordinator, type CoordinatorSettings, type GroupCoordinatorOptions, type JoinRequest } from '../../src/coordinator/index.js';
import { LogManager } from '../../src/storage/index.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

export interface Fixture {
  dataDir: string;
  logs: LogManager;
  coordinator: GroupCoordinator;
  /** Closes coordinator and logs, reopens both on the same data dir (a broker restart). */
  restart(): Promise<Fixture>;
}

export async function openFixture(
  settings: Partial<CoordinatorSettings> = {},
  dataDir?: string,
  extra: Partial<GroupCoordinatorOptions> = {},
): Promise<Fixture> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'logctl-coordinator-')));
  if (dataDir === undefined) cleanups.unshift(() => rm(dir, { recursive: true, force: true }));
  const logs = await LogManager.open({ dataDir: dir });
  const coordinator = new GroupCoordinator({
    logs,
    offsetsTopicNumPartitions: 5,
    settings: { minSessionTimeoutMs: 10, initialRebalanceDelayMs: 0, ...settings },
    ...extra,
  });
  await coordinator.start();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await coordinator.close();
    await logs.close();
  };
  cleanups.push(close);
  return {
    dataDir: dir,
    logs,
    coordinator,
    restart: async () => {
      await close();
      return openFixture(settings, dir, extra);
    },
  };
}

export function joinRequest(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g',
    memberId: '',
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
    requireKnownMemberId: false,
    ...overrides,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Joins and syncs one member alone into a fresh group; returns its id and generation. */
export async function stableSingle(coordinator: GroupCoordinator, groupId: string, assignment = Buffer.from('a0')): Promise<{ memberId: string; generationId: number }> {
  const joined = await coordinator.join(joinRequest({ groupId }));
  const synced = await coordinator.sync({ groupId, generationId: joined.generationId, memberId: joined.memberId, assignments: [{ memberId: joined.memberId, assignment }] });
  if (synced.errorCode !== 0) throw new Error(`sync failed with ${synced.errorCode}`);
  return { memberId: joined.memberId, generationId: joined.generationId };
}
