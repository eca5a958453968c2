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
 * The answers, too, belong to their fetch: the leader writes them into the fetch's answer
 * slots (ReplicaFetch.answers, SessionFetch.answer), refilled only when the fetch is sent
 * again, after its answer was read. An answer must arrive exactly as it was sent, and the
 * batches arrays a consumer keeps (its buffers) are never refilled.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenario/types';
import { Cluster } from '../cluster';
import { copiedRun } from '../invariants/copied-run';
import { ordersOnThreeBrokers } from '../invariants/test-fixtures';
import type { FetchResponse } from '../context';
import { Network, type Exchange } from '../sim/network';
import { Consumer } from '../consumer/consumer';
import { Broker } from './broker';

/**
 * Three brokers, `orders` (6 partitions, RF 3, min ISR 2), a producer and two consumers of
 * group g with `consumerConfig`; followers' fetches park up to 40 s, longer than their 30 s
 * replica socket timeout.
 */
function threeBrokers(seed: number, consumerConfig: Record<string, string | number>, timeline: Scenario['timeline']): Scenario {
  return ordersOnThreeBrokers({
    seed,
    latencyMs: 1,
    partitions: 6,
    brokerConfig: { 'replica.fetch.wait.max.ms': 40000 },
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 5 } },
      ...['c1', 'c2'].map((id) => ({ kind: 'consumer' as const, id, groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', ...consumerConfig } })),
    ],
    timeline,
  });
}

function scenario(): Scenario {
  // A consumer's fetch parks up to 1 s and times out after 300 ms.
  return threeBrokers(5, { 'fetch.max.wait.ms': 1000, 'request.timeout.ms': 300 }, [
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
  ]);
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

function parkedFetches(c: Cluster, only?: Broker): WaiterView[] {
  const out: WaiterView[] = [];
  for (const b of c.brokers.values()) {
    if (only !== undefined && b !== only) continue;
    const lists = (b as unknown as { waiters: Map<string, { items: WaiterView[] }> }).waiters;
    const seen = new Set<WaiterView>();
    for (const l of lists.values()) for (const w of l.items) if (!w.settled && !seen.has(w)) seen.add(w);
    // Follower fetches parked on their fetch sessions (in a list only once a partition of theirs changed).
    const sessions = (b as unknown as { fetchSessions: Map<number, { waiter: (WaiterView & { session: unknown }) | null }> }).fetchSessions;
    for (const s of sessions.values()) if (s.waiter !== null && !s.waiter.settled && s.waiter.session === s) seen.add(s.waiter);
    out.push(...seen);
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

/** 'consumer' for a FetchResponse, 'follower' for a follower fetch's answers, else null. */
function fetchAnswerKind(v: unknown): 'consumer' | 'follower' | null {
  if (Array.isArray(v)) return v.length > 0 && typeof v[0] === 'object' && v[0] !== null && 'divergingEpoch' in v[0] ? 'follower' : null;
  if (v !== null && typeof v === 'object' && 'partitions' in v && 'error' in v) return 'consumer';
  return null;
}

/** Everything a fetch answer says, flat, its arrays and batches by identity. */
function answerImage(v: unknown): unknown[] {
  const out: unknown[] = [];
  const parts = (Array.isArray(v) ? v : (v as FetchResponse).partitions) as unknown as Record<string, unknown>[];
  if (!Array.isArray(v)) out.push((v as FetchResponse).error);
  out.push(parts, parts.length);
  for (const a of parts) {
    out.push(a);
    for (const k of ['topic', 'partition', 'key', 'error', 'highWatermark', 'logStartOffset', 'bytes', 'preferredReadReplica', 'lastStableOffset', 'abortedTransactions']) out.push(a[k]);
    const d = a.divergingEpoch as { epoch: number; endOffset: number } | null | undefined;
    out.push(d, d?.epoch, d?.endOffset);
    const batches = a.batches as Uint8Array[];
    out.push(batches, batches.length, ...batches);
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

  it('a fetch part is refilled only when no leader reads it: fetches parked at a cut-off leader keep theirs while leadership moves away', () => {
    // Fetch parts are refilled in place once the fetch that carried them was answered
    // (FollowerFetchPart.holders, FetchPartition.holders). Here fetches stay parked at a
    // leader cut off from everyone (isolated: it hears neither metadata nor timeouts' resends)
    // while the controller fences it and moves its partitions' leadership: the followers and
    // consumers fetch those partitions with new leader epochs from the new leaders, while
    // the old leader still reads the parts it parked.
    const sc = threeBrokers(7, { 'fetch.max.wait.ms': 20000, 'request.timeout.ms': 30000 }, [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 200, keys: 30, valueBytes: 20 },
      { at: 3000, op: 'isolateBroker', broker: 3 },
      { at: 18000, op: 'healBroker', broker: 3 },
      { at: 20000, op: 'stopLoad', producer: 'p', topic: 'orders' },
    ]);
    const c = new Cluster(sc);
    const firstSeen = new WeakMap<WaiterView, string>();
    const changed: string[] = [];
    let parkedAtCutOff = { consumer: 0, replica: 0 };
    const cutOff = c.brokers.get(3)!;
    for (let t = 10; t <= 25000 && changed.length === 0; t += 10) {
      c.runUntil(t);
      for (const w of parkedFetches(c)) {
        const now = asked(w);
        const before = firstSeen.get(w);
        if (before === undefined) firstSeen.set(w, now);
        else if (before !== now) changed.push(`at ${t} ms a parked ${w.kind} fetch asked ${before}, now ${now}`);
      }
      if (t > 12000 && t < 18000) for (const w of parkedFetches(c, cutOff)) parkedAtCutOff = { ...parkedAtCutOff, [w.kind]: parkedAtCutOff[w.kind] + 1 };
    }
    expect(changed.slice(0, 3)).toEqual([]);
    // The case under test happened: fetches of both kinds parked at the cut-off leader after it lost its leadership...
    expect(parkedAtCutOff.consumer).toBeGreaterThan(0);
    expect(parkedAtCutOff.replica).toBeGreaterThan(0);
    expect(c.snapshot().events.some((e) => e.type === 'LeaderElected' && e.at > 3000 && e.at < 18000)).toBe(true);
    // ...and the data still flows.
    const s = c.snapshot();
    expect(s.consumers.flatMap((x) => x.positions).reduce((n, p) => n + p.lag, 0)).toBe(0);
  });

  it('a cluster copied at many moments (fetches parked, timed out, sessions holding answered requests) runs on exactly as the original', () => {
    const run = copiedRun(() => new Cluster(scenario(), { recordConsumed: true }), 48000);
    expect(run.copies).toBeGreaterThan(250);
    expect(run.copied).toBe(run.straight);
  });

  it('a fetch answer arrives as it was sent: its slots are never refilled while it travels', () => {
    // The answers are written into their fetch's own slots (Broker.readForReplica /
    // readForConsumer): a slot refilled for another fetch while an answer is on its way (a
    // fetch sent again after a timeout while the old one is parked, a shared array) would
    // reach its fetcher changed. Each answer is taken down when the leader sends it and
    // compared when it arrives.
    const sent = new WeakMap<Exchange, unknown[]>();
    let compared = { consumer: 0, follower: 0 };
    const changed: string[] = [];
    const proto = Network.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const answer = proto.answer!;
    const answerArrives = proto.answerArrives!;
    proto.answer = function (this: Network, x: unknown, value: unknown) {
      const kind = fetchAnswerKind(value);
      if (kind !== null) sent.set(x as Exchange, answerImage(value));
      return answer.call(this, x, value);
    };
    proto.answerArrives = function (this: Network, x: unknown) {
      const ex = x as Exchange;
      const before = sent.get(ex);
      const kind = fetchAnswerKind(ex.value);
      if (before !== undefined && kind !== null) {
        compared = { ...compared, [kind]: compared[kind] + 1 };
        const now = answerImage(ex.value);
        if (now.length !== before.length || now.some((v, i) => !Object.is(v, before[i]))) changed.push(`a ${kind} answer changed on its way`);
      }
      return answerArrives.call(this, x);
    };
    try {
      const c = new Cluster(scenario());
      c.runUntil(50000);
    } finally {
      proto.answer = answer;
      proto.answerArrives = answerArrives;
    }
    expect(compared.consumer).toBeGreaterThan(1000);
    expect(compared.follower).toBeGreaterThan(1000);
    expect(changed.slice(0, 5)).toEqual([]);
  });

  it("a consumer's fetched batches stay as fetched while its buffer holds them", () => {
    // A consumer keeps an answer's batches array as its buffer (the answer slots are refilled,
    // their batches arrays never are): each array is taken down when it arrives and checked
    // as the run goes on.
    const kept: [Uint8Array[], Uint8Array[]][] = [];
    let arrays = 0;
    const proto = Consumer.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const original = proto.onFetchResponse!;
    const wrapper = function (this: unknown, ...a: unknown[]) {
      const r = a[2] as FetchResponse;
      for (const fp of r.partitions) {
        if (fp.batches.length === 0) continue;
        arrays++;
        kept.push([fp.batches, fp.batches.slice()]);
        if (kept.length > 400) kept.shift();
      }
      return original.apply(this, a);
    };
    Object.defineProperty(wrapper, 'name', { value: 'onFetchResponse' });
    proto.onFetchResponse = wrapper;
    const changed: string[] = [];
    const buffers = new Map<object, [Uint8Array[], number]>();
    try {
      const c = new Cluster(scenario());
      for (let t = 5; t <= 40000 && changed.length === 0; t += 5) {
        c.runUntil(t);
        for (const [arr, copy] of kept) {
          if (arr.length !== copy.length || arr.some((b, i) => b !== copy[i])) changed.push(`at ${t} ms a fetched batches array changed: ${copy.length} -> ${arr.length} batches`);
        }
        // A buffer is replaced, never added to in place (an emptied one is one array shared by all).
        for (const x of c.consumers.values()) {
          for (const p of (x as unknown as { partitions: Map<string, { buffer: Uint8Array[] }> }).partitions.values()) {
            const before = buffers.get(p);
            if (before !== undefined && before[0] === p.buffer && before[1] !== p.buffer.length) changed.push(`at ${t} ms a buffer changed in place: ${before[1]} -> ${p.buffer.length} batches`);
            buffers.set(p, [p.buffer, p.buffer.length]);
          }
        }
      }
    } finally {
      proto.onFetchResponse = original;
    }
    expect(changed.slice(0, 3)).toEqual([]);
    expect(arrays).toBeGreaterThan(1000);
  });
});
