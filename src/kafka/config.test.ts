import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster';
import { BROKER_DEFAULTS, CONSUMER_DEFAULTS, PRODUCER_DEFAULTS, TOPIC_DEFAULTS, ignoredConfigKeys, consumerConfigProblem, invalidConfig, invalidConfigValue } from './config';
import type { ConfigMap, Scenario } from '../scenario/types';

describe('config keys an entity does not know', () => {
  it('names the entity a misplaced key belongs to', () => {
    expect(ignoredConfigKeys('consumer', { 'group.initial.rebalance.delay.ms': 0, 'auto.offset.reset': 'earliest' })).toEqual([
      { key: 'group.initial.rebalance.delay.ms', belongsTo: 'broker' },
    ]);
    expect(ignoredConfigKeys('producer', { 'min.insync.replicas': 2 })).toEqual([{ key: 'min.insync.replicas', belongsTo: 'topic' }]);
    expect(ignoredConfigKeys('topic', { 'retention.msec': 1 })).toEqual([{ key: 'retention.msec', belongsTo: null }]);
  });

  it('accepts every key of its own and broker log.* synonyms', () => {
    expect(ignoredConfigKeys('broker', { 'log.retention.ms': 1, 'replica.lag.time.max.ms': 1, 'min.insync.replicas': 2 })).toEqual([]);
    expect(ignoredConfigKeys('producer', { acks: 1, 'linger.ms': 0, 'compression.type': 'none' })).toEqual([]);
    expect(ignoredConfigKeys('consumer', { 'group.instance.id': 'a', 'max.poll.records': 10, 'isolation.level': 'read_committed' })).toEqual([]);
    expect(ignoredConfigKeys('topic', { 'message.timestamp.type': 'CreateTime', 'retention.ms': 5 })).toEqual([]);
  });

  it('reports keys it accepts but does not model (identity settings, compression), never drops one silently', () => {
    const notModelled = (entity: Parameters<typeof ignoredConfigKeys>[0], config: ConfigMap) => ignoredConfigKeys(entity, config).map((i) => [i.key, i.belongsTo, typeof i.notModelled]);
    expect(notModelled('producer', { acks: 1, 'client.id': 'x', 'compression.type': 'zstd', 'key.serializer': 'org.apache.kafka.common.serialization.StringSerializer' })).toEqual([
      ['client.id', null, 'string'],
      ['compression.type', null, 'string'],
      ['key.serializer', null, 'string'],
    ]);
    expect(notModelled('consumer', { 'client.rack': 'a', 'group.id': 'g', 'max.poll.records': 10 })).toEqual([['group.id', null, 'string']]);
    expect(notModelled('topic', { 'message.timestamp.type': 'LogAppendTime', 'max.compaction.lag.ms': 1000 })).toEqual([
      ['message.timestamp.type', null, 'string'],
      ['max.compaction.lag.ms', null, 'string'],
    ]);
    expect(notModelled('broker', { 'offsets.retention.minutes': 60, 'process.roles': 'broker,controller', 'num.partitions': 3 })).toEqual([
      ['offsets.retention.minutes', null, 'string'],
      ['process.roles', null, 'string'],
    ]);
    expect(ignoredConfigKeys('consumer', { 'group.id': 'g' })[0]!.notModelled).toMatch(/groupId/);
  });

  it('client.rack is modelled (KIP-881, KIP-392); replica.selector.class takes the RackAwareReplicaSelector or null', () => {
    expect(ignoredConfigKeys('consumer', { 'client.rack': 'eu-1', 'metadata.max.age.ms': 1000 })).toEqual([]);
    expect(ignoredConfigKeys('broker', { 'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector' })).toEqual([]);
    expect(invalidConfigValue('replica.selector.class', 'org.apache.kafka.common.replica.RackAwareReplicaSelector')).toBeNull();
    expect(invalidConfigValue('replica.selector.class', null)).toBeNull();
    expect(invalidConfigValue('replica.selector.class', 'com.example.MySelector')).toMatch(/Invalid value "com\.example\.MySelector" for configuration replica\.selector\.class: Class com\.example\.MySelector cannot be found/);
    expect(invalidConfigValue('client.rack', '')).toBeNull();
    expect(invalidConfigValue('client.rack', 'a')).toBeNull();
    expect(invalidConfigValue('metadata.max.age.ms', -1)).toMatch(/at least 0/);
  });

  it('takes group.protocol=consumer (KIP-848); refuses partition.assignment.strategy with it and group.remote.assignor without it', () => {
    expect(invalidConfigValue('group.protocol', 'consumer')).toBeNull();
    expect(invalidConfigValue('group.protocol', 'classic')).toBeNull();
    expect(invalidConfigValue('group.protocol', 'eager')).toMatch(/expected one of classic, consumer/);
    expect(consumerConfigProblem({ 'group.protocol': 'consumer', 'group.remote.assignor': 'range' })).toBeNull();
    expect(consumerConfigProblem({ 'group.protocol': 'consumer', 'partition.assignment.strategy': 'range' })).toMatch(/partition\.assignment\.strategy cannot be set when group\.protocol=CONSUMER/);
    expect(consumerConfigProblem({ 'group.remote.assignor': 'uniform' })).toBe('Failed to construct kafka consumer: group.remote.assignor cannot be set when group.protocol=CLASSIC');
  });

  it('the cluster keeps running and reports each ignored key as an event', () => {
    const doc: Scenario = {
      version: 1,
      name: 'misplaced',
      seed: 3,
      cluster: { brokers: [{ id: 1 }], config: { acks: 'all' } },
      topics: [{ name: 't', partitions: 1, replicationFactor: 1, config: { 'linger.ms': 5 } }],
      clients: [
        { kind: 'producer', id: 'p', config: { 'group.instance.id': 'x' } },
        { kind: 'consumer', id: 'c', groupId: 'g', topics: ['t'], config: { 'group.initial.rebalance.delay.ms': 0 } },
      ],
      timeline: [{ at: 10, op: 'alterConfig', entity: 'client', name: 'c', config: { 'retention.ms': 5 } }],
    };
    const c = new Cluster(doc);
    c.runUntil(100);
    const ignored = c
      .output()
      .events.filter((e) => e.type === 'ConfigIgnored')
      .map((e) => (e.type === 'ConfigIgnored' ? [e.at, e.entity, e.name, e.key, e.belongsTo] : []));
    expect(ignored).toEqual([
      [0, 'broker', 'cluster', 'acks', 'producer'],
      [0, 'topic', 't', 'linger.ms', 'producer'],
      [0, 'producer', 'p', 'group.instance.id', 'consumer'],
      [0, 'consumer', 'c', 'group.initial.rebalance.delay.ms', 'broker'],
      [10, 'consumer', 'c', 'retention.ms', 'topic'],
    ]);
  });
});

describe('config values of the wrong type or range', () => {
  it('checks each key against its type, as ConfigDef does, taking strings as a properties file would', () => {
    expect(invalidConfigValue('retention.ms', 'abc')).toBe('Invalid value "abc" for configuration retention.ms: expected a whole number');
    expect(invalidConfigValue('retention.ms', -1)).toBeNull();
    expect(invalidConfigValue('retention.ms', '60000')).toBeNull();
    expect(invalidConfigValue('min.insync.replicas', 0)).toMatch(/at least 1/);
    expect(invalidConfigValue('min.insync.replicas', 1.5)).toMatch(/an integer/);
    expect(invalidConfigValue('min.cleanable.dirty.ratio', 2)).toMatch(/between 0 and 1/);
    expect(invalidConfigValue('unclean.leader.election.enable', 'yes')).toMatch(/true or false/);
    expect(invalidConfigValue('unclean.leader.election.enable', 'true')).toBeNull();
    expect(invalidConfigValue('cleanup.policy', 'delete,compact')).toBeNull();
    expect(invalidConfigValue('cleanup.policy', 'compacted')).toMatch(/"compacted" is not one of delete, compact/);
    expect(invalidConfigValue('partition.assignment.strategy', 'range,org.apache.kafka.clients.consumer.CooperativeStickyAssignor')).toBeNull();
    expect(invalidConfigValue('partition.assignment.strategy', 'fair')).toMatch(/"fair" is not one of range/);
    expect(invalidConfigValue('auto.offset.reset', 'oldest')).toMatch(/earliest, latest, none/);
    expect(invalidConfigValue('group.instance.id', null)).toBeNull();
    expect(invalidConfigValue('linger.ms', null)).toMatch(/needs a value/);
    // Keys the cluster does not read are not its to judge (ignoredConfigKeys reports them).
    expect(invalidConfigValue('some.plugin.setting', 'anything')).toBeNull();
    expect(invalidConfig({ acks: 'most' })).toEqual({ key: 'acks', message: 'Invalid value "most" for configuration acks: expected 0, 1, "all" or -1' });
  });

  it("accepts every one of Kafka's defaults", () => {
    for (const defaults of [BROKER_DEFAULTS, TOPIC_DEFAULTS, PRODUCER_DEFAULTS, CONSUMER_DEFAULTS]) {
      expect(invalidConfig(defaults as ConfigMap)).toBeNull();
    }
  });

  it('the cluster refuses an action with a bad value (INVALID_CONFIG) and runs on without it', () => {
    const doc: Scenario = {
      version: 1,
      name: 'bad values',
      seed: 3,
      cluster: { brokers: [{ id: 1 }] },
      topics: [{ name: 't', partitions: 1, replicationFactor: 1 }],
      clients: [{ kind: 'producer', id: 'p' }],
      timeline: [
        { at: 10, op: 'createTopic', name: 'u', partitions: 1, replicationFactor: 1, config: { 'retention.ms': 'soon' } },
        { at: 20, op: 'alterConfig', entity: 'topic', name: 't', config: { 'segment.bytes': 1 } },
        { at: 30, op: 'addConsumer', id: 'c', groupId: 'g', topics: ['t'], config: { 'max.poll.records': 0 } },
        { at: 40, op: 'produce', producer: 'p', topic: 't', value: 'still running' },
      ],
    };
    const c = new Cluster(doc);
    c.runUntil(1000);
    const out = c.output();
    const refused = out.events.flatMap((e) => (e.type === 'ActionRejected' ? [[e.op, e.error, e.message]] : []));
    expect(refused).toEqual([
      ['createTopic', 'INVALID_CONFIG', 'Invalid value "soon" for configuration retention.ms: expected a whole number'],
      ['alterConfig', 'INVALID_CONFIG', 'Invalid value 1 for configuration segment.bytes: value must be at least 14'],
      ['addConsumer', 'INVALID_CONFIG', 'Invalid value 0 for configuration max.poll.records: value must be at least 1'],
    ]);
    expect(c.snapshot().topics.map((t) => t.name)).toEqual(['t']);
    expect(c.snapshot().consumers).toEqual([]);
    expect(c.snapshot().producers[0]!.acked).toBe(1);
  });
});
