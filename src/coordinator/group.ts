// One consumer group of the classic rebalance protocol: its state, members, generation, leader and the
// selected protocol. This file holds the data and the rules that need no timers or storage; the
// coordinator (group-coordinator.ts) drives the transitions.
//
//   Empty ──join──▶ PreparingRebalance ──all rejoined / rebalance timeout──▶ CompletingRebalance
//     ▲                 ▲        │ (no member left)                              │ leader's SyncGroup
//     └─────────────────┼────────┘                                               ▼
//                       └──────── join / leave / session expiry ──────────── Stable
//   Empty ──DeleteGroups──▶ Dead
import type { GroupMetadataValue } from './offsets-topic-format.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The states a group may enter each state from (Kafka's GroupState.validPreviousStates). */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Empty', 'Stable', 'CompletingRebalance'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  /** Every member with its metadata for the selected protocol: for the leader only. */
  members: { memberId: string; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  assignment: Buffer;
}

export const EMPTY_BYTES = Buffer.alloc(0);

export class Member {
  assignment: Buffer = EMPTY_BYTES;
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  awaitingJoin: ((result: JoinResult) => void) | null = null;
  /** Set while the member's SyncGroup waits for the leader's assignments. */
  awaitingSync: ((result: SyncResult) => void) | null = null;
  sessionTimer: NodeJS.Timeout | null = null;
  /** Joined during the current rebalance (not yet part of a generation). */
  isNew = true;

  constructor(
    readonly memberId: string,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    public protocolType: string,
    public protocols: GroupProtocol[],
  ) {}

  metadataFor(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY_BYTES;
  }

  /** Same protocols, in the same order, with the same metadata bytes. */
  hasSameProtocols(protocols: readonly GroupProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata))
    );
  }
}

export class Group {
  state: GroupState = 'Empty';
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, until they join or their session timeout passes. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  /** The running join deadline (rebalance timeout or initial delay). */
  joinTimer: NodeJS.Timeout | null = null;
  /** While the initial rebalance delay runs: how much of the rebalance timeout is left after it. */
  initialDelay: { remainingMs: number } | null = null;
  newMemberAdded = false;
  currentStateTimestamp: number;

  constructor(
    readonly groupId: string,
    now: number,
  ) {
    this.currentStateTimestamp = now;
  }

  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(`group ${this.groupId}: illegal transition ${this.state} → ${state}`);
    }
    this.state = state;
    this.currentStateTimestamp = now;
  }

  add(member: Member): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    this.leaderId ??= member.memberId;
  }

  /** Removes the member; a removed leader is replaced by the first remaining member. */
  remove(memberId: string): Member | undefined {
    const member = this.members.get(memberId);
    if (member === undefined) return undefined;
    this.members.delete(memberId);
    if (member.sessionTimer !== null) clearTimeout(member.sessionTimer);
    member.sessionTimer = null;
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** Protocol names every member supports. */
  private candidateProtocols(): Set<string> {
    const [first, ...rest] = [...this.members.values()];
    if (first === undefined) return new Set();
    const names = first.protocols.map((p) => p.name).filter((n) => rest.every((m) => m.protocols.some((p) => p.name === n)));
    return new Set(names);
  }

  /** Whether a member with these protocols may join (Kafka's supportsProtocols). */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    const candidates = this.candidateProtocols();
    return protocolType === this.protocolType && protocols.some((p) => candidates.has(p.name));
  }

  /** The first protocol of the leader's list that every member supports. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId);
    const ordered = leader?.protocols ?? [...this.members.values()][0]?.protocols ?? [];
    const chosen = ordered.find((p) => candidates.has(p.name));
    if (chosen === undefined) throw new Error(`group ${this.groupId}: no protocol supported by every member`);
    return chosen.name;
  }

  allMembersJoined(): boolean {
    for (const m of this.members.values()) if (m.awaitingJoin === null) return false;
    return this.pendingMembers.size === 0;
  }

  /** The longest rebalance timeout of the members: how long a rebalance waits for rejoins. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** The group as persisted in `__consumer_offsets`. */
  toStored(): GroupMetadataValue {
    const protocol = this.protocolName;
    return {
      protocolType: this.protocolType ?? '',
      generationId: this.generationId,
      protocolName: protocol,
      leaderId: this.leaderId,
      currentStateTimestamp: this.currentStateTimestamp,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: null,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: protocol === null ? EMPTY_BYTES : m.metadataFor(protocol),
        assignment: m.assignment,
      })),
    };
  }

  /** A group restored from its persisted metadata: Stable with its members, or Empty. */
  static fromStored(groupId: string, stored: GroupMetadataValue, now: number): Group {
    const group = new Group(groupId, stored.currentStateTimestamp >= 0 ? stored.currentStateTimestamp : now);
    group.protocolType = stored.protocolType === '' ? null : stored.protocolType;
    group.generationId = stored.generationId;
    group.protocolName = stored.protocolName;
    group.leaderId = stored.leaderId;
    for (const s of stored.members) {
      const protocols = stored.protocolName === null ? [] : [{ name: stored.protocolName, metadata: s.subscription }];
      const member = new Member(s.memberId, s.clientId, s.clientHost, s.sessionTimeoutMs, s.rebalanceTimeoutMs, stored.protocolType, protocols);
      member.assignment = s.assignment;
      member.isNew = false;
      group.members.set(member.memberId, member);
    }
    group.state = group.members.size > 0 ? 'Stable' : 'Empty';
    if (group.leaderId !== null && !group.members.has(group.leaderId)) group.leaderId = group.members.keys().next().value ?? null;
    return group;
  }
}
