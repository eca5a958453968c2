/**
 * Invariants of consumer groups on the classic protocol, for property tests (this module's
 * and the cluster-wide ones). Returns violations as sentences; an empty list means all hold.
 *
 * Per group (from the coordinator's own state):
 * - Empty has no members, CompletingRebalance and Stable have some; the leader is a member;
 *   generation ≥ 0; committed offsets are ≥ 0.
 * - In every state, no partition is in two members' assignments, and a member is only
 *   assigned partitions of topics it subscribes to that exist.
 * - Stable: every partition of every subscribed topic is owned by exactly one member. With
 *   a cooperative protocol, partitions withheld for a follow-up rebalance may stay unowned
 *   for a while (a member that was to revoke them may have crashed): tolerated while the
 *   group has been Stable for less than the members' longest session.timeout.ms plus
 *   `cooperativeGraceMs`.
 * Consumer groups (KIP-848): no leader; a member owns its assigned partitions and those it
 *   has yet to revoke, and no partition has two owners in any state; Stable (every member
 *   reconciled to the target assignment) means every subscribed partition has its owner.
 *   A member's epoch never exceeds the group epoch, nor the target assignment epoch the group epoch.
 * Across clients (optional `consumers`): no partition is held by two running consumers
 * that are current members of the same group (eager revokes before rejoining; cooperative
 * never assigns a partition its owner has not revoked).
 */
import type { MetadataView } from '../context';
import type { ConsumerView } from '../snapshot';
import type { GroupCoordinator } from './group-coordinator';
import { assignorByName } from './assignors';

export interface GroupInvariantOptions {
  /** Current virtual time (for the cooperative grace period). */
  nowMs: number;
  /** Extra tolerance beyond the longest member session for cooperative follow-up rebalances. */
  cooperativeGraceMs?: number;
  /** Client views, to check that no partition is held twice by current members. */
  consumers?: readonly ConsumerView[];
}

export function checkGroupInvariants(coordinator: GroupCoordinator, metadata: Pick<MetadataView, 'partitionCount'>, opts: GroupInvariantOptions): string[] {
  const v: string[] = [];
  for (const groupId of coordinator.groupIds()) {
    const g = coordinator.inspect(groupId);
    if (!g) continue;
    const name = `group ${groupId} (${g.state}, generation ${g.generationId})`;
    if (g.generationId < 0) v.push(`${name}: negative generation`);
    if (g.state === 'Empty' && g.members.length > 0) v.push(`${name}: Empty with ${g.members.length} members`);
    // PreparingRebalance may be briefly memberless: the initial delay runs to its end (then Empty).
    if ((g.state === 'CompletingRebalance' || g.state === 'Stable') && g.members.length === 0) v.push(`${name}: no members`);
    const modern = g.type === 'consumer';
    if (!modern && g.members.length > 0 && !g.members.some((m) => m.memberId === g.leaderId)) v.push(`${name}: leader ${g.leaderId} is not a member`);
    if (modern) {
      if ((g.targetAssignmentEpoch ?? 0) > (g.groupEpoch ?? 0)) v.push(`${name}: target assignment epoch ${g.targetAssignmentEpoch} > group epoch ${g.groupEpoch}`);
      for (const m of g.modernMembers ?? []) if (m.memberEpoch > (g.groupEpoch ?? 0)) v.push(`${name}: member ${m.memberId} epoch ${m.memberEpoch} > group epoch ${g.groupEpoch}`);
    }
    const owners = new Map<string, string>();
    for (const m of g.members) {
      for (const tp of m.assignment) {
        const k = `${tp.topic}-${tp.partition}`;
        const other = owners.get(k);
        if (other !== undefined) v.push(`${name}: ${k} assigned to ${other} and ${m.memberId}`);
        owners.set(k, m.memberId);
        if (!m.topics.includes(tp.topic)) v.push(`${name}: ${m.memberId} assigned ${k} without subscribing to ${tp.topic}`);
        if (tp.partition >= metadata.partitionCount(tp.topic)) v.push(`${name}: ${m.memberId} assigned ${k}, which does not exist`);
      }
    }
    if (g.state === 'Stable') {
      const cooperative = !modern && g.protocolName !== null && assignorByName(g.protocolName)?.protocols[0] === 'COOPERATIVE';
      const longestSession = g.members.reduce((x, m) => Math.max(x, m.sessionTimeoutMs), 0);
      const settled = !cooperative || opts.nowMs - g.stateSinceMs >= longestSession + (opts.cooperativeGraceMs ?? 5000);
      if (settled) {
        const topics = new Set(g.members.flatMap((m) => m.topics));
        for (const t of [...topics].sort()) {
          const n = metadata.partitionCount(t);
          for (let p = 0; p < n; p++) if (!owners.has(`${t}-${p}`)) v.push(`${name}: ${t}-${p} has no owner`);
        }
      }
    }
    for (const view of coordinator.describeGroups().find((x) => x.groupId === groupId)?.offsets ?? []) {
      if (view.committed !== null && view.committed < 0) v.push(`${name}: committed offset ${view.committed} for ${view.topic}-${view.partition}`);
    }
    if (opts.consumers) {
      const members = new Set(g.members.map((m) => m.memberId));
      const held = new Map<string, string>();
      for (const c of opts.consumers) {
        if (c.groupId !== groupId || c.memberId === null || !members.has(c.memberId)) continue;
        if (c.status === 'closed' || c.status === 'crashed') continue;
        for (const tp of c.assignment) {
          const k = `${tp.topic}-${tp.partition}`;
          const other = held.get(k);
          if (other !== undefined) v.push(`${name}: ${k} held by consumers ${other} and ${c.id} at once`);
          held.set(k, c.id);
        }
      }
    }
  }
  return v;
}
