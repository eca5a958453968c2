/**
 * The worker-side flow with a fake Web Locks manager, a memory store and a fake host: the
 * first tab owns and saves, a second tab is told the playground is open elsewhere, taking
 * over moves ownership (the first tab stops saving and says so) and continues from what
 * was saved.
 */
import { describe, expect, it } from 'vitest';
import { cloneCluster } from '../kafka/checkpoint';
import { Cluster } from '../kafka/cluster';
import type { Scenario } from '../scenario/types';
import { MemoryClusterStore } from './memory-store';
import type { StorageEvent } from './status';
import { WorkerPersistence, type LockManagerLike, type PersistenceHost } from './worker-persistence';

/** Web Locks for one lock name, with ifAvailable and steal, as the spec describes. */
class FakeLocks implements LockManagerLike {
  private holder: { reject: (e: Error) => void; released: Promise<unknown> } | null = null;
  request(_name: string, options: { ifAvailable?: boolean; steal?: boolean }, callback: (lock: unknown) => unknown): Promise<unknown> {
    if (this.holder && !options.steal) {
      if (options.ifAvailable) return Promise.resolve(callback(null));
      throw new Error('queued requests are not modelled');
    }
    if (this.holder && options.steal) this.holder.reject(Object.assign(new Error('stolen'), { name: 'AbortError' }));
    return new Promise((resolve, reject) => {
      const released = Promise.resolve(callback({ name: 'kafka-playground-db' }));
      const me = { reject, released };
      this.holder = me;
      void released.then((v) => {
        if (this.holder === me) this.holder = null;
        resolve(v);
      });
    });
  }
}

const scenario: Scenario = {
  version: 1,
  seed: 3,
  name: 'tabs',
  cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }] },
  topics: [{ name: 'orders', partitions: 2, replicationFactor: 3 }],
  clients: [{ kind: 'producer', id: 'p' }],
  timeline: [{ at: 10, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 200, valueBytes: 50 }],
  layout: { 'broker-1': { x: 1, y: 2 } },
};

function tab(store: MemoryClusterStore, locks: FakeLocks) {
  const events: StorageEvent[] = [];
  let cluster: Cluster | null = null;
  let doc: Scenario | null = null;
  const p: WorkerPersistence = new WorkerPersistence({
    post: (ev) => events.push(ev),
    openStore: async () => store,
    locks,
    wallNow: () => Date.now(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    minIntervalMs: 0,
    lockGraceMs: 0,
  });
  const host: PersistenceHost = {
    isPlaying: () => true,
    loadScenario: (s) => {
      cluster = new Cluster(s);
      doc = s;
      p.clusterCreated(cluster);
    },
    installCluster: (c, d) => {
      cluster = c;
      doc = d;
    },
    scenarioDocument: () => ({ ...cluster!.scenario(), layout: doc?.layout ?? {} }),
  };
  return {
    p,
    host,
    events,
    get cluster() {
      return cluster;
    },
    last: () => events[events.length - 1]?.status.state,
    /** Opens the page's saved run (or the fallback scenario), as the page does on load. */
    async open() {
      p.handle({ op: 'open', fallback: scenario }, host);
      await settle();
    },
    /** Runs the cluster to `untilMs` and saves it. */
    async runAndSave(untilMs: number) {
      cluster!.runUntil(untilMs);
      p.changed('run');
      await p.flushNow();
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('worker persistence', () => {
  it('owns, saves, restores in a new page; a second tab is sent away until it takes over', async () => {
    const store = new MemoryClusterStore();
    const locks = new FakeLocks();
    const a = tab(store, locks);
    await a.open();
    expect(a.cluster).not.toBeNull();
    await a.runAndSave(2000);
    expect(a.last()).toBe('saving');
    expect(store.manifest!.timeMs).toBe(2000);

    const b = tab(store, locks);
    await b.open();
    expect(b.last()).toBe('other-tab');
    expect(b.cluster).toBeNull();

    b.p.handle({ op: 'takeOver' }, b.host);
    await settle();
    // B continues A's playground from what was saved, with the diagram layout.
    const restored = b.events.find((e) => e.restored)!;
    expect(restored.restored!.timeMs).toBe(2000);
    expect(b.cluster!.now).toBe(2000);
    expect(b.cluster!.scenario().layout).toEqual(scenario.layout);
    // A lost ownership: it says so and no longer writes.
    expect(a.events.some((e) => e.status.state === 'lost')).toBe(true);
    const writes = store.writes;
    await a.runAndSave(4000);
    expect(store.writes).toBe(writes);
    // B saves.
    await b.runAndSave(3000);
    expect(store.manifest!.timeMs).toBe(3000);
  });

  it("the page's flush command (hidden or leaving) asks the store for an urgent write; timed flushes are not urgent", async () => {
    const store = new MemoryClusterStore();
    const urgent: boolean[] = [];
    const write = store.write.bind(store);
    store.write = (plan, epoch, u) => {
      urgent.push(u === true);
      return write(plan, epoch, u);
    };
    const a = tab(store, new FakeLocks());
    await a.open();
    await a.runAndSave(1000);
    a.cluster!.runUntil(2000);
    a.p.changed('run');
    a.p.handle({ op: 'flush' }, a.host);
    await expect.poll(() => store.manifest?.timeMs).toBe(2000);
    expect(urgent.length).toBeGreaterThanOrEqual(2);
    expect(urgent.at(-1)).toBe(true);
    expect(urgent.slice(0, -1).every((u) => !u)).toBe(true);
  });

  it('after a time-travel hand-over (clusterContinued) it saves the copy that runs on, appending to what it stored', async () => {
    const store = new MemoryClusterStore();
    const a = tab(store, new FakeLocks());
    await a.open();
    const original = a.cluster!;
    original.runUntil(2000);
    a.p.changed('run');
    await a.p.flushNow();
    expect(store.manifest!.timeMs).toBe(2000);
    const stored = new Map(store.chunks);
    // The run goes on in a copy; the original stays at 2000 (a checkpoint).
    const copy = cloneCluster(original);
    a.p.clusterContinued(copy);
    copy.runUntil(2500);
    a.p.changed('run');
    await a.p.flushNow();
    expect(store.manifest!.timeMs).toBe(2500);
    expect(original.now).toBe(2000);
    // Appended: every chunk stored at 2000 is still there, unchanged.
    for (const [k, v] of stored) expect(store.chunks.get(k)).toEqual(v);
    expect(store.chunks.size).toBeGreaterThan(stored.size);
  });

  it('a tab that does not own the database never deletes it on reset', async () => {
    const store = new MemoryClusterStore();
    const locks = new FakeLocks();
    const a = tab(store, locks);
    await a.open();
    await a.runAndSave(2000);
    let destroyed = false;
    const b = tab(store, locks);
    (b.p as unknown as { deps: { destroyStore: () => Promise<void> } }).deps.destroyStore = async () => {
      destroyed = true;
    };
    await b.open();
    b.p.handle({ op: 'reset', scenario }, b.host);
    await settle();
    expect(destroyed).toBe(false);
    expect(store.manifest!.timeMs).toBe(2000);
    expect(b.cluster!.now).toBe(0);
  });

  it('reset deletes what was saved and starts the given scenario afresh', async () => {
    const store = new MemoryClusterStore();
    const a = tab(store, new FakeLocks());
    await a.open();
    await a.runAndSave(3000);
    a.p.handle({ op: 'reset', scenario: { ...scenario, name: 'fresh' } }, a.host);
    await settle();
    expect(a.cluster!.now).toBe(0);
    await a.p.flushNow();
    expect(store.manifest!.timeMs).toBe(0);
    expect((store.scenario!.doc as Scenario).name).toBe('fresh');
  });

  it('a share link asks before replacing the saved run: keep restores it, replace starts the link afresh', async () => {
    const store = new MemoryClusterStore();
    const a = tab(store, new FakeLocks());
    await a.open();
    await a.runAndSave(3000);

    const keep = tab(store, new FakeLocks());
    keep.p.handle({ op: 'open', fallback: { ...scenario, name: 'linked' }, fresh: true }, keep.host);
    await settle();
    const ask = keep.events[keep.events.length - 1]!.status;
    expect(ask).toMatchObject({ state: 'confirm-replace', saved: { timeMs: 3000, name: 'tabs' } });
    expect(keep.cluster).toBeNull();
    keep.p.handle({ op: 'replace', accept: false }, keep.host);
    await settle();
    expect(keep.cluster!.now).toBe(3000);
    expect(keep.cluster!.scenario().name).toBe('tabs');

    const replacedIds = [...store.chunks.keys()];
    expect(replacedIds.length).toBeGreaterThan(0);
    const replace = tab(store, new FakeLocks());
    replace.p.handle({ op: 'open', fallback: { ...scenario, name: 'linked', topics: [{ name: 'other', partitions: 1, replicationFactor: 1 }], timeline: [] }, fresh: true }, replace.host);
    await settle();
    replace.p.handle({ op: 'replace', accept: true }, replace.host);
    await settle();
    expect(replace.cluster!.now).toBe(0);
    await replace.p.flushNow();
    expect((store.scenario!.doc as Scenario).name).toBe('linked');
    // Nothing of the replaced run lingers on disk.
    expect(replacedIds.some((id) => store.chunks.has(id))).toBe(false);
    expect(store.manifest!.logs.some((l) => l.tp.startsWith('orders'))).toBe(false);
    expect([...store.chunks.keys()].sort((x, y) => x - y)).toEqual(store.manifest!.chunks.map(([id]) => id));
  });

  it('a write that completes after the tab was taken over does not bring back "saving": the tab stays lost', async () => {
    // The race behind the flaky "second tab can take over" journey: tab A's flush is in
    // flight when B steals the lock; A's write then commits (B has not claimed yet) and its
    // late 'saving' overwrote A's 'lost', so A never showed that it was taken over.
    const store = new MemoryClusterStore();
    const locks = new FakeLocks();
    const a = tab(store, locks);
    await a.open();
    await a.p.flushNow();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const write = store.write.bind(store);
    store.write = async (plan, epoch) => {
      await gate;
      return write(plan, epoch);
    };
    a.cluster!.runUntil(1000);
    a.p.changed('run');
    const inFlight = a.p.flushNow();
    await settle();
    // B steals the lock; its claim of the database comes later (IndexedDB is slow).
    let releaseClaim!: () => void;
    const claimGate = new Promise<void>((r) => (releaseClaim = r));
    const claim = store.claim.bind(store);
    store.claim = async () => {
      await claimGate;
      return claim();
    };
    const b = tab(store, locks);
    b.p.handle({ op: 'takeOver' }, b.host);
    await settle();
    expect(a.last()).toBe('lost');
    // A's write commits before B's claim (its owner epoch is still current).
    release();
    await inFlight;
    await settle();
    expect(a.last()).toBe('lost');
    releaseClaim();
    await settle();
    expect(a.last()).toBe('lost');
    expect(b.events.some((e) => e.restored)).toBe(true);
  });

  it('a link whose cluster cannot be built is refused: nothing saved is touched, and the UI is told why', async () => {
    const store = new MemoryClusterStore();
    const a = tab(store, new FakeLocks());
    await a.open();
    await a.runAndSave(3000);
    const writes = store.writes;
    const broken: Scenario = { ...scenario, name: 'broken' };
    const throwing = (t: ReturnType<typeof tab>) => {
      const load = t.host.loadScenario;
      t.host.loadScenario = (s, play) => {
        if (s.name === 'broken') throw new RangeError('Maximum call stack size exceeded');
        load(s, play);
      };
    };

    // Asked first (a run is saved), accepted: the link throws, the saved run stays.
    const accept = tab(store, new FakeLocks());
    throwing(accept);
    accept.p.handle({ op: 'open', fallback: broken, fresh: true }, accept.host);
    await settle();
    expect(accept.last()).toBe('confirm-replace');
    accept.p.handle({ op: 'replace', accept: true }, accept.host);
    await settle();
    expect(accept.events[accept.events.length - 1]).toEqual({ status: { state: 'opening' }, linkRefused: 'Maximum call stack size exceeded' });
    // The UI opens again without the link: the saved run comes back as it was.
    await accept.open();
    expect(accept.cluster!.now).toBe(3000);
    expect(store.writes).toBe(writes);
    expect(store.manifest!.timeMs).toBe(3000);

    // Nothing saved yet: the link would run at once; it throws and is refused the same way.
    const empty = new MemoryClusterStore();
    const fresh = tab(empty, new FakeLocks());
    throwing(fresh);
    fresh.p.handle({ op: 'open', fallback: broken, fresh: true }, fresh.host);
    await settle();
    expect(fresh.events[fresh.events.length - 1]!.linkRefused).toBe('Maximum call stack size exceeded');
    expect(empty.writes).toBe(0);
  });
});
