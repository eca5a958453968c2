import { describe, expect, it } from 'vitest';
import { Prng } from '../sim/prng';
import type { TopicPartition } from '../snapshot';
import { ASSIGNORS, assignorByName, type AssignorMember } from './assignors';

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
      }
    });
  }
});
