import { describe, expect, it } from 'vitest';
import type { ClusterEvent, ClusterSnapshot } from '../kafka/snapshot';
import { cloneCluster } from '../kafka/checkpoint';
import { Cluster } from '../kafka/cluster';
import type { Scenario, TimelineAction } from '../scenario/types';
import { MEMORY_CHECK_WALL_MS, SNAPSHOT_SHARE, WorkerHost, memoryPauseMessage, type HostOptions, type HostedCluster } from './host';
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

  it('gives snapshots at most SNAPSHOT_SHARE of the thread: a costly one spaces the next ones out', () => {
    /** A cluster whose snapshot takes 20 ms of wall time (a large cluster's). */
    class CostlySnapshots extends FakeCluster {
      constructor(private readonly clock: { t: number }) {
        super();
      }
      override snapshot(): ClusterSnapshot {
        this.clock.t += 20;
        return super.snapshot();
      }
    }
    const s = setup((clock) => new CostlySnapshots(clock));
    s.send({ type: 'load', scenario });
    s.send({ type: 'play' });
    s.posted.length = 0;
    const start = s.clock.t;
    s.run(3000, 16);
    const wall = s.clock.t - start;
    const n = snapshots(s.posted).length;
    // Each post costs 20 ms and the next waits 20 / SNAPSHOT_SHARE ms from its start: at most one per 100 ms.
    expect(20 / SNAPSHOT_SHARE).toBe(100);
    expect(n).toBeLessThanOrEqual(Math.ceil(wall / 100) + 1);
    expect(n).toBeGreaterThanOrEqual(Math.floor(wall / 120));
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

describe('WorkerHost time travel', () => {
  const doc: Scenario = {
    version: 1,
    seed: 4,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], config: { 'group.initial.rebalance.delay.ms': 0 } },
    topics: [{ name: 't', partitions: 2, replicationFactor: 3 }],
    clients: [
      { kind: 'producer', id: 'p' },
      { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['t'] },
    ],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: 50 },
      { at: 2000, op: 'killBroker', broker: 2 },
    ],
  };

  /** A real cluster; `wallPerRun` wall ms pass on the fake clock per runUntil call (a slow replay). */
  function real(wallPerRun = 0) {
    const clock = { t: 1000 };
    const posted: FromWorker[] = [];
    const host = new WorkerHost({
      createCluster: (d) => {
        const c = new Cluster(d, { recordConsumed: true });
        const run = c.runUntil.bind(c);
        c.runUntil = (ms: number) => {
          clock.t += wallPerRun;
          run(ms);
        };
        return c;
      },
      post: (m) => posted.push(m),
      wallNow: () => clock.t,
      setTimer: () => 0,
      clearTimer: () => undefined,
    });
    const send = (cmd: UiCommand) => host.handle(toWorker(cmd));
    const machine = () => host.timeMachine!;
    return { host, clock, posted, send, machine };
  }

  const lastSnapshot = (posted: FromWorker[]) => {
    const m = snapshots(posted).at(-1);
    if (!m || m.type !== 'snapshot') throw new Error('no snapshot');
    return m;
  };

  function fresh(t: number, d: Scenario = doc): string {
    const c = new Cluster(d, { recordConsumed: true });
    c.runUntil(t);
    return JSON.stringify(c.output());
  }

  it('seek pauses and shows the moment, with the event history up to it and the run end', () => {
    const s = real();
    s.send({ type: 'load', scenario: doc, play: false });
    s.send({ type: 'step', ms: 15_000 });
    s.send({ type: 'play' });
    s.send({ type: 'seek', t: 2100 });
    expect(s.host.status()).toMatchObject({ playing: false, now: 2100, end: 15_000 });
    expect(JSON.stringify((s.machine().cluster as Cluster).output())).toBe(fresh(2100));
    s.clock.t += 100;
    s.host.tick();
    const snap = lastSnapshot(s.posted);
    expect(snap.eventsReset).toBe(true);
    expect(snap.snapshot.time).toBe(2100);
    expect(snap.snapshot.brokers.find((b) => b.id === 2)?.status).toBe('down');
    expect(snap.snapshot.events.every((e) => e.at <= 2100)).toBe(true);
    expect(snap.snapshot.events.some((e) => e.type === 'BrokerDown')).toBe(true);
    expect(snap.timeline).toMatchObject({ end: 15_000, origin: 0, canUndo: false });
  });

  it('a checkpoint hand-over (the run goes on in the copy) is passed to persistence, without resending the events', () => {
    const clock = { t: 1000 };
    const posted: FromWorker[] = [];
    const created: HostedCluster[] = [];
    const continued: HostedCluster[] = [];
    const host = new WorkerHost({
      createCluster: (d) => new Cluster(d, { recordConsumed: true }),
      clone: (c) => cloneCluster(c as Cluster),
      checkpointEveryMs: 5000,
      storage: { handle: () => undefined, changed: () => undefined, clusterCreated: (c) => created.push(c), clusterContinued: (c) => continued.push(c) },
      post: (m) => posted.push(m),
      wallNow: () => clock.t,
      setTimer: () => 0,
      clearTimer: () => undefined,
    });
    host.handle(toWorker({ type: 'load', scenario: doc, play: false }));
    expect(created.length === 1 && created[0] === host.timeMachine!.cluster).toBe(true);
    for (let i = 0; i < 8; i++) {
      host.handle(toWorker({ type: 'step', ms: 2000 }));
      clock.t += 100;
      host.tick();
    }
    const m = host.timeMachine!;
    expect(m.now).toBe(16_000);
    expect(m.checkpointTimes).toEqual([0, 5000, 10_000, 15_000]);
    expect(continued.length).toBe(3);
    expect(continued.at(-1) === m.cluster).toBe(true);
    expect(created.length).toBe(1);
    expect(snapshots(posted).filter((s) => s.type === 'snapshot' && s.eventsReset).length).toBe(1);
    expect(JSON.stringify((m.cluster as Cluster).output())).toBe(fresh(16_000));
  });

  it('sends markers once, as additions, and whole again after a fork cut them', () => {
    const s = real();
    s.send({ type: 'load', scenario: doc, play: false });
    const first = lastSnapshot(s.posted).timeline!.markers!;
    expect(first.reset).toBe(true);
    expect(first.added.map((m) => m.action?.op)).toContain('startLoad');
    s.send({ type: 'step', ms: 1000 });
    s.clock.t += 100;
    s.host.tick();
    expect(lastSnapshot(s.posted).timeline!.markers).toMatchObject({ reset: false });
    s.send({ type: 'step', ms: 14_000 });
    s.clock.t += 100;
    s.host.tick();
    const more = lastSnapshot(s.posted).timeline!.markers!;
    expect(more.reset).toBe(false);
    expect(more.added.map((m) => m.action?.op ?? m.event?.type)).toContain('killBroker');
    expect(more.added.every((m) => m.at > 1000)).toBe(true);
    // Going back and forth over known moments adds nothing.
    s.send({ type: 'seek', t: 500 });
    s.clock.t += 100;
    s.host.tick();
    expect(lastSnapshot(s.posted).timeline!.markers).toBeUndefined();
    // A fork replaces the list.
    s.send({ type: 'perform', action: { op: 'killBroker', broker: 3 } });
    s.clock.t += 100;
    s.host.tick();
    const cut = lastSnapshot(s.posted).timeline!;
    expect(cut.markers!.reset).toBe(true);
    expect(cut.markers!.added.every((m) => m.at <= 501)).toBe(true);
    expect(cut.end).toBe(501);
    expect(cut.canUndo).toBe(true);
  });

  it('stepBack, previous / next marker', () => {
    const s = real();
    s.send({ type: 'load', scenario: doc, play: false });
    s.send({ type: 'step', ms: 15_000 });
    s.send({ type: 'stepBack', ms: 100 });
    expect(s.host.status().now).toBe(14_900);
    s.send({ type: 'seek', t: 1500 });
    s.send({ type: 'seekMarker', dir: 1 });
    expect(s.host.status().now).toBe(2000);
    s.send({ type: 'seekMarker', dir: -1 });
    expect(s.host.status().now).toBeLessThan(2000);
    expect(s.machine().markers.some((m) => m.at === s.host.status().now)).toBe(true);
  });

  it('a fork from a past moment equals the truncated scenario plus the action; undo and redo', () => {
    const s = real();
    s.send({ type: 'load', scenario: doc, play: false });
    s.send({ type: 'step', ms: 15_000 });
    s.send({ type: 'seek', t: 1000 });
    s.send({ type: 'perform', action: { op: 'killBroker', broker: 1 } });
    expect(s.posted.find((m) => m.type === 'performed')).toMatchObject({ action: { op: 'killBroker', broker: 1, at: 1001 } });
    s.send({ type: 'step', ms: 9000 });
    const truncated: Scenario = { ...doc, timeline: [doc.timeline![0]!, { at: 1001, op: 'killBroker', broker: 1 }] };
    expect(JSON.stringify((s.machine().cluster as Cluster).output())).toBe(fresh(10_001, truncated));
    s.send({ type: 'undo' });
    expect(s.host.status()).toMatchObject({ now: 1000, end: 15_000, playing: false });
    s.send({ type: 'exportScenario', requestId: 1 });
    expect(s.posted.find((m) => m.type === 'scenario')).toMatchObject({ scenario: { timeline: doc.timeline } });
    s.send({ type: 'redo' });
    expect(s.host.status()).toMatchObject({ now: 1001, end: 10_001 });
    s.send({ type: 'redo' });
    expect(s.posted.at(-1)).toMatchObject({ type: 'error', message: 'There is no action to redo.' });
  });

  it('a long replay runs in slices with progress, answering commands in between', () => {
    // Each runUntil costs 15 wall ms: the 40 ms budget allows a few slices per tick.
    const s = real(15);
    s.send({ type: 'load', scenario: doc, play: false, at: 20_000 });
    expect(s.host.status().seeking).toBe(true);
    const progress = s.posted.filter((m) => m.type === 'seeking');
    expect(progress.at(-1)).toMatchObject({ done: false, target: 20_000 });
    expect(snapshots(s.posted).length).toBe(1); // the load's snapshot at 0, none half-way
    let ticks = 0;
    while (s.host.status().seeking && ticks < 100) {
      s.clock.t += 16;
      s.host.tick();
      ticks++;
    }
    expect(ticks).toBeGreaterThan(2);
    expect(s.host.status()).toMatchObject({ now: 20_000, playing: false, seeking: false });
    expect(s.posted.filter((m) => m.type === 'seeking').at(-1)).toMatchObject({ done: true, reached: 20_000 });
    expect(lastSnapshot(s.posted).snapshot.time).toBe(20_000);
  });

  it('refuses a seek to a time that is not a number', () => {
    const s = real();
    s.send({ type: 'load', scenario: doc, play: false });
    s.send({ type: 'seek', t: Number.NaN });
    expect(s.posted.at(-1)).toMatchObject({ type: 'error', message: expect.stringContaining('not a time') });
  });
});

describe('WorkerHost: a command during a long seek', () => {
  it('completes the seek first and says it is done', () => {
    const clock = { t: 0 };
    const posted: FromWorker[] = [];
    const host = new WorkerHost({
      createCluster: () => new FakeCluster(() => (clock.t += 30)),
      post: (m) => posted.push(m),
      wallNow: () => clock.t,
      setTimer: () => 0,
      clearTimer: () => undefined,
    });
    host.handle(toWorker({ type: 'load', scenario, play: false, at: 50_000 }));
    expect(host.status().seeking).toBe(true);
    host.handle(toWorker({ type: 'requestLog', requestId: 1, topic: 'orders', partition: 0 }));
    expect(host.status()).toMatchObject({ seeking: false, now: 50_000 });
    expect(posted.filter((m) => m.type === 'seeking').at(-1)).toMatchObject({ done: true, reached: 50_000 });
  });
});

describe('WorkerHost: lesson chapters', () => {
  it('playing pauses exactly at each chapter; play goes on to the next; loaded lists them', () => {
    const s = setup();
    s.send({ type: 'load', scenario: { ...scenario, checkpoints: [{ at: 1200, caption: 'second' }, { at: 500, caption: 'first' }] } });
    expect(s.posted[0]).toMatchObject({ type: 'loaded', checkpoints: [{ at: 500, caption: 'first' }, { at: 1200, caption: 'second' }] });
    s.send({ type: 'setSpeed', speed: 10 });
    s.run(2000);
    expect(s.host.status()).toMatchObject({ now: 500, playing: false });
    s.send({ type: 'play' });
    s.run(2000);
    expect(s.host.status()).toMatchObject({ now: 1200, playing: false });
    s.send({ type: 'play' });
    s.run(200);
    expect(s.host.status().now).toBeGreaterThan(1200);
    expect(s.host.status().playing).toBe(true);
  });
});

describe('WorkerHost: a pause before the records fill the tab\'s memory', () => {
  /** A host whose records take 1,000 bytes of memory per virtual ms run (plus `leftover`), pausing at 1 MB and each 0.5 MB more. */
  function withMemory(leftover = 0) {
    const clock = { t: 1000 };
    const posted: FromWorker[] = [];
    let cluster: FakeCluster | null = null;
    let held = leftover;
    const host = new WorkerHost(
      {
        createCluster: () => (cluster = new FakeCluster()),
        post: (m) => posted.push(m),
        wallNow: () => clock.t,
        setTimer: () => 0,
        clearTimer: () => undefined,
        batchBytesHeld: () => held + (cluster?.now ?? 0) * 1000,
      },
      { batchBytesBeforePause: 1_000_000, batchBytesPauseStep: 500_000 },
    );
    const send = (cmd: UiCommand) => host.handle(toWorker(cmd));
    const run = (wallMs: number) => {
      for (let done = 0; done < wallMs; done += 16) {
        clock.t += 16;
        host.tick();
      }
    };
    const errors = () => posted.filter((m) => m.type === 'error').map((m) => (m as { message: string }).message);
    return { host, send, run, errors, reclaim: () => (held = 0) };
  }

  it('playing pauses once they take batchBytesBeforePause, with a message that names the size; Play goes on to the next step', () => {
    const m = withMemory();
    m.send({ type: 'load', scenario });
    m.send({ type: 'setSpeed', speed: 10 });
    m.run(3000);
    // 1 MB at 1,000 virtual ms; looked at every MEMORY_CHECK_WALL_MS (250 wall ms = 2,500 virtual ms at 10x) at most.
    const first = m.host.status();
    expect(first.playing).toBe(false);
    expect(first.now).toBeGreaterThanOrEqual(1000);
    expect(first.now).toBeLessThanOrEqual(1000 + 10 * (MEMORY_CHECK_WALL_MS + 16));
    expect(m.errors()).toEqual([memoryPauseMessage(first.now! * 1000, 500_000)]);
    expect(m.errors()[0]).toMatch(/^Paused: the records of this run take \d+\.\d MB of this tab's memory .*retention\.ms.*the next pause comes 0\.5 MB later/);
    // Paused, it stays where it is.
    m.run(1000);
    expect(m.host.status().now).toBe(first.now);
    // Play goes on, to 0.5 MB more.
    m.send({ type: 'play' });
    m.run(3000);
    const second = m.host.status();
    expect(second.playing).toBe(false);
    expect(second.now).toBeGreaterThanOrEqual(first.now! + 500);
    expect(second.now).toBeLessThanOrEqual(first.now! + 500 + 10 * (MEMORY_CHECK_WALL_MS + 16));
    expect(m.errors()).toHaveLength(2);
  });

  it('a step or a seek goes where it was asked, past the pause', () => {
    const m = withMemory();
    m.send({ type: 'load', scenario, play: false });
    m.send({ type: 'step', ms: 5000 });
    m.run(2000);
    expect(m.host.status()).toMatchObject({ now: 5000, playing: false });
    expect(m.errors()).toEqual([]);
  });

  it('a new run does not pause at once for what the run before left to the collector', () => {
    const m = withMemory(2_000_000);
    m.send({ type: 'load', scenario });
    m.run(100);
    expect(m.host.status().playing).toBe(true);
    expect(m.errors()).toEqual([]);
    // Reclaimed, the new run pauses at the threshold it was given: the leftover plus a step (2.5 MB).
    m.reclaim();
    m.send({ type: 'setSpeed', speed: 10 });
    m.run(4000);
    expect(m.host.status().playing).toBe(false);
    expect(m.host.status().now).toBeGreaterThanOrEqual(2500);
  });
});

/**
 * A host on its own loop timer (each turn asks for the next after some delay; `turn` lets
 * that delay pass on the wall clock and runs it), loaded and started at 100x, with a
 * cluster that costs 2 wall ms per virtual ms until `costs` says otherwise.
 */
function loopAt100x(opts: Partial<HostOptions> = {}) {
  const clock = { t: 1000 };
  let cost = 2;
  const delays: number[] = [];
  let pending: (() => void) | null = null;
  const host = new WorkerHost(
    {
      createCluster: () => new FakeCluster((from, to) => (clock.t += (to - from) * cost)),
      post: () => undefined,
      wallNow: () => clock.t,
      setTimer: (fn, ms) => ((pending = fn), delays.push(ms), delays.length),
      clearTimer: () => undefined,
    },
    opts,
  );
  const turn = () => {
    const fn = pending!;
    pending = null;
    clock.t += delays.at(-1)!;
    fn();
  };
  host.handle(toWorker({ type: 'load', scenario }));
  host.handle(toWorker({ type: 'setSpeed', speed: 100 }));
  host.start();
  return { host, clock, delays, turn, costs: (wallPerVirtualMs: number) => (cost = wallPerVirtualMs) };
}

describe('WorkerHost keeps answering while the cluster is heavy (Pause and Reset between slices)', () => {
  /** A cluster that costs `wallPerVirtualMs` of wall time per virtual ms run. */
  const heavy = (wallPerVirtualMs: number) => (clock: { t: number }) => new FakeCluster((from, to) => (clock.t += (to - from) * wallPerVirtualMs));

  it('shrinks its slices after one overran the budget, so no tick runs much past it', () => {
    const s = setup(heavy(2)); // 250 virtual ms = 500 wall ms
    s.send({ type: 'load', scenario });
    s.send({ type: 'setSpeed', speed: 100 });
    const ticks: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = (s.clock.t += 16);
      s.host.tick();
      ticks.push(s.clock.t - before);
    }
    // The first two slices (250 ms, the default) took 500 ms each; every tick after them stays near the 40 ms budget.
    expect(ticks.slice(0, 2)).toEqual([500, 500]);
    expect(Math.max(...ticks.slice(2))).toBeLessThanOrEqual(40 + 10);
    expect(s.host.status().sliceMs).toBeLessThanOrEqual(5);
    expect(s.cluster().now).toBeGreaterThan(250);
  });

  it('comes back at once while the cluster is behind the clock (or after a rest, with behindRest), a seek or a step is left; a tick later once caught up', () => {
    for (const behindRest of [0, 0.25]) {
      const { host, clock, delays, turn, costs } = loopAt100x({ behindRest });
      expect(delays).toEqual([16]); // nothing run yet: an ordinary tick
      let busy = 0;
      let rested = 0;
      for (let i = 0; i < 20; i++) {
        const before = clock.t;
        turn();
        busy += clock.t - before - delays.at(-2)!;
        rested += delays.at(-1)!;
      }
      // At 100x and 2 wall ms per virtual ms the cluster cannot keep up: no idle tick between
      // slices; with behindRest, a rest of that share of the wall time (a turn runs its 40 ms
      // budget, give or take a slice, then rests a third of that).
      expect(host.behind()).toBe(true);
      if (behindRest === 0) expect(delays.slice(1)).toEqual(Array(20).fill(0));
      else {
        expect(rested / (busy + rested)).toBeGreaterThan(behindRest - 0.03);
        expect(rested / (busy + rested)).toBeLessThan(behindRest + 0.03);
      }
      // Cheap again: it catches up in a turn and goes back to the tick.
      costs(0);
      turn();
      turn();
      expect(host.behind()).toBe(false);
      expect(delays.at(-1)).toBe(16);
      // Paused, a long step is left over after a turn: the next comes at once (someone waits for it), until it is done.
      costs(1);
      host.handle(toWorker({ type: 'pause' }));
      host.handle(toWorker({ type: 'step', ms: 1000 }));
      turn();
      expect(host.behind()).toBe(true);
      expect(delays.at(-1)).toBe(0);
      let turns = 0;
      while (host.behind() && turns++ < 100) {
        turn();
        if (host.behind()) expect(delays.at(-1)).toBe(0);
      }
      expect(host.behind()).toBe(false);
      turn();
      expect(delays.at(-1)).toBe(16);
      host.stop();
    }
  });

  it('does not shrink its slices for one slow slice (the thread descheduled on a busy machine)', () => {
    let stall = 0;
    const s = setup((clock) => new FakeCluster(() => ((clock.t += stall), (stall = 0))));
    s.send({ type: 'load', scenario });
    s.send({ type: 'setSpeed', speed: 10 });
    s.run(160);
    stall = 300;
    s.run(160);
    expect(s.host.status().sliceMs).toBe(250);
  });

  it('grows its slices back once the cluster is cheap again', () => {
    let cost = 2;
    const s = setup((clock) => new FakeCluster((from, to) => (clock.t += (to - from) * cost)));
    s.send({ type: 'load', scenario });
    s.run(64);
    expect(s.host.status().sliceMs).toBeLessThan(10);
    cost = 0;
    // At 100x a tick asks for more than a slice, so slices are full and can grow.
    s.send({ type: 'setSpeed', speed: 100 });
    s.run(320);
    expect(s.host.status().sliceMs).toBe(250);
  });

  it('a long step runs over many ticks; Pause between them stops it where it is', () => {
    const s = setup(heavy(1));
    s.send({ type: 'load', scenario, play: false });
    const t0 = s.clock.t;
    s.send({ type: 'step', ms: 600_000 });
    // The command returned after about one budget (the first slice overran it), not 600 s of wall time.
    expect(s.clock.t - t0).toBeLessThanOrEqual(250 + 40);
    expect(s.host.status().advancingTo).toBe(600_000);
    s.run(160);
    const during = s.cluster().now;
    expect(during).toBeGreaterThan(250);
    expect(during).toBeLessThan(600_000);
    // The user sees it advance (snapshots go out while it runs).
    expect(snapshots(s.posted).at(-1)).toMatchObject({ status: { playing: false } });
    s.send({ type: 'pause' });
    const stopped = s.cluster().now;
    s.run(500);
    expect(s.cluster().now).toBe(stopped);
    expect(s.host.status().advancingTo).toBeNull();
  });

  it('a reset (a new scenario) during a long step drops the step', () => {
    const s = setup(heavy(1));
    s.send({ type: 'load', scenario, play: false });
    s.send({ type: 'step', ms: 600_000 });
    s.run(100);
    s.send({ type: 'load', scenario, play: false });
    s.run(500);
    expect(s.cluster().now).toBe(0);
    expect(s.host.status().advancingTo).toBeNull();
  });

  it('steps add up, and a step that reaches its end stops there exactly', () => {
    const s = setup(heavy(0.1));
    s.send({ type: 'load', scenario, play: false });
    s.send({ type: 'step', ms: 1000 });
    s.send({ type: 'step', ms: 1000 });
    s.run(2000);
    expect(s.cluster().now).toBe(2000);
    expect(s.host.status().advancingTo).toBeNull();
  });

  it('a cluster that throws while stepping says so once, not on every tick', () => {
    const s = setup((clock) => new FakeCluster((from) => {
      if (from >= 100) throw new Error('boom');
      clock.t += 0;
    }));
    s.send({ type: 'load', scenario, play: false });
    s.send({ type: 'step', ms: 1000 });
    s.run(500);
    expect(s.posted.filter((m) => m.type === 'error')).toHaveLength(1);
  });
});

describe('WorkerHost: the message browser', () => {
  const doc: Scenario = {
    version: 1,
    seed: 3,
    cluster: { brokers: [{ id: 1 }, { id: 2 }] },
    topics: [{ name: 'orders', partitions: 2, replicationFactor: 2 }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 0 } }],
    timeline: Array.from({ length: 20 }, (_, i) => ({ at: 200 + i * 100, op: 'produce' as const, producer: 'p', topic: 'orders', key: `k${i}`, value: `v${i}` })),
  };

  function real() {
    const clock = { t: 0 };
    const posted: FromWorker[] = [];
    const host = new WorkerHost({
      createCluster: (sc) => new Cluster(sc),
      post: (m) => posted.push(m),
      wallNow: () => clock.t,
      setTimer: () => 0,
      clearTimer: () => undefined,
    });
    const send = (cmd: UiCommand) => host.handle(toWorker(cmd));
    const browse = (requestId: number) => {
      send({ type: 'browse', requestId, request: { topic: 'orders', start: { from: 'newest' }, limit: 100 } });
      const m = posted.find((x) => x.type === 'browse' && x.requestId === requestId);
      if (!m || m.type !== 'browse') throw new Error('no browse answer');
      return m.result;
    };
    return { host, posted, send, browse, clock };
  }

  it('answers with the records of the moment shown, before and after a seek back', () => {
    const s = real();
    s.send({ type: 'load', scenario: doc, play: false });
    s.host.advanceTo(4000);
    while (s.host.status().advancingTo !== null) (s.clock.t += 16), s.host.tick();
    const late = s.browse(1);
    expect(late.now).toBe(4000);
    expect(late.records).toHaveLength(20);
    s.send({ type: 'seek', t: 1000 });
    const early = s.browse(2);
    expect(early.now).toBe(1000);
    // Records produced at 200…900 (8 of them), committed by 1000.
    expect(early.records.map((r) => r.key).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
    // Back to the end: reading changed nothing.
    s.send({ type: 'seek', t: 4000 });
    expect(s.browse(3).records.map((r) => `${r.partition}:${r.offset}:${r.key}`)).toEqual(late.records.map((r) => `${r.partition}:${r.offset}:${r.key}`));
  });

  it('names a topic that does not exist at that moment', () => {
    const s = real();
    s.send({ type: 'load', scenario: doc, play: false });
    s.send({ type: 'browse', requestId: 9, request: { topic: 'gone', start: { from: 'oldest' } } });
    expect(s.posted.find((m) => m.type === 'error')).toMatchObject({ requestId: 9, message: 'There is no topic named "gone" at this moment.' });
  });
});

describe('WorkerHost: a lesson Try this "from the start"', () => {
  it('load paused, perform the actions, play: stamped at its first moment, the scripted timeline stays, loaded lists the suggestions', async () => {
    const { loadLesson } = await import('../scenario/lessons');
    const r = loadLesson('acks-1-loses-acknowledged-writes');
    if (!r.ok) throw new Error(r.error.message);
    const lesson = r.scenario;
    const clock = { t: 1000 };
    const posted: FromWorker[] = [];
    const host = new WorkerHost({
      createCluster: (d) => new Cluster(d, { recordConsumed: true }),
      post: (m) => posted.push(m),
      wallNow: () => clock.t,
      setTimer: () => 0,
      clearTimer: () => undefined,
    });
    const send = (cmd: UiCommand) => host.handle(toWorker(cmd));
    // What the lesson panel's button sends (src/ui/inspector/LessonTryThis.tsx).
    const tryThis = lesson.tryThis![0]!;
    send({ type: 'load', scenario: lesson, play: false });
    expect(posted.find((m) => m.type === 'loaded')).toMatchObject({ tryThis: [{ label: tryThis.label }] });
    for (const a of tryThis.actions) send({ type: 'perform', action: a as ActionRequest });
    send({ type: 'play' });
    const recorded = posted.filter((m) => m.type === 'performed').map((m) => (m.type === 'performed' ? m.action : null));
    // At the lesson's first moment (the cluster stamps a user action just after now, 0 ms).
    expect(recorded.map((a) => a?.at)).toEqual([1, 2]);
    const timeline = host.timeMachine!.document().timeline!;
    expect(timeline.filter((a) => a.op === 'killBroker')).toEqual([{ at: 4100, op: 'killBroker', broker: 1 }]);
    expect(timeline.filter((a) => a.op === 'alterConfig')).toHaveLength(2);
    expect(timeline.filter((a) => a.op === 'produce')).toHaveLength(1);
  });
});
