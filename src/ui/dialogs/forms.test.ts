import { describe, expect, it } from 'vitest';
import { invalidConfigValue } from '../../kafka/config';
import { addConsumerAction, createTopicAction, freshId, parseHeaders, produceActions, resetTarget, topicConfigChanges, type ProduceForm } from './forms';

const form = (over: Partial<ProduceForm> = {}): ProduceForm => ({
  producer: 'checkout',
  topic: 'orders',
  partition: '',
  key: 'user-7',
  value: 'paid',
  tombstone: false,
  headers: '',
  acks: 'all',
  ...over,
});

describe('produceActions', () => {
  it('produces one keyed record through the partitioner', () => {
    expect(produceActions(form(), 'all')).toEqual({
      actions: [{ op: 'produce', producer: 'checkout', topic: 'orders', key: 'user-7', value: 'paid' }],
      error: null,
    });
  });

  it('alters the producer config first when acks changes, as Kafka has no per-record acks', () => {
    const { actions } = produceActions(form({ acks: 1 }), 'all');
    expect(actions[0]).toEqual({ op: 'alterConfig', entity: 'client', name: 'checkout', config: { acks: 1 } });
    expect(actions[1]).toMatchObject({ op: 'produce' });
  });

  it('handles no key, a chosen partition, headers and tombstones', () => {
    const { actions } = produceActions(form({ key: '', partition: '2', headers: 'a=1\nb = two', tombstone: true }), 'all');
    expect(actions).toEqual([
      { op: 'produce', producer: 'checkout', topic: 'orders', value: null, partition: 2, headers: { a: '1', b: 'two' } },
    ]);
  });

  it('refuses malformed headers', () => {
    expect(produceActions(form({ headers: 'nonsense' }), 'all').error).toMatch(/name=value/);
    expect(parseHeaders('x=1, y=2').headers).toEqual({ x: '1', y: '2' });
  });
});

describe('other forms', () => {
  it('creates a topic with its configs', () => {
    expect(
      createTopicAction({ name: 'payments', partitions: 6, replicationFactor: 3, minInsyncReplicas: 2, cleanupPolicy: 'compact', retentionMs: '' }),
    ).toEqual({
      action: { op: 'createTopic', name: 'payments', partitions: 6, replicationFactor: 3, config: { 'min.insync.replicas': 2, 'cleanup.policy': 'compact' } },
      error: null,
    });
    expect(createTopicAction({ name: 'bad name', partitions: 1, replicationFactor: 1, minInsyncReplicas: 1, cleanupPolicy: 'delete', retentionMs: '' }).error).not.toBeNull();
  });

  it('adds a consumer with its assignor', () => {
    expect(addConsumerAction({ id: 'billing-3', groupId: 'billing', topics: ['orders'], assignor: 'roundrobin', autoOffsetReset: 'earliest' }).action).toEqual({
      op: 'addConsumer',
      id: 'billing-3',
      groupId: 'billing',
      topics: ['orders'],
      config: { 'partition.assignment.strategy': 'roundrobin', 'auto.offset.reset': 'earliest' },
    });
    expect(addConsumerAction({ id: 'x', groupId: 'g', topics: [], assignor: 'range', autoOffsetReset: 'latest' }).error).not.toBeNull();
  });

  it('makes a static member when group.instance.id is given, a dynamic one when it is blank', () => {
    const base = { id: 'b', groupId: 'g', topics: ['orders'], assignor: 'range', autoOffsetReset: 'earliest' as const };
    expect(addConsumerAction({ ...base, groupInstanceId: ' b-static ' }).action).toMatchObject({ config: { 'group.instance.id': 'b-static' } });
    const dynamic = addConsumerAction({ ...base, groupInstanceId: '  ' }).action;
    expect(dynamic && dynamic.op === 'addConsumer' && dynamic.config).not.toHaveProperty('group.instance.id');
  });

  it('group.protocol=consumer (KIP-848): group.remote.assignor instead of partition.assignment.strategy', () => {
    const base = { id: 'b', groupId: 'g', topics: ['orders'], assignor: 'range', autoOffsetReset: 'earliest' as const };
    const a = addConsumerAction({ ...base, groupProtocol: 'consumer', remoteAssignor: 'uniform' }).action;
    expect(a && a.op === 'addConsumer' && a.config).toEqual({ 'group.protocol': 'consumer', 'group.remote.assignor': 'uniform', 'auto.offset.reset': 'earliest' });
    const classic = addConsumerAction({ ...base, groupProtocol: 'classic', remoteAssignor: 'range' }).action;
    expect(classic && classic.op === 'addConsumer' && classic.config).toEqual({ 'partition.assignment.strategy': 'range', 'auto.offset.reset': 'earliest' });
  });

  it('picks a fresh id and reset targets', () => {
    expect(freshId('billing', ['billing-1', 'billing-2'])).toBe('billing-3');
    expect(resetTarget('timestamp', '5000').to).toEqual({ timestamp: 5000 });
    expect(resetTarget('offset', '12').to).toBe(12);
    expect(resetTarget('offset', '-1').error).not.toBeNull();
    expect(resetTarget('earliest', '').to).toBe('earliest');
  });
});

describe('topic config form', () => {
  const check = (key: string, value: string | number | boolean) => invalidConfigValue(key, value);

  it('sends what changed, deletes an emptied override, leaves the rest out', () => {
    const r = topicConfigChanges(
      { 'retention.ms': 604800000, 'min.insync.replicas': 2 },
      { 'retention.ms': '60000', 'min.insync.replicas': '', 'cleanup.policy': 'delete,compact', 'segment.ms': '' },
      check,
    );
    expect(r).toEqual({ config: { 'cleanup.policy': 'delete,compact', 'retention.ms': 60000, 'min.insync.replicas': null }, error: null });
  });

  it('sends nothing when nothing changed, and booleans as booleans', () => {
    expect(topicConfigChanges({ 'retention.ms': 1000 }, { 'retention.ms': '1000' }, check)).toEqual({ config: {}, error: null });
    expect(topicConfigChanges({}, { 'unclean.leader.election.enable': 'true' }, check).config).toEqual({ 'unclean.leader.election.enable': true });
  });

  it("refuses a bad value in Kafka's words, sending nothing", () => {
    expect(topicConfigChanges({}, { 'retention.ms': 'soon' }, check)).toEqual({ config: {}, error: 'retention.ms must be a number, got "soon".' });
    expect(topicConfigChanges({}, { 'segment.bytes': '10' }, check).error).toBe('Invalid value 10 for configuration segment.bytes: value must be at least 14');
  });
});
