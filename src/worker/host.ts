/**
 * The worker host: owns one Cluster and the clock that drives it. Pure TypeScript with
 * every side effect injected (wall clock, timers, postMessage), so Vitest drives it under
 * Node with a fake clock; `cluster.worker.ts` is only the thin binding to `self`.
 *
 * Pacing: each tick runs `speed × wall time elapsed` of virtual time. The wall time
 * counted per tick is capped (a background tab or a GC pause must not turn into a huge
 * jump), and the run is cut into slices with a wall-time budget, so a cluster slower than
 * real time at 100x slips behind instead of freezing the worker. Behind the clock, the next
 * turn comes at once, or after a rest (behindRest: a share of the wall time left to the page
 * on a machine of few cores).
 *
 * Cancellable work: the worker handles one message at a time, so Pause and Reset wait for
 * whatever runs before them. No tick runs long: the cluster runs in slices within a wall
 * budget, a slice that alone overran the budget makes the next ones shorter (down to 1
 * virtual ms: a heavy cluster), and a step (or any advance to a later virtual time while
 * paused, see `advanceTo`) goes on over as many ticks as it needs, so Pause and Reset are
 * answered between them (Pause drops the rest of the step).
 *
 * Snapshots are coalesced: whatever the rate of ticks and commands, at most one snapshot
 * per `snapshotIntervalMs` (≈30/s) is posted. `cluster.snapshot()` hands out the events
 * since its previous call, so taking snapshots only when posting loses no event.
 *
 * Time travel: the run lives in a TimeMachine (time-machine.ts), which owns the timeline,
 * the cluster at the current moment, checkpoints and markers. Seeks pause. A seek that
 * needs a long replay (a link opened at its moment, a seek far back without checkpoints)
 * runs in slices over ticks with the same wall budget as playing, posting `seeking`
 * progress, so the worker keeps answering. When the machine shows another cluster object
 * (rebuilt at an earlier moment), the next snapshot carries the event history up to that
 * moment (`eventsReset`), and the timeline markers are sent as additions, or whole after a
 * fork / undo cut them.
 */
import type { ClusterSnapshot } from '../kafka/snapshot';
import type { StorageCommand } from '../storage/status';
import type { ClusterEvent } from '../kafka/snapshot';
import type { BrowseRequest, BrowseResult } from '../kafka/browse';
import type { Scenario, TimelineAction } from '../scenario/types';
import { TimeMachine } from './time-machine';
import type { MetricSeries, SeriesQuery } from './metric-series';
import { SnapshotDiffer } from './snapshot-delta';
import { LIMITS } from '../kafka/limits';
import {
  EVENT_HISTORY_LIMIT,
  PROTOCOL_VERSION,
  clampSpeed,
  fromWorker,
  isVersioned,
  type ActionRequest,
  type FromWorker,
  type Layout,
  type LogResult,
  type TimelineStatus,
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
  /** The message browser's read (src/kafka/browse.ts): looks, never changes the run. */
  browse?(request: BrowseRequest): BrowseResult;
  /** Every event kept so far (timeline markers, the event history after a seek). */
  allEvents?(): readonly ClusterEvent[];
  /** One metric sample for the charts (Cluster.sampleMetrics). */
  sampleMetrics?(put: (key: string, value: number) => void): void;
}

/** What the run loop advances: the TimeMachine (which runs its cluster and takes checkpoints). */
interface Runnable {
  readonly now: number;
  runUntil(ms: number): void;
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
  /**
   * Deep copy of a cluster, for time-travel checkpoints (src/kafka/checkpoint.ts cloneCluster).
   * Absent, or when it throws, every seek back replays the run from 0: exact, slower.
   */
  clone?: (cluster: HostedCluster) => HostedCluster;
  /** Rough bytes a copy made by `clone` holds (checkpoint.ts cloneFootprint), for the checkpoints' memory budget. */
  footprint?: (copy: HostedCluster) => number;
  /** Virtual ms between checkpoints (time-machine.ts DEFAULT_CHECKPOINT_EVERY_MS). */
  checkpointEveryMs?: number;
  /**
   * Bytes of records the process holds now (record-batch.ts batchBytesHeld: the logs' and the
   * checkpoints' batches), for the pause before the tab runs out of memory. Absent: no pause.
   */
  batchBytesHeld?: () => number;
}

/** What the host asks of persistence: it passes storage commands on and says when the cluster changed. */
export interface HostStorage {
  handle(cmd: StorageCommand, host: WorkerHost): void;
  changed(what: 'run' | 'action' | 'layout'): void;
  /** The host shows another cluster object (a new run, or the run rebuilt at another moment). */
  clusterCreated?(cluster: HostedCluster): void;
  /**
   * The run goes on in an exact copy of the cluster it was running, at the same moment (a
   * time-travel checkpoint keeps the original): read the run from `cluster` from now on.
   */
  clusterContinued?(cluster: HostedCluster): void;
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
  /**
   * The share of wall time the loop rests between turns while playing a cluster that cannot
   * keep up with the clock (0: none, the next turn comes at once). The cluster is behind
   * either way; on a machine with few cores the rest is the page's (its main thread and its
   * rasterization run beside this worker).
   */
  behindRest: number;
  /** Minimum wall time between two snapshots (1000/30 ≈ 33 ms: at most 30 a second). */
  snapshotIntervalMs: number;
  /** Largest single step the UI may ask for (virtual ms). */
  maxStepMs: number;
  /**
   * Post what changed since the previous frame (`delta`, snapshot-delta.ts) instead of the
   * whole snapshot each time; a whole one still goes out first and after the cluster was
   * rebuilt. The worker turns it on; tests that read whole snapshots leave it off.
   */
  deltas: boolean;
  /** Playing pauses once the run's records take this many bytes of memory (LIMITS.batchBytesBeforePause)... */
  batchBytesBeforePause: number;
  /** ...and, played on, again each time they take this many more (LIMITS.batchBytesPauseStep). */
  batchBytesPauseStep: number;
}

export const DEFAULT_HOST_OPTIONS: HostOptions = {
  tickMs: 16,
  maxWallPerTickMs: 100,
  sliceVirtualMs: 250,
  runBudgetMs: 40,
  behindRest: 0,
  snapshotIntervalMs: 1000 / 30,
  maxStepMs: 600_000,
  deltas: false,
  batchBytesBeforePause: LIMITS.batchBytesBeforePause,
  batchBytesPauseStep: LIMITS.batchBytesPauseStep,
};

/** Wall ms between two looks at the records' memory while playing. */
export const MEMORY_CHECK_WALL_MS = 250;

/** "512 MB", "1.5 MB". */
const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** Why playing paused with `bytes` of records held, and what the user can do. */
export function memoryPauseMessage(bytes: number, stepBytes: number): string {
  return (
    `Paused: the records of this run take ${mb(bytes)} of this tab's memory (the logs, and the earlier moments kept for rewinding). ` +
    `Kafka keeps every record for retention.ms (7 days by default) and here every one stays in memory; ` +
    `past a few GB the browser closes the tab and the run is lost. Play to go on (the next pause comes ${mb(stepBytes)} later), ` +
    `or save the scenario and start it afresh.`
  );
}

/**
 * The most of the worker's thread that taking and posting snapshots may use: after one that
 * cost c ms, the next waits at least c / SNAPSHOT_SHARE ms (a save's plan has its own share,
 * storage/persister.ts PLAN_SHARE).
 */
export const SNAPSHOT_SHARE = 0.2;

/**
 * behindRest on a machine of two cores or fewer (cluster.worker.ts): there a cluster behind
 * the clock kept one core busy, and the page's main thread and its rasterization shared the
 * other with the collectors and the compositor. Measured in Chromium on this 2-core machine,
 * a 50 x 1,000 link, 8 alternated pairs of 6 s (bench/browser/ui.ts): more frames in all 8
 * pairs (34.5-41.5 frames/s against 28.1-38.8), less time in long tasks in 7 (57-321 ms against
 * 112-596 ms); the cluster, behind either way, ran 0.33-0.57x real time against 0.34-0.63x.
 */
export const FEW_CORES_BEHIND_REST = 0.25;

export class WorkerHost {
  private machine: TimeMachine<HostedCluster> | null = null;
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
  /** The last playing turn ran out of budget before reaching the clock. */
  private fellBehind = false;
  /** A seek still replaying toward its target (run in slices by tick). */
  private seekJob: { target: number } | null = null;
  /** What the UI was last sent: which cluster object, which markers. */
  private sentGeneration = -1;
  private sentMarkerRevision = -1;
  private sentMarkers = 0;
  private reportedGeneration = -1;
  /** Lesson chapter times (the scenario's `checkpoints`): playing pauses at each. */
  private chapters: number[] = [];
  /** Virtual ms per slice now: shrinks after a slice overran the budget, grows back when slices are cheap. */
  private sliceMs: number;
  /** The last slice overran the whole budget. */
  private overran = false;
  /** Paused, advancing to this virtual time over the next ticks (a step), or null. */
  private advanceTarget: number | null = null;
  /** The chart lines the UI shows, and what of them it has been sent. */
  private watch: { id: number; queries: SeriesQuery[]; series: MetricSeries | null; revision: number; sent: number } | null = null;
  /** What the UI was sent, entity by entity (when `deltas` is on). */
  private readonly differ = new SnapshotDiffer();
  /** Wall ms the last turn of the loop took. */
  private lastTurnMs = 0;
  /** Wall ms the last snapshot took to take, diff and post. */
  private flushCostMs = 0;
  /** Playing pauses when batchBytesHeld reaches this (batchBytesBeforePause, then higher after each such pause). */
  private pauseAtBatchBytes: number;
  /** When batchBytesHeld was last looked at (wall ms). */
  private memoryCheckedWall = -Infinity;

  constructor(
    private readonly deps: HostDeps,
    opts: Partial<HostOptions> = {},
  ) {
    this.opts = { ...DEFAULT_HOST_OPTIONS, ...opts };
    this.sliceMs = this.opts.sliceVirtualMs;
    this.lastWall = deps.wallNow();
    this.pauseAtBatchBytes = this.opts.batchBytesBeforePause;
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

  /**
   * The next turn of the loop: after tickMs when the cluster is caught up; at once (a
   * zero-delay timer, which still lets the UI's messages in first) while work is left over
   * (a seek or a step still running, or a playing cluster that could not keep up with the
   * clock), so a heavy cluster or a long seek does not sit idle a tick between slices.
   */
  private schedule(): void {
    this.timer = this.deps.setTimer(() => {
      this.timer = null;
      const t0 = this.deps.wallNow();
      this.tick();
      this.lastTurnMs = this.deps.wallNow() - t0;
      this.schedule();
    }, this.nextTurnDelay());
  }

  /** Wall ms until the next turn: a tick when caught up, at once while work is left, a rest after a turn behind the clock (behindRest). */
  private nextTurnDelay(): number {
    if (!this.behind()) return this.opts.tickMs;
    const rest = this.opts.behindRest;
    if (rest <= 0 || !this.playing || !this.fellBehind || this.seekJob !== null) return 0;
    return Math.ceil((this.lastTurnMs * rest) / (1 - rest));
  }

  /** Work is left over from the last turn: the next one should come at once. */
  behind(): boolean {
    return this.seekJob !== null || (this.advanceTarget !== null && this.machine !== null) || (this.playing && this.fellBehind);
  }

  /** One turn of the loop: advance the clock if playing, then maybe post a snapshot. */
  tick(): void {
    const wall = this.deps.wallNow();
    const elapsed = Math.max(0, Math.min(wall - this.lastWall, this.opts.maxWallPerTickMs));
    this.lastWall = wall;
    if (this.seekJob) {
      this.guard(undefined, () => this.continueSeek(wall));
      this.maybeFlush(wall);
      return;
    }
    const machine = this.machine;
    if (this.playing && machine) {
      this.carryMs += elapsed * this.speed;
      let whole = Math.floor(this.carryMs);
      this.carryMs -= whole;
      // A lesson chapter ahead within this tick: run exactly to it and pause there.
      const chapter = this.chapters.find((c) => c > machine.now);
      const atChapter = chapter !== undefined && machine.now + whole >= chapter;
      if (atChapter) whole = chapter - machine.now;
      if (whole > 0) {
        this.guard(undefined, () => {
          const target = machine.now + whole;
          this.fellBehind = !this.runWithin(machine, target, wall);
          if (this.fellBehind) {
            // Out of budget: drop the rest rather than stall; the clock display shows the truth.
            this.droppedVirtualMs += target - machine.now;
            this.carryMs = 0;
          }
        });
        if (atChapter && machine.now === chapter) {
          this.playing = false;
          this.carryMs = 0;
        }
        if (this.playing) this.pauseIfMemoryFull(wall);
        this.dirty = true;
        this.deps.storage?.changed('run');
      }
    } else if (this.advanceTarget !== null && machine) {
      this.continueAdvance(machine, wall);
    }
    this.maybeFlush(wall);
  }

  /**
   * Playing, pauses once the run's records take batchBytesBeforePause of memory, and again each
   * batchBytesPauseStep more when played on: Kafka keeps every record for retention.ms, and here
   * every one stays in the tab's memory (and in the checkpoints for rewinding) until the
   * browser kills the tab and the run with it. Looked at every MEMORY_CHECK_WALL_MS at most.
   * Seeks and steps go where they were asked.
   */
  private pauseIfMemoryFull(wall: number): void {
    const held = this.deps.batchBytesHeld;
    if (held === undefined || wall - this.memoryCheckedWall < MEMORY_CHECK_WALL_MS) return;
    this.memoryCheckedWall = wall;
    const bytes = held();
    if (bytes < this.pauseAtBatchBytes) return;
    this.playing = false;
    this.carryMs = 0;
    this.pauseAtBatchBytes = bytes + this.opts.batchBytesPauseStep;
    this.send({ type: 'error', message: memoryPauseMessage(bytes, this.opts.batchBytesPauseStep) });
  }

  /** Runs toward `target` until the wall budget (from `startWall`) is spent; true once there. */
  private runWithin(cluster: Runnable, target: number, startWall: number): boolean {
    while (cluster.now < target) {
      this.runSlice(cluster, target);
      if (cluster.now < target && this.deps.wallNow() - startWall > this.opts.runBudgetMs) return false;
    }
    return true;
  }

  /** One runUntil of at most `sliceMs`, adapting the slice to what the last one cost. */
  private runSlice(cluster: Runnable, target: number): void {
    const from = cluster.now;
    const to = Math.min(target, from + this.sliceMs);
    const t0 = this.deps.wallNow();
    cluster.runUntil(to);
    const took = this.deps.wallNow() - t0;
    const span = to - from;
    if (took > this.opts.runBudgetMs && span > 1) {
      // This slice alone overran the budget. Once may be the thread being descheduled on a
      // busy machine (shrinking then would only cut the run into more pieces, and drop more
      // of it at the budget checks); twice in a row is a heavy cluster: aim the next slices
      // at a quarter of the budget.
      if (this.overran) this.sliceMs = Math.max(1, Math.floor((span * this.opts.runBudgetMs) / 4 / took));
      this.overran = true;
      return;
    }
    this.overran = false;
    if (took < this.opts.runBudgetMs / 8 && span >= this.sliceMs) {
      this.sliceMs = Math.min(this.opts.sliceVirtualMs, this.sliceMs * 2);
    }
  }

  /** Paused: run on toward the advance target within this tick's budget. */
  private continueAdvance(cluster: Runnable, wall: number): void {
    const target = this.advanceTarget!;
    this.guard(undefined, () => {
      try {
        if (this.runWithin(cluster, target, wall)) this.advanceTarget = null;
      } catch (err) {
        this.advanceTarget = null; // said once (the guard posts it), not again every tick
        throw err;
      }
    });
    this.dirty = true;
    this.deps.storage?.changed('run');
  }

  /**
   * Paused, runs the cluster to virtual time `ms`: as far as the budget allows now, the rest
   * over the next ticks (Pause drops it; Play or a new scenario replaces it).
   */
  advanceTo(ms: number): void {
    const cluster = this.requireMachine();
    this.playing = false;
    this.carryMs = 0;
    this.advanceTarget = ms > cluster.now ? ms : null;
    if (this.advanceTarget !== null) this.continueAdvance(cluster, this.deps.wallNow());
  }

  private maybeFlush(wall: number): void {
    const machine = this.machine;
    if (!this.dirty || !machine || this.seekJob) return;
    // A large cluster's snapshot (and its delta) costs the worker time the cluster needs:
    // they get at most SNAPSHOT_SHARE of it, whatever snapshotIntervalMs allows.
    if (wall - this.lastPostWall < Math.max(this.opts.snapshotIntervalMs, this.flushCostMs / SNAPSHOT_SHARE)) return;
    const t0 = this.deps.wallNow();
    this.guard(undefined, () => {
      const cluster = machine.cluster;
      const snapshot = cluster.snapshot();
      const eventsReset = machine.clusterGeneration !== this.sentGeneration;
      if (eventsReset && cluster.allEvents) snapshot.events = cluster.allEvents().slice(-EVENT_HISTORY_LIMIT);
      else if (snapshot.events.length > EVENT_HISTORY_LIMIT) snapshot.events = snapshot.events.slice(-EVENT_HISTORY_LIMIT);
      this.sentGeneration = machine.clusterGeneration;
      const status = { playing: this.playing, speed: this.speed };
      if (!this.opts.deltas) {
        const msg: WorkerEvent = { type: 'snapshot', snapshot, status, timeline: this.timelineStatus(machine) };
        if (eventsReset) msg.eventsReset = true;
        this.send(msg);
      } else {
        // Another cluster object (a new run, a rebuilt moment): the UI's copy is of another run.
        if (eventsReset) this.differ.reset();
        const frame = this.differ.frame(snapshot);
        if (frame.kind === 'full') {
          // The wire form (snapshot-delta.ts wireSnapshot): what later deltas count from.
          const msg: WorkerEvent = { type: 'snapshot', snapshot: frame.snapshot, status, timeline: this.timelineStatus(machine), seq: frame.seq };
          if (eventsReset) msg.eventsReset = true;
          this.send(msg);
        } else {
          this.send({ type: 'delta', delta: frame.delta, status, timeline: this.timelineStatus(machine) });
        }
      }
      this.flushSeries();
    });
    this.flushCostMs = this.deps.wallNow() - t0;
    this.lastPostWall = wall;
    this.dirty = false;
  }

  /**
   * The watched chart lines up to the playhead: what is new since the last send, or a cut
   * (seek back) or a full resend (a fork or undo replaced samples, another run).
   */
  private flushSeries(): void {
    const w = this.watch;
    const machine = this.machine;
    if (!w || !machine) return;
    const series = machine.metrics;
    const visible = series.countUpTo(machine.now);
    const same = w.series === series && w.revision === series.revision;
    const keep = same ? Math.min(w.sent, visible) : 0;
    if (same && keep === w.sent && visible === w.sent) return;
    const data = series.query(w.queries, keep, visible);
    this.send({ type: 'series', watch: w.id, keep, times: data.times, values: data.values, everyMs: series.everyMs });
    w.series = series;
    w.revision = series.revision;
    w.sent = visible;
  }

  /** The axis and what is new on it since the previous snapshot (markers are sent once). */
  private timelineStatus(machine: TimeMachine<HostedCluster>): TimelineStatus {
    const status: TimelineStatus = { end: machine.end, origin: machine.origin, canUndo: machine.canUndo, canRedo: machine.canRedo };
    const all = machine.markers;
    if (machine.markerRevision !== this.sentMarkerRevision) {
      status.markers = { reset: true, added: all.slice(), omitted: machine.markersOmitted };
    } else if (all.length > this.sentMarkers) {
      status.markers = { reset: false, added: all.slice(this.sentMarkers), omitted: machine.markersOmitted };
    }
    this.sentMarkerRevision = machine.markerRevision;
    this.sentMarkers = all.length;
    return status;
  }

  /** Tells persistence when the machine shows another cluster object. */
  private noteCluster(): void {
    const machine = this.machine;
    if (!machine || machine.clusterGeneration === this.reportedGeneration) return;
    this.reportedGeneration = machine.clusterGeneration;
    this.deps.storage?.clusterCreated?.(machine.cluster);
  }

  // ---- seeking ------------------------------------------------------------------------------

  /** Pauses and moves the playhead to t; a long replay continues over the next ticks. */
  private beginSeek(t: number): void {
    const machine = this.requireMachine();
    this.playing = false;
    this.carryMs = 0;
    this.advanceTarget = null;
    const target = machine.prepareSeek(Math.min(Math.max(t, machine.origin), Math.max(machine.end, t)));
    this.noteCluster();
    this.seekJob = { target };
    this.continueSeek(this.deps.wallNow());
  }

  /** Runs the seek within the wall budget; says how far it got when it could not finish. */
  private continueSeek(startWall: number): void {
    const job = this.seekJob;
    const machine = this.machine;
    if (!job || !machine) return;
    while (machine.now < job.target) {
      machine.runUntil(Math.min(job.target, machine.now + this.opts.sliceVirtualMs * 4));
      if (machine.now < job.target && this.deps.wallNow() - startWall > this.opts.runBudgetMs) {
        this.send({ type: 'seeking', target: job.target, reached: machine.now, done: false });
        return;
      }
    }
    this.seekJob = null;
    this.dirty = true;
    this.lastPostWall = -Infinity;
    this.send({ type: 'seeking', target: job.target, reached: machine.now, done: true });
    this.maybeFlush(this.deps.wallNow());
  }

  /** Commands that change the run first complete a seek in progress (its moment is where they act). */
  private finishSeek(): void {
    const job = this.seekJob;
    if (!job || !this.machine) return;
    this.machine.runUntil(job.target);
    this.seekJob = null;
    this.dirty = true;
    this.send({ type: 'seeking', target: job.target, reached: this.machine.now, done: true });
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
        this.loadScenario(cmd.scenario, cmd.at === undefined ? (cmd.play ?? true) : false);
        if (cmd.at !== undefined && cmd.at > 0) this.beginSeek(cmd.at);
        return;
      case 'play':
        this.playing = true;
        this.advanceTarget = null;
        this.lastWall = this.deps.wallNow();
        this.dirty = true;
        // The saved moment says whether the run plays: save the change, even with the clock still.
        this.deps.storage?.changed('run');
        return;
      case 'pause':
        this.playing = false;
        this.carryMs = 0;
        // A step still running stops where it is.
        this.advanceTarget = null;
        this.dirty = true;
        this.deps.storage?.changed('run');
        return;
      case 'setSpeed':
        this.speed = clampSpeed(cmd.speed);
        this.dirty = true;
        return;
      case 'step': {
        this.finishSeek();
        const machine = this.requireMachine();
        const ms = Math.max(1, Math.min(Math.floor(cmd.ms), this.opts.maxStepMs));
        // Steps add up: a second press while the first still runs goes on from its end.
        this.advanceTo((this.advanceTarget ?? machine.now) + ms);
        this.dirty = true;
        return;
      }
      case 'seek':
        if (!Number.isFinite(cmd.t)) throw new Error(`Cannot go to the moment ${String(cmd.t)}: not a time.`);
        this.beginSeek(cmd.t);
        this.deps.storage?.changed('run');
        return;
      case 'stepBack': {
        this.finishSeek();
        const machine = this.requireMachine();
        const ms = Math.max(1, Math.min(Number.isFinite(cmd.ms) ? Math.floor(cmd.ms) : 0, this.opts.maxStepMs));
        this.beginSeek(Math.max(machine.origin, machine.now - ms));
        this.deps.storage?.changed('run');
        return;
      }
      case 'seekMarker': {
        this.finishSeek();
        const at = this.requireMachine().markerTime(cmd.dir < 0 ? -1 : 1);
        this.playing = false;
        this.dirty = true;
        if (at !== null) this.beginSeek(at);
        return;
      }
      case 'undo':
      case 'redo': {
        this.finishSeek();
        const machine = this.requireMachine();
        this.playing = false;
        this.carryMs = 0;
        const action = cmd.type === 'undo' ? machine.undo() : machine.redo();
        if (!action) throw new Error(cmd.type === 'undo' ? 'There is no action to undo.' : 'There is no action to redo.');
        this.noteCluster();
        this.dirty = true;
        this.deps.storage?.changed('action');
        return;
      }
      case 'perform': {
        this.finishSeek();
        const machine = this.requireMachine();
        const action = machine.perform(cmd.action);
        this.noteCluster();
        // Paused, the action would wait for the clock: run the 1 ms to its time so the user
        // sees its effect now. Playing, the next tick gets there anyway.
        if (!this.playing && machine.now < action.at) machine.runUntil(action.at);
        this.send({ type: 'performed', action });
        this.dirty = true;
        this.deps.storage?.changed('action');
        return;
      }
      case 'requestLog': {
        this.finishSeek();
        const cluster = this.requireMachine().cluster;
        const opts: { broker?: number; fromOffset?: number; limit?: number } = {};
        if (cmd.broker !== undefined) opts.broker = cmd.broker;
        if (cmd.fromOffset !== undefined) opts.fromOffset = cmd.fromOffset;
        if (cmd.limit !== undefined) opts.limit = cmd.limit;
        const result = cluster.readLog(cmd.topic, cmd.partition, opts);
        this.send({ type: 'log', requestId: cmd.requestId, topic: cmd.topic, partition: cmd.partition, result });
        return;
      }
      case 'browse': {
        // The moment shown: a seek still replaying finishes first.
        this.finishSeek();
        const cluster = this.requireMachine().cluster;
        if (!cluster.browse) throw new Error('This cluster cannot be browsed.');
        this.send({ type: 'browse', requestId: cmd.requestId, result: cluster.browse(cmd.request) });
        return;
      }
      case 'setLayout':
        this.layout = cmd.replace ? { ...cmd.layout } : { ...this.layout, ...cmd.layout };
        this.deps.storage?.changed('layout');
        return;
      case 'watchSeries':
        this.watch = cmd.queries ? { id: cmd.watch, queries: cmd.queries, series: null, revision: -1, sent: 0 } : null;
        this.flushSeries();
        return;
      case 'exportScenario':
        this.finishSeek();
        this.send({ type: 'scenario', requestId: cmd.requestId, scenario: this.scenarioDocument() });
        return;
      case 'resync':
        this.differ.reset();
        this.dirty = true;
        this.lastPostWall = -Infinity;
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
    this.install(new TimeMachine<HostedCluster>(scenario, this.machineOptions()), scenario, play, false);
  }

  /**
   * Runs a cluster restored from storage, described by `doc` (name, layout, timeline).
   * `exact`: it is the saved moment itself (storage/image.ts imageToMoment), so earlier
   * moments replay from the document; otherwise it was restarted from its disks and its
   * moments before now cannot be replayed (only a checkpoint reaches back).
   */
  installCluster(cluster: HostedCluster, doc: Scenario, play: boolean, exact = false): void {
    this.install(new TimeMachine<HostedCluster>(doc, this.machineOptions(), cluster, exact), doc, play, true);
  }

  /** Is the run playing (saved with each flush, so a reload comes back the same way)? */
  isPlaying(): boolean {
    return this.playing;
  }

  private machineOptions() {
    const opts: ConstructorParameters<typeof TimeMachine<HostedCluster>>[1] = {
      createCluster: (doc: Scenario) => this.deps.createCluster(doc),
      clone: this.deps.clone,
      footprint: this.deps.footprint,
      onHandOver: (copy: HostedCluster) => this.deps.storage?.clusterContinued?.(copy),
      sample: (c: HostedCluster, put: (key: string, value: number) => void) => c.sampleMetrics?.(put),
    };
    if (this.deps.checkpointEveryMs !== undefined) opts.checkpointEveryMs = this.deps.checkpointEveryMs;
    return opts;
  }

  private install(machine: TimeMachine<HostedCluster>, doc: Scenario, play: boolean, fromDisk: boolean): void {
    this.machine = machine;
    this.differ.reset();
    this.seekJob = null;
    this.sentGeneration = -1;
    this.sentMarkerRevision = -1;
    this.sentMarkers = 0;
    this.reportedGeneration = machine.clusterGeneration;
    this.chapters = [...new Set((doc.checkpoints ?? []).map((c) => Math.floor(c.at)))].sort((a, b) => a - b);
    this.deps.storage?.clusterCreated?.(machine.cluster);
    this.layout = { ...(doc.layout ?? {}) };
    this.carryMs = 0;
    this.advanceTarget = null;
    // The run before may still hold memory the collector has not reclaimed yet: not a reason
    // to pause this one at once.
    this.pauseAtBatchBytes = Math.max(this.opts.batchBytesBeforePause, (this.deps.batchBytesHeld?.() ?? 0) + this.opts.batchBytesPauseStep);
    this.sliceMs = this.opts.sliceVirtualMs;
    this.overran = false;
    this.playing = play;
    this.lastWall = this.deps.wallNow();
    this.send({
      type: 'loaded',
      name: doc.name ?? null,
      description: doc.description ?? null,
      layout: { ...this.layout },
      fromDisk,
      checkpoints: (doc.checkpoints ?? []).map((c) => ({ at: c.at, caption: c.caption })).sort((a, b) => a.at - b.at),
      tryThis: structuredClone(doc.tryThis ?? []),
    });
    // A new cluster must show at once, even if the previous snapshot went out just now.
    this.lastPostWall = -Infinity;
    this.dirty = true;
    this.maybeFlush(this.deps.wallNow());
  }

  /** The document that reproduces this run, with the diagram layout (export, saving). */
  scenarioDocument(): Scenario {
    const doc = this.requireMachine().document();
    // Layout lives here, not in the cluster: it never changes the run. It started as the
    // document's own (install) and is the whole of it since: a Tidy may have emptied it.
    return { ...doc, layout: { ...this.layout } };
  }

  private requireMachine(): TimeMachine<HostedCluster> {
    if (!this.machine) throw new Error('No scenario is loaded yet.');
    return this.machine;
  }

  /** The run's time machine (tests, the benchmark, persistence). */
  get timeMachine(): TimeMachine<HostedCluster> | null {
    return this.machine;
  }

  /** For tests and diagnostics. */
  status(): { playing: boolean; speed: number; now: number | null; end: number | null; seeking: boolean; advancingTo: number | null; sliceMs: number } {
    const m = this.machine;
    return {
      playing: this.playing,
      speed: this.speed,
      now: m ? m.now : null,
      end: m ? m.end : null,
      seeking: this.seekJob !== null,
      advancingTo: this.advanceTarget,
      sliceMs: this.sliceMs,
    };
  }
}
