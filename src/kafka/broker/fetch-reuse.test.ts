/**
 * Fetch sessions send their last answered request again, refilled (Consumer's FetchSession
 * `answered`, Broker's Fetcher `answered`), instead of building a request, its arrays and
 * its Calls per fetch. A request may be refilled only when nothing else reads it: a fetch
 * that timed out while parked at the broker is still read there (its waiter answers it
 * later, with the offsets it asked), so it must never be refilled.
 *
 * Here fetches time out while parked, on purpose: consumers with request.timeout.ms below
 * fetch.max.wait.ms, and followers whose leader parks them (replica.fetch.wait.max.ms) longer
 * than their 30 s socket timeout. Every parked fetch must keep asking what it asked when it
 * parked, until it is answered; and a cluster copied (cloneCluster) at many moments, with
 * such fetches parked and sessions holding answered requests, runs on exactly as the original.
 *
 * The broker, for its part, refills the answers array of a read it did not send (the fetch
 * parked) for the next read (Broker.unsentConsumerAnswers / unsentReplicaAnswers): an array
 * it sent goes with its answer and is never filled again, so no answers array reaches a
 * fetcher twice.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenario/types';
import { cloneCluster } from '../checkpoint';
import { Cluster } from '../cluster';
import { Consumer } from '../consumer/consumer';
import { Broker } from './broker';

function scenario(): Scenario {
  return {
    version: 1,
    seed: 5,
    cluster: {
      brokers: [{ id: 1 }, { id: 2 }, { id: 3 }],
      network: { latencyMs: 1, jitterMs: 1 },
      // A follower's fetch parks up to 40 s: longer than its 30 s replica socket timeout.
      config: { 'group.initial.rebalance.delay.ms': 0, 'replica.fetch.wait.max.ms': 40000 },
    },
    topics: [{ name: 'orders', partitions: 6, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 5 } },
      // A consumer's fetch parks up to 1 s and times out after 300 ms.
      ...['c1', 'c2'].map((id) => ({
        kind: 'consumer' as const,
        id,
        groupId: 'g',
        topics: ['orders'],
        config: { 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': 1000, 'request.timeout.ms': 300 },
      })),
    ],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 500, keys: 30, valueBytes: 20 },
      { at: 2000, op: 'stopLoad', producer: 'p', topic: 'orders' },
      // 32 s without records: fetches park and time out, and are sent anew while the old ones
      // are still parked. A broker dies meanwhile: its partitions move to the others' sessions,
      // so a fetch sent after a timeout asks otherwise than the one still parked.
      { at: 15000, op: 'killBroker', broker: 3 },
      { at: 20000, op: 'restartBroker', broker: 3 },
      { at: 34000, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 500, keys: 30, valueBytes: 20 },
      { at: 36000, op: 'killBroker', broker: 2 },
      { at: 38000, op: 'restartBroker', broker: 2 },
      { at: 40000, op: 'isolateBroker', broker: 3 },
      { at: 41500, op: 'healBroker', broker: 3 },
      { at: 44000, op: 'stopLoad', producer: 'p', topic: 'orders' },
    ],
  };
}

interface FetchPartView {
  topic: string;
  partition: number;
  key?: string;
  fetchOffset: number;
  currentLeaderEpoch: number;
  partitionMaxBytes?: number;
  lastFetchedEpoch?: number;
}
interface RequestView {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel?: number;
  partitions: FetchPartView[];
}
interface WaiterView {
  kind: 'consumer' | 'replica';
  settled: boolean;
  req?: RequestView;
  parts?: FetchPartView[];
  maxBytes?: number;
}

const partSig = (p: FetchPartView) => `${p.topic}-${p.partition}@${p.fetchOffset}/${p.currentLeaderEpoch}/${p.lastFetchedEpoch ?? ''}/${p.partitionMaxBytes ?? ''}`;

/** What a parked fetch asks, as text (the broker's Partition references in its parts left out). */
function asked(w: WaiterView): string {
  if (w.kind === 'replica') return `replica ${w.maxBytes} [${w.parts!.map(partSig).join(' ')}]`;
  const r = w.req!;
  return `consumer ${r.maxWaitMs}/${r.minBytes}/${r.maxBytes}/${r.isolationLevel ?? 0} [${r.partitions.map(partSig).join(' ')}]`;
}

function parkedFetches(c: Cluster): WaiterView[] {
  const out: WaiterView[] = [];
  for (const b of c.brokers.values()) {
    const lists = (b as unknown as { waiters: Map<string, { items: WaiterView[] }> }).waiters;
    for (const l of lists.values()) for (const w of l.items) if (!w.settled) out.push(w);
  }
  return out;
}

/** The requests (consumer) and parts arrays (follower) of every fetch outstanding now. */
function outstanding(c: Cluster): Set<object> {
  const out = new Set<object>();
  for (const x of c.consumers.values()) {
    const sessions = (x as unknown as { fetchSessions: Map<number, { inFlight: { req: object } | null }> }).fetchSessions;
    for (const s of sessions.values()) if (s.inFlight !== null) out.add(s.inFlight.req);
  }
  for (const b of c.brokers.values()) {
    const fetchers = (b as unknown as { fetchers: Map<number, { inFlight: { parts: object } | null }> }).fetchers;
    for (const f of fetchers.values()) if (f.inFlight !== null) out.add(f.inFlight.parts);
  }
  return out;
}

describe('fetch sessions reuse answered requests only', () => {
  it('a parked fetch that timed out keeps asking its own offsets while its session sends new ones', () => {
    const c = new Cluster(scenario());
    const firstSeen = new WeakMap<WaiterView, string>();
    /** Parked fetches per request object: a request sent again parks under a new waiter. */
    const parkings = new Map<object, Set<WaiterView>>();
    let abandonedParked = { consumer: 0, replica: 0 };
    const changed: string[] = [];
    for (let t = 10; t <= 50000 && changed.length === 0; t += 10) {
      c.runUntil(t);
      const live = outstanding(c);
      for (const w of parkedFetches(c)) {
        const now = asked(w);
        const before = firstSeen.get(w);
        if (before === undefined) firstSeen.set(w, now);
        else if (before !== now) changed.push(`at ${t} ms a parked ${w.kind} fetch asked ${before}, now ${now}`);
        const request: object = w.kind === 'replica' ? w.parts! : w.req!;
        let set = parkings.get(request);
        if (!set) parkings.set(request, (set = new Set()));
        set.add(w);
        // Parked, yet no longer its session's outstanding fetch: it timed out there.
        if (!live.has(request)) abandonedParked = { ...abandonedParked, [w.kind]: abandonedParked[w.kind] + 1 };
      }
    }
    expect(changed).toEqual([]);
    // The case under test happened, for both kinds of fetch...
    expect(abandonedParked.consumer).toBeGreaterThan(0);
    expect(abandonedParked.replica).toBeGreaterThan(0);
    // ...and requests were sent again (one request object parked more than once).
    expect([...parkings.values()].filter((s) => s.size > 1).length).toBeGreaterThan(0);
    // The data still flows: consumers caught up, every follower back in the ISR.
    const s = c.snapshot();
    for (const p of s.partitions) expect(p.isr).toHaveLength(3);
    const lag = s.consumers.flatMap((x) => x.positions).reduce((n, p) => n + p.lag, 0);
    expect(lag).toBe(0);
    expect(s.consumers.reduce((n, x) => n + x.consumed, 0)).toBeGreaterThan(3000);
  });

  it('a cluster copied at many moments (fetches parked, timed out, sessions holding answered requests) runs on exactly as the original', () => {
    const fingerprint = (c: Cluster) => JSON.stringify(c.output()) + JSON.stringify(c.snapshot()) + c.scheduler.eventsRun;
    const END = 48000;
    const straight = new Cluster(scenario(), { recordConsumed: true });
    straight.runUntil(END);
    let c = new Cluster(scenario(), { recordConsumed: true });
    let copies = 0;
    // Every 173 ms (prime: the copies fall at every phase of the fetch rounds).
    for (let t = 173; t < END; t += 173) {
      c.runUntil(t);
      c = cloneCluster(c);
      copies++;
    }
    c.runUntil(END);
    expect(copies).toBeGreaterThan(250);
    expect(fingerprint(c)).toBe(fingerprint(straight));
  });

  it('an answers array the broker sent is never filled again: no fetch answer reaches its fetcher twice', () => {
    const seen = new WeakSet<object>();
    let answers = 0;
    const repeated: string[] = [];
    const note = (kind: string, arr: object) => {
      answers++;
      if (seen.has(arr)) repeated.push(kind);
      seen.add(arr);
    };
    // Both methods are entry points (called through Calls by name): the wrappers keep their names.
    const wrap = <T extends object>(proto: T, name: string, arrayOf: (args: unknown[]) => object | null, kind: string) => {
      const p = proto as Record<string, unknown>;
      const original = p[name] as (...a: unknown[]) => unknown;
      const wrapper = function (this: unknown, ...a: unknown[]) {
        const arr = arrayOf(a);
        if (arr !== null) note(kind, arr);
        return original.apply(this, a);
      };
      Object.defineProperty(wrapper, 'name', { value: name });
      p[name] = wrapper;
      return () => {
        p[name] = original;
      };
    };
    const restore = [
      wrap(Consumer.prototype, 'onFetchResponse', (a) => (a[2] as { partitions: object }).partitions, 'consumer'),
      wrap(Broker.prototype, 'onReplicaFetchResponse', (a) => a[3] as object, 'follower'),
    ];
    try {
      const c = new Cluster(scenario());
      c.runUntil(50000);
    } finally {
      for (const r of restore) r();
    }
    expect(answers).toBeGreaterThan(3000);
    expect(repeated.slice(0, 5)).toEqual([]);
  });
});
