/**
 * The worker host posting deltas, the client applying them: the store holds exactly the
 * cluster's snapshot through a run, a seek back (a rebuilt cluster: a whole frame), an
 * action, and a lost frame (resync).
 */
import { describe, expect, it } from 'vitest';
import { Cluster } from '../kafka/cluster';
import type { ClusterSnapshot } from '../kafka/snapshot';
import type { Scenario } from '../scenario/types';
import { WorkerHost } from '../worker/host';
import { toWorker, type FromWorker, type UiCommand } from '../worker/protocol';
import { wireSnapshot } from '../worker/snapshot-delta';
import { useClusterStore } from './cluster-store';
import { UI_FRAME_SHARE, WorkerClient, type Endpoint, type FramePacing } from './worker-client';

const doc: Scenario = {
  version: 1,
  seed: 4,
  cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], config: { 'group.initial.rebalance.delay.ms': 0 } },
  topics: [{ name: 't', partitions: 6, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
  clients: [
    { kind: 'producer', id: 'p' },
    { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['t'], config: { 'auto.offset.reset': 'earliest' } },
  ],
  timeline: [
    { at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: 200, keys: 30 },
    { at: 2000, op: 'killBroker', broker: 2 },
    { at: 3000, op: 'createTopic', name: 'u', partitions: 2, replicationFactor: 2 },
  ],
};

function setup(schedule: ((flush: () => void) => void) | null = null, pacing: FramePacing | null = null) {
  const clock = { t: 1000 };
  const posted: FromWorker[] = [];
  let deliver: ((data: unknown) => void) | null = null;
  const host = new WorkerHost(
    {
      createCluster: (d) => new Cluster(d),
      post: (m) => {
        posted.push(m);
        deliver?.(structuredClone(m));
      },
      wallNow: () => clock.t,
      setTimer: () => 0,
      clearTimer: () => undefined,
    },
    { deltas: true },
  );
  const endpoint: Endpoint = {
    postMessage: (m) => host.handle(structuredClone(m)),
    addEventListener: ((type: string, l: (e: MessageEvent) => void) => {
      if (type === 'message') deliver = (data) => l({ data } as MessageEvent);
    }) as Endpoint['addEventListener'],
  };
  const client = new WorkerClient(endpoint, schedule, pacing);
  const send = (cmd: UiCommand) => host.handle(toWorker(cmd));
  const run = (wallMs: number) => {
    for (let done = 0; done < wallMs; done += 16) {
      clock.t += 16;
      host.tick();
    }
  };
  /**
   * The cluster's state now, as a whole snapshot would show it in its wire form (broker rates
   * as drawn, snapshot-delta.ts wireSnapshot), without the events, which the store keeps apart.
   */
  const truth = (): Omit<ClusterSnapshot, 'events'> => {
    const { events: _e, ...rest } = structuredClone(wireSnapshot((host.timeMachine!.cluster as Cluster).snapshot()));
    return rest;
  };
  const shown = (): Omit<ClusterSnapshot, 'events'> => {
    const { events: _e, ...rest } = useClusterStore.getState().snapshot!;
    return rest;
  };
  return { host, client, posted, send, run, truth, shown, clock };
}

describe('WorkerClient with deltas', () => {
  it('holds the cluster exactly through a run, a seek back, an action and a lost frame', () => {
    const s = setup();
    s.send({ type: 'load', scenario: doc });
    s.run(4000);
    const kinds = s.posted.map((m) => m.type);
    expect(kinds.filter((k) => k === 'delta').length).toBeGreaterThan(50);
    expect(kinds.filter((k) => k === 'snapshot').length).toBe(1);
    s.send({ type: 'pause' });
    s.run(100);
    expect(s.shown()).toEqual(s.truth());

    // A seek back rebuilds the cluster: the next frame is whole.
    s.posted.length = 0;
    s.send({ type: 'seek', t: 1500 });
    s.run(200);
    expect(s.posted.some((m) => m.type === 'snapshot')).toBe(true);
    expect(s.shown()).toEqual(s.truth());
    expect(useClusterStore.getState().snapshot!.time).toBe(1500);

    s.send({ type: 'perform', action: { op: 'restartBroker', broker: 2 } });
    s.send({ type: 'play' });
    s.run(1500);
    s.send({ type: 'pause' });
    s.run(100);
    expect(s.shown()).toEqual(s.truth());

    // A frame lost on the way: the client asks for a whole one and is right again.
    const hostAny = s.host as unknown as { deps: { post(m: FromWorker): void } };
    const post = hostAny.deps.post;
    let dropped = 0;
    hostAny.deps.post = (m) => {
      if (m.type === 'delta' && dropped === 0) {
        dropped++;
        return;
      }
      post(m);
    };
    s.send({ type: 'play' });
    s.run(1000);
    s.send({ type: 'pause' });
    s.run(100);
    expect(dropped).toBe(1);
    expect(s.shown()).toEqual(s.truth());
  });
});

describe('WorkerClient with frames batched per display frame', () => {
  it('hands the store one update per display frame, with every event and marker, and the exact cluster', () => {
    const flushes: (() => void)[] = [];
    const s = setup((f) => flushes.push(f));
    s.send({ type: 'load', scenario: doc });
    let updates = 0;
    const unsubscribe = useClusterStore.subscribe((st, prev) => {
      if (st.snapshot !== prev.snapshot) updates++;
    });
    let frames = 0;
    // Display frames come less often than worker frames (a slow render): every 5th tick.
    for (let i = 0; i < 400; i++) {
      s.run(16);
      if (i % 5 === 4) {
        while (flushes.length > 0) flushes.shift()!();
        frames++;
      }
    }
    s.send({ type: 'pause' });
    s.run(100);
    while (flushes.length > 0) flushes.shift()!();
    unsubscribe();
    const posted = s.posted.filter((m) => m.type === 'delta' || m.type === 'snapshot').length;
    expect(posted).toBeGreaterThan(updates * 1.4);
    expect(updates).toBeLessThanOrEqual(frames + 2);
    expect(s.shown()).toEqual(s.truth());
    // Every event the worker sent is in the log (fewer than the history limit in this run).
    const sent = s.posted.reduce((n, m) => n + (m.type === 'snapshot' ? m.snapshot.events.length : m.type === 'delta' ? m.delta.events.length : 0), 0);
    expect(sent).toBeLessThan(500);
    expect(useClusterStore.getState().events.length).toBe(sent);
  });
});

describe('WorkerClient paced by what a frame costs the page', () => {
  it('after a costly frame the next waits cost / UI_FRAME_SHARE; cheap frames go in at every display frame; nothing is lost', () => {
    const flushes: (() => void)[] = [];
    const page = { now: 0, cost: 5, after: [] as (() => void)[] };
    const pacing: FramePacing = { now: () => page.now, afterFrame: (fn) => void page.after.push(fn) };
    const s = setup((f) => flushes.push(f), pacing);
    s.send({ type: 'load', scenario: doc });
    const applied: number[] = [];
    const unsubscribe = useClusterStore.subscribe((st, prev) => {
      if (st.snapshot !== prev.snapshot) applied.push(page.now);
    });
    /** One display frame of 16 ms: the worker ticks, the client's flush runs, then the page does the frame's work (`cost` ms). */
    const displayFrame = () => {
      s.run(16);
      const start = page.now;
      const due = flushes.splice(0);
      for (const f of due) f();
      const took = applied.length > 0 && applied[applied.length - 1] === start;
      for (const fn of page.after.splice(0)) {
        page.now = start + (took ? page.cost : 0);
        fn();
      }
      page.now = start + 16;
    };
    for (let i = 0; i < 10; i++) displayFrame();
    applied.length = 0;
    const sentBefore = s.posted.length;
    for (let i = 0; i < 60; i++) displayFrame();
    // 5 ms frames: each frame the worker sent went in at the display frame after it, none held back.
    const sentCheap = s.posted.slice(sentBefore).filter((m) => m.type === 'delta').length;
    expect(sentCheap).toBeGreaterThan(15);
    expect(applied.length).toBe(sentCheap);
    applied.length = 0;
    page.cost = 40;
    for (let i = 0; i < 120; i++) displayFrame();
    const gaps = applied.slice(1).map((t, i) => t - applied[i]!);
    expect(gaps.length).toBeGreaterThan(5);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(40 / UI_FRAME_SHARE);
    // The frames held back meanwhile went in as one: the store is exactly the cluster once the run pauses.
    s.send({ type: 'pause' });
    for (let i = 0; i < 20; i++) displayFrame();
    unsubscribe();
    expect(s.shown()).toEqual(s.truth());
    const sent = s.posted.reduce((n, m) => n + (m.type === 'snapshot' ? m.snapshot.events.length : m.type === 'delta' ? m.delta.events.length : 0), 0);
    expect(useClusterStore.getState().events.length).toBe(Math.min(sent, 500));
  });
});
