/**
 * The partition assignors of the classic consumer protocol, by Kafka's protocol names
 * (partition.assignment.strategy): range, roundrobin, sticky, cooperative-sticky.
 */
import { cooperativeStickyAssignor } from './cooperative-sticky';
import { rangeAssignor } from './range';
import { roundRobinAssignor } from './roundrobin';
import { stickyAssignor } from './sticky';
import type { Assignor } from './types';

export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map(
  [rangeAssignor, roundRobinAssignor, stickyAssignor, cooperativeStickyAssignor].map((a) => [a.name, a]),
);

/** Accepts Kafka's short names and the Java class names people paste from configs. */
export function assignorByName(name: string): Assignor | undefined {
  const short = name
    .replace('org.apache.kafka.clients.consumer.', '')
    .replace('RangeAssignor', 'range')
    .replace('RoundRobinAssignor', 'roundrobin')
    .replace('CooperativeStickyAssignor', 'cooperative-sticky')
    .replace('StickyAssignor', 'sticky');
  return ASSIGNORS.get(short);
}

export { rangeAssignor, roundRobinAssignor, stickyAssignor, cooperativeStickyAssignor };
export { assignorMember, compareMembers, compareTps, memberRack, sortTps, tpKey, useRackAwareAssignment } from './types';
export type { Assignor, AssignorMember, PartitionRacks, RebalanceProtocol, StickyUserData, SubscriptionProtocol } from './types';
