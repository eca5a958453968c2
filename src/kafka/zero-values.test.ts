/**
 * Zero values Kafka accepts (ConfigDef atLeast(0), or no validator at all) must not stop the
 * virtual clock: every retry or poll loop lets at least MIN_TURN_MS pass between turns, and
 * a round trip between two processes takes at least that long even with zero latency.
 * Before the fix each of these documents spun at one instant until the heap ran out; now
 * the scheduler's stall guard would throw SimulationStalledError within a second, so a
 * regression fails here rather than hanging the suite.
 */
import { callOf } from './sim/call';
import { describe, expect, it } from 'vitest';
import spec from '../scenario/fixtures/spec-example.json';
import { restoreScenarioOrThrow } from '../scenario/restore';
import { Cluster } from './cluster';
import { MAX_EVENTS_PER_INSTANT, Scheduler, SimulationStalledError } from './sim/scheduler';

type Doc = Record<string, any>;

function run(mutate: (d: Doc) => void, untilMs = 10000): Cluster {
  const d = structuredClone(spec) as Doc;
  mutate(d);
  const c = new Cluster(restoreScenarioOrThrow(d), { recordConsumed: true });
  c.runUntil(untilMs);
  return c;
}

const zeroLatency = (d: Doc) => {
  d.cluster.network = { latencyMs: 0, jitterMs: 0 };
};
const allBrokersDown = (d: Doc) => {
  d.timeline = [1, 2, 3].map((broker) => ({ at: 0, op: 'killBroker', broker }));
  d.timeline.push({ at: 10, op: 'produce', producer: 'checkout', topic: 'orders', key: 'k', value: 'v' });
};

describe('zero values do not stop the clock', () => {
  it('heartbeat.interval.ms = 0: the group still forms and consumes', () => {
    const c = run((d) => {
      d.clients[1].config['heartbeat.interval.ms'] = 0;
    });
    expect(c.now).toBe(10000);
    const g = c.coordinator.describeGroups().find((x) => x.groupId === 'billing')!;
    expect(g.state).toBe('Stable');
    expect(c.output().consumed.length).toBeGreaterThan(50);
  });

  it('replica.fetch.wait.max.ms = 0 with zero latency: followers replicate', () => {
    const c = run((d) => {
      d.cluster.config['replica.fetch.wait.max.ms'] = 0;
      zeroLatency(d);
    });
    expect(c.now).toBe(10000);
    // Broker 2 came back at 6 s and caught up: every partition has its full ISR again.
    for (const p of c.output().partitions) expect(p.isr).toHaveLength(3);
  });

  it('consumer fetch.max.wait.ms = 0 with zero latency: the consumer keeps up', () => {
    const c = run((d) => {
      d.clients[1].config['fetch.max.wait.ms'] = 0;
      zeroLatency(d);
    });
    expect(c.now).toBe(10000);
    expect(c.output().consumed.length).toBeGreaterThan(50);
  });

  it('retry.backoff.ms = 0 with every broker down: clients retry as time passes', () => {
    const c = run((d) => {
      d.clients[0].config['retry.backoff.ms'] = 0;
      d.clients[1].config['retry.backoff.ms'] = 0;
      allBrokersDown(d);
    }, 5000);
    expect(c.now).toBe(5000);
    expect(c.pendingProduceRecords()).toBe(1);
  });

  it('retry.backoff.ms and replica.fetch.backoff.ms = 0 with zero latency while a broker dies', () => {
    const c = run((d) => {
      d.clients[0].config['retry.backoff.ms'] = 0;
      d.clients[1].config['retry.backoff.ms'] = 0;
      d.cluster.config['replica.fetch.backoff.ms'] = 0;
      zeroLatency(d);
    });
    expect(c.now).toBe(10000);
  });

  it('log.cleaner.backoff.ms = 0 on a compacted topic', () => {
    const c = run((d) => {
      d.cluster.config['log.cleaner.backoff.ms'] = 0;
      d.topics[0].config['cleanup.policy'] = 'compact';
    });
    expect(c.now).toBe(10000);
  });
});

describe('the scheduler stall guard', () => {
  it('throws SimulationStalledError when events keep re-arming at one instant', () => {
    const s = new Scheduler();
    s.maxEventsPerInstant = 1000;
    const spin = callOf(() => void s.after(0, spin));
    s.after(5, spin);
    let thrown: unknown;
    try {
      s.runUntil(10);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SimulationStalledError);
    expect((thrown as Error).message).toMatch(/stalled: more than 1000 events ran at virtual time 5 ms/);
  });

  it('counts per instant: many events spread over time are fine', () => {
    const s = new Scheduler();
    s.maxEventsPerInstant = 10;
    let n = 0;
    for (let t = 0; t < 1000; t++) for (let i = 0; i < 10; i++) s.at(t, callOf(() => void n++));
    s.runUntil(2000);
    expect(n).toBe(10000);
  });

  it('a runner-sized default far above legitimate bursts', () => {
    expect(MAX_EVENTS_PER_INSTANT).toBeGreaterThanOrEqual(50_000);
    const s = new Scheduler();
    let n = 0;
    for (let i = 0; i < 20_000; i++) s.at(0, callOf(() => void n++));
    s.runUntil(0);
    expect(n).toBe(20_000);
  });
});

describe("Kafka's own validators for the heartbeat", () => {
  it('heartbeat.interval.ms must be lower than session.timeout.ms, as KafkaConsumer refuses it', () => {
    const c = run((d) => {
      d.clients[1].config['heartbeat.interval.ms'] = 45000;
    }, 100);
    expect(c.consumers.has('billing-1')).toBe(false);
    expect(c.allEvents().filter((e) => e.type === 'ActionRejected')).toMatchObject([
      {
        op: 'addConsumer',
        error: 'INVALID_CONFIG',
        message: 'Failed to construct kafka consumer: heartbeat.interval.ms (45000) must be set lower than session.timeout.ms (45000)',
      },
    ]);
  });
});
