// The group coordinator of the classic rebalance protocol (what Kafka's GroupCoordinator does for
// JoinGroup, SyncGroup, Heartbeat and LeaveGroup). A rebalance starts when a member joins, changes its
// protocols, leaves or misses its session timeout; it completes when every known member has rejoined
// or the rebalance timeout passes (members that did not rejoin are dropped). The leader then gets every
// member's metadata, computes the assignment client-side and sends it with its SyncGroup; the other
// members' SyncGroups wait for it. Assignments are opaque bytes. Timers are unref'd: they never keep the
// process alive. Committed offsets, the admin calls and the lifecycle are added by GroupCoordinator (coordinator.ts).
import { randomUUID } from 'node:crypto';
import { ErrorCode, errorMessage, silentLogger, type Logger } from '../common/index.js';
import { EMPTY_BYTES, Group, Member, type GroupProtocol, type JoinResult, type SyncResult } from './group.js';
import { OffsetStore } from './offset-store.js';

export interface CoordinatorSettings {
  /** group.min.session.timeout.ms / group.max.session.timeout.ms */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms: how long the first rebalance of an empty group waits for more members. */
  initialRebalanceDelayMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
}

export const DEFAULT_COORDINATOR_SETTINGS: CoordinatorSettings = Object.freeze({
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3000,
  offsetMetadataMaxBytes: 4096,
});

export interface JoinRequest {
  groupId: string;
  /** '' for a member joining for the first time. */
  memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  /** JoinGroup v4+: a first join gets MEMBER_ID_REQUIRED with its id and must join again with it. */
  requireKnownMemberId: boolean;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** Sent by the leader only. */
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface MembershipRequest {
  groupId: string;
  generationId: number;
  memberId: string;
}

function joinError(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, assignment: EMPTY_BYTES };
}

export class GroupMembership {
  protected readonly groups = new Map<string, Group>();
  protected closed = false;

  constructor(
    protected readonly store: OffsetStore,
    protected readonly settings: CoordinatorSettings,
    protected readonly logger: Logger = silentLogger,
    protected readonly now: () => number = Date.now,
  ) {}

  /**
   * NONE when this broker coordinates the group now; NOT_COORDINATOR once closed. In a cluster
   * (coordinator.ts) also NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS by the offsets partition's leadership.
   */
  protected coordinatorError(_groupId: string): number {
    return this.closed ? ErrorCode.NOT_COORDINATOR : ErrorCode.NONE;
  }

  async join(req: JoinRequest): Promise<JoinResult> {
    const refused = this.coordinatorError(req.groupId);
    if (refused !== ErrorCode.NONE) return joinError(refused, req.memberId);
    if (req.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, req.memberId);
    if (req.sessionTimeoutMs < this.settings.minSessionTimeoutMs || req.sessionTimeoutMs > this.settings.maxSessionTimeoutMs) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    }
    let group = this.groups.get(req.groupId);
    if (group === undefined) {
      if (req.memberId !== '') return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
      group = new Group(req.groupId, this.now());
      this.groups.set(req.groupId, group);
    }
    if (group.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId);
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);

    if (req.memberId === '') {
      const memberId = `${req.clientId}-${randomUUID()}`;
      if (req.requireKnownMemberId) {
        this.addPendingMember(group, memberId, req.sessionTimeoutMs);
        return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
      return this.addMemberAndRebalance(group, memberId, req);
    }
    const pending = group.pendingMembers.get(req.memberId);
    if (pending !== undefined) {
      clearTimeout(pending);
      group.pendingMembers.delete(req.memberId);
      return this.addMemberAndRebalance(group, req.memberId, req);
    }
    const member = group.members.get(req.memberId);
    if (member === undefined) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, req);
      case 'CompletingRebalance':
        // A repeated join (its response was lost): answer the current generation again.
        if (member.hasSameProtocols(req.protocols)) return this.currentJoinResult(group, member);
        return this.updateMemberAndRebalance(group, member, req);
      case 'Stable':
        // The leader rejoining (e.g. metadata changed) or changed protocols start a rebalance.
        if (group.isLeader(member.memberId) || !member.hasSameProtocols(req.protocols)) return this.updateMemberAndRebalance(group, member, req);
        return this.currentJoinResult(group, member);
      default:
        return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    }
  }

  async sync(req: SyncRequest): Promise<SyncResult> {
    const refused = this.coordinatorError(req.groupId);
    if (refused !== ErrorCode.NONE) return syncError(refused);
    const group = this.groups.get(req.groupId);
    if (group === undefined) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.state === 'Dead') return syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const member = group.members.get(req.memberId);
    if (member === undefined) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== group.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION);
    switch (group.state) {
      case 'PreparingRebalance':
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.scheduleSession(group, member);
        return { errorCode: ErrorCode.NONE, assignment: member.assignment };
      case 'CompletingRebalance': {
        const result = new Promise<SyncResult>((resolve) => (member.awaitingSync = resolve));
        this.scheduleSession(group, member);
        if (group.isLeader(member.memberId)) void this.completeSync(group, req.assignments);
        return result;
      }
      default:
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  heartbeat(req: MembershipRequest): number {
    const refused = this.coordinatorError(req.groupId);
    if (refused !== ErrorCode.NONE) return refused;
    const group = this.groups.get(req.groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const member = group.members.get(req.memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.scheduleSession(group, member);
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const refused = this.coordinatorError(groupId);
    if (refused !== ErrorCode.NONE) return refused;
    const group = this.groups.get(groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const pending = group.pendingMembers.get(memberId);
    if (pending !== undefined) {
      clearTimeout(pending);
      group.pendingMembers.delete(memberId);
      if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
      return ErrorCode.NONE;
    }
    if (!group.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.logger.info('member left the group', { group: groupId, member: memberId });
    this.removeMemberAndUpdateGroup(group, memberId);
    return ErrorCode.NONE;
  }

  /** Answers every waiting join and sync with NOT_COORDINATOR and stops every timer. */
  protected shutdownGroups(): void {
    this.closed = true;
    for (const group of this.groups.values()) this.stopGroup(group);
  }

  /** Stops the group's timers and answers its waiting joins and syncs with NOT_COORDINATOR. */
  protected stopGroup(group: Group): void {
    if (group.joinTimer !== null) clearTimeout(group.joinTimer);
    group.joinTimer = null;
    for (const timer of group.pendingMembers.values()) clearTimeout(timer);
    for (const m of group.members.values()) {
      if (m.sessionTimer !== null) clearTimeout(m.sessionTimer);
      m.sessionTimer = null;
      m.awaitingJoin?.(joinError(ErrorCode.NOT_COORDINATOR, m.memberId));
      m.awaitingSync?.(syncError(ErrorCode.NOT_COORDINATOR));
      m.awaitingJoin = m.awaitingSync = null;
    }
  }

  private addPendingMember(group: Group, memberId: string, sessionTimeoutMs: number): void {
    const timer = setTimeout(() => {
      if (group.pendingMembers.get(memberId) !== timer) return;
      group.pendingMembers.delete(memberId);
      if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
    }, sessionTimeoutMs);
    timer.unref();
    group.pendingMembers.set(memberId, timer);
  }

  private addMemberAndRebalance(group: Group, memberId: string, req: JoinRequest): Promise<JoinResult> {
    const member = new Member(memberId, req.clientId, req.clientHost, req.sessionTimeoutMs, req.rebalanceTimeoutMs, req.protocolType, req.protocols);
    const result = new Promise<JoinResult>((resolve) => (member.awaitingJoin = resolve));
    group.add(member);
    if (group.state === 'PreparingRebalance' && group.initialDelay !== null) group.newMemberAdded = true;
    this.logger.info('member joined the group', { group: group.groupId, member: memberId, clientId: req.clientId });
    this.maybePrepareRebalance(group);
    this.tryCompleteJoin(group);
    return result;
  }

  private updateMemberAndRebalance(group: Group, member: Member, req: JoinRequest): Promise<JoinResult> {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    // A member rejoining while an older join of it still waits: the older one is superseded.
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    const result = new Promise<JoinResult>((resolve) => (member.awaitingJoin = resolve));
    this.maybePrepareRebalance(group);
    this.tryCompleteJoin(group);
    return result;
  }

  private currentJoinResult(group: Group, member: Member): Promise<JoinResult> {
    this.scheduleSession(group, member);
    return Promise.resolve(this.joinResultFor(group, member));
  }

  private joinResultFor(group: Group, member: Member): JoinResult {
    const protocol = group.protocolName ?? '';
    const isLeader = group.isLeader(member.memberId);
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolName: protocol,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader ? [...group.members.values()].map((m) => ({ memberId: m.memberId, metadata: m.metadataFor(protocol) })) : [],
    };
  }

  private maybePrepareRebalance(group: Group): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance' || group.state === 'Empty') this.prepareRebalance(group);
  }

  protected prepareRebalance(group: Group): void {
    if (group.state === 'CompletingRebalance') this.resetAndPropagateSync(group, ErrorCode.REBALANCE_IN_PROGRESS);
    const initial = group.state === 'Empty';
    group.transitionTo('PreparingRebalance', this.now());
    if (group.joinTimer !== null) clearTimeout(group.joinTimer);
    const rebalanceTimeout = group.rebalanceTimeoutMs();
    this.logger.info('preparing to rebalance the group', { group: group.groupId, generation: group.generationId, members: group.members.size });
    if (initial && this.settings.initialRebalanceDelayMs > 0) {
      const delay = Math.min(this.settings.initialRebalanceDelayMs, rebalanceTimeout);
      group.initialDelay = { remainingMs: Math.max(rebalanceTimeout - delay, 0) };
      group.newMemberAdded = false;
      this.armJoinTimer(group, delay, () => this.onInitialDelayExpired(group));
      return;
    }
    group.initialDelay = null;
    this.armJoinTimer(group, rebalanceTimeout, () => this.completeJoin(group));
    this.tryCompleteJoin(group);
  }

  /** Kafka's InitialDelayedJoin: keep waiting while new members arrive, within the rebalance timeout. */
  private onInitialDelayExpired(group: Group): void {
    const delay = group.initialDelay;
    if (delay !== null && group.newMemberAdded && delay.remainingMs > 0) {
      group.newMemberAdded = false;
      const next = Math.min(this.settings.initialRebalanceDelayMs, delay.remainingMs);
      delay.remainingMs = Math.max(delay.remainingMs - this.settings.initialRebalanceDelayMs, 0);
      this.armJoinTimer(group, next, () => this.onInitialDelayExpired(group));
      return;
    }
    this.completeJoin(group);
  }

  private armJoinTimer(group: Group, ms: number, fire: () => void): void {
    const timer = setTimeout(() => {
      if (group.joinTimer !== timer) return;
      group.joinTimer = null;
      fire();
    }, ms);
    timer.unref();
    group.joinTimer = timer;
  }

  protected tryCompleteJoin(group: Group): void {
    if (group.state === 'PreparingRebalance' && group.initialDelay === null && group.allMembersJoined()) this.completeJoin(group);
  }

  /** Ends the join phase: drops members that did not rejoin, starts the next generation. */
  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    if (group.joinTimer !== null) clearTimeout(group.joinTimer);
    group.joinTimer = null;
    group.initialDelay = null;
    for (const m of [...group.members.values()]) {
      if (m.awaitingJoin === null) {
        this.logger.info('removing a member that did not rejoin in time', { group: group.groupId, member: m.memberId });
        group.remove(m.memberId);
      }
    }
    for (const timer of group.pendingMembers.values()) clearTimeout(timer);
    group.pendingMembers.clear();
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.transitionTo('Empty', this.now());
      this.persistInBackground(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transitionTo('CompletingRebalance', this.now());
    this.logger.info('group rebalanced', { group: group.groupId, generation: group.generationId, protocol: group.protocolName, leader: group.leaderId });
    for (const m of group.members.values()) {
      const respond = m.awaitingJoin;
      m.awaitingJoin = null;
      m.isNew = false;
      respond?.(this.joinResultFor(group, m));
      this.scheduleSession(group, m);
    }
  }

  private async completeSync(group: Group, assignments: SyncRequest['assignments']): Promise<void> {
    const generation = group.generationId;
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const m of group.members.values()) m.assignment = byMember.get(m.memberId) ?? EMPTY_BYTES;
    try {
      await this.store.storeGroup(group.groupId, group.toStored(), this.now());
    } catch (err) {
      this.logger.error('could not persist the group assignment', { group: group.groupId, error: errorMessage(err) });
      if (group.state === 'CompletingRebalance' && group.generationId === generation) {
        this.resetAndPropagateSync(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
        this.prepareRebalance(group);
      }
      return;
    }
    if (group.state !== 'CompletingRebalance' || group.generationId !== generation) return;
    group.transitionTo('Stable', this.now());
    for (const m of group.members.values()) {
      m.awaitingSync?.({ errorCode: ErrorCode.NONE, assignment: m.assignment });
      m.awaitingSync = null;
    }
  }

  private resetAndPropagateSync(group: Group, errorCode: number): void {
    for (const m of group.members.values()) {
      m.assignment = EMPTY_BYTES;
      m.awaitingSync?.(syncError(errorCode));
      m.awaitingSync = null;
    }
  }

  protected scheduleSession(group: Group, member: Member): void {
    if (member.sessionTimer !== null) clearTimeout(member.sessionTimer);
    const timer = setTimeout(() => {
      if (member.sessionTimer !== timer || group.members.get(member.memberId) !== member) return;
      member.sessionTimer = null;
      // A member waiting in a join or sync is alive: the rebalance timeout bounds that wait.
      if (member.awaitingJoin !== null || member.awaitingSync !== null) return this.scheduleSession(group, member);
      this.logger.info('member session expired', { group: group.groupId, member: member.memberId });
      this.removeMemberAndUpdateGroup(group, member.memberId);
    }, member.sessionTimeoutMs);
    timer.unref();
    member.sessionTimer = timer;
  }

  private removeMemberAndUpdateGroup(group: Group, memberId: string): void {
    const member = group.remove(memberId);
    member?.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    member?.awaitingSync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group);
    else if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
  }

  private persistInBackground(group: Group): void {
    this.store.storeGroup(group.groupId, group.toStored(), this.now()).catch((err: unknown) => {
      this.logger.error('could not persist the group metadata', { group: group.groupId, error: errorMessage(err) });
    });
  }
}
