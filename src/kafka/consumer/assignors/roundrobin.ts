/**
 * RoundRobinAssignor (clients/.../consumer/RoundRobinAssignor.java): all partitions of all
 * subscribed topics, sorted, dealt around the circle of members (MemberInfo order),
 * skipping members that do not subscribe to the partition's topic.
 */
import type { TopicPartition } from '../../snapshot';
import { allSubscribedPartitions, compareMembers, type Assignor, type AssignorMember } from './types';

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  protocols: ['EAGER'],
  assign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>) {
    const out = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
    const circle = [...members].sort(compareMembers);
    let i = 0;
    for (const tp of allSubscribedPartitions(members, partitionsPerTopic)) {
      for (let tries = 0; tries < circle.length; tries++) {
        const m = circle[i % circle.length]!;
        i++;
        if (m.topics.includes(tp.topic)) {
          out.get(m.memberId)!.push(tp);
          break;
        }
      }
    }
    return out;
  },
};
