import { describe, expect, it } from 'vitest';
import { Prng } from '../sim/prng';
import type { TopicPartition } from '../snapshot';
import { ASSIGNORS, assignorByName, assignorMember, type AssignorMember } from './assignors';

const m = (memberId: string, topics: string[], owned: TopicPartition[] = [], generation = -1, groupInstanceId: string | null = null): AssignorMember => ({
  memberId,
  groupInstanceId,
  topics,
  ownedPartitions: owned,
  generation,
});
const fmt = (r: Map<string, TopicPartition[]>) => Object.fromEntries([...r].map(([k, v]) => [k, v.map((tp) => `${tp.topic}-${tp.partition}`)]));

describe('range (RangeAssignorTest)', () => {
  it('two consumers, two topics of three partitions', () => {
    const r = ASSIGNORS.get('range')!.assign([m('c0', ['t1', 't2']), m('c1', ['t1', 't2'])], new Map([['t1', 3], ['t2', 3]]));
    expect(fmt(r)).toEqual({ c0: ['t1-0', 't1-1', 't2-0', 't2-1'], c1: ['t1-2', 't2-2'] });
  });
  it('puts static members first, by group.instance.id', () => {
    const r = ASSIGNORS.get('range')!.assign([m('a', ['t']), m('z', ['t'], [], -1, 'instance-1')], new Map([['t', 3]]));
    expect(fmt(r)).toEqual({ z: ['t-0', 't-1'], a: ['t-2'] });
  });
  it('only members subscribed to a topic share it', () => {
    const r = ASSIGNORS.get('range')!.assign([m('c0', ['t1']), m('c1', ['t1', 't2'])], new Map([['t1', 2], ['t2', 2]]));
    expect(fmt(r)).toEqual({ c0: ['t1-0'], c1: ['t1-1', 't2-0', 't2-1'] });
  });
});

describe('range: more of RangeAssignorTest', () => {
  const range = () => ASSIGNORS.get('range')!;
  it('testOneConsumerMultipleTopics', () => {
    expect(fmt(range().assign([m('c', ['t1', 't2'])], new Map([['t1', 1], ['t2', 2]])))).toEqual({ c: ['t1-0', 't2-0', 't2-1'] });
  });
  it('testTwoConsumersOneTopicOnePartition', () => {
    expect(fmt(range().assign([m('consumer1', ['t']), m('consumer2', ['t'])], new Map([['t', 1]])))).toEqual({ consumer1: ['t-0'], consumer2: [] });
  });
  it('testMultipleConsumersMixedTopicSubscriptions', () => {
    const r = range().assign([m('consumer1', ['t1']), m('consumer2', ['t1', 't2']), m('consumer3', ['t1'])], new Map([['t1', 3], ['t2', 2]]));
    expect(fmt(r)).toEqual({ consumer1: ['t1-0'], consumer2: ['t1-1', 't2-0', 't2-1'], consumer3: ['t1-2'] });
  });
  it('a topic without metadata is skipped (testOneConsumerNonexistentTopic)', () => {
    expect(fmt(range().assign([m('c', ['missing'])], new Map()))).toEqual({ c: [] });
  });
});

describe('roundrobin: more of RoundRobinAssignorTest', () => {
  const rr = () => ASSIGNORS.get('roundrobin')!;
  it('testMultipleConsumersMixedTopics: skips members not subscribed', () => {
    const r = rr().assign([m('consumer1', ['t1']), m('consumer2', ['t1', 't2']), m('consumer3', ['t1'])], new Map([['t1', 3], ['t2', 2]]));
    expect(fmt(r)).toEqual({ consumer1: ['t1-0'], consumer2: ['t1-1', 't2-0', 't2-1'], consumer3: ['t1-2'] });
  });
  it('testTwoStaticConsumersTwoTopicsSixPartitions: static members by group.instance.id', () => {
    const r = rr().assign([m('consumer-b', ['t1', 't2'], [], -1, 'instance1'), m('consumer-a', ['t1', 't2'], [], -1, 'instance2')], new Map([['t1', 3], ['t2', 3]]));
    expect(fmt(r)).toEqual({ 'consumer-b': ['t1-0', 't1-2', 't2-1'], 'consumer-a': ['t1-1', 't2-0', 't2-2'] });
  });
  it('testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions: the static member comes first', () => {
    const r = rr().assign([m('consumer1', ['t1', 't2']), m('consumer2', ['t1', 't2'], [], -1, 'instance2')], new Map([['t1', 3], ['t2', 3]]));
    expect(fmt(r)).toEqual({ consumer2: ['t1-0', 't1-2', 't2-1'], consumer1: ['t1-1', 't2-0', 't2-2'] });
  });
});

describe('sticky: AbstractStickyAssignorTest / CooperativeStickyAssignorTest cases', () => {
  const sticky = () => ASSIGNORS.get('sticky')!;
  const coop = () => ASSIGNORS.get('cooperative-sticky')!;
  const tps = (...ps: number[]) => ps.map((p) => ({ topic: 't', partition: p }));
  it('testAddRemoveConsumerOneTopic (sticky)', () => {
    const parts = new Map([['t', 3]]);
    const r1 = sticky().assign([m('consumer1', ['t'])], parts);
    expect(fmt(r1)).toEqual({ consumer1: ['t-0', 't-1', 't-2'] });
    const r2 = sticky().assign([m('consumer1', ['t'], r1.get('consumer1')!, 1), m('consumer2', ['t'], [], 1)], parts);
    expect(fmt(r2)).toEqual({ consumer1: ['t-0', 't-1'], consumer2: ['t-2'] });
    const r3 = sticky().assign([m('consumer2', ['t'], r2.get('consumer2')!, 2)], parts);
    expect(fmt(r3)).toEqual({ consumer2: ['t-0', 't-1', 't-2'] });
  });
  it('testAddRemoveConsumerOneTopic (cooperative: the moving partition waits one round)', () => {
    const parts = new Map([['t', 3]]);
    const r2 = coop().assign([m('consumer1', ['t'], tps(0, 1, 2), 1), m('consumer2', ['t'], [], 1)], parts);
    expect(fmt(r2)).toEqual({ consumer1: ['t-0', 't-1'], consumer2: [] });
    const r3 = coop().assign([m('consumer1', ['t'], r2.get('consumer1')!, 2), m('consumer2', ['t'], [], 2)], parts);
    expect(fmt(r3)).toEqual({ consumer1: ['t-0', 't-1'], consumer2: ['t-2'] });
  });
  it('two members of the same generation claiming a partition: neither keeps it by claim (testAssignmentWithMultipleGenerations… same generation)', () => {
    const parts = new Map([['t', 2]]);
    const r = coop().assign([m('a', ['t'], tps(0, 1), 3), m('b', ['t'], tps(1), 3)], parts);
    // t-1 is invalid for both; it is transferring (b and a both claimed it), so withheld this round.
    expect(r.get('a')).toEqual(tps(0));
    expect(r.get('b')).toEqual([]);
  });
  it('a claim from an older generation loses to a newer one (testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration)', () => {
    const parts = new Map([['t', 3]]);
    const r = sticky().assign([m('consumer1', ['t'], tps(0, 1, 2), 2), m('consumer2', ['t'], tps(0, 1, 2), 1)], parts);
    expect(fmt(r)).toEqual({ consumer1: ['t-0', 't-1'], consumer2: ['t-2'] });
  });
  it('unequal subscriptions (general case): consumer2 takes all of t2, t1 is balanced around it', () => {
    const parts = new Map([['t1', 4], ['t2', 2]]);
    const r = sticky().assign([m('consumer1', ['t1']), m('consumer2', ['t1', 't2'])], parts);
    expect(r.get('consumer2')!.filter((tp) => tp.topic === 't2')).toHaveLength(2);
    expect(r.get('consumer1')!.length).toBe(3);
    expect(r.get('consumer2')!.length).toBe(3);
  });
});

describe('roundrobin (RoundRobinAssignorTest)', () => {
  it('deals partitions of all topics around the members', () => {
    const r = ASSIGNORS.get('roundrobin')!.assign([m('c0', ['t1', 't2']), m('c1', ['t1', 't2'])], new Map([['t1', 3], ['t2', 3]]));
    expect(fmt(r)).toEqual({ c0: ['t1-0', 't1-2', 't2-1'], c1: ['t1-1', 't2-0', 't2-2'] });
  });
});

describe('sticky and cooperative-sticky', () => {
  it('keeps owned partitions and moves only what balance needs', () => {
    const parts = new Map([['t', 6]]);
    const first = ASSIGNORS.get('sticky')!.assign([m('a', ['t']), m('b', ['t'])], parts);
    const owned = (id: string) => first.get(id)!;
    const second = ASSIGNORS.get('sticky')!.assign([m('a', ['t'], owned('a'), 1), m('b', ['t'], owned('b'), 1), m('c', ['t'])], parts);
    expect(second.get('a')!.length).toBe(2);
    expect(second.get('b')!.length).toBe(2);
    expect(second.get('c')!.length).toBe(2);
    for (const id of ['a', 'b']) for (const tp of second.get(id)!) expect(owned(id)).toContainEqual(tp);
  });
  it('cooperative: a partition changing owner is not assigned this round', () => {
    const parts = new Map([['t', 4]]);
    const all = [0, 1, 2, 3].map((p) => ({ topic: 't', partition: p }));
    const r = ASSIGNORS.get('cooperative-sticky')!.assign([m('a', ['t'], all, 1), m('b', ['t'])], parts);
    expect(r.get('a')!.length).toBe(2);
    expect(r.get('b')).toEqual([]);
    // Next round, a has revoked the two: b gets them.
    const r2 = ASSIGNORS.get('cooperative-sticky')!.assign([m('a', ['t'], r.get('a')!, 2), m('b', ['t'], [], 2)], parts);
    expect(r2.get('b')!.length).toBe(2);
    expect(r2.get('a')).toEqual(r.get('a'));
  });
  it('the newer generation wins a double claim', () => {
    const tp = { topic: 't', partition: 0 };
    const r = ASSIGNORS.get('sticky')!.assign([m('old', ['t'], [tp], 1), m('new', ['t'], [tp], 2)], new Map([['t', 1]]));
    expect(r.get('new')).toEqual([tp]);
  });
});

describe('every assignor, random groups (property)', () => {
  for (const name of ['range', 'roundrobin', 'sticky', 'cooperative-sticky']) {
    it(`${name}: each partition at most once, only to subscribers; all assigned unless cooperative; balanced for equal subscriptions`, () => {
      const assignor = assignorByName(name)!;
      for (let seed = 1; seed <= 300; seed++) {
        const r = new Prng(seed);
        const topics = Array.from({ length: r.range(1, 3) }, (_, i) => `t${i}`);
        const parts = new Map(topics.map((t) => [t, r.range(1, 8)] as [string, number]));
        const same = r.bool();
        const members = Array.from({ length: r.range(1, 5) }, (_, i) => m(`m${i}`, same ? topics : topics.filter(() => r.bool(0.7)).concat(topics[0]!)));
        const first = assignor.assign(members, parts);
        const again = assignor.assign(
          members.map((x) => ({ ...x, ownedPartitions: first.get(x.memberId)!, generation: 1 })),
          parts,
        );
        for (const res of [first, again]) {
          const seen = new Set<string>();
          for (const [id, tps] of res) {
            const member = members.find((x) => x.memberId === id)!;
            for (const tp of tps) {
              const k = `${tp.topic}-${tp.partition}`;
              expect(seen.has(k), `seed ${seed}: ${k} twice`).toBe(false);
              seen.add(k);
              expect(member.topics).toContain(tp.topic);
            }
          }
          if (name !== 'cooperative-sticky' || res === again) {
            let total = 0;
            for (const t of new Set(members.flatMap((x) => x.topics))) total += parts.get(t)!;
            expect(seen.size, `seed ${seed}`).toBe(total);
          }
          if (same && name !== 'range') {
            const sizes = [...res.values()].map((x) => x.length);
            if (name !== 'cooperative-sticky' || res === again) expect(Math.max(...sizes) - Math.min(...sizes), `seed ${seed}`).toBeLessThanOrEqual(1);
          }
        }
        if (name === 'sticky' || name === 'cooperative-sticky') {
          // Same members, same subscriptions: nothing moves.
          for (const [id, tps] of again) expect(tps).toEqual(first.get(id)!);
        }
        if (name === 'sticky' || name === 'roundrobin') {
          // Balance (AbstractStickyAssignor.balance end condition, also true of roundrobin for
          // equal subscriptions): no partition could go to an eligible member with 2 fewer.
          if (name === 'sticky' || same) expect(movableImbalance(first, members), `seed ${seed}`).toBe(null);
        }
      }
    });
  }
});

function movableImbalance(res: Map<string, TopicPartition[]>, members: AssignorMember[]): string | null {
  for (const [id, tps] of res) {
    for (const tp of tps) {
      for (const other of members) {
        if (other.memberId === id || !other.topics.includes(tp.topic)) continue;
        if (tps.length > res.get(other.memberId)!.length + 1) return `${tp.topic}-${tp.partition} could move from ${id} to ${other.memberId}`;
      }
    }
  }
  return null;
}

describe('sticky assignors across membership changes (property)', () => {
  for (const name of ['sticky', 'cooperative-sticky']) {
    it(`${name}: keeps what balance allows, never hands out a partition another member still owns (cooperative), converges`, () => {
      const assignor = assignorByName(name)!;
      for (let seed = 1; seed <= 300; seed++) {
        const r = new Prng(seed * 7919);
        const topics = Array.from({ length: r.range(1, 3) }, (_, i) => `t${i}`);
        const parts = new Map(topics.map((t) => [t, r.range(1, 9)] as [string, number]));
        const same = r.bool(0.6);
        const subs = () => (same ? topics : topics.filter(() => r.bool(0.6)).concat(topics[0]!));
        let members = Array.from({ length: r.range(1, 4) }, (_, i) => m(`m${i}`, subs()));
        let owned = new Map<string, TopicPartition[]>();
        let next = members.length;
        for (let gen = 1; gen <= 8; gen++) {
          // Change membership: someone leaves, someone joins, or nothing.
          const change = r.int(3);
          if (change === 0 && members.length > 1) members = members.filter((_, i) => i !== r.int(members.length));
          else if (change === 1) members = [...members, m(`m${next++}`, subs())];
          const input = members.map((x) => ({ ...x, ownedPartitions: owned.get(x.memberId) ?? [], generation: owned.has(x.memberId) ? gen - 1 : -1 }));
          const res = assignor.assign(input, parts);
          const claimedBy = new Map<string, string>();
          for (const x of input) for (const tp of x.ownedPartitions) claimedBy.set(`${tp.topic}-${tp.partition}`, x.memberId);
          for (const [id, tps] of res) {
            for (const tp of tps) {
              const prev = claimedBy.get(`${tp.topic}-${tp.partition}`);
              if (name === 'cooperative-sticky') expect(prev === undefined || prev === id, `seed ${seed} gen ${gen}: ${id} given a partition ${prev} still owns`).toBe(true);
            }
          }
          if (same && name === 'sticky') {
            // Constrained: each member keeps min(owned, ⌊P/C⌋) of what it owned.
            const total = topics.reduce((n, t) => n + parts.get(t)!, 0);
            const minQuota = Math.floor(total / input.length);
            for (const x of input) {
              const kept = res.get(x.memberId)!.filter((tp) => x.ownedPartitions.some((o) => o.topic === tp.topic && o.partition === tp.partition)).length;
              expect(kept, `seed ${seed} gen ${gen} ${x.memberId}`).toBeGreaterThanOrEqual(Math.min(x.ownedPartitions.length, minQuota));
            }
          }
          owned = res;
        }
        // Cooperative: one more round with no change assigns everything that was withheld.
        const settled = assignor.assign(members.map((x) => ({ ...x, ownedPartitions: owned.get(x.memberId) ?? [], generation: 100 })), parts);
        let total = 0;
        for (const t of new Set(members.flatMap((x) => x.topics))) total += parts.get(t)!;
        expect([...settled.values()].reduce((n, x) => n + x.length, 0), `seed ${seed}`).toBe(total);
        expect(movableImbalance(settled, members), `seed ${seed}`).toBe(null);
      }
    });
  }
});

/**
 * StickyAssignorTest runs AbstractStickyAssignorTest with subscriptions whose owned partitions
 * are empty and whose user data holds the previous assignment (buildSubscriptionV2Above):
 * the eager protocol has revoked everything before JoinGroup. The leader reads them through
 * the assignor's memberData.
 */
describe('sticky (eager): previous assignment from the subscription user data (StickyAssignorTest)', () => {
  const sticky = () => ASSIGNORS.get('sticky')!;
  const sub = (memberId: string, topics: string[], previous: TopicPartition[] | null, generation = 1) =>
    assignorMember(sticky(), memberId, null, { topics, ownedPartitions: [], generation: -1, userData: previous ? { previousAssignment: previous, generation } : null });
  const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

  it('memberData: no user data owns nothing in generation -1; user data is read whatever ownedPartitions says', () => {
    expect(sub('c', ['t'], null)).toMatchObject({ ownedPartitions: [], generation: -1 });
    expect(sub('c', ['t'], [tp('t', 2)], 4)).toMatchObject({ ownedPartitions: [tp('t', 2)], generation: 4 });
    // Other assignors read the subscription's own fields.
    const rr = assignorMember(ASSIGNORS.get('roundrobin')!, 'c', null, { topics: ['t'], ownedPartitions: [tp('t', 1)], generation: 3, userData: null });
    expect(rr).toMatchObject({ ownedPartitions: [tp('t', 1)], generation: 3 });
  });

  it('testStickiness: removing the potential leader keeps every other consumer on its partition', () => {
    const parts = new Map([['topic1', 3]]);
    const ids = ['consumer1', 'consumer2', 'consumer3', 'consumer4'];
    const first = sticky().assign(ids.map((id) => sub(id, ['topic1'], null)), parts);
    const before = new Map<string, TopicPartition>();
    for (const [id, tps] of first) {
      expect(tps.length, id).toBeLessThanOrEqual(1);
      if (tps.length === 1) before.set(id, tps[0]!);
    }
    const rest = ids.filter((id) => id !== 'consumer1');
    const second = sticky().assign(rest.map((id) => sub(id, ['topic1'], first.get(id)!, 1)), parts);
    for (const id of rest) {
      expect(second.get(id)!.length, id).toBe(1);
      if (before.has(id)) expect(second.get(id), `stickiness for ${id}`).toContainEqual(before.get(id));
    }
  });

  it('testAddRemoveTwoConsumersTwoTopics', () => {
    const parts = new Map([['topic1', 3], ['topic2', 4]]);
    const all = ['topic1', 'topic2'];
    const a1 = sticky().assign([sub('consumer1', all, null), sub('consumer2', all, null)], parts);
    expect(fmt(a1)).toEqual({ consumer1: ['topic1-0', 'topic1-2', 'topic2-1', 'topic2-3'], consumer2: ['topic1-1', 'topic2-0', 'topic2-2'] });
    const a2 = sticky().assign(
      [sub('consumer1', all, a1.get('consumer1')!, 1), sub('consumer2', all, a1.get('consumer2')!, 1), sub('consumer3', all, null), sub('consumer4', all, null)],
      parts,
    );
    expect(fmt(a2)).toEqual({ consumer1: ['topic1-0', 'topic2-1'], consumer2: ['topic1-1', 'topic2-0'], consumer3: ['topic1-2', 'topic2-3'], consumer4: ['topic2-2'] });
    const a3 = sticky().assign([sub('consumer3', all, a2.get('consumer3')!, 2), sub('consumer4', all, a2.get('consumer4')!, 2)], parts);
    // Kafka lists consumer3's as [t1-2, t2-3, t1-0, t2-1] (kept ones first); here each list is sorted.
    expect(fmt(a3)).toEqual({ consumer3: ['topic1-0', 'topic1-2', 'topic2-1', 'topic2-3'], consumer4: ['topic1-1', 'topic2-0', 'topic2-2'] });
  });
});
