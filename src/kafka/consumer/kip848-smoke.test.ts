import { it } from 'vitest';
import { Cluster } from '../cluster';
it('smoke', () => {
  const c = new Cluster({
    version: 1, seed: 5,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], network: { latencyMs: 1, jitterMs: 0 } },
    topics: [{ name: 'orders', partitions: 6, replicationFactor: 3 }],
    clients: [
      { kind: 'producer', id: 'p', config: {} },
      { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['orders'], config: { 'group.protocol': 'consumer', 'auto.offset.reset': 'earliest' } },
    ],
    timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 50, keys: 10, valueBytes: 20 },
      { at: 10000, op: 'addConsumer', id: 'c2', groupId: 'g', topics: ['orders'], config: { 'group.protocol': 'consumer', 'auto.offset.reset': 'earliest' } }],
  } as never);
  for (const t of [2000, 9000, 10100, 12000, 16000, 21000]) {
    c.runUntil(t);
    const g = c.snapshot().groups.find((x) => x.groupId === 'g')!;
    console.log(t, g.state, g.type, g.groupEpoch, g.targetAssignmentEpoch, JSON.stringify(g.members.map((m) => [m.clientId, m.memberEpoch, m.memberState, m.assignment.map((x) => x.partition), m.pendingRevocation?.map((x) => x.partition), m.pendingAssignment?.map((x) => x.partition)])), JSON.stringify(g.offsets.map(o=>o.committed)));
  }
  for (const e of c.allEvents().filter((e) => ['GroupEpochBumped', 'TargetAssignmentComputed', 'MemberAssignmentUpdated', 'GroupStateChanged', 'ActionRejected'].includes(e.type))) console.log(JSON.stringify(e));
});
