/**
 * The consumer counts what it hands to the application without decoding it when nobody
 * records per-record rows (a batch handed over whole is its header's record count), and
 * holds each fetch answer's batches as they came. Whatever the path, the consumer's views
 * (consumed count, positions, lag) are the same as when every record is decoded into a row,
 * and the rows (when recorded) number exactly what the view says was consumed: whole
 * batches, batches split by max.poll.records, processing time, transactions with aborts
 * under both isolation levels, a rebalance when a member joins, and a broker crash.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../../scenario/types';
import { Cluster } from '../cluster';
import { threeRacks } from '../test-support/three-racks';

function scenario(maxPollRecords: number, timeline: TimelineAction[]): Scenario {
  return {
    version: 1,
    seed: 11,
    cluster: { ...threeRacks(), config: { 'group.initial.rebalance.delay.ms': 0 } },
    topics: [{ name: 'orders', partitions: 4, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [
      // Batches of many records (linger.ms), so max.poll.records splits them.
      { kind: 'producer', id: 'load', config: { acks: 'all', 'linger.ms': 20, 'batch.size': 65536 } },
      { kind: 'producer', id: 'tx', config: { 'transactional.id': 'tx-1' } },
      ...['a', 'b'].map((id) => ({
        kind: 'consumer' as const,
        id,
        groupId: 'g',
        topics: ['orders'],
        config: { 'auto.offset.reset': 'earliest', 'max.poll.records': maxPollRecords },
      })),
      { kind: 'consumer', id: 'rc', groupId: 'committed', topics: ['orders'], config: { 'isolation.level': 'read_committed', 'auto.offset.reset': 'earliest', 'max.poll.records': maxPollRecords } },
    ],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'load', topic: 'orders', ratePerSec: 2000, keys: 50, valueBytes: 20 },
      ...timeline,
      { at: 9000, op: 'stopLoad', producer: 'load', topic: 'orders' },
    ],
  };
}

const txn = (at: number, end: 'commitTransaction' | 'abortTransaction'): TimelineAction[] => [
  { at, op: 'beginTransaction', producer: 'tx' },
  ...[0, 1, 2, 3].map((partition, i): TimelineAction => ({ at: at + 10 + i, op: 'produce', producer: 'tx', topic: 'orders', value: `t${at}-${partition}`, partition })),
  { at: at + 200, op: end, producer: 'tx' },
];

const views = (c: Cluster) => [...c.consumers.values()].map((x) => x.view());

describe('consumer: counting without decoding matches decoding every record', () => {
  for (const maxPollRecords of [500, 7, 1]) {
    it(`max.poll.records=${maxPollRecords}: same views at every step, rows number what was consumed`, () => {
      const timeline: TimelineAction[] = [
        ...txn(1500, 'abortTransaction'),
        ...txn(2500, 'commitTransaction'),
        { at: 3000, op: 'setProcessingTime', consumer: 'a', msPerRecord: 0.05 },
        { at: 4000, op: 'addConsumer', id: 'c', groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', 'max.poll.records': maxPollRecords } },
        { at: 5000, op: 'killBroker', broker: 2 },
        ...txn(6000, 'abortTransaction'),
        { at: 7000, op: 'restartBroker', broker: 2 },
      ];
      const counted = new Cluster(scenario(maxPollRecords, timeline));
      const decoded = new Cluster(scenario(maxPollRecords, timeline), { recordConsumed: true });
      for (let t = 500; t <= 14000; t += 500) {
        counted.runUntil(t);
        decoded.runUntil(t);
        expect(views(counted), `at ${t} ms`).toEqual(views(decoded));
      }
      const consumed = views(decoded);
      // The work was real: records consumed by every member, and the aborted ones skipped by read_committed.
      for (const v of consumed) expect(v.consumed, v.id).toBeGreaterThan(1000);
      const rows = decoded.output().consumed;
      for (const v of consumed) expect(rows.filter((r) => r.consumer === v.id).length, v.id).toBe(v.consumed);
      const rc = rows.filter((r) => r.consumer === 'rc').map((r) => r.value);
      expect(rc.filter((v) => v?.startsWith('t1500') || v?.startsWith('t6000'))).toEqual([]);
      expect(rc.filter((v) => v?.startsWith('t2500')).sort()).toEqual(['t2500-0', 't2500-1', 't2500-2', 't2500-3']);
      // Caught up once the load stopped: positions at the log end (read_uncommitted) for the group.
      for (const v of consumed.filter((x) => x.groupId === 'g' && x.status === 'stable')) for (const p of v.positions) expect(p.lag, `${v.id} ${p.topic}-${p.partition}`).toBe(0);
    });
  }
});
