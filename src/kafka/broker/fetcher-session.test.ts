/**
 * The follower's replica fetcher sessions hold direct references (Broker.fetchers: each
 * session's Partitions, in key order), and every Partition keeps its replication throttle
 * flags as of a config version. Both must never go stale: through elections, kills and
 * restarts, isolation, reassignments (with throttles), topic deletes and re-creates, and
 * config changes, they are compared with a fresh lookup every 50 ms of virtual time, over
 * many seeds with faults.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../../scenario/types';
import { Cluster } from '../cluster';
import { FAULT_END_MS, randomScenario } from '../invariants/random-scenario';
import { Prng } from '../sim/prng';
import type { Broker } from './broker';
import type { Partition, PartitionRef } from './partition';
import { isThrottledReplica } from './replication-quota';

interface FetcherView {
  leader: number;
  keys: Set<string>;
  members: Partition[] | null;
}

/** randomScenario(seed) with admin ops among its faults: reassignments, a topic deleted and created again, throttles set and cleared, preferred elections. */
function scenarioWithAdmin(seed: number): Scenario {
  const s = randomScenario(seed);
  const r = new Prng(seed ^ 0xfe7c);
  const brokers = s.cluster.brokers.map((b) => b.id);
  const topics = s.topics!.map((t) => ({ name: t.name, partitions: t.partitions }));
  const extra: TimelineAction[] = [];
  const ops = r.range(4, 10);
  for (let i = 0; i < ops; i++) {
    const at = r.range(1000, FAULT_END_MS - 1000);
    const t = r.pick(topics);
    const partition = r.range(0, t.partitions - 1);
    const kind = r.int(5);
    if (kind === 0 || kind === 1) {
      const replicas = [...brokers].sort((a, b) => r.int(3) - 1 || a - b).slice(0, 3);
      extra.push(kind === 0 ? { at, op: 'reassignPartitions', topic: t.name, partition, replicas, throttleBytesPerSec: r.range(500, 5000) } : { at, op: 'reassignPartitions', topic: t.name, partition, replicas });
    } else if (kind === 2) {
      const v = r.bool() ? '*' : `${partition}:${r.pick(brokers)},${r.range(0, t.partitions - 1)}:${r.pick(brokers)}`;
      extra.push({ at, op: 'alterConfig', entity: 'topic', name: t.name, config: { 'leader.replication.throttled.replicas': v, 'follower.replication.throttled.replicas': r.bool() ? v : null, 'min.insync.replicas': r.bool() ? 1 : 2 } });
      extra.push({ at: at + r.range(500, 8000), op: 'alterConfig', entity: 'topic', name: t.name, config: { 'leader.replication.throttled.replicas': null, 'follower.replication.throttled.replicas': null } });
    } else if (kind === 3) {
      extra.push({ at, op: 'electLeaders', topic: t.name, partition, type: 'preferred' });
    } else {
      // A topic of its own, deleted and created again under the same name (new Partitions, same keys).
      extra.push({ at, op: 'createTopic', name: 'churn', partitions: 3, replicationFactor: 3 });
      extra.push({ at: at + r.range(200, 3000), op: 'deleteTopic', name: 'churn' });
      extra.push({ at: at + r.range(3100, 6000), op: 'createTopic', name: 'churn', partitions: 2, replicationFactor: 3 });
      extra.push({ at: at + r.range(6100, 9000), op: 'deleteTopic', name: 'churn' });
    }
  }
  const timeline = [...(s.timeline ?? []), ...extra].sort((a, b) => a.at - b.at);
  return { ...s, name: `fetcher session seed ${seed}`, timeline };
}

/** What goes stale, described; empty when every session and flag matches a fresh lookup. */
function staleness(c: Cluster): string[] {
  const out: string[] = [];
  const version = c.controller.configVersion;
  for (const b of c.brokers.values() as Iterable<Broker>) {
    if (!b.running) continue;
    const fetchers = (b as unknown as { fetchers: Map<number, FetcherView> }).fetchers;
    for (const f of fetchers.values()) {
      if (f.members === null) continue;
      const fresh = [...f.keys].sort();
      const held = f.members.map((p) => p.key);
      if (JSON.stringify(held) !== JSON.stringify(fresh)) out.push(`broker ${b.brokerId} session with ${f.leader}: holds [${held}], its keys are [${fresh}]`);
      for (const p of f.members) {
        if (b.partitions.get(p.key) !== p) out.push(`broker ${b.brokerId} session with ${f.leader}: ${p.key} is not the Partition the broker holds under its key`);
      }
    }
    // A follower's fetch parts (each fetcher's members' cached parts) name no stopped Partition.
    for (const f of (b as unknown as { fetchers: Map<number, FetcherView> }).fetchers.values()) {
      for (const p of f.members ?? []) {
        const part = (p as unknown as { fetchPart: { key: string; leaderRef: PartitionRef | null } | null }).fetchPart;
        const stopped = stoppedIn(c, part?.leaderRef);
        if (stopped !== null) out.push(`broker ${b.brokerId} ${p.key}: its fetch part names ${stopped}`);
      }
    }
    for (const p of b.partitions.values()) {
      // The leader's side: a fetch part's Partition reference, when a leader would use it, is what that leader holds under the key.
      const part = (p as unknown as { fetchPart: { key: string; leaderRef: PartitionRef | null } | null }).fetchPart;
      const stopped = stoppedIn(c, part?.leaderRef);
      if (stopped !== null) out.push(`broker ${b.brokerId} ${p.key}: its fetch part names ${stopped}`);
      const ref = part?.leaderRef?.partition ?? null;
      if (part !== null && ref !== null && ref.role !== 'none') {
        const host = [...c.brokers.values()].find((h) => ref.hostedBy(h));
        if (host === undefined || host.partitions.get(part.key) !== ref) out.push(`broker ${b.brokerId} ${p.key}: its fetch part carries a live Partition that broker ${host?.brokerId ?? '?'} does not hold under ${part.key}`);
      }
      // The purgatory list a Partition in the map holds is the one the broker keeps under the
      // key, and null only when the key has none (a change then wakes nobody, without a lookup).
      const lists = (b as unknown as { waiters: Map<string, object> }).waiters;
      if (p.waiterList !== null && lists.get(p.key) !== p.waiterList) out.push(`broker ${b.brokerId} ${p.key}: holds a purgatory list that is not the broker's for its key`);
      if (p.waiterList === null && lists.has(p.key)) out.push(`broker ${b.brokerId} ${p.key}: holds no purgatory list, the broker has one for its key`);
      // min.insync.replicas as the broker gives it (kept as of a config version) is the topic's.
      const minIsr = c.controller.topicConfig(p.topic).int('min.insync.replicas');
      if (b.minInsyncReplicas(p) !== minIsr) out.push(`broker ${b.brokerId} ${p.key}: min.insync.replicas ${b.minInsyncReplicas(p)}, the config says ${minIsr}`);
      if (p.throttleVersion !== version) continue;
      const cfg = c.controller.topicConfig(p.topic);
      const leader = isThrottledReplica(cfg.raw('leader.replication.throttled.replicas'), p.partition, b.brokerId);
      const follower = isThrottledReplica(cfg.raw('follower.replication.throttled.replicas'), p.partition, b.brokerId);
      if (p.leaderThrottled !== leader || p.followerThrottled !== follower) {
        out.push(`broker ${b.brokerId} ${p.key}: throttle flags ${p.leaderThrottled}/${p.followerThrottled}, the config says ${leader}/${follower}`);
      }
    }
  }
  // The broker's side of a consumer's fetch session: a part's Partition reference, when a broker would use it, is what that broker holds under the key.
  for (const consumer of c.consumers.values()) {
    const states = (consumer as unknown as { partitions: Map<string, { fetchPart: { key: string; brokerRef?: PartitionRef | null } | null }> }).partitions;
    for (const st of states.values()) {
      const stopped = stoppedIn(c, st.fetchPart?.brokerRef);
      if (stopped !== null) out.push(`consumer ${consumer.id} ${st.fetchPart!.key}: its fetch part names ${stopped}`);
      const ref = st.fetchPart?.brokerRef?.partition ?? null;
      if (ref === null || ref.role === 'none') continue;
      consumerRefs++;
      const host = [...c.brokers.values()].find((h) => ref.hostedBy(h));
      if (host === undefined || host.partitions.get(st.fetchPart!.key) !== ref) out.push(`consumer ${consumer.id} ${st.fetchPart!.key}: its fetch part carries a live Partition that broker ${host?.brokerId ?? '?'} does not hold under the key`);
    }
  }
  return out;
}

/**
 * The stopped Partition a fetch part's ref names, described (null: none). Stopped: role
 * 'none' and not what its broker holds under its key (a Partition a restarted broker made
 * from its disk is 'none' too until its registration arrives, but it is in the map).
 */
function stoppedIn(c: Cluster, ref: PartitionRef | null | undefined): string | null {
  const p = ref?.partition ?? null;
  if (p === null || p.role !== 'none') return null;
  const host = [...c.brokers.values()].find((h) => p.hostedBy(h));
  if (host !== undefined && host.running && host.partitions.get(p.key) === p) return null;
  stoppedRefsSeen++;
  return `a stopped Partition ${p.key} of broker ${host?.brokerId ?? '?'}`;
}

/** Stopped Partitions stoppedIn found (the self-check of the check counts them). */
let stoppedRefsSeen = 0;

/** Consumer fetch parts whose Partition reference staleness() compared (the check looked at something). */
let consumerRefs = 0;

describe('replica fetcher sessions', () => {
  it('hold the Partitions a fresh lookup gives, fetch parts that name no stopped Partition (through kills, leader changes, topic deletes), purgatory lists and throttle flags as the broker and config give them, at every step of 24 seeds with faults and admin ops', { timeout: 120_000 }, () => {
    let checkedSessions = 0;
    let checkedFlags = 0;
    const failures: string[] = [];
    for (let seed = 1; seed <= 24 && failures.length === 0; seed++) {
      const c = new Cluster(scenarioWithAdmin(seed), { recordConsumed: false, recordProduced: false });
      for (let t = 50; t <= FAULT_END_MS + 10000; t += 50) {
        c.runUntil(t);
        const stale = staleness(c);
        if (stale.length > 0) {
          failures.push(`seed ${seed} t=${t}: ${stale.slice(0, 3).join('; ')}`);
          break;
        }
        for (const b of c.brokers.values() as Iterable<Broker>) {
          for (const f of (b as unknown as { fetchers: Map<number, FetcherView> }).fetchers.values()) if (f.members !== null) checkedSessions++;
          for (const p of b.partitions.values()) if (p.throttleVersion === c.controller.configVersion) checkedFlags++;
        }
      }
    }
    expect(failures).toEqual([]);
    // The check looked at something: sessions and computed flags.
    expect(checkedSessions).toBeGreaterThan(1000);
    expect(checkedFlags).toBeGreaterThan(1000);
    expect(consumerRefs).toBeGreaterThan(1000);
  });

  it('a session whose Partition was swapped under it is caught by the check', () => {
    // The check itself: a session made stale by hand (a removed Partition kept) is reported.
    const c = new Cluster(scenarioWithAdmin(1), { recordConsumed: false, recordProduced: false });
    c.runUntil(2000);
    const b = [...c.brokers.values()].find((x) => [...(x as unknown as { fetchers: Map<number, FetcherView> }).fetchers.values()].some((f) => f.members !== null && f.members.length > 0))!;
    const f = [...(b as unknown as { fetchers: Map<number, FetcherView> }).fetchers.values()].find((x) => x.members !== null && x.members.length > 0)!;
    const p = f.members![0]!;
    const copy = Object.create(Object.getPrototypeOf(p) as object) as Partition;
    Object.assign(copy, p);
    f.members![0] = copy;
    expect(staleness(c).join('\n')).toContain(`${p.key} is not the Partition the broker holds under its key`);
    p.leaderThrottled = !p.leaderThrottled;
    p.throttleVersion = c.controller.configVersion;
    expect(staleness(c).join('\n')).toContain(`${p.key}: throttle flags`);
    // A fetch part carrying a Partition its leader no longer holds under the key.
    const part = (p as unknown as { fetchPart: { leaderRef: PartitionRef | null } | null }).fetchPart;
    if (part !== null) {
      part.leaderRef = { partition: copy };
      expect(staleness(c).join('\n')).toContain(`${p.key}: its fetch part carries a live Partition`);
    }
    p.minIsr = 99;
    p.minIsrVersion = c.controller.configVersion;
    expect(staleness(c).join('\n')).toContain(`${p.key}: min.insync.replicas 99`);
    p.waiterList = { key: p.key, items: [], what: 0 };
    expect(staleness(c).join('\n')).toContain(`${p.key}: holds a purgatory list that is not the broker's`);
    // A Partition that forgot its key's list (a change would wake nobody).
    const lists = (b as unknown as { waiters: Map<string, object> }).waiters;
    const withList = [...b.partitions.values()].find((x) => x.role !== 'none' && lists.has(x.key))!;
    withList.waiterList = null;
    expect(staleness(c).join('\n')).toContain(`${withList.key}: holds no purgatory list, the broker has one`);
    // A consumer's fetch part carrying a Partition its broker does not hold under the key
    // (in a cluster of its own, run until a consumer fetched).
    const c2 = new Cluster(scenarioWithAdmin(1), { recordConsumed: false, recordProduced: false });
    type State = { fetchPart: { key: string; brokerRef?: PartitionRef | null } | null };
    const carrying = (): State | undefined =>
      [...c2.consumers.values()].flatMap((x) => [...(x as unknown as { partitions: Map<string, State> }).partitions.values()]).find((x) => x.fetchPart?.brokerRef?.partition);
    for (let t = 500; t <= 30000 && carrying() === undefined; t += 500) c2.runUntil(t);
    const st = carrying()!;
    expect(staleness(c2)).toEqual([]);
    const ref = st.fetchPart!.brokerRef!.partition!;
    const other = Object.create(Object.getPrototypeOf(ref) as object) as Partition;
    Object.assign(other, ref);
    st.fetchPart!.brokerRef = { partition: other };
    expect(staleness(c2).join('\n')).toContain(`${st.fetchPart!.key}: its fetch part carries a live Partition that broker`);
    // A part naming a stopped Partition (as one would if stop left its ref set).
    other.role = 'none';
    expect(staleness(c2).join('\n')).toContain(`${st.fetchPart!.key}: its fetch part names a stopped Partition`);
  });
});
