/**
 * Invariant checkers that sit beside the model (TigerBeetle's vopr.zig style): plain
 * functions over a running Cluster, called after every step in the property tests.
 * Each returns a list of violations in words; an empty list means all is well.
 */
import type { Cluster } from '../cluster';
import { decodeRecords } from '../log/record-batch';

const decoder = new TextDecoder();

/** State carried between checks (for "never moves back" rules). */
export interface InvariantState {
  /** Highest HW seen per partition per leader epoch. */
  hwByEpoch: Map<string, { epoch: number; hw: number }>;
  /** Highest committed offset seen per group/partition, reset when resetOffsets runs. */
  committed: Map<string, number>;
  /** Highest leader epoch seen per partition (the controller's view). */
  leaderEpoch: Map<string, number>;
  /** When each group entered its current Stable generation. */
  stableSince: Map<string, { generation: number; since: number }>;
  /**
   * False where data loss is allowed (acks=1, unclean election): a consumer whose offset
   * fell past the truncated log end resets by auto.offset.reset, so commits may go back.
   */
  committedOnlyGrows: boolean;
  /** Each topic's partition count as last seen, and when each partition added since the first sight of its topic appeared. */
  partitionCounts: Map<string, number>;
  addedAt: Map<string, number>;
}

/**
 * With cooperative rebalancing a group is Stable with partitions unowned between the first
 * round (which revoked them) and the follow-up rebalance that assigns them (KIP-429). The
 * follow-up is the JoinGroup of the member that gave them up; if that member dies before
 * sending it (say a coordinator moved and it crashed before finding the new one), the group
 * waits for its session to expire, as Kafka's does. Full ownership is required once a group
 * has been Stable this long without a break: the property tests' session.timeout.ms (10 s)
 * plus a second.
 */
export const COOPERATIVE_SETTLE_MS = 11_000;

/**
 * Partitions added to a topic (addPartitions) are unowned by a Stable group until a member
 * sees the topic grew and rejoins; the group stays Stable on its old assignment meanwhile,
 * as Kafka's does. Full ownership is required once they have existed this long.
 */
export const ADDED_PARTITION_SETTLE_MS = 11_000;

export function newInvariantState(): InvariantState {
  return { hwByEpoch: new Map(), committed: new Map(), leaderEpoch: new Map(), stableSince: new Map(), committedOnlyGrows: true, partitionCounts: new Map(), addedAt: new Map() };
}

/** Checks that hold at every instant. */
export function checkStepInvariants(cluster: Cluster, state: InvariantState): string[] {
  const v: string[] = [];
  const ctrl = cluster.controller;
  for (const t of ctrl.sortedTopics()) {
    const seen = state.partitionCounts.get(t.name);
    if (seen !== undefined) for (let p = seen; p < t.partitions.length; p++) state.addedAt.set(`${t.name}-${p}`, cluster.now);
    state.partitionCounts.set(t.name, t.partitions.length);
    t.partitions.forEach((reg, p) => {
      const key = `${t.name}-${p}`;
      // Leader epochs only grow.
      const prevEpoch = state.leaderEpoch.get(key) ?? -1;
      if (reg.leaderEpoch < prevEpoch) v.push(`${key}: leader epoch went back from ${prevEpoch} to ${reg.leaderEpoch}`);
      state.leaderEpoch.set(key, reg.leaderEpoch);
      // At most one running broker believes it leads this epoch.
      let leadersAtEpoch = 0;
      for (const b of cluster.brokers.values()) {
        const part = b.running ? b.partitions.get(key) : undefined;
        if (part?.isLeader && part.leaderEpoch === reg.leaderEpoch) leadersAtEpoch++;
      }
      if (leadersAtEpoch > 1) v.push(`${key}: ${leadersAtEpoch} brokers lead epoch ${reg.leaderEpoch}`);
      // The leader's HW never exceeds the log end offset of any ISR member.
      const leader = reg.leader >= 0 ? cluster.brokers.get(reg.leader) : undefined;
      const lp = leader?.running ? leader.partitions.get(key) : undefined;
      if (lp && lp.isLeader) {
        const hw = lp.highWatermark;
        for (const id of lp.isr) {
          const log = cluster.brokers.get(id)?.logs.get(key);
          if (log && log.logEndOffset < hw) v.push(`${key}: HW ${hw} above ISR member ${id}'s LEO ${log.logEndOffset}`);
        }
        if (hw > lp.logEndOffset) v.push(`${key}: HW ${hw} above leader LEO ${lp.logEndOffset}`);
        // Within one leader epoch, the leader's HW never moves back.
        const seen = state.hwByEpoch.get(key);
        if (seen && seen.epoch === lp.leaderEpoch && hw < seen.hw) v.push(`${key}: HW moved back from ${seen.hw} to ${hw} in epoch ${lp.leaderEpoch}`);
        if (!seen || seen.epoch !== lp.leaderEpoch || hw > seen.hw) state.hwByEpoch.set(key, { epoch: lp.leaderEpoch, hw });
      }
      // Every replica's log: start ≤ HW ≤ LEO.
      for (const id of reg.replicas) {
        const log = cluster.brokers.get(id)?.logs.get(key);
        if (!log) continue;
        if (log.logStartOffset > log.highWatermark || log.highWatermark > log.logEndOffset) {
          v.push(`${key}@${id}: offsets out of order start=${log.logStartOffset} hw=${log.highWatermark} leo=${log.logEndOffset}`);
        }
      }
    });
  }
  // Stable groups: every subscribed partition has exactly one owner.
  for (const g of cluster.coordinator.describeGroups()) {
    for (const o of g.offsets) {
      const k = `${g.groupId}/${o.topic}-${o.partition}`;
      if (o.committed === null) continue;
      const prev = state.committed.get(k);
      if (state.committedOnlyGrows && prev !== undefined && o.committed < prev) v.push(`${k}: committed offset went back from ${prev} to ${o.committed}`);
      state.committed.set(k, o.committed);
    }
    if (g.state !== 'Stable') {
      // The settle clock restarts whenever the group is Stable again, also at the same
      // generation: a coordinator that takes over loads the group Stable with the
      // assignment of its last SyncGroup, which may be a cooperative first round.
      state.stableSince.delete(g.groupId);
      continue;
    }
    const since = state.stableSince.get(g.groupId);
    if (!since || since.generation !== g.generation) state.stableSince.set(g.groupId, { generation: g.generation, since: cluster.now });
    const settled = g.assignor !== 'cooperative-sticky' || cluster.now - (state.stableSince.get(g.groupId)?.since ?? cluster.now) >= COOPERATIVE_SETTLE_MS;
    const owners = new Map<string, number>();
    for (const m of g.members) for (const tp of m.assignment) owners.set(`${tp.topic}-${tp.partition}`, (owners.get(`${tp.topic}-${tp.partition}`) ?? 0) + 1);
    const subscribed = new Set<string>();
    for (const m of g.members) for (const tp of m.assignment) subscribed.add(tp.topic);
    for (const topic of subscribed) {
      const n = ctrl.topics.get(topic)?.partitions.length ?? 0;
      for (let p = 0; p < n; p++) {
        const count = owners.get(`${topic}-${p}`) ?? 0;
        const added = state.addedAt.get(`${topic}-${p}`);
        const noticed = added === undefined || cluster.now - added >= ADDED_PARTITION_SETTLE_MS;
        if (count > 1 || (count === 0 && settled && noticed)) v.push(`group ${g.groupId} is Stable but ${topic}-${p} has ${count} owners`);
      }
    }
    for (const [tp, count] of owners) if (count > 1) v.push(`group ${g.groupId}: ${tp} owned ${count} times`);
  }
  return v;
}

/** Forget committed-offset history for a group whose offsets were reset on purpose. */
export function forgetCommitted(state: InvariantState, groupId: string): void {
  for (const k of [...state.committed.keys()]) if (k.startsWith(`${groupId}/`)) state.committed.delete(k);
}

/**
 * Durability: every acknowledged record (a produced row with an offset) is in the final
 * log at that offset with its key, exactly once (by its unique value prefix
 * "<producer>#<seq>"), and each producer's records are in send order within a partition.
 */
export function checkAcknowledgedRecords(cluster: Cluster): string[] {
  const v: string[] = [];
  const out = cluster.output();
  const logs = new Map<string, Map<number, { key: string | null; value: string | null }>>();
  const valueCount = new Map<string, number>();
  for (const p of cluster.controller.sortedTopics()) {
    p.partitions.forEach((reg, idx) => {
      const key = `${p.name}-${idx}`;
      const leader = cluster.brokers.get(reg.leader);
      const log = leader?.logs.get(key);
      const m = new Map<number, { key: string | null; value: string | null }>();
      if (log) {
        const read = log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER, log.logEndOffset);
        let lastSeqByProducer = new Map<string, number>();
        for (const b of read.batches) {
          for (const r of decodeRecords(b)) {
            const value = r.value === null ? null : decoder.decode(r.value);
            m.set(r.offset, { key: r.key === null ? null : decoder.decode(r.key), value });
            const id = value?.split(' ', 1)[0];
            if (id && id.includes('#')) {
              valueCount.set(id, (valueCount.get(id) ?? 0) + 1);
              const [producer, seqText] = id.split('#') as [string, string];
              const seq = Number(seqText);
              if (seq >= 1_000_000) continue; // one-off records are not part of the load's order
              const last = lastSeqByProducer.get(producer);
              if (last !== undefined && seq < last) v.push(`${key}: ${producer}'s record #${seq} after #${last} (out of order)`);
              lastSeqByProducer.set(producer, seq);
            }
          }
        }
        lastSeqByProducer = new Map();
      }
      logs.set(key, m);
    });
  }
  for (const [id, n] of valueCount) if (n > 1) v.push(`record ${id} is in the log ${n} times`);
  for (const row of out.produced) {
    if (row.offset === null || row.error !== null) continue;
    const rec = logs.get(`${row.topic}-${row.partition}`)?.get(row.offset);
    if (!rec) v.push(`acknowledged ${row.topic}-${row.partition}@${row.offset} (key ${row.key}) is missing from the final log`);
    else if (rec.key !== row.key) v.push(`${row.topic}-${row.partition}@${row.offset}: key ${rec.key} but ${row.key} was acknowledged there`);
  }
  return v;
}

/**
 * Convergence: once faults heal, every in-sync replica holds exactly the leader's log
 * (same batches, byte for byte, from the log start), whatever was lost on the way.
 */
export function checkReplicasAgree(cluster: Cluster): string[] {
  const v: string[] = [];
  for (const t of cluster.controller.sortedTopics()) {
    t.partitions.forEach((reg, p) => {
      const key = `${t.name}-${p}`;
      if (reg.leader < 0) {
        v.push(`${key}: still offline after every broker came back`);
        return;
      }
      const leaderLog = cluster.brokers.get(reg.leader)?.logs.get(key);
      if (!leaderLog) return;
      if (reg.isr.length !== reg.replicas.length) v.push(`${key}: ISR ${JSON.stringify(reg.isr)} still short of ${JSON.stringify(reg.replicas)}`);
      for (const id of reg.isr) {
        const log = cluster.brokers.get(id)?.logs.get(key);
        if (!log || id === reg.leader) continue;
        if (log.logEndOffset !== leaderLog.logEndOffset) {
          v.push(`${key}@${id}: LEO ${log.logEndOffset}, leader ${reg.leader} has ${leaderLog.logEndOffset}`);
          continue;
        }
        const from = Math.max(log.logStartOffset, leaderLog.logStartOffset);
        const a = log.read(from, Number.MAX_SAFE_INTEGER, log.logEndOffset).batches;
        const b = leaderLog.read(from, Number.MAX_SAFE_INTEGER, leaderLog.logEndOffset).batches;
        const same = a.length === b.length && a.every((x, i) => x.length === b[i]!.length && x.every((byte, j) => byte === b[i]![j]));
        if (!same) v.push(`${key}@${id}: log differs from leader ${reg.leader}'s`);
      }
    });
  }
  return v;
}
