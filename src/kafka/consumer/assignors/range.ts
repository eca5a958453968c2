/**
 * RangeAssignor (clients/.../consumer/RangeAssignor.java): per topic, the members that
 * subscribe to it, in MemberInfo order, get contiguous ranges; the first P % C get one more.
 */
import type { TopicPartition } from '../../snapshot';
import { compareMembers, type Assignor, type AssignorMember } from './types';

export const rangeAssignor: Assignor = {
  name: 'range',
  protocols: ['EAGER'],
  assign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>) {
    const out = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
    const topics = new Set<string>();
    for (const m of members) for (const t of m.topics) topics.add(t);
    for (const topic of [...topics].sort()) {
      const n = partitionsPerTopic.get(topic);
      if (n === undefined) continue;
      const consumers = members.filter((m) => m.topics.includes(topic)).sort(compareMembers);
      const per = Math.floor(n / consumers.length);
      const extra = n % consumers.length;
      consumers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const len = per + (i < extra ? 1 : 0);
        for (let p = start; p < start + len; p++) out.get(m.memberId)!.push({ topic, partition: p });
      });
    }
    return out;
  },
};
