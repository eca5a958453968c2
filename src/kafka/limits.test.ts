/**
 * The playground's limits on live actions: an action over a limit is refused with an
 * ActionRejected event (POLICY_VIOLATION) naming the field, the limit and the value, the
 * run goes on, and a refused live action is not recorded (the saved document must stay one
 * the schema accepts).
 */
import { describe, expect, it } from 'vitest';
import { restoreScenario } from '../scenario/restore';
import type { Scenario } from '../scenario/types';
import { Cluster } from './cluster';
import { LIMITS, actionLimitProblem } from './limits';

function cluster(extra: Partial<Scenario> = {}): Cluster {
  return new Cluster({
    version: 1,
    seed: 1,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }] },
    topics: [{ name: 'orders', partitions: 3, replicationFactor: 3 }],
    clients: [{ kind: 'producer', id: 'p' }],
    ...extra,
  });
}

const rejections = (c: Cluster) =>
  c.allEvents().flatMap((e) => (e.type === 'ActionRejected' ? [{ op: e.op, error: e.error, message: e.message }] : []));

describe('live actions over a limit', () => {
  it('a load generator over the byte rate is refused, not recorded, and the run goes on', () => {
    const c = cluster();
    c.runUntil(100);
    c.perform({ op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 1000, valueBytes: 1048576 });
    c.runUntil(2000);
    expect(rejections(c)).toEqual([
      {
        op: 'startLoad',
        error: 'POLICY_VIOLATION',
        message:
          "Refused: ratePerSec x valueBytes is 1000 MB/s (1000 records/s of 1048576 bytes), more than the playground's limit of 2 MB/s: lower ratePerSec or valueBytes.",
      },
    ]);
    expect(c.scenario().timeline).toEqual([]);
    expect(c.producers.get('p')!.view().loads).toEqual([]);
    // The recorded document still loads.
    expect(restoreScenario(c.scenario()).ok).toBe(true);
    // A load within the limits after it runs.
    c.perform({ op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 100, valueBytes: 100 });
    c.runUntil(4000);
    expect(c.producers.get('p')!.sent).toBeGreaterThan(100);
  });

  it('fields over their own limit: ratePerSec, valueBytes, delays', () => {
    const c = cluster();
    c.perform({ op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 1e9 });
    c.perform({ op: 'slowBroker', broker: 1, delayMs: 1e12 });
    c.perform({ op: 'setProcessingTime', consumer: 'x', msPerRecord: 1e12 });
    c.runUntil(10);
    expect(rejections(c).map((r) => r.message)).toEqual([
      'Refused: ratePerSec: at most 100000, got 1000000000.',
      'Refused: delayMs: at most 86400000 ms (24 h), got 1000000000000.',
      'Refused: msPerRecord: at most 86400000 ms (24 h), got 1000000000000.',
    ]);
    expect(c.scenario().timeline).toEqual([]);
  });

  it('an action past 24 h of virtual time is refused', () => {
    expect(actionLimitProblem({ op: 'killBroker', at: LIMITS.timeMs + 1 })).toBe('at: at most 86400000 ms (24 h), got 86400001');
    expect(actionLimitProblem({ op: 'killBroker', at: LIMITS.timeMs })).toBeNull();
  });

  it('brokers beyond the limit', () => {
    const brokers = Array.from({ length: LIMITS.brokers }, (_, i) => ({ id: i + 1 }));
    const c = cluster({ cluster: { brokers }, topics: [] });
    c.perform({ op: 'addBroker', id: 1000 });
    c.runUntil(10);
    expect(rejections(c)).toEqual([{ op: 'addBroker', error: 'POLICY_VIOLATION', message: "The cluster has 64 brokers, the playground's limit (64)." }]);
    expect(c.brokers.size).toBe(LIMITS.brokers);
  });

  it('partitions and replicas over all topics', () => {
    const c = cluster({ topics: [{ name: 'big', partitions: 1000, replicationFactor: 3 }] });
    c.perform({ op: 'createTopic', name: 'more', partitions: 900, replicationFactor: 3 });
    c.perform({ op: 'createTopic', name: 'replicas', partitions: 100, replicationFactor: 4 });
    c.perform({ op: 'createTopic', name: 'partitions', partitions: 101, replicationFactor: 1 });
    c.perform({ op: 'createTopic', name: 'fits', partitions: 100, replicationFactor: 3 });
    c.runUntil(10);
    expect(rejections(c)).toEqual([
      { op: 'createTopic', error: 'POLICY_VIOLATION', message: "The cluster would have 6100 partition replicas in all, more than the playground's limit of 6000." },
      { op: 'createTopic', error: 'POLICY_VIOLATION', message: "The cluster would have 2001 partitions in all, more than the playground's limit of 2000." },
    ]);
    expect([...c.controller.topics.keys()].sort()).toEqual(['big', 'fits', 'more']);
  });

  it('a load of a million distinct keys costs only the keys it draws', () => {
    const c = cluster();
    for (let i = 0; i < 50; i++) c.perform({ op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 10, keys: LIMITS.keys });
    c.runUntil(1000);
    expect(rejections(c)).toEqual([]);
    const keys = new Set(c.output().partitions.flatMap((p) => p.records!.map((r) => r.key)));
    expect(keys.size).toBeGreaterThan(3);
    for (const k of keys) expect(k).toMatch(/^key-\d+$/);
  });
});

describe('the load byte-rate limit', () => {
  // Issue 10's scale workload: 50 brokers x 1,000 partitions, 20,000 records/s of 100 bytes.
  const doc = (ratePerSec: number) => ({
    version: 1,
    seed: 1,
    cluster: { brokers: Array.from({ length: 50 }, (_, i) => ({ id: i + 1 })) },
    topics: [{ name: 'bench', partitions: 1000, replicationFactor: 3 }],
    clients: [{ kind: 'producer', id: 'p' }],
    timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'bench', ratePerSec, keys: 10000, valueBytes: 100 }],
  });

  it("opens issue 10's 50 x 1,000 workload at 20,000 records/s of 100 bytes from a document", () => {
    expect(LIMITS.loadBytesPerSec).toBe(2 * 1024 * 1024);
    expect(restoreScenario(doc(20000)).ok).toBe(true);
  });

  it('refuses the same document just over 2 MB/s, naming the field and the figures', () => {
    const r = restoreScenario(doc(21000));
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error.message).toBe(
      "timeline[0].ratePerSec: ratePerSec x valueBytes is 2.003 MB/s (21000 records/s of 100 bytes), more than the playground's limit of 2 MB/s: lower ratePerSec or valueBytes",
    );
  });
});
