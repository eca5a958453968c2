/**
 * The server-side assignors, after Kafka's OptimizedUniformAssignmentBuilderTest (the
 * UniformHomogeneousAssignmentBuilder), UniformHeterogeneousAssignmentBuilderTest's goals
 * and the group coordinator's RangeAssignorTest. Kafka visits topics in the hash order of
 * their ids; the model visits them by name, so the topics below are named so that both
 * orders agree and Kafka's expected assignments hold unchanged.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../sim/prng';
import { RANGE_ASSIGNOR, UNIFORM_ASSIGNOR, type GroupAssignment, type ServerAssignorMember } from './assignors';

type A = Record<string, number[]>;
const asMap = (a: A) => new Map(Object.entries(a).map(([t, ps]) => [t, new Set(ps)]));
const m = (memberId: string, topics: string[], assignment: A = {}, instanceId: string | null = null): ServerAssignorMember => ({ memberId, instanceId, topics, assignment: asMap(assignment) });
const plain = (g: GroupAssignment) =>
  Object.fromEntries([...g].map(([id, a]) => [id, Object.fromEntries([...a].filter(([, ps]) => ps.size > 0).sort(([x], [y]) => (x < y ? -1 : 1)).map(([t, ps]) => [t, [...ps].sort((x, y) => x - y)]))]));
const counts = (n: Record<string, number>) => (t: string) => n[t] ?? -1;

/** checkValidityAndBalance: every partition of the subscribed topics exactly once, to a subscriber; sizes differ by at most one (homogeneous). */
function checkValidityAndBalance(members: ServerAssignorMember[], out: GroupAssignment, n: Record<string, number>, balanced = true): void {
  const seen = new Set<string>();
  for (const mem of members) for (const [t, ps] of out.get(mem.memberId) ?? []) for (const p of ps) {
    expect(mem.topics).toContain(t);
    expect(seen.has(`${t}-${p}`)).toBe(false);
    seen.add(`${t}-${p}`);
  }
  const subscribed = new Set(members.flatMap((x) => x.topics));
  for (const t of subscribed) for (let p = 0; p < (n[t] ?? 0); p++) expect(seen.has(`${t}-${p}`)).toBe(true);
  if (balanced) {
    const sizes = members.map((x) => [...(out.get(x.memberId) ?? new Map()).values()].reduce((s, ps) => s + ps.size, 0));
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  }
}

describe('OptimizedUniformAssignmentBuilderTest (UniformHomogeneousAssignmentBuilder)', () => {
  it('testOneMemberNoTopicSubscription', () => {
    expect(plain(UNIFORM_ASSIGNOR.assign([m('A', [])], counts({ topic1: 3 })))).toEqual({ A: {} });
  });

  it('testOneMemberSubscribedToNonexistentTopic (left out: the metadata has no such topic)', () => {
    expect(plain(UNIFORM_ASSIGNOR.assign([m('A', ['topic2'])], counts({ topic1: 3 })))).toEqual({ A: {} });
  });

  it('testFirstAssignmentTwoMembersTwoTopicsNoMemberRacks', () => {
    // Kafka's iteration visits topic3 (2 partitions) before topic1 (3): named a-topic3 here.
    const n = { topic1: 3, 'a-topic3': 2 };
    const members = [m('A', ['topic1', 'a-topic3']), m('B', ['topic1', 'a-topic3'])];
    const out = UNIFORM_ASSIGNOR.assign(members, counts(n));
    expect(plain(out)).toEqual({ A: { topic1: [0], 'a-topic3': [0, 1] }, B: { topic1: [1, 2] } });
    checkValidityAndBalance(members, out, n);
  });

  it('testFirstAssignmentNumMembersGreaterThanTotalNumPartitions', () => {
    const n = { topic3: 2 };
    const members = [m('A', ['topic3']), m('B', ['topic3']), m('C', ['topic3'])];
    const out = UNIFORM_ASSIGNOR.assign(members, counts(n));
    expect(plain(out)).toEqual({ A: { topic3: [0] }, B: { topic3: [1] }, C: {} });
    checkValidityAndBalance(members, out, n);
  });

  it('testValidityAndBalanceForLargeSampleSet', () => {
    const n: Record<string, number> = {};
    for (let i = 1; i < 100; i++) n[`topic${i}`] = 3;
    const members = Array.from({ length: 30 }, (_, i) => m(`member${i}`, Object.keys(n)));
    checkValidityAndBalance(members, UNIFORM_ASSIGNOR.assign(members, counts(n)), n);
  });

  it('testReassignmentForTwoMembersTwoTopicsGivenUnbalancedPrevAssignment', () => {
    const n = { topic1: 3, topic2: 3 };
    const members = [m('A', ['topic1', 'topic2'], { topic1: [0, 1], topic2: [0, 1] }), m('B', ['topic1', 'topic2'], { topic1: [2], topic2: [2] })];
    const out = UNIFORM_ASSIGNOR.assign(members, counts(n));
    expect(plain(out)).toEqual({ A: { topic1: [0, 1], topic2: [0] }, B: { topic1: [2], topic2: [1, 2] } });
    checkValidityAndBalance(members, out, n);
  });

  it('testReassignmentWhenPartitionsAreAddedForTwoMembersTwoTopics', () => {
    // Kafka's iteration visits topic2 first: named a-topic2 here.
    const n = { topic1: 6, 'a-topic2': 5 };
    const members = [m('A', ['topic1', 'a-topic2'], { topic1: [0, 2], 'a-topic2': [0] }), m('B', ['topic1', 'a-topic2'], { topic1: [1], 'a-topic2': [1, 2] })];
    const out = UNIFORM_ASSIGNOR.assign(members, counts(n));
    expect(plain(out)).toEqual({ A: { topic1: [0, 2, 3], 'a-topic2': [0, 3, 4] }, B: { topic1: [1, 4, 5], 'a-topic2': [1, 2] } });
    checkValidityAndBalance(members, out, n);
  });

  it('testReassignmentWhenOneMemberAddedAfterInitialAssignmentWithTwoMembersTwoTopics', () => {
    const n = { topic1: 3, topic2: 3 };
    const members = [m('A', ['topic1', 'topic2'], { topic1: [0, 2], topic2: [0] }), m('B', ['topic1', 'topic2'], { topic1: [1], topic2: [1, 2] }), m('C', ['topic1', 'topic2'])];
    const out = UNIFORM_ASSIGNOR.assign(members, counts(n));
    expect(plain(out)).toEqual({ A: { topic1: [0, 2] }, B: { topic1: [1], topic2: [1] }, C: { topic2: [0, 2] } });
    checkValidityAndBalance(members, out, n);
  });

  it('testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithThreeMembersTwoTopics', () => {
    const n = { topic1: 3, 'a-topic2': 3 };
    // Kafka's iteration visits topic2 first: named a-topic2 here. Member C (topic1-2, a-topic2-2) left.
    const members = [m('A', ['topic1', 'a-topic2'], { topic1: [0], 'a-topic2': [0] }), m('B', ['topic1', 'a-topic2'], { topic1: [1], 'a-topic2': [1] })];
    const out = UNIFORM_ASSIGNOR.assign(members, counts(n));
    expect(plain(out)).toEqual({ A: { topic1: [0], 'a-topic2': [0, 2] }, B: { topic1: [1, 2], 'a-topic2': [1] } });
    checkValidityAndBalance(members, out, n);
  });

  it('testReassignmentWhenOneSubscriptionRemovedAfterInitialAssignmentWithTwoMembersTwoTopics', () => {
    const n = { topic1: 2, topic2: 2 };
    const members = [m('A', ['topic2'], { topic1: [0], topic2: [0] }), m('B', ['topic2'], { topic1: [1], topic2: [1] })];
    const out = UNIFORM_ASSIGNOR.assign(members, counts(n));
    expect(plain(out)).toEqual({ A: { topic2: [0] }, B: { topic2: [1] } });
  });

  it('random homogeneous groups: valid, balanced, and sticky (a member keeps min(quota, kept) of what it had)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const prng = new Prng(seed);
      const n: Record<string, number> = {};
      for (let i = 0; i < 1 + prng.int(4); i++) n[`t${i}`] = 1 + prng.int(8);
      const topics = Object.keys(n);
      let members = Array.from({ length: 1 + prng.int(6) }, (_, i) => m(`m${i}`, topics));
      let out = UNIFORM_ASSIGNOR.assign(members, counts(n));
      checkValidityAndBalance(members, out, n);
      // A member leaves, another joins: the rest keep their partitions up to their quota.
      members = members.slice(1).concat([m('new', topics)]).map((x) => ({ ...x, assignment: out.get(x.memberId) ?? new Map() }));
      out = UNIFORM_ASSIGNOR.assign(members, counts(n));
      checkValidityAndBalance(members, out, n);
      const total = Object.values(n).reduce((s, x) => s + x, 0);
      const minQuota = Math.floor(total / members.length);
      for (const x of members) {
        const before = [...x.assignment].flatMap(([t, ps]) => [...ps].map((p) => `${t}-${p}`));
        const after = new Set([...(out.get(x.memberId) ?? new Map<string, Set<number>>())].flatMap(([t, ps]) => [...ps].map((p) => `${t}-${p}`)));
        expect(before.filter((k) => after.has(k)).length).toBeGreaterThanOrEqual(Math.min(minQuota, before.length));
      }
    }
  });
});

describe('UniformHeterogeneousAssignmentBuilderTest (goals)', () => {
  it('assigns every partition once to a subscriber, keeps what members had, and balances where subscriptions allow', () => {
    const n = { topic1: 3, topic2: 3, topic3: 2 };
    const members = [m('A', ['topic1', 'topic2']), m('B', ['topic2']), m('C', ['topic2', 'topic3'])];
    const out = UNIFORM_ASSIGNOR.assign(members, counts(n));
    checkValidityAndBalance(members, out, n, false);
    const sizes = members.map((x) => [...out.get(x.memberId)!.values()].reduce((s, ps) => s + ps.size, 0));
    expect(sizes.reduce((s, x) => s + x, 0)).toBe(8);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    // Stickiness: run again from the result, nothing moves.
    const again = UNIFORM_ASSIGNOR.assign(members.map((x) => ({ ...x, assignment: out.get(x.memberId)! })), counts(n));
    expect(plain(again)).toEqual(plain(out));
  });

  it('random heterogeneous groups: valid over many seeds', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const prng = new Prng(seed);
      const n: Record<string, number> = {};
      for (let i = 0; i < 1 + prng.int(4); i++) n[`t${i}`] = 1 + prng.int(6);
      const topics = Object.keys(n);
      const members = Array.from({ length: 1 + prng.int(5) }, (_, i) => m(`m${i}`, topics.filter(() => prng.int(2) === 0)));
      checkValidityAndBalance(members, UNIFORM_ASSIGNOR.assign(members, counts(n)), n, false);
    }
  });
});

describe('RangeAssignorTest (server side)', () => {
  it('testOneMemberNoTopic / testOneMemberSubscribedToNonExistentTopic', () => {
    expect(plain(RANGE_ASSIGNOR.assign([m('A', [])], counts({ topic1: 3 })))).toEqual({ A: {} });
    expect(plain(RANGE_ASSIGNOR.assign([m('A', ['topic2'])], counts({ topic1: 3 })))).toEqual({ A: {} });
  });

  it('testFirstAssignmentTwoMembersTwoTopicsSameSubscriptions', () => {
    const out = RANGE_ASSIGNOR.assign([m('A', ['topic1', 'topic3']), m('B', ['topic1', 'topic3'])], counts({ topic1: 3, topic3: 2 }));
    expect(plain(out)).toEqual({ A: { topic1: [0, 1], topic3: [0] }, B: { topic1: [2], topic3: [1] } });
  });

  it('testFirstAssignmentThreeMembersThreeTopicsDifferentSubscriptions', () => {
    const out = RANGE_ASSIGNOR.assign([m('A', ['topic1', 'topic2']), m('B', ['topic3']), m('C', ['topic2', 'topic3'])], counts({ topic1: 3, topic2: 3, topic3: 2 }));
    expect(plain(out)).toEqual({ A: { topic1: [0, 1, 2], topic2: [0, 1] }, B: { topic3: [0] }, C: { topic2: [2], topic3: [1] } });
  });

  it('testFirstAssignmentNumMembersGreaterThanNumPartitions', () => {
    const out = RANGE_ASSIGNOR.assign([m('A', ['topic1', 'topic3']), m('B', ['topic1', 'topic3']), m('C', ['topic1', 'topic3'])], counts({ topic1: 3, topic3: 2 }));
    expect(plain(out)).toEqual({ A: { topic1: [0], topic3: [0] }, B: { topic1: [1], topic3: [1] }, C: { topic1: [2] } });
  });

  it('static members come first, in instance id order; then the rest by member id', () => {
    const out = RANGE_ASSIGNOR.assign([m('A', ['t']), m('B', ['t'], {}, 'z-instance'), m('C', ['t'], {}, 'a-instance')], counts({ t: 3 }));
    expect(plain(out)).toEqual({ C: { t: [0] }, B: { t: [1] }, A: { t: [2] } });
  });

  it('is not sticky: a new member takes ranges, the others shift', () => {
    const out = RANGE_ASSIGNOR.assign([m('A', ['t'], { t: [0, 1, 2, 3] }), m('B', ['t'])], counts({ t: 4 }));
    expect(plain(out)).toEqual({ A: { t: [0, 1] }, B: { t: [2, 3] } });
  });
});
