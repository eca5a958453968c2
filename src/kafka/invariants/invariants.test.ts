/**
 * The invariant checkers' own rules, where a property test would pass whether or not they
 * hold: a partition added to a topic may be unowned by a Stable group only until a member
 * could have noticed (ADDED_PARTITION_SETTLE_MS).
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenario/types';
import { Cluster } from '../cluster';
import { ADDED_PARTITION_SETTLE_MS, checkStepInvariants, newInvariantState } from './invariants';

function grouped(): Scenario {
  return {
    version: 1,
    seed: 5,
    cluster: { brokers: [1, 2, 3].map((id) => ({ id, rack: null })), network: { latencyMs: 1, jitterMs: 0 }, config: { 'group.initial.rebalance.delay.ms': 0 } },
    topics: [{ name: 't', partitions: 3, replicationFactor: 3 }],
    clients: ['c1', 'c2'].map((id) => ({ kind: 'consumer' as const, id, groupId: 'g', topics: ['t'], config: { 'partition.assignment.strategy': 'range' } })),
    timeline: [],
  };
}

describe('checkStepInvariants: partitions added to a topic', () => {
  it('may be unowned by a Stable group while new, not once a member had time to notice; partitions there from the start may not', () => {
    const c = new Cluster(grouped());
    const state = newInvariantState();
    c.runUntil(10_000);
    expect(c.coordinator.describeGroups()[0]!.state).toBe('Stable');
    expect(checkStepInvariants(c, state)).toEqual([]);
    c.perform({ op: 'addPartitions', topic: 't', partitions: 5 });
    c.runUntil(10_001); // (an action runs the next millisecond)
    expect(c.controller.topics.get('t')!.partitions.length).toBe(5);
    // Still Stable on its old assignment, t-3 and t-4 unowned: the members have not noticed yet.
    expect(c.coordinator.describeGroups()[0]!.state).toBe('Stable');
    expect(checkStepInvariants(c, state)).toEqual([]);
    expect(state.addedAt.get('t-3')).toBe(c.now);
    expect(state.addedAt.has('t-2')).toBe(false);
    // Had they existed that long, unowned would be a violation.
    state.addedAt.set('t-3', c.now - ADDED_PARTITION_SETTLE_MS);
    expect(checkStepInvariants(c, state)).toEqual(['group g is Stable but t-3 has 0 owners']);
    // The group does notice: it rebalances and owns all five.
    c.runUntil(20_000);
    const g = c.coordinator.describeGroups()[0]!;
    expect(g.state).toBe('Stable');
    expect(g.members.flatMap((m) => m.assignment.map((tp) => tp.partition)).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(checkStepInvariants(c, state)).toEqual([]);
  });
});
