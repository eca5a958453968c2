import { describe, expect, it } from 'vitest';
import { formatTime, phrase } from './phrase';

describe('event phrasing', () => {
  it('says what happened in plain words and names the thing', () => {
    expect(phrase({ at: 1, type: 'BrokerDown', broker: 2 })).toEqual({
      text: 'Broker 2 is down (the controller fences it after broker.session.timeout.ms without a heartbeat)',
      target: { kind: 'broker', id: 2 },
      tone: 'bad',
    });
    expect(
      phrase({ at: 1, type: 'LeaderElected', topic: 'orders', partition: 1, leader: 3, leaderEpoch: 4, isr: [3, 1], reason: 'failover' }),
    ).toMatchObject({
      text: 'orders-1: leader is now broker 3 (epoch 4); ISR [3,1] (failover)',
      target: { kind: 'partition', topic: 'orders', partition: 1 },
    });
    expect(phrase({ at: 1, type: 'RebalanceCompleted', groupId: 'billing', generation: 5, members: 3 }).text).toBe(
      'Group billing rebalanced to generation 5 (3 members)',
    );
    expect(phrase({ at: 1, type: 'IsrShrink', topic: 'orders', partition: 0, broker: 2, isr: [1, 3] }).text).toBe(
      'orders-0: broker 2 left the ISR; ISR [1,3]',
    );
  });

  it('phrases the consumer group protocol (KIP-848): epochs, target assignment, reconciliation', () => {
    expect(phrase({ at: 1, type: 'GroupStateChanged', groupId: 'g', state: 'Reconciling', generation: 3, protocol: 'consumer' }).text).toBe('Group g is Reconciling (group epoch 3)');
    expect(phrase({ at: 1, type: 'GroupEpochBumped', groupId: 'g', groupEpoch: 3, reason: 'member m-1 joined' }).text).toBe('Group g epoch bumped to 3: member m-1 joined');
    expect(phrase({ at: 1, type: 'TargetAssignmentComputed', groupId: 'g', groupEpoch: 3, assignor: 'uniform', members: 2 }).text).toBe(
      'Group g: the uniform assignor computed the target assignment for epoch 3 (2 members)',
    );
    expect(
      phrase({ at: 1, type: 'MemberAssignmentUpdated', groupId: 'g', memberId: 'm-1', memberEpoch: 2, state: 'UNREVOKED_PARTITIONS', assigned: [{ topic: 'o', partition: 0 }], pendingRevocation: [{ topic: 'o', partition: 1 }] }),
    ).toMatchObject({ text: 'Group g: member m-1 at epoch 2 (UNREVOKED_PARTITIONS) owns o-0, revoking o-1', target: { kind: 'group', id: 'g' } });
  });

  it('uses Kafka error names for failures and refusals', () => {
    expect(
      phrase({ at: 1, type: 'ProduceFailed', producer: 'checkout', topic: 'orders', partition: 0, error: 'NOT_ENOUGH_REPLICAS', records: 1 }).text,
    ).toBe('Producer checkout: 1 record to orders-0 failed with NOT_ENOUGH_REPLICAS');
    expect(
      phrase({ at: 1, type: 'ActionRejected', op: 'createTopic', error: 'INVALID_REPLICATION_FACTOR', message: '' }),
    ).toEqual({ text: 'createTopic refused: INVALID_REPLICATION_FACTOR', target: null, tone: 'bad' });
  });

  it('says which config key an entity ignores and where it belongs', () => {
    expect(
      phrase({ at: 0, type: 'ConfigIgnored', entity: 'consumer', name: 'c1', key: 'group.initial.rebalance.delay.ms', belongsTo: 'broker' }),
    ).toEqual({ text: 'Consumer c1 ignores group.initial.rebalance.delay.ms: it is a broker config', target: { kind: 'consumer', id: 'c1' }, tone: 'warn' });
    expect(phrase({ at: 0, type: 'ConfigIgnored', entity: 'broker', name: 'cluster', key: 'acks', belongsTo: 'producer' }).text).toBe(
      'The brokers ignore acks: it is a producer config',
    );
    // A cluster-wide broker config names no one broker: nothing to select.
    expect(phrase({ at: 0, type: 'ConfigAltered', entity: 'broker', name: 'cluster', config: { 'retention.ms': 1 } }).target).toBeNull();
    expect(phrase({ at: 0, type: 'ConfigAltered', entity: 'broker', name: '2', config: { 'retention.ms': 1 } }).target).toEqual({ kind: 'broker', id: 2 });
    expect(phrase({ at: 0, type: 'ConfigIgnored', entity: 'topic', name: 'orders', key: 'retention.msec', belongsTo: null }).text).toBe(
      'Topic orders ignores retention.msec: not a known topic config',
    );
  });

  it('says a key is accepted but not modelled, and why; says who auto-created a topic', () => {
    expect(
      phrase({ at: 0, type: 'ConfigIgnored', entity: 'producer', name: 'p', key: 'compression.type', belongsTo: null, notModelled: 'record batches are written uncompressed' }).text,
    ).toBe('Producer p ignores compression.type: accepted, not modelled in the playground (record batches are written uncompressed)');
    expect(phrase({ at: 0, type: 'TopicCreated', topic: 'clicks', partitions: 1, replicationFactor: 1, autoCreatedBy: 'p' }).text).toBe(
      "Topic clicks created: 1 partition, RF 1 (auto-created for p's metadata request: auto.create.topics.enable, num.partitions, default.replication.factor)",
    );
  });

  it('points member events at the consumer or group', () => {
    expect(phrase({ at: 1, type: 'MemberJoined', groupId: 'g', memberId: 'm', clientId: 'c-1' }).target).toEqual({ kind: 'consumer', id: 'c-1' });
    expect(
      phrase({ at: 1, type: 'MemberLeft', groupId: 'g', memberId: 'm', clientId: 'c-1', reason: 'session.timeout.ms' }).text,
    ).toBe('c-1 was removed from group g (session.timeout.ms expired)');
  });

  it('formats virtual time', () => {
    expect(formatTime(0)).toBe('0.000 s');
    expect(formatTime(12_345)).toBe('12.345 s');
    expect(formatTime(123_456)).toBe('2:03.456');
  });
});
