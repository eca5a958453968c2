import { describe, expect, it } from 'vitest';
import type { ClusterEvent, ClusterSnapshot } from '../kafka/snapshot';
import type { Scenario, TimelineAction } from '../scenario/types';
import { WorkerHost, type HostedCluster } from './host';
import { PROTOCOL_VERSION, toWorker, type ActionRequest, type FromWorker, type UiCommand } from './protocol';

const scenario: Scenario = { version: 1, seed: 1, cluster: { brokers: [{ id: 1 }] }, layout: { 'broker-1': { x: 1, y: 2 } } };

/** A stand-in for the cluster: only the clock and event bookkeeping the host relies on. */
class FakeCluster implements HostedCluster {
  now = 0;
  timeline: TimelineAction[] = [];
  private events: ClusterEvent[] = [];
  private cursor = 0;
  runCalls = 0;
  constructor(private readonly onRun?: (from: number, to: number) => void) {}
  runUntil(ms: number): void {
    this.runCalls++;
    this.onRun?.(this.now, ms);
    // One event per virtual ms run, so tests can count that none is lost.
    for (let t = this.now + 1; t <= ms; t += 50) this.events.push({ at: t, type: 'BrokerUp', broker: 1 });
    this.now = ms;
  }
  perform(action: ActionRequest): TimelineAction {
    const a = { ...action, at: this.now + 1 } as TimelineAction;
    this.timeline.push(a);
    return a;
  }
  snapshot(): ClusterSnapshot {
    const events = this.events.slice(this.cursor);
    this.cursor = this.events.length;
    return {
      time: this.now,
      brokers: [],
      controller: 1,
      topics: [],
      partitions: [],
      groups: [],
      producers: [],
      consumers: [],
      metrics: { brokers: {}, controller: {} as ClusterSnapshot['metrics']['controller'], groups: {}, producers: {}, consumers: {} },
      events,
    };
  }
  readLog() {
    return { broker: 1, records: [], logStartOffset: 0, highWatermark: 0, logEndOffset: 0 };
  }
  scenario(): Scenario {
    return { ...scenario, layout: {}, timeline: this.timeline };
  }
  totalEvents(): number {
    return this.events.length;
  }
}

function setup(makeCluster: (clock: { t: number }) => FakeCluster = () => new FakeCluster()) {
  const clock = { t: 1000 };
  const posted: FromWorker[] = [];
  let cluster: FakeCluster | null = null;
  const host = new WorkerHost({
    createCluster: () => (cluster = makeCluster(clock)),
    post: (m) => posted.push(m),
    wallNow: () => clock.t,
    setTimer: () => 0,
    clearTimer: () => undefined,
  });
  const send = (cmd: UiCommand) => host.handle(toWorker(cmd));
  /** Advances the fake wall clock in ticks of `every` ms. */
  const run = (wallMs: number, every = 16) => {
    for (let done = 0; done < wallMs; done += every) {
      clock.t += every;
      host.tick();
    }
  };
  return { host, clock, posted, send, run, cluster: () => cluster! };
}

const snapshots = (posted: FromWorker[]) => posted.filter((m) => m.type === 'snapshot');

describe('WorkerHost pacing', () => {
  it('runs speed × wall time', () => {
    const s = setup();
    s.send({ type: 'load', scenario });
    s.run(1600);
    expect(s.cluster().now).toBeGreaterThanOrEqual(1590);
    expect(s.cluster().now).toBeLessThanOrEqual(1600);
    s.send({ type: 'setSpeed', speed: 10 });
    const before = s.cluster().now;
    s.run(1000, 20);
    expect(s.cluster().now - before).toBe(10_000);
  });

  it('keeps fractions of a ms at slow speeds', () => {
    const s = setup();
    s.send({ type: 'load', scenario });
    s.send({ type: 'setSpeed', speed: 0.1 });
    s.run(1000, 10);
    expect(s.cluster().now).toBe(100);
  });

  it('clamps speed to 0.1–100', () => {
    const s = setup();
    s.send({ type: 'load', scenario });
    s.send({ type: 'setSpeed', speed: 5000 });
    expect(s.host.status().speed).toBe(100);
    s.send({ type: 'setSpeed', speed: 0 });
    expect(s.host.status().speed).toBe(0.1);
  });

  it('does not make up for a long wall-clock gap (a background tab)', () => {
    const s = setup();
    s.send({ type: 'load', scenario });
    s.clock.t += 60_000;
    s.host.tick();
    expect(s.cluster().now).toBe(100);
  });

  it('gives up virtual time rather than stall when the cluster is slower than real time', () => {
    // Every 250 virtual ms costs 30 wall ms: at 100x a tick cannot keep up.
    const s = setup((clock) => new FakeCluster(() => (clock.t += 30)));
    s.send({ type: 'load', scenario });
    s.send({ type: 'setSpeed', speed: 100 });
    const wallBefore = s.clock.t;
    s.clock.t += 100;
    s.host.tick();
    // The budget (40 ms) allows two slices of 250 ms, not the 10 s asked for.
    expect(s.cluster().now).toBe(500);
    expect(s.host.droppedVirtualMs).toBe(9_500);
    expect(s.clock.t - wallBefore - 100).toBeLessThanOrEqual(60);
  });

  it('does not advance while paused; step runs exactly the asked time', () => {
    const s = setup();
    s.send({ type: 'load', scenario, play: false });
    s.run(500);
    expect(s.cluster().now).toBe(0);
    s.send({ type: 'step', ms: 250 });
    expect(s.cluster().now).toBe(250);
    s.send({ type: 'play' });
    s.run(160);
    expect(s.cluster().now).toBe(410);
    s.send({ type: 'pause' });
    s.run(500);
    expect(s.cluster().now).toBe(410);
  });

  it('applies an action performed while paused at once, and reports it as recorded', () => {
    const s = setup();
    s.send({ type: 'load', scenario, play: false });
    s.send({ type: 'perform', action: { op: 'killBroker', broker: 1 } });
    const performed = s.posted.find((m) => m.type === 'performed');
    expect(performed).toMatchObject({ type: 'performed', action: { op: 'killBroker', broker: 1, at: 1 } });
    expect(s.cluster().now).toBe(1);
  });
});

describe('WorkerHost snapshots', () => {
  it('posts the first snapshot right after load', () => {
    const s = setup();
    s.send({ type: 'load', scenario });
    expect(s.posted.map((m) => m.type)).toEqual(['loaded', 'snapshot']);
    expect(s.posted[0]).toMatchObject({ layout: scenario.layout });
  });

  it('coalesces to at most 30 a second however fast ticks and commands arrive', () => {
    const s = setup();
    s.send({ type: 'load', scenario });
    s.posted.length = 0;
    for (let i = 0; i < 2000; i++) {
      s.clock.t += 1; // 2 s of wall time in 1 ms ticks
      s.send({ type: 'perform', action: { op: 'produce', producer: 'p', topic: 't', value: String(i) } });
      s.host.tick();
    }
    const n = snapshots(s.posted).length;
    expect(n).toBeLessThanOrEqual(61);
    expect(n).toBeGreaterThanOrEqual(55);
  });

  it('loses no event between coalesced snapshots', () => {
    const s = setup();
    s.send({ type: 'load', scenario });
    s.run(3000, 5);
    s.clock.t += 100;
    s.host.tick();
    const seen = snapshots(s.posted).reduce((n, m) => n + (m.type === 'snapshot' ? m.snapshot.events.length : 0), 0);
    expect(seen).toBe(s.cluster().totalEvents());
  });

  it('posts nothing while idle and paused', () => {
    const s = setup();
    s.send({ type: 'load', scenario, play: false });
    s.posted.length = 0;
    s.run(1000);
    expect(s.posted).toEqual([]);
  });

  it('reports playback status with each snapshot', () => {
    const s = setup();
    s.send({ type: 'load', scenario });
    s.send({ type: 'setSpeed', speed: 4 });
    s.send({ type: 'pause' });
    s.run(50);
    const last = snapshots(s.posted).at(-1);
    expect(last).toMatchObject({ status: { playing: false, speed: 4 } });
  });
});

describe('WorkerHost protocol', () => {
  it('refuses another protocol version with a readable error', () => {
    const s = setup();
    s.host.handle({ v: PROTOCOL_VERSION + 1, type: 'play' });
    expect(s.posted[0]).toMatchObject({ type: 'error' });
    s.host.handle('nonsense');
    expect(s.posted[1]).toMatchObject({ type: 'error' });
  });

  it('answers a log request and an export, with the layout merged in', () => {
    const s = setup();
    s.send({ type: 'load', scenario });
    s.send({ type: 'requestLog', requestId: 7, topic: 'orders', partition: 1 });
    expect(s.posted.find((m) => m.type === 'log')).toMatchObject({ requestId: 7, topic: 'orders', partition: 1 });
    s.send({ type: 'setLayout', layout: { 'producer-p': { x: 5, y: 6 } } });
    s.send({ type: 'exportScenario', requestId: 8 });
    const exported = s.posted.find((m) => m.type === 'scenario');
    expect(exported).toMatchObject({
      requestId: 8,
      scenario: { layout: { 'broker-1': { x: 1, y: 2 }, 'producer-p': { x: 5, y: 6 } } },
    });
    // Tidy: the user's positions are forgotten, the scenario's own ones too.
    s.send({ type: 'setLayout', layout: {}, replace: true });
    s.send({ type: 'exportScenario', requestId: 9 });
    const tidied = s.posted.filter((m) => m.type === 'scenario').at(-1);
    expect(tidied).toMatchObject({ requestId: 9 });
    expect(tidied?.type === 'scenario' && tidied.scenario.layout).toEqual({});
  });

  it('turns a command before load into an error, not a crash', () => {
    const s = setup();
    s.send({ type: 'step', ms: 10 });
    expect(s.posted[0]).toMatchObject({ type: 'error', message: expect.stringContaining('No scenario') });
  });
});
