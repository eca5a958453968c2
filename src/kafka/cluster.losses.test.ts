/**
 * The losses Kafka really has, and the ones it does not. Each test is a small scenario
 * whose timeline forces the situation, then reads the run's output.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/types';
import { Cluster } from './cluster';
import { threeRacks } from './test-support/three-racks';

function base(overrides: Partial<Scenario> = {}): Scenario {
  return {
    version: 1,
    seed: 7,
    cluster: threeRacks({ jitterMs: 0 }),
    ...overrides,
  };
}

describe('acks=1 can lose an acknowledged write', () => {
  const scenario = base({
    topics: [{ name: 't', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 1 }, assignments: [[1, 2, 3]] }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 1 } }],
    timeline: [
      // Followers answer slowly, so they have not fetched the record when the leader dies.
      { at: 500, op: 'slowBroker', broker: 2, delayMs: 5000 },
      { at: 500, op: 'slowBroker', broker: 3, delayMs: 5000 },
      { at: 4000, op: 'produce', producer: 'p', topic: 't', key: 'k', value: 'acked-then-lost' },
      { at: 4100, op: 'killBroker', broker: 1 },
      { at: 4200, op: 'slowBroker', broker: 2, delayMs: 0 },
      { at: 4200, op: 'slowBroker', broker: 3, delayMs: 0 },
      { at: 30000, op: 'restartBroker', broker: 1 },
    ],
  });

  it('acknowledges the record, elects a follower without it, and truncates the old leader', () => {
    const c = new Cluster(scenario, { recordConsumed: true });
    c.runUntil(60000);
    const out = c.output();
    const row = out.produced.find((r) => r.key === 'k');
    expect(row).toBeDefined();
    expect(row!.error).toBeNull();
    expect(row!.offset).toBe(0);
    const part = out.partitions[0]!;
    expect(part.leader).not.toBe(1);
    expect(part.leaderEpoch).toBeGreaterThan(0);
    expect(part.records!.some((r) => r.value === 'acked-then-lost')).toBe(false);
    const truncated = out.events.filter((e) => e.type === 'LogTruncated' && e.broker === 1);
    expect(truncated.length).toBeGreaterThan(0);
    // The old leader rejoined and agrees with the new leader.
    const leo = part.replicaStates.map((r) => r.logEndOffset);
    expect(new Set(leo).size).toBe(1);
  });

  it('with acks=all the same timeline loses nothing', () => {
    const safe: Scenario = {
      ...scenario,
      topics: [{ name: 't', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 2 }, assignments: [[1, 2, 3]] }],
      clients: [{ kind: 'producer', id: 'p', config: { acks: 'all' } }],
    };
    const c = new Cluster(safe, { recordConsumed: true });
    c.runUntil(60000);
    const out = c.output();
    const row = out.produced.find((r) => r.key === 'k');
    expect(row).toBeDefined();
    if (row!.error === null) {
      // Acknowledged: it must survive.
      expect(out.partitions[0]!.records!.some((r) => r.value === 'acked-then-lost')).toBe(true);
    } else {
      expect(row!.offset).toBeNull();
    }
  });
});

describe('unclean leader election', () => {
  function scenario(unclean: boolean): Scenario {
    return base({
      topics: [
        {
          name: 't',
          partitions: 1,
          replicationFactor: 3,
          config: { 'min.insync.replicas': 1, 'unclean.leader.election.enable': unclean },
          assignments: [[1, 2, 3]],
        },
      ],
      clients: [{ kind: 'producer', id: 'p', config: { acks: 1 } }],
      timeline: [
        { at: 100, op: 'produce', producer: 'p', topic: 't', key: 'a', value: 'replicated' },
        { at: 2000, op: 'killBroker', broker: 2 },
        { at: 2000, op: 'killBroker', broker: 3 },
        // After broker.session.timeout.ms the controller fences them: ISR = [1].
        { at: 15000, op: 'produce', producer: 'p', topic: 't', key: 'b', value: 'only-on-1' },
        { at: 16000, op: 'killBroker', broker: 1 },
        { at: 30000, op: 'restartBroker', broker: 2 },
        { at: 60000, op: 'restartBroker', broker: 1 },
        { at: 60000, op: 'restartBroker', broker: 3 },
      ],
    });
  }

  it('enabled: a stale replica becomes leader and the records only the old leader had are lost', () => {
    const c = new Cluster(scenario(true), { recordConsumed: true });
    c.runUntil(40000);
    const mid = c.output();
    expect(mid.partitions[0]!.leader).toBe(2);
    expect(mid.partitions[0]!.isr).toEqual([2]);
    expect(mid.events.some((e) => e.type === 'LeaderElected' && e.reason === 'unclean' && e.leader === 2)).toBe(true);
    c.runUntil(100000);
    const out = c.output();
    const lostRow = out.produced.find((r) => r.key === 'b')!;
    expect(lostRow.error).toBeNull();
    expect(lostRow.offset).toBe(1);
    const values = out.partitions[0]!.records!.map((r) => r.value);
    expect(values).toContain('replicated');
    expect(values).not.toContain('only-on-1');
    expect(out.events.some((e) => e.type === 'LogTruncated' && e.broker === 1)).toBe(true);
  });

  it('disabled: the partition stays offline until the last ISR member returns, and nothing is lost', () => {
    const c = new Cluster(scenario(false), { recordConsumed: true });
    c.runUntil(40000);
    const mid = c.output();
    expect(mid.partitions[0]!.leader).toBe(-1);
    expect(mid.partitions[0]!.isr).toEqual([1]);
    c.runUntil(100000);
    const out = c.output();
    expect(out.partitions[0]!.leader).toBe(1);
    const values = out.partitions[0]!.records!.map((r) => r.value);
    expect(values).toEqual(['replicated', 'only-on-1']);
  });
});

describe('acks=all and min.insync.replicas', () => {
  it('rejects with NOT_ENOUGH_REPLICAS when two of three brokers are down', () => {
    const s = base({
      topics: [{ name: 't', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 2 }, assignments: [[1, 2, 3]] }],
      clients: [{ kind: 'producer', id: 'p', config: { acks: 'all', 'delivery.timeout.ms': 20000 } }],
      timeline: [
        { at: 1000, op: 'killBroker', broker: 2 },
        { at: 1000, op: 'killBroker', broker: 3 },
        { at: 15000, op: 'produce', producer: 'p', topic: 't', key: 'x', value: 'v' },
      ],
    });
    const c = new Cluster(s, { recordConsumed: true });
    c.runUntil(16000);
    const snap = c.snapshot();
    expect(snap.partitions[0]!.isr).toEqual([1]);
    expect(snap.producers[0]!.lastError?.error).toBe('NOT_ENOUGH_REPLICAS');
    c.runUntil(60000);
    const out = c.output();
    const row = out.produced.find((r) => r.key === 'x')!;
    expect(row.offset).toBeNull();
    expect(row.error).toBe('NOT_ENOUGH_REPLICAS');
    expect(out.partitions[0]!.records).toEqual([]);
  });
});
