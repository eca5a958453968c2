/**
 * Bandwidth and replica fetch sizes: a follower that missed megabytes catches up over time
 * proportional to the bytes and to 1 / cluster.network.bandwidthMBps, each fetch bounded by
 * replica.fetch.max.bytes per partition and replica.fetch.response.max.bytes per answer.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigMap, Scenario } from '../scenario/types';
import { Cluster } from './cluster';
import { Network, wireBytes } from './sim/network';
import { Prng } from './sim/prng';
import { Scheduler } from './sim/scheduler';
import { callOf } from './sim/call';

function scenario(bandwidthMBps: number | undefined, config: ConfigMap = {}): Scenario {
  return {
    version: 1,
    seed: 7,
    cluster: {
      brokers: [{ id: 1 }, { id: 2 }, { id: 3 }],
      config,
      network: { latencyMs: 1, jitterMs: 0, ...(bandwidthMBps !== undefined ? { bandwidthMBps } : {}) },
    },
    topics: [{ name: 'big', partitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]], config: { 'min.insync.replicas': 1 } }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 1, 'linger.ms': 0 } }],
    timeline: [
      // 200 records/s of 10 kB: 2 MB/s, about 20 MB while broker 3 is down.
      { at: 0, op: 'startLoad', producer: 'p', topic: 'big', ratePerSec: 200, valueBytes: 10000 },
      { at: 500, op: 'killBroker', broker: 3 },
      { at: 10500, op: 'restartBroker', broker: 3 },
    ],
  };
}

interface CatchUp {
  /** First ms broker 3's log grew after its restart. */
  start: number;
  /** First ms its log reached the leader's log end offset as it was then. */
  end: number;
  missedBytes: number;
  isrExpandAt: number;
  fetchSizes: number[];
}

function catchUp(bandwidthMBps: number | undefined, config: ConfigMap = {}): CatchUp {
  const c = new Cluster(scenario(bandwidthMBps, config));
  const fetchSizes: number[] = [];
  // Answers (the leader's fetch answers) leave through Network.answer, from the request's receiver (x.to) to its sender.
  const answer = c.network.answer.bind(c.network);
  c.network.answer = (x, value) => {
    const bytes = wireBytes(value, 0);
    if (x.to === 'broker:1' && x.from === 'broker:3' && bytes > 0) fetchSizes.push(bytes);
    answer(x, value);
  };
  c.runUntil(10500);
  const leo3 = () => c.brokers.get(3)!.logs.get('big-0')!.logEndOffset;
  const from = leo3();
  let start = -1;
  let target = -1;
  let missedBytes = 0;
  for (let t = 10501; t < 20000; t++) {
    c.runUntil(t);
    if (start < 0 && leo3() > from) {
      start = t;
      const leaderLog = c.brokers.get(1)!.logs.get('big-0')!;
      target = leaderLog.logEndOffset;
      missedBytes = wireBytes({ batches: leaderLog.read(from, Number.MAX_SAFE_INTEGER, target).batches }, 0);
    }
    if (start >= 0 && leo3() >= target) {
      c.runUntil(t + 3000);
      const expand = c.allEvents().find((e) => e.type === 'IsrExpand' && e.broker === 3 && e.at >= 10500);
      return { start, end: t, missedBytes, isrExpandAt: expand?.at ?? -1, fetchSizes };
    }
  }
  throw new Error('broker 3 never caught up');
}

const memo = new Map<string, CatchUp>();
function cached(bw: number | undefined, config: ConfigMap = {}): CatchUp {
  const k = JSON.stringify([bw, config]);
  if (!memo.has(k)) memo.set(k, catchUp(bw, config));
  return memo.get(k)!;
}

describe('network bandwidth', () => {
  it('a message of N bytes takes N / bandwidth on the sender uplink and the receiver downlink, queued', () => {
    const s = new Scheduler();
    const net = new Network(s, new Prng(1), { latencyMs: 1, jitterMs: 0, bandwidthMBps: 1 }); // 1000 bytes per ms
    for (const n of ['a', 'b', 'c']) net.up(n);
    const arrivals: [string, number][] = [];
    const mark = (label: string) => callOf(() => arrivals.push([label, s.now]));
    net.send('a', 'b', mark('a>b 5000'), undefined, 5000); // 5 ms on a's uplink
    net.send('a', 'c', mark('a>c 5000'), undefined, 5000); // queued behind it on a's uplink: 10 ms
    net.send('c', 'b', mark('c>b 2000'), undefined, 2000); // b's downlink busy until 5: 7 ms
    net.send('c', 'a', mark('c>a control'), undefined, 0); // control: latency only
    s.runUntil(100);
    expect(arrivals).toEqual([
      ['c>a control', 1],
      ['a>b 5000', 6],
      ['c>b 2000', 8],
      ['a>c 5000', 11],
    ]);
  });

  it('counts the record batches a message carries, nothing else', () => {
    const batch = new Uint8Array(300);
    expect(wireBytes({ batch, topic: 't' }, 0)).toBe(300);
    expect(wireBytes([{ topic: 't', result: { batches: [batch, batch] } }], 0)).toBe(600);
    expect(wireBytes({ error: 'NONE', partitions: [{ batches: [batch] }, { batches: [] }] }, 0)).toBe(300);
    expect(wireBytes({ memberId: 'm', generation: 3 }, 0)).toBe(0);
  });

  it('a restarted follower that missed megabytes catches up over time proportional to the bytes', () => {
    const fast = cached(100);
    const slow = cached(50);
    expect(fast.missedBytes).toBeGreaterThan(15_000_000);
    // ~20 MB at 100 MB/s: about 200 ms, not the 12 ms of an infinitely fast network.
    const fastMs = fast.end - fast.start;
    const slowMs = slow.end - slow.start;
    expect(fastMs).toBeGreaterThanOrEqual(Math.floor((fast.missedBytes / 100e6) * 1000));
    expect(fastMs).toBeLessThan((fast.missedBytes / 100e6) * 1000 * 1.5 + 50);
    // Half the bandwidth, about twice the time.
    expect(slowMs / fastMs).toBeGreaterThan(1.7);
    expect(slowMs / fastMs).toBeLessThan(2.3);
    // It rejoins the ISR only once it caught up.
    expect(fast.isrExpandAt).toBeGreaterThanOrEqual(fast.end);
    expect(slow.isrExpandAt).toBeGreaterThanOrEqual(slow.end);
  });

  it('defaults to 100 MB/s when the scenario gives none', () => {
    const d = cached(undefined);
    const fast = cached(100);
    expect(d.end - d.start).toBe(fast.end - fast.start);
  });

  it('replica.fetch.max.bytes bounds each follower fetch (one batch may exceed it, KIP-74)', () => {
    const dflt = cached(100);
    // Default 1 MiB: catching up, answers fill up to it.
    expect(Math.max(...dflt.fetchSizes)).toBeGreaterThan(500_000);
    expect(Math.max(...dflt.fetchSizes)).toBeLessThanOrEqual(1048576 + 11_000);
    const small = cached(100, { 'replica.fetch.max.bytes': 65536 });
    expect(Math.max(...small.fetchSizes)).toBeLessThanOrEqual(65536);
    expect(Math.max(...small.fetchSizes)).toBeGreaterThan(40_000);
    // More round trips for the same bytes: a slower catch-up.
    expect(small.end - small.start).toBeGreaterThan(dflt.end - dflt.start);
  });

  it('replica.fetch.response.max.bytes bounds the whole answer', () => {
    const r = cached(100, { 'replica.fetch.response.max.bytes': 131072 });
    expect(Math.max(...r.fetchSizes)).toBeLessThanOrEqual(131072);
    expect(Math.max(...r.fetchSizes)).toBeGreaterThan(100_000);
  });
});

describe('produce and fetch requests on the wire', () => {
  /**
   * Every produce request's transfer time from the producer to the leader: its batches'
   * bytes (wireBytes, counted here independently of the producer's own sum) over the
   * bandwidth, plus the latency. Nothing else shares the producer's uplink, and the
   * leader's downlink carries only control messages besides it.
   */
  function produceTrips(acks: 0 | 1): { bytes: number; ms: number }[] {
    const c = new Cluster({
      version: 1,
      seed: 5,
      cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], network: { latencyMs: 1, jitterMs: 0, bandwidthMBps: 1 } },
      topics: [{ name: 't', partitions: 1, replicationFactor: 1, assignments: [[1]] }],
      clients: [{ kind: 'producer', id: 'p', config: { acks, 'linger.ms': 0 } }],
      // 20 records/s of 8 kB: 0.16 MB/s on a 1 MB/s link, so requests seldom queue.
      timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: 20, valueBytes: 8000 }],
    });
    const sentAt = new Map<object, { at: number; bytes: number }>();
    const net = c.network;
    const note = (handle: { method: string; args: readonly unknown[] }) => {
      if (handle.method !== 'produceAt') return;
      const req = handle.args[1] as object;
      sentAt.set(req, { at: c.scheduler.now, bytes: wireBytes(req, 1) });
    };
    const request = net.request.bind(net);
    net.request = (from, to, handle, onResponse, onReset, bytes) => {
      note(handle);
      request(from, to, handle, onResponse, onReset, bytes);
    };
    const send = net.send.bind(net);
    net.send = (from, to, deliver, onDrop, bytes, notBefore) => {
      note(deliver);
      send(from, to, deliver, onDrop, bytes, notBefore);
    };
    const trips: { bytes: number; ms: number }[] = [];
    const broker = c.brokers.get(1)!;
    const handleProduce = broker.handleProduce.bind(broker);
    broker.handleProduce = (req) => {
      const s = sentAt.get(req);
      if (s) trips.push({ bytes: s.bytes, ms: c.scheduler.now - s.at });
      return handleProduce(req);
    };
    c.runUntil(3000);
    return trips;
  }

  for (const acks of [1, 0] as const) {
    it(`a produce request (acks=${acks}) takes latency + its batches' bytes / bandwidth`, () => {
      const trips = produceTrips(acks);
      expect(trips.length).toBeGreaterThan(30);
      for (const t of trips) {
        expect(t.bytes).toBeGreaterThan(8000);
        // 1 MB/s = 1,000 bytes per ms; the network floors the transfer time to whole ms.
        expect(t.ms).toBeGreaterThanOrEqual(1 + Math.floor(t.bytes / 1000));
        expect(t.ms).toBeLessThanOrEqual(1 + Math.floor(t.bytes / 1000) + 1);
      }
    });
  }
});
