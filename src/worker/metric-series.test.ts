/**
 * The charts' samples (metric-series.ts) and how the TimeMachine keeps them through time
 * travel: whatever seeks, forks and undos happened, the samples of the branch shown are
 * those a straight run of that branch's document gives (the cluster is deterministic).
 */
import { describe, expect, it } from 'vitest';
import { cloneCluster } from '../kafka/checkpoint';
import { Cluster } from '../kafka/cluster';
import { METRIC_KEYS } from '../kafka/lag';
import type { Scenario } from '../scenario/types';
import { MetricSeries } from './metric-series';
import { TimeMachine } from './time-machine';

const sample = (c: Cluster, put: (k: string, v: number) => void) => c.sampleMetrics(put);

function machine(doc: Scenario, clone = true): TimeMachine<Cluster> {
  return new TimeMachine<Cluster>(doc, { createCluster: (d) => new Cluster(d), clone: clone ? cloneCluster : undefined, checkpointEveryMs: 5000, sample });
}

/** Every series of the branch up to t, as plain data. */
function dump(tm: TimeMachine<Cluster>, upTo: number) {
  const m = tm.metrics;
  const keys = m.keysWithPrefix('');
  return m.query(keys.map((k) => ({ id: k, keys: [k] })), 0, m.countUpTo(upTo));
}

/** A load into 6 partitions, a group of one consumer, a broker killed and restarted. */
function slowedConsumer(extra: Scenario['timeline'] = []): Scenario {
  return {
    version: 1,
    seed: 3,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], network: { latencyMs: 1, jitterMs: 1 } },
    topics: [{ name: 'orders', partitions: 6, replicationFactor: 3 }],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all' } },
      { kind: 'consumer', id: 'c1', groupId: 'billing', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', 'auto.commit.interval.ms': 1000 } },
    ],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 100, keys: 20 },
      { at: 6_000, op: 'setProcessingTime', consumer: 'c1', msPerRecord: 20 },
      { at: 10_000, op: 'killBroker', broker: 2 },
      { at: 24_000, op: 'restartBroker', broker: 2 },
      { at: 26_000, op: 'setProcessingTime', consumer: 'c1', msPerRecord: 0 },
      ...extra,
    ],
  };
}

describe('MetricSeries', () => {
  it('appends past the last sample only, cuts after a moment and restores what it cut', () => {
    const m = new MetricSeries(1000);
    for (let t = 1000; t <= 5000; t += 1000) {
      m.record(t, (put) => {
        put('a', t / 1000);
        if (t >= 3000) put('b', 10 * t);
      });
    }
    // A known moment is not sampled again.
    expect(m.record(3000, (put) => put('a', 99))).toBe(false);
    const q = [{ id: 'a', keys: ['a'] }, { id: 'b', keys: ['b'] }, { id: 's', keys: ['a', 'b'] }, { id: 'x', keys: ['a', 'b'], agg: 'max' as const }];
    const all = m.query(q, 0, m.length);
    expect(all.times).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(all.values.a).toEqual([1, 2, 3, 4, 5]);
    expect(all.values.b).toEqual([NaN, NaN, 30_000, 40_000, 50_000]);
    expect(all.values.s).toEqual([1, 2, 30_003, 40_004, 50_005]);
    expect(all.values.x).toEqual([1, 2, 30_000, 40_000, 50_000]);
    expect(m.countUpTo(3500)).toBe(3);
    const stash = m.cut(2000);
    expect(m.query(q, 0, m.length)).toEqual({ times: [1000, 2000], values: { a: [1, 2], b: [NaN, NaN], s: [1, 2], x: [1, 2] } });
    // Another branch samples other values after the cut...
    m.record(3000, (put) => put('a', -1));
    const other = m.cut(2000);
    expect(m.restore(stash)).toBe(true);
    expect(m.query(q, 0, m.length)).toEqual(all);
    // ...and its stash no longer fits this branch, which now runs to 5000.
    expect(m.restore(other)).toBe(false);
  });
});

describe('samples through time travel', () => {
  it('lag in time grows while the consumer is slowed and drains after it is restored', () => {
    const tm = machine(slowedConsumer(), false);
    tm.runUntil(40_000);
    const d = tm.metrics.query([{ id: 'ms', keys: [METRIC_KEYS.groupLagMs('billing')] }, { id: 'lag', keys: [METRIC_KEYS.groupLag('billing')] }], 0, tm.metrics.length);
    const at = (t: number, id: 'ms' | 'lag') => d.values[id]![d.times.indexOf(t)]!;
    expect(d.times[0]).toBe(1000);
    expect(d.times).toHaveLength(40);
    // Keeping up: records wait at most about a commit interval.
    expect(at(5000, 'ms')).toBeLessThan(2_000);
    // 20 ms a record is 50 records/s for 100 arriving: the oldest waiting record ages.
    expect(at(16_000, 'ms')).toBeGreaterThan(at(10_000, 'ms'));
    expect(at(25_000, 'ms')).toBeGreaterThan(8_000);
    expect(at(25_000, 'lag')).toBeGreaterThan(500);
    // Back to full speed, the backlog drains.
    expect(at(40_000, 'ms')).toBeLessThan(2_000);
    expect(at(40_000, 'lag')).toBeLessThan(at(25_000, 'lag') / 5);
    // Exactly Burrow's lag in time: now − the timestamp of the record at the committed offset.
    const at20 = new Cluster(slowedConsumer());
    at20.runUntil(20_000);
    const o = at20.snapshot().groups[0]!.offsets.find((x) => x.topic === 'orders' && x.partition === 0)!;
    expect(o.lag).toBeGreaterThan(0);
    const oldest = at20.readLog('orders', 0, { fromOffset: o.committed!, limit: 1 })!.records[0]!;
    expect(oldest.offset).toBe(o.committed);
    const p0 = tm.metrics.query([{ id: 'ms', keys: [METRIC_KEYS.lagMs('billing', 'orders', 0)] }, { id: 'lag', keys: [METRIC_KEYS.lag('billing', 'orders', 0)] }], 0, tm.metrics.length);
    expect(p0.values.ms![p0.times.indexOf(20_000)]).toBe(20_000 - oldest.timestamp);
    expect(p0.values.lag![p0.times.indexOf(20_000)]).toBe(o.lag);
    // Broker 2 killed at 10 s: the partitions it led are offline until it is fenced, then
    // every partition is under-replicated (ISR 2 of 3) until it is back in the ISR.
    const h = tm.metrics.query(
      [{ id: 'urp', keys: [METRIC_KEYS.urp] }, { id: 'offline', keys: [METRIC_KEYS.offline] }, { id: 'isr', keys: [METRIC_KEYS.isr('orders', 0)] }],
      0,
      tm.metrics.length,
    );
    const v = (id: string, t: number) => h.values[id]![h.times.indexOf(t)];
    expect([v('urp', 8000), v('offline', 8000), v('isr', 8000)]).toEqual([0, 0, 3]);
    expect(v('offline', 12_000)).toBeGreaterThan(0);
    expect([v('urp', 22_000), v('offline', 22_000), v('isr', 22_000)]).toEqual([6, 0, 2]);
    expect([v('urp', 40_000), v('offline', 40_000), v('isr', 40_000)]).toEqual([0, 0, 3]);
  });

  it('sampling changes nothing in the run: the same records, offsets and events as without it', () => {
    const doc = slowedConsumer();
    const sampled = new TimeMachine<Cluster>(doc, { createCluster: (d) => new Cluster(d, { recordConsumed: true }), sample });
    sampled.runUntil(30_000);
    expect(sampled.metrics.length).toBe(30);
    const plain = new Cluster(doc, { recordConsumed: true });
    plain.runUntil(30_000);
    expect(JSON.stringify(sampled.cluster.output())).toBe(JSON.stringify(plain.output()));
  });

  it('seeks, forks and undos keep the samples of the branch shown, as a straight run gives them', () => {
    const doc = slowedConsumer();
    const straight = machine(doc, false);
    straight.runUntil(30_000);
    const expected = dump(straight, 30_000);

    const tm = machine(doc);
    tm.runUntil(30_000);
    expect(dump(tm, 30_000)).toEqual(expected);
    // Seek back: the later samples stay (same branch), the playhead shows up to 12 s.
    tm.seek(12_000);
    expect(tm.metrics.length).toBe(30);
    expect(dump(tm, tm.now)).toEqual(dump(straight, 12_000));
    tm.seek(30_000);
    expect(dump(tm, 30_000)).toEqual(expected);

    // Fork at 12 s: the consumer is given back its speed early; the later samples go.
    tm.seek(12_000);
    tm.perform({ op: 'setProcessingTime', consumer: 'c1', msPerRecord: 0 });
    expect(tm.metrics.lastTime).toBe(12_000);
    tm.runUntil(30_000);
    const forked = machine(tm.document(), false);
    forked.runUntil(30_000);
    expect(dump(tm, 30_000)).toEqual(dump(forked, 30_000));
    expect(dump(tm, 30_000)).not.toEqual(expected);

    // Undo: the first branch's samples come back; redo: the fork's.
    tm.undo();
    expect(tm.metrics.lastTime).toBe(30_000);
    expect(dump(tm, 30_000)).toEqual(expected);
    tm.redo();
    expect(dump(tm, 30_000)).toEqual(dump(forked, 30_000));
  });
});
