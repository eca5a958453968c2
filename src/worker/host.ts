/**
 * The worker host: owns one Cluster and the clock that drives it. Pure TypeScript with
 * every side effect injected (wall clock, timers, postMessage), so Vitest drives it under
 * Node with a fake clock; `cluster.worker.ts` is only the thin binding to `self`.
 *
 * Pacing: each tick runs `speed × wall time elapsed` of virtual time. The wall time
 * counted per tick is capped (a background tab or a GC pause must not turn into a huge
 * jump), and the run is cut into slices with a wall-time budget, so a cluster slower than
 * real time at 100x slips behind instead of freezing the worker.
 *
 * Snapshots are coalesced: whatever the rate of ticks and commands, at most one snapshot
 * per `snapshotIntervalMs` (≈30/s) is posted. `cluster.snapshot()` hands out the events
 * since its previous call, so taking snapshots only when posting loses no event.
 */
import type { ClusterSnapshot } from '../kafka/snapshot';
import type { StorageCommand } from '../storage/status';
import type { Scenario, TimelineAction } from '../scenario/types';
import {
  PROTOCOL_VERSION,
  clampSpeed,
  fromWorker,
  isVersioned,
  type ActionRequest,
  type FromWorker,
  type Layout,
  type LogResult,
  type ToWorker,
  type WorkerEvent,
} from './protocol';

/** What the host needs from the cluster (the real `Cluster` satisfies it structurally). */
export interface HostedCluster {
  readonly now: number;
  runUntil(ms: number): void;
  perform(action: ActionRequest): TimelineAction;
  snapshot(): ClusterSnapshot;
  readLog(
    topic: string,
    partition: number,
    opts?: { broker?: number; fromOffset?: number; limit?: number },
  ): LogResult | null;
  scenario(): Scenario;
}

export interface HostDeps {
  createCluster(scenario: Scenario): HostedCluster;
  post(message: FromWorker): void;
  /** Wall clock in ms (performance.now in the worker, a fake in tests). */
  wallNow(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Persistence (src/storage/worker-persistence.ts); absent in tests and when storage is off. */
  storage?: HostStorage;
}

/** What the host asks of persistence: it passes storage commands on and says when the cluster changed. */
export interface HostStorage {
  handle(cmd: StorageCommand, host: WorkerHost): void;
  changed(what: 'run' | 'action' | 'layout'): void;
}

export interface HostOptions {
  /** How often the loop wakes up (wall ms). */
  tickMs: number;
  /** Wall time counted per tick at most: longer gaps are not made up for. */
  maxWallPerTickMs: number;
  /** Virtual time run between wall-clock budget checks. */
  sliceVirtualMs: number;
  /** Wall time one tick may spend running the cluster before it gives up the rest. */
  runBudgetMs: number;
  /** Minimum wall time between two snapshots (1000/30 ≈ 33 ms: at most 30 a second). */
  snapshotIntervalMs: number;
  /** Largest single step the UI may ask for (virtual ms). */
  maxStepMs: number;
}

export const DEFAULT_HOST_OPTIONS: HostOptions = {
  tickMs: 16,
  maxWallPerTickMs: 100,
  sliceVirtualMs: 250,
  runBudgetMs: 40,
  snapshotIntervalMs: 1000 / 30,
  maxStepMs: 600_000,
};

export class WorkerHost {
  private cluster: HostedCluster | null = null;
  private playing = false;
  private speed = 1;
  /** Fraction of a virtual ms owed to the cluster (the clock runs in whole ms). */
  private carryMs = 0;
  private lastWall: number;
  private lastPostWall = -Infinity;
  private dirty = false;
  private layout: Layout = {};
  private timer: unknown = null;
  private readonly opts: HostOptions;
  /** Virtual time given up by the run budget (for diagnostics and tests). */
  droppedVirtualMs = 0;

  constructor(
    private readonly deps: HostDeps,
    opts: Partial<HostOptions> = {},
  ) {
    this.opts = { ...DEFAULT_HOST_OPTIONS, ...opts };
    this.lastWall = deps.wallNow();
  }

  start(): void {
    if (this.timer !== null) return;
    this.lastWall = this.deps.wallNow();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = this.deps.setTimer(() => {
      this.timer = null;
      this.tick();
      this.schedule();
    }, this.opts.tickMs);
  }

  /** One turn of the loop: advance the clock if playing, then maybe post a snapshot. */
  tick(): void {
    const wall = this.deps.wallNow();
    const elapsed = Math.max(0, Math.min(wall - this.lastWall, this.opts.maxWallPerTickMs));
    this.lastWall = wall;
    const cluster = this.cluster;
    if (this.playing && cluster) {
      this.carryMs += elapsed * this.speed;
      const whole = Math.floor(this.carryMs);
      this.carryMs -= whole;
      if (whole > 0) {
        this.guard(undefined, () => this.runFor(cluster, whole, wall));
        this.dirty = true;
        this.deps.storage?.changed('run');
      }
    }
    this.maybeFlush(wall);
  }

  private runFor(cluster: HostedCluster, ms: number, startWall: number): void {
    const target = cluster.now + ms;
    while (cluster.now < target) {
      cluster.runUntil(Math.min(target, cluster.now + this.opts.sliceVirtualMs));
      if (cluster.now < target && this.deps.wallNow() - startWall > this.opts.runBudgetMs) {
        // Out of budget: drop the rest rather than stall; the clock display shows the truth.
        this.droppedVirtualMs += target - cluster.now;
        this.carryMs = 0;
        return;
      }
    }
  }

  private maybeFlush(wall: number): void {
    if (!this.dirty || !this.cluster) return;
    if (wall - this.lastPostWall < this.opts.snapshotIntervalMs) return;
    const cluster = this.cluster;
    this.guard(undefined, () => {
      const snapshot = cluster.snapshot();
      this.send({ type: 'snapshot', snapshot, status: { playing: this.playing, speed: this.speed } });
    });
    this.lastPostWall = wall;
    this.dirty = false;
  }

  private send(ev: WorkerEvent): void {
    this.deps.post(fromWorker(ev));
  }

  /** Runs fn; a throw becomes an `error` message (the worker must survive a bad command). */
  private guard(requestId: number | undefined, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.send(requestId === undefined ? { type: 'error', message } : { type: 'error', message, requestId });
    }
  }

  handle(data: unknown): void {
    if (!isVersioned(data)) {
      this.send({ type: 'error', message: 'Malformed message to the cluster worker.' });
      return;
    }
    if (data.v !== PROTOCOL_VERSION) {
      this.send({
        type: 'error',
        message: `Protocol version ${data.v} is not supported by this worker (expects ${PROTOCOL_VERSION}). Reload the page.`,
      });
      return;
    }
    const cmd = data as ToWorker;
    const requestId = 'requestId' in cmd ? cmd.requestId : undefined;
    this.guard(requestId, () => this.apply(cmd));
  }

  private apply(cmd: ToWorker): void {
    switch (cmd.type) {
      case 'load':
        this.loadScenario(cmd.scenario, cmd.play ?? true);
        return;
      case 'play':
        this.playing = true;
        this.lastWall = this.deps.wallNow();
        this.dirty = true;
        return;
      case 'pause':
        this.playing = false;
        this.carryMs = 0;
        this.dirty = true;
        return;
      case 'setSpeed':
        this.speed = clampSpeed(cmd.speed);
        this.dirty = true;
        return;
      case 'step': {
        const cluster = this.requireCluster();
        const ms = Math.max(1, Math.min(Math.floor(cmd.ms), this.opts.maxStepMs));
        cluster.runUntil(cluster.now + ms);
        this.dirty = true;
        this.deps.storage?.changed('run');
        return;
      }
      case 'perform': {
        const cluster = this.requireCluster();
        const action = cluster.perform(cmd.action);
        // Paused, the action would wait for the clock: run the 1 ms to its time so the user
        // sees its effect now. Playing, the next tick gets there anyway.
        if (!this.playing && cluster.now < action.at) cluster.runUntil(action.at);
        this.send({ type: 'performed', action });
        this.dirty = true;
        this.deps.storage?.changed('action');
        return;
      }
      case 'requestLog': {
        const cluster = this.requireCluster();
        const opts: { broker?: number; fromOffset?: number; limit?: number } = {};
        if (cmd.broker !== undefined) opts.broker = cmd.broker;
        if (cmd.fromOffset !== undefined) opts.fromOffset = cmd.fromOffset;
        if (cmd.limit !== undefined) opts.limit = cmd.limit;
        const result = cluster.readLog(cmd.topic, cmd.partition, opts);
        this.send({ type: 'log', requestId: cmd.requestId, topic: cmd.topic, partition: cmd.partition, result });
        return;
      }
      case 'setLayout':
        this.layout = cmd.replace ? { ...cmd.layout } : { ...this.layout, ...cmd.layout };
        this.deps.storage?.changed('layout');
        return;
      case 'exportScenario':
        this.send({ type: 'scenario', requestId: cmd.requestId, scenario: this.scenarioDocument() });
        return;
      case 'storage':
        if (!this.deps.storage) throw new Error('Saving is not available in this worker.');
        this.deps.storage.handle(cmd, this);
        return;
      default: {
        const never: never = cmd;
        throw new Error(`Unknown command ${(never as { type: string }).type}`);
      }
    }
  }

  /** Runs a scenario from its start. */
  loadScenario(scenario: Scenario, play: boolean): void {
    this.installCluster(this.deps.createCluster(scenario), scenario, play);
  }

  /** Runs a cluster (new, or restored from storage) described by `doc` (name, layout). */
  installCluster(cluster: HostedCluster, doc: Scenario, play: boolean): void {
    this.cluster = cluster;
    this.layout = { ...(doc.layout ?? {}) };
    this.carryMs = 0;
    this.playing = play;
    this.lastWall = this.deps.wallNow();
    this.send({
      type: 'loaded',
      name: doc.name ?? null,
      description: doc.description ?? null,
      layout: { ...this.layout },
    });
    // A new cluster must show at once, even if the previous snapshot went out just now.
    this.lastPostWall = -Infinity;
    this.dirty = true;
    this.maybeFlush(this.deps.wallNow());
  }

  /** The document that reproduces this run, with the diagram layout (export, saving). */
  scenarioDocument(): Scenario {
    const doc = this.requireCluster().scenario();
    // Layout lives here, not in the cluster: it never changes the run. It started as the
    // document's own (installCluster) and is the whole of it since: a Tidy may have emptied it.
    return { ...doc, layout: { ...this.layout } };
  }

  private requireCluster(): HostedCluster {
    if (!this.cluster) throw new Error('No scenario is loaded yet.');
    return this.cluster;
  }

  /** For tests and diagnostics. */
  status(): { playing: boolean; speed: number; now: number | null } {
    return { playing: this.playing, speed: this.speed, now: this.cluster ? this.cluster.now : null };
  }
}
