/**
 * The consumer group protocol (KIP-848) at the group coordinator, request by request, after
 * Kafka's GroupMetadataManagerTest (testConsumerGroupHeartbeat*, fencing, static members):
 * ConsumerGroupHeartbeat with member and group epochs, the target assignment, incremental
 * reconciliation, fencing errors under Kafka's names, static membership.
 */
import { describe, expect, it } from 'vitest';
import type { TopicPartition } from '../../snapshot';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../group-coordinator';
import { checkGroupInvariants } from '../invariants';
import { FakeCluster } from '../test-support';

function setup(partitions = 6) {
  const c = new FakeCluster({ topics: [{ name: 'foo', partitions }, { name: 'bar', partitions: 3 }] });
  const host = c.coordinator.coordinatorFor('g');
  const hb = (memberId: string, memberEpoch: number, extra: Partial<ConsumerGroupHeartbeatRequest> = {}): ConsumerGroupHeartbeatResponse =>
    c.coordinator.handleConsumerGroupHeartbeat(host, {
      groupId: 'g',
      memberId,
      memberEpoch,
      instanceId: null,
      rackId: null,
      clientId: memberId,
      rebalanceTimeoutMs: 300000,
      subscribedTopicNames: ['foo'],
      serverAssignor: null,
      ownedTopicPartitions: memberEpoch === 0 ? [] : null,
      ...extra,
    });
  const group = () => c.coordinator.inspect('g')!;
  const member = (id: string) => group().modernMembers!.find((m) => m.memberId === id)!;
  return { c, host, hb, group, member };
}
const ps = (r: { assignment: TopicPartition[] | null }) => r.assignment?.map((tp) => `${tp.topic}-${tp.partition}`) ?? null;
const tps = (topic: string, ...p: number[]) => p.map((partition) => ({ topic, partition }));

describe('GroupMetadataManagerTest (consumer group heartbeat)', () => {
  it('testConsumerGroupMemberEpochValidation: a new member joins with epoch 0 and gets epoch 1, the whole target at once', () => {
    const { hb, group, member } = setup();
    const r = hb('A', 0);
    expect(r).toMatchObject({ error: 'NONE', memberId: 'A', memberEpoch: 1, heartbeatIntervalMs: 5000 });
    expect(ps(r)).toEqual(['foo-0', 'foo-1', 'foo-2', 'foo-3', 'foo-4', 'foo-5']);
    expect(group()).toMatchObject({ type: 'consumer', state: 'Stable', groupEpoch: 1, targetAssignmentEpoch: 1 });
    expect(member('A')).toMatchObject({ state: 'STABLE', memberEpoch: 1, previousMemberEpoch: 0 });
  });

  it('testMemberJoinsEmptyConsumerGroup then a second member: incremental, no barrier', () => {
    const { c, hb, group, member } = setup();
    hb('A', 0);
    // B joins: group epoch 2, target computed; B waits for A's partitions (UNRELEASED_PARTITIONS).
    const b = hb('B', 0);
    expect(b).toMatchObject({ error: 'NONE', memberEpoch: 2 });
    expect(ps(b)).toEqual([]);
    expect(group()).toMatchObject({ state: 'Reconciling', groupEpoch: 2, targetAssignmentEpoch: 2 });
    expect(member('B')).toMatchObject({ state: 'UNRELEASED_PARTITIONS', pendingAssignment: tps('foo', 3, 4, 5) });
    // A's next heartbeat: it keeps 0-2 and must revoke 3-5, staying at epoch 1.
    const a1 = hb('A', 1, { ownedTopicPartitions: tps('foo', 0, 1, 2, 3, 4, 5) });
    expect(a1).toMatchObject({ memberEpoch: 1 });
    expect(ps(a1)).toEqual(['foo-0', 'foo-1', 'foo-2']);
    expect(member('A')).toMatchObject({ state: 'UNREVOKED_PARTITIONS', pendingRevocation: tps('foo', 3, 4, 5) });
    // B still cannot have them: A has not revoked yet.
    expect(ps(hb('B', 2, { ownedTopicPartitions: [] }))).toEqual([]);
    // A acknowledges the revocation: epoch 2, STABLE.
    const a2 = hb('A', 1, { ownedTopicPartitions: tps('foo', 0, 1, 2) });
    expect(a2).toMatchObject({ memberEpoch: 2 });
    expect(member('A')).toMatchObject({ state: 'STABLE', memberEpoch: 2 });
    // Now B gets them.
    const b2 = hb('B', 2, { ownedTopicPartitions: [] });
    expect(ps(b2)).toEqual(['foo-3', 'foo-4', 'foo-5']);
    expect(group().state).toBe('Stable');
    expect(checkGroupInvariants(c.coordinator, c.ctx.metadata, { nowMs: c.now })).toEqual([]);
  });

  it('testConsumerGroupHeartbeatFencedMemberEpoch: a greater or a stale epoch is FENCED_MEMBER_EPOCH; the previous epoch is fine while owning only assigned partitions', () => {
    const { hb } = setup();
    hb('A', 0);
    hb('B', 0);
    hb('A', 1, { ownedTopicPartitions: tps('foo', 0, 1, 2, 3, 4, 5) });
    hb('A', 1, { ownedTopicPartitions: tps('foo', 0, 1, 2) }); // A at epoch 2
    const greater = hb('A', 3, { ownedTopicPartitions: tps('foo', 0, 1, 2) });
    expect(greater.error).toBe('FENCED_MEMBER_EPOCH');
    expect(greater.errorMessage).toMatch(/greater member epoch \(3\) than the one known by the group coordinator \(2\)/);
    // Epoch 1 = A's previous epoch, owning a subset of its assignment: the lost answer is sent again.
    expect(hb('A', 1, { ownedTopicPartitions: tps('foo', 0, 1) })).toMatchObject({ error: 'NONE', memberEpoch: 2 });
    // Epoch 1 while still owning a partition it gave up: fenced.
    expect(hb('A', 1, { ownedTopicPartitions: tps('foo', 0, 1, 2, 3) }).error).toBe('FENCED_MEMBER_EPOCH');
    expect(hb('A', 0, { ownedTopicPartitions: [] }).error).toBe('NONE');
  });

  it('testConsumerGroupHeartbeatUnknownMember: UNKNOWN_MEMBER_ID for an unknown member with an epoch', () => {
    const { hb } = setup();
    hb('A', 0);
    const r = hb('Z', 4);
    expect(r.error).toBe('UNKNOWN_MEMBER_ID');
    expect(r.errorMessage).toBe('Member Z is not a member of group g.');
  });

  it('testConsumerGroupHeartbeatWithUnsupportedAssignor: UNSUPPORTED_ASSIGNOR names the broker assignors', () => {
    const { hb } = setup();
    const r = hb('A', 0, { serverAssignor: 'sticky' });
    expect(r.error).toBe('UNSUPPORTED_ASSIGNOR');
    expect(r.errorMessage).toBe('ServerAssignor sticky is not supported. Supported assignors: uniform, range.');
  });

  it('the group runs the assignor most members ask for (range)', () => {
    const { hb, group, member } = setup(4);
    hb('A', 0, { serverAssignor: 'range' });
    hb('B', 0, { serverAssignor: 'range' });
    expect(group().protocolName).toBe('range');
    expect(member('A').target).toEqual(tps('foo', 0, 1));
    expect(member('B').target).toEqual(tps('foo', 2, 3));
  });

  it('testLeavingMemberBumpsGroupEpoch: epoch -1 leaves, the group epoch is bumped, its partitions are free at once', () => {
    const { c, hb, group, member } = setup();
    hb('A', 0);
    hb('B', 0);
    hb('A', 1, { ownedTopicPartitions: tps('foo', 0, 1, 2, 3, 4, 5) });
    expect(hb('A', -1)).toMatchObject({ error: 'NONE', memberEpoch: -1 });
    expect(group()).toMatchObject({ state: 'Assigning', groupEpoch: 3, targetAssignmentEpoch: 2 });
    const b = hb('B', 2, { ownedTopicPartitions: [] });
    expect(b.memberEpoch).toBe(3);
    expect(ps(b)).toEqual(['foo-0', 'foo-1', 'foo-2', 'foo-3', 'foo-4', 'foo-5']);
    expect(member('B').state).toBe('STABLE');
    expect(c.eventsOf('MemberLeft')).toHaveLength(1);
    expect(c.eventsOf('GroupEpochBumped').map((e) => e.groupEpoch)).toEqual([1, 2, 3]);
  });

  it('testSessionTimeoutExpiration: group.consumer.session.timeout.ms fences a silent member', () => {
    const { c, hb, group } = setup();
    hb('A', 0);
    c.run(44_000);
    expect(group().members).toHaveLength(1);
    c.run(46_000);
    expect(group()).toMatchObject({ state: 'Empty', groupEpoch: 2 });
    expect(c.eventsOf('MemberLeft')[0]).toMatchObject({ memberId: 'A', reason: 'session.timeout.ms' });
  });

  it('testRebalanceTimeoutExpiration: a member that does not revoke within its rebalance timeout is fenced', () => {
    const { c, hb, member } = setup();
    hb('A', 0, { rebalanceTimeoutMs: 10_000 });
    hb('B', 0);
    hb('A', 1, { ownedTopicPartitions: tps('foo', 0, 1, 2, 3, 4, 5), rebalanceTimeoutMs: 10_000 });
    expect(member('A').state).toBe('UNREVOKED_PARTITIONS');
    // A keeps heartbeating but never revokes.
    for (let t = 3000; t < 12_000; t += 3000) {
      c.run(t);
      if (c.coordinator.inspect('g')!.modernMembers!.some((m) => m.memberId === 'A')) hb('A', 1, { ownedTopicPartitions: tps('foo', 0, 1, 2, 3, 4, 5), rebalanceTimeoutMs: 10_000 });
    }
    c.run(12_000);
    expect(c.eventsOf('MemberLeft')[0]).toMatchObject({ memberId: 'A', reason: 'max.poll.interval.ms' });
    expect(hb('A', 1, { ownedTopicPartitions: tps('foo', 0, 1, 2, 3, 4, 5) }).error).toBe('UNKNOWN_MEMBER_ID');
  });

  it('testStaticMemberGetsBackAssignmentUponRejoin: epoch -2 keeps the assignment; a new member id with the same instance takes it over without a rebalance', () => {
    const { c, hb, group, member } = setup();
    hb('A', 0, { instanceId: 'instance-a' });
    hb('B', 0, { instanceId: 'instance-b' });
    hb('A', 1, { instanceId: 'instance-a', ownedTopicPartitions: tps('foo', 0, 1, 2, 3, 4, 5) });
    hb('A', 1, { instanceId: 'instance-a', ownedTopicPartitions: tps('foo', 0, 1, 2) });
    hb('B', 2, { instanceId: 'instance-b', ownedTopicPartitions: [] });
    expect(group()).toMatchObject({ state: 'Stable', groupEpoch: 2 });
    // A shuts down temporarily.
    expect(hb('A', -2, { instanceId: 'instance-a' })).toMatchObject({ error: 'NONE', memberEpoch: -2 });
    expect(group().groupEpoch).toBe(2);
    // A restarts with a new member id: same epoch, same partitions, no group epoch bump.
    const r = hb('A2', 0, { instanceId: 'instance-a' });
    expect(r).toMatchObject({ error: 'NONE', memberId: 'A2', memberEpoch: 2 });
    expect(ps(r)).toEqual(['foo-0', 'foo-1', 'foo-2']);
    expect(group()).toMatchObject({ state: 'Stable', groupEpoch: 2 });
    expect(member('A2').state).toBe('STABLE');
    expect(c.eventsOf('StaticMemberRejoined')[0]).toMatchObject({ groupInstanceId: 'instance-a', memberId: 'A2', previousMemberId: 'A', rebalance: false });
  });

  it('testStaticMemberRejoinWithUnreleasedInstanceId: UNRELEASED_INSTANCE_ID while the instance id is still held', () => {
    const { hb } = setup();
    hb('A', 0, { instanceId: 'instance-a' });
    const r = hb('A2', 0, { instanceId: 'instance-a' });
    expect(r.error).toBe('UNRELEASED_INSTANCE_ID');
    expect(r.errorMessage).toBe('Static member A2 with instance id instance-a cannot join the group because the instance id is owned by A member.');
  });

  it('a static member that left temporarily is removed when its session ends (then the group epoch is bumped)', () => {
    const { c, hb, group } = setup();
    hb('A', 0, { instanceId: 'instance-a' });
    hb('A', -2, { instanceId: 'instance-a' });
    c.run(46_000);
    expect(group()).toMatchObject({ state: 'Empty', groupEpoch: 2 });
  });

  it('a non-empty classic group refuses ConsumerGroupHeartbeat (GROUP_ID_NOT_FOUND); a consumer group refuses JoinGroup (INCONSISTENT_GROUP_PROTOCOL)', () => {
    const { c, host, hb } = setup();
    hb('A', 0);
    const join = c.coordinator.handleJoinGroup(host, { groupId: 'g', memberId: '', groupInstanceId: null, clientId: 'x', protocols: [{ name: 'range', topics: ['foo'], ownedPartitions: [], generation: -1 }], sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000 });
    expect(join).toMatchObject({ error: 'INCONSISTENT_GROUP_PROTOCOL' });
    const host2 = c.coordinator.coordinatorFor('classic');
    c.addConsumer('x', 'classic', ['foo']);
    c.run(8000);
    expect(c.coordinator.inspect('classic')!.members.length).toBeGreaterThan(0);
    const r = c.coordinator.handleConsumerGroupHeartbeat(host2, { groupId: 'classic', memberId: 'B', memberEpoch: 0, instanceId: null, rackId: null, clientId: 'B', rebalanceTimeoutMs: 1000, subscribedTopicNames: ['foo'], serverAssignor: null, ownedTopicPartitions: [] });
    expect(r).toMatchObject({ error: 'GROUP_ID_NOT_FOUND', errorMessage: 'Group classic is not a consumer group.' });
  });

  it('OffsetCommit in a consumer group: the generation is the member epoch (STALE_MEMBER_EPOCH otherwise)', () => {
    const { c, host, hb } = setup();
    hb('A', 0);
    expect(c.coordinator.handleOffsetCommit(host, 'g', 1, 'A', [{ topic: 'foo', partition: 0, offset: 5 }])).toBe('NONE');
    expect(c.coordinator.committed('g', 'foo', 0)).toBe(5);
    expect(c.coordinator.handleOffsetCommit(host, 'g', 0, 'A', [{ topic: 'foo', partition: 0, offset: 6 }])).toBe('STALE_MEMBER_EPOCH');
    expect(c.coordinator.handleOffsetCommit(host, 'g', 1, 'Z', [{ topic: 'foo', partition: 0, offset: 6 }])).toBe('UNKNOWN_MEMBER_ID');
  });

  it('a subscription change bumps the group epoch and the target moves', () => {
    const { hb, group, member } = setup();
    hb('A', 0);
    const r = hb('A', 1, { subscribedTopicNames: ['foo', 'bar'], ownedTopicPartitions: tps('foo', 0, 1, 2, 3, 4, 5) });
    expect(r.memberEpoch).toBe(2);
    expect(group().groupEpoch).toBe(2);
    expect(member('A').assigned).toHaveLength(9);
  });
});

