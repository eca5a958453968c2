import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster';
import { ignoredConfigKeys } from './config';
import type { Scenario } from '../scenario/types';

describe('config keys an entity does not know', () => {
  it('names the entity a misplaced key belongs to', () => {
    expect(ignoredConfigKeys('consumer', { 'group.initial.rebalance.delay.ms': 0, 'auto.offset.reset': 'earliest' })).toEqual([
      { key: 'group.initial.rebalance.delay.ms', belongsTo: 'broker' },
    ]);
    expect(ignoredConfigKeys('producer', { 'min.insync.replicas': 2 })).toEqual([{ key: 'min.insync.replicas', belongsTo: 'topic' }]);
    expect(ignoredConfigKeys('topic', { 'retention.msec': 1 })).toEqual([{ key: 'retention.msec', belongsTo: null }]);
  });

  it('accepts every key of its own, broker log.* synonyms and client identity settings', () => {
    expect(ignoredConfigKeys('broker', { 'log.retention.ms': 1, 'replica.lag.time.max.ms': 1, 'min.insync.replicas': 2 })).toEqual([]);
    expect(ignoredConfigKeys('producer', { acks: 1, 'client.id': 'x', 'linger.ms': 0 })).toEqual([]);
    expect(ignoredConfigKeys('consumer', { 'group.instance.id': 'a', 'max.poll.records': 10, 'key.deserializer': 'x' })).toEqual([]);
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
