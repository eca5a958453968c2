/**
 * Time travel for one run: the TimeMachine owns the run's timeline (the scenario document
 * with every recorded action), the cluster showing the current moment, checkpoints of
 * earlier moments, the markers drawn on the timeline bar, and the undo / redo history.
 *
 * Design (issue 9). The cluster is deterministic: `new Cluster(doc)` + `runUntil(t)` gives
 * moment t of the run `doc` describes, byte for byte. So every moment of the current branch
 * is had again by replaying the full recorded document to t (actions after t stay in the
 * timeline; they simply have not happened yet). Replaying from 0 is exact but costs the
 * whole run; checkpoints make it cheap: while running, every `checkpointEveryMs` of virtual
 * time a copy of the cluster is taken through the injected `clone` (the lead's
 * `cloneCluster` from src/kafka/checkpoint.ts), and a seek restores a copy of the nearest
 * checkpoint at or before t and runs forward from there. Without `clone` (or when it
 * throws once) the machine falls back to replay from 0: slower, never wrong.
 *
 * The machine runs copies, never a cluster the constructor built (V8 hidden classes): a
 * copy's objects are made by the clone's walk (Object.create + properties), a constructed
 * cluster's by the class constructors and object literals, and V8 gives the two different
 * hidden classes. Code optimised on one kind deoptimises ("wrong map") when it meets the
 * other, and runs several times slower until it is optimised again: the first seeks after
 * a long first play (constructed objects) ran restored copies at a tenth of the speed. So
 * the fresh cluster at 0 becomes checkpoint 0 and the run goes on in its copy, and at each
 * checkpoint the run hands over: the checkpoint keeps the object that ran, the run
 * continues in the copy (`onHandOver` tells the owner; same moment, byte for byte). A
 * restored run then meets the same mix of copied and newly built objects the first play
 * met, and the optimised code stays.
 *
 * A checkpoint copies the cluster's timeline as it was when it was taken; the branch may
 * have changed since (an action performed later, a fork, an undo). Before a restored copy
 * runs, its future (the actions it has not applied yet) is replaced by the branch's
 * (`adoptTimeline`); its applied past is checked to be the branch's, else the copy is not
 * used. Checkpoints after a fork point belong to the old branch and leave with it.
 *
 * Fork: an action performed while the playhead is at a past moment t (t < end) replaces
 * the timeline after t: every action later than t (recorded or scripted) is removed, the
 * new action is stamped t + 1. The result equals a fresh run of the scenario truncated at
 * t plus the action. At the run's frontier (t = end) nothing is removed: scripted actions
 * still ahead stay. Undo puts the branch that was there back (actions, markers,
 * checkpoints, end), redo swaps it out again.
 *
 * Markers: what happened, for the timeline bar (broker down / up / fenced, leaders,
 * ISR changes, rebalances, losses, every timeline action). They are collected once, as the
 * run first passes a moment (the frontier `end` moves); replays of known moments add
 * nothing. The host sends additions only (`markerRevision` changes when the list was cut).
 *
 * Framework-free: no DOM, no timers; tested under Node (time-machine.test.ts).
 */
import type { ClusterEvent } from '../kafka/snapshot';
import type { Scenario, TimelineAction } from '../scenario/types';
import type { ActionRequest } from './protocol';
import { MetricSeries, type SeriesStash } from './metric-series';

/** What the machine needs from a cluster (the real `Cluster` satisfies it). */
export interface MachineCluster {
  readonly now: number;
  runUntil(ms: number): void;
  perform(action: ActionRequest): TimelineAction;
  /** Every event kept so far (markers); optional so simple fakes can leave it out. */
  allEvents?(): readonly ClusterEvent[];
  /** Events the cluster has run (its work, for checkpoint spacing); optional. */
  readonly eventsRun?: number;
  /**
   * Replace the actions not applied yet by `future` (the branch's actions after now).
   * Optional: without it, adoptTimeline reaches the Cluster's `timeline` / `nextAction`.
   */
  replaceFutureTimeline?(timeline: readonly TimelineAction[]): void;
}

export type MarkerKind = 'broker' | 'leader' | 'isr' | 'group' | 'loss' | 'action';

/** One mark on the timeline bar. */
export interface TimelineMarker {
  at: number;
  kind: MarkerKind;
  event?: ClusterEvent;
  action?: TimelineAction;
}

export interface TimeMachineOptions<C extends MachineCluster> {
  /** Builds a cluster at time 0 from a document (replay). */
  createCluster(doc: Scenario): C;
  /** Deep copy of a cluster (checkpoints). Absent: replay from 0 on every seek back. */
  clone?: ((c: C) => C) | undefined;
  /** Virtual ms between checkpoints (doubles when maxCheckpoints or the memory budget is reached). */
  checkpointEveryMs?: number;
  maxCheckpoints?: number;
  /** Rough bytes a copy made by `clone` holds of its own (checkpoint.ts cloneFootprint); absent: 0. */
  footprint?: ((copy: C) => number) | undefined;
  /** Bytes the checkpoints may hold together (by `footprint`) before they are thinned out. */
  checkpointBudgetBytes?: number;
  /**
   * Events a gap between checkpoints may hold before the spacing halves (see
   * DENSE_GAP_EVENTS); Infinity keeps the spacing.
   */
  denseGapEvents?: number;
  /**
   * The run continues in `copy`, an exact copy of the cluster it was running (which is now
   * a checkpoint): the owner must read the moment from `copy` from now on (persistence).
   */
  onHandOver?: ((copy: C) => void) | undefined;
  /** Markers kept per branch at most (the bar stays light); later ones are counted, not kept. */
  maxMarkers?: number;
  /** Undo entries kept at most. */
  maxUndo?: number;
  /**
   * Reads one metric sample from a cluster (Cluster.sampleMetrics), taken every
   * `sampleEveryMs` of virtual time as the run first passes it (metric-series.ts). Absent: no samples.
   */
  sample?: ((c: C, put: (key: string, value: number) => void) => void) | undefined;
  sampleEveryMs?: number;
}

interface Checkpoint<C> {
  at: number;
  cluster: C;
  /** What it holds of its own (footprint of the copy taken then). */
  bytes: number;
}

/** What belongs to a branch after its fork point t. */
interface Future<C> {
  markers: TimelineMarker[];
  checkpoints: Checkpoint<C>[];
  end: number;
  samples: SeriesStash;
}

interface HistoryEntry<C> {
  /** The moment the action was taken at (the action's time is t + 1). */
  t: number;
  action: TimelineAction;
  /** Actions after t that the fork removed (empty at the frontier). */
  removed: TimelineAction[];
  /** The other branch's markers, checkpoints and end after t. */
  stash: Future<C>;
}

export const DEFAULT_CHECKPOINT_EVERY_MS = 15_000;
/**
 * The default checkpoints' memory budget, in footprint bytes (checkpoint.ts footprintBytes:
 * a word per slot, no pointer compression, so an upper bound). A checkpoint shares the
 * logs' batches and their lists with the run (LogSegment: each holder reads its own prefix),
 * so its footprint is the cluster's metadata and does not grow with the run: at the default
 * load the 121 checkpoints of a 30-minute run hold 18.8 MB by footprint (123 MB when each
 * copied its segments' lists), and at 6 x 50 / 2,000 records/s 5 minutes keep all 21 in
 * 14 MB (148 MB and thinned to 11 before). Longer runs space them wider.
 */
export const DEFAULT_CHECKPOINT_BUDGET_BYTES = 160 * 1024 * 1024;

/**
 * A seek runs from the checkpoint before it, so it costs up to a gap's work: a run busy
 * enough that a gap holds more events than this gets checkpoints closer together (the
 * spacing halves, down to an eighth of the first), while a gap's work stays above its
 * checkpoint's own cost (EVENTS_PER_FOOTPRINT_MB a MB of footprint: a copy of 0.8 MB, 6 x 50,
 * takes 5-10 ms, the time of 4,000-7,000 events; a gap then holds over ten times that).
 * Events, not wall time: the same run gets the same checkpoints on any machine. A gap does
 * not wait for its end to be found busy: one that already holds this much work (before the
 * spacing was measured; twice as much after) ends at the next moment of the finest spacing
 * (TimeMachine.gapFull). At 6 x 50 / 2,000 records/s (177,000 events in 15 s) the first gap
 * ends at 5.625 s and the spacing becomes 7.5 s; the default scenario (4,000 events in 15 s)
 * keeps 15 s. Once the budget has thinned the checkpoints, the spacing only widens.
 */
export const DENSE_GAP_EVENTS = 60_000;
const EVENTS_PER_FOOTPRINT_MB = 45_000;

export class TimeMachine<C extends MachineCluster> {
  private readonly base: Scenario;
  private timeline: TimelineAction[];
  private current: C;
  /** Changes whenever `current` is another object (the host then resends the event history). */
  clusterGeneration = 0;
  private checkpoints: Checkpoint<C>[] = [];
  private everyMs: number;
  /** The closest spacing DENSE_GAP_EVENTS may bring (an eighth of the first). */
  private readonly minEveryMs: number;
  private readonly denseGapEvents: number;
  /** The budget or maxCheckpoints thinned the checkpoints: the spacing no longer narrows. */
  private thinned = false;
  /** Where the work since the last checkpoint is counted from (undefined: a cluster without eventsRun). */
  private workMark: { at: number; events: number } | undefined;
  /** A gap's work has set the spacing (narrowSpacing): a gap then ends early only past twice the work that narrows it. */
  private spacingMeasured = false;
  /** The footprint of the last checkpoint taken: what the next is expected to cost. */
  private lastCheckpointBytes = 0;
  private readonly maxCheckpoints: number;
  private readonly budgetBytes: number;
  private clone: ((c: C) => C) | undefined;
  /** Why checkpoints were switched off (diagnostics). */
  cloneError: string | null = null;
  private endMs = -1;
  private markerList: TimelineMarker[] = [];
  /** Changes whenever markers were removed or replaced (not when appended). */
  markerRevision = 0;
  markersOmitted = 0;
  private readonly maxMarkers: number;
  private eventScan = 0;
  private undoStack: HistoryEntry<C>[] = [];
  private redoStack: HistoryEntry<C>[] = [];
  private readonly maxUndo: number;
  /** The time before which this run cannot be replayed (a cluster adopted from disk). */
  private readonly originMs: number;
  /** Adopted runs have no document that replays them; only checkpoints reach back. */
  private readonly replayable: boolean;
  /** Wall-clock-free counters for tests and the benchmark. */
  readonly stats = { replaysFromZero: 0, restores: 0, checkpointsTaken: 0 };
  /** The charts' samples of the current branch (empty without `opts.sample`). */
  readonly metrics: MetricSeries;

  constructor(
    doc: Scenario,
    private readonly opts: TimeMachineOptions<C>,
    adopted?: C,
    /** The adopted cluster is exactly moment `now` of `doc` (a reload's saved moment): earlier moments replay. */
    adoptedExact = false,
  ) {
    const { timeline, ...base } = structuredClone(doc);
    this.base = base;
    this.timeline = sortedTimeline(timeline ?? []);
    this.clone = opts.clone;
    this.everyMs = Math.max(1, opts.checkpointEveryMs ?? DEFAULT_CHECKPOINT_EVERY_MS);
    this.minEveryMs = this.everyMs / 8;
    this.denseGapEvents = opts.denseGapEvents ?? DENSE_GAP_EVENTS;
    this.maxCheckpoints = Math.max(2, opts.maxCheckpoints ?? 480);
    this.budgetBytes = opts.checkpointBudgetBytes ?? DEFAULT_CHECKPOINT_BUDGET_BYTES;
    this.maxMarkers = opts.maxMarkers ?? 4000;
    this.maxUndo = opts.maxUndo ?? 100;
    this.metrics = new MetricSeries(Math.max(1, opts.sampleEveryMs ?? 1000));
    if (adopted && adoptedExact) {
      // The document replays every earlier moment; markers come from the actions and the
      // events the cluster kept.
      this.current = adopted;
      this.originMs = 0;
      this.replayable = true;
      this.collect();
      this.takeCheckpoint();
    } else if (adopted) {
      this.current = adopted;
      this.originMs = adopted.now;
      this.replayable = false;
      this.endMs = adopted.now;
      this.eventScan = adopted.allEvents?.().length ?? 0;
      // The only way back to this moment is a copy of it.
      this.takeCheckpoint();
    } else {
      this.current = this.freshCluster();
      this.originMs = 0;
      this.replayable = true;
      this.collect();
    }
    this.markWork();
  }

  get cluster(): C {
    return this.current;
  }

  get now(): number {
    return this.current.now;
  }

  /** The furthest virtual time reached in the current branch. */
  get end(): number {
    return Math.max(this.endMs, this.current.now);
  }

  /** The earliest moment that can be shown. */
  get origin(): number {
    return this.originMs;
  }

  get markers(): readonly TimelineMarker[] {
    return this.markerList;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  get checkpointTimes(): number[] {
    return this.checkpoints.map((c) => c.at);
  }

  /** Rough bytes the checkpoints hold of their own (see TimeMachineOptions.footprint). */
  get checkpointBytes(): number {
    return this.checkpoints.reduce((n, c) => n + c.bytes, 0);
  }

  /** The document that reproduces the current branch (every recorded action). */
  document(): Scenario {
    return { ...structuredClone(this.base), timeline: this.timeline.map((a) => ({ ...a })) };
  }

  /** Runs the current cluster forward to t, taking checkpoints and markers on the way. */
  runUntil(t: number): void {
    const target = Math.floor(t);
    const sampleEvery = this.opts.sample ? this.metrics.everyMs : 0;
    while (this.current.now < target) {
      let next = this.clone ? Math.min(target, (Math.floor(this.current.now / this.everyMs) + 1) * this.everyMs) : target;
      // A gap that may fill up before its end stops at each moment of the finest spacing, where it may end early.
      const grid = this.earlyGrid();
      if (this.clone && grid > 0) next = Math.min(next, (Math.floor(this.current.now / grid) + 1) * grid);
      // Stop at each sample time the branch has not sampled yet (known moments are not sampled again).
      if (sampleEvery > 0 && this.metrics.lastTime < next) {
        next = Math.min(next, (Math.floor(Math.max(this.current.now, this.metrics.lastTime) / sampleEvery) + 1) * sampleEvery);
      }
      this.current.runUntil(next);
      this.collect();
      if (sampleEvery > 0 && next % sampleEvery === 0) this.takeSample();
      if (this.clone && (next % this.everyMs === 0 || this.gapFull(next, grid))) this.takeCheckpoint(true);
    }
    this.collect();
  }

  /**
   * The finest spacing (minEveryMs) while the current one may still narrow: not thinned, not
   * at its narrowest, the run's work counted; 0 otherwise (a gap ends only at its spacing).
   */
  private earlyGrid(): number {
    const grid = this.minEveryMs;
    return !this.thinned && this.workMark !== undefined && this.everyMs > grid && Number.isInteger(grid) ? grid : 0;
  }

  /**
   * The gap since the last checkpoint is full, at a moment of the finest spacing (`grid`,
   * earlyGrid's, as read for the step that reached `at`): it ends here, not at its spacing.
   * Before any gap was measured, full is the work that narrows the spacing (narrowSpacing's
   * measure); after, twice that, the most a gap of the measured spacing holds, so that only
   * a load that rose since ends a gap early. Without it, the
   * first gap of a busy run (15 s, before the spacing could narrow: up to 15 s of replay,
   * 0.7 s at 6 x 50 and 2,000 records/s) and the first after the load rose were a seek's
   * worst case.
   */
  private gapFull(at: number, grid: number): boolean {
    if (grid === 0 || at % grid !== 0) return false;
    const events = this.current.eventsRun;
    return events !== undefined && events - this.workMark!.events >= (this.spacingMeasured ? 2 : 1) * this.enoughWork();
  }

  /** Work a gap may hold: DENSE_GAP_EVENTS, and more than a checkpoint costs (by the last one's footprint). */
  private enoughWork(): number {
    return Math.max(this.denseGapEvents, (this.lastCheckpointBytes / 1e6) * EVENTS_PER_FOOTPRINT_MB);
  }

  /** Shows moment t of the current branch (the past through a checkpoint or a replay). */
  seek(t: number): void {
    this.runUntil(this.prepareSeek(t));
  }

  /**
   * The first half of a seek: installs the starting point (a checkpoint copy or a fresh
   * cluster) when t is behind the current moment; the caller then runs to the returned
   * target, in slices if it likes (a long replay must not freeze the worker).
   */
  prepareSeek(t: number): number {
    const target = Math.max(this.originMs, Math.floor(t));
    if (target < this.current.now) this.install(this.startingPoint(target));
    else if (this.checkpoints.some((c) => c.at > this.current.now && c.at <= target)) {
      // Far ahead in the known run: a checkpoint past here is closer than running all the way.
      this.install(this.startingPoint(target));
    }
    return target;
  }

  /** The previous / next marker's time from now, or null when there is none. */
  markerTime(dir: -1 | 1): number | null {
    const now = this.current.now;
    if (dir < 0) {
      for (let i = this.markerList.length - 1; i >= 0; i--) if (this.markerList[i]!.at < now) return this.markerList[i]!.at;
      return null;
    }
    for (const m of this.markerList) if (m.at > now) return m.at;
    return null;
  }

  /**
   * A live action at now + 1. Looking at a past moment (now < end), it forks: the timeline
   * after now is replaced by this action.
   */
  perform(request: ActionRequest): TimelineAction {
    const t = this.current.now;
    const fork = t < this.end;
    const removed = fork ? this.timeline.filter((a) => a.at > t) : [];
    const stash = this.takeFuture(t);
    if (fork) {
      this.timeline = this.timeline.filter((a) => a.at <= t);
      this.markerRevision++;
      this.rebase(t);
    }
    const action = this.current.perform(request);
    this.insertAction(action);
    this.undoStack.push({ t, action, removed, stash });
    if (this.undoStack.length > this.maxUndo) this.undoStack.shift();
    this.redoStack = [];
    return action;
  }

  /** Takes the last action back, restores the branch it replaced, and shows the moment it was taken at. */
  undo(): TimelineAction | null {
    const e = this.undoStack.pop();
    if (!e) return null;
    const mine = this.takeFuture(e.t);
    this.timeline = sortedTimeline(this.timeline.filter((a) => a !== e.action).concat(e.removed));
    this.putFuture(e.stash);
    this.redoStack.push({ ...e, stash: mine });
    this.markerRevision++;
    this.rebase(e.t);
    return e.action;
  }

  /** Does the last undone action again (with the branch that followed it) and shows its moment. */
  redo(): TimelineAction | null {
    const e = this.redoStack.pop();
    if (!e) return null;
    const mine = this.takeFuture(e.t);
    const removed = new Set(e.removed);
    this.timeline = this.timeline.filter((a) => !removed.has(a));
    this.insertAction(e.action);
    this.putFuture(e.stash);
    this.undoStack.push({ ...e, stash: mine });
    this.markerRevision++;
    this.rebase(e.t);
    this.runUntil(e.action.at);
    return e.action;
  }

  // ---- internals ---------------------------------------------------------------------------

  /** The branch's timeline changed: the current cluster must follow it (or be rebuilt) at t. */
  private rebase(t: number): void {
    if (this.current.now <= t) {
      try {
        adoptTimeline(this.current, this.timeline);
        this.runUntil(t);
        return;
      } catch {
        // Cannot change this cluster's future: build the moment again.
      }
    }
    this.install(this.startingPoint(t));
    this.runUntil(t);
  }

  /** The cheapest exact way to reach t: a checkpoint copy at or before t, else a replay from 0. */
  private startingPoint(t: number): C {
    if (this.clone) {
      for (let i = this.checkpoints.length - 1; i >= 0; i--) {
        const cp = this.checkpoints[i]!;
        if (cp.at > t) continue;
        try {
          const copy = this.clone(cp.cluster);
          adoptTimeline(copy, this.timeline);
          this.stats.restores++;
          return copy;
        } catch (err) {
          this.disableCheckpoints(err);
        }
        break;
      }
    }
    if (!this.replayable) {
      throw new Error(
        `This run was reopened from its saved disks at ${(this.originMs / 1000).toFixed(1)} s, which keep no history: ` +
          `going back is not available in it. Start the scenario again (or open its share link) to travel in time.`,
      );
    }
    this.stats.replaysFromZero++;
    return this.freshCluster();
  }

  /**
   * Moment 0 of the branch. With checkpoints, the constructed cluster becomes checkpoint 0
   * (when there is none) and a copy of it runs (see "The machine runs copies" above).
   */
  private freshCluster(): C {
    const built = this.opts.createCluster(this.document());
    const clone = this.clone;
    if (!clone) return built;
    try {
      const copy = clone(built);
      if (!this.checkpoints.some((c) => c.at === 0)) {
        this.lastCheckpointBytes = this.opts.footprint?.(copy) ?? 0;
        insertSorted(this.checkpoints, { at: 0, cluster: built, bytes: this.lastCheckpointBytes });
        this.stats.checkpointsTaken++;
      }
      return copy;
    } catch (err) {
      this.disableCheckpoints(err);
      return built;
    }
  }

  private install(c: C): void {
    this.current = c;
    this.markWork();
    this.clusterGeneration++;
    // Every event this cluster already holds is at or before its clock, so already known.
    this.eventScan = c.allEvents?.().length ?? 0;
  }

  private takeSample(): void {
    const sample = this.opts.sample;
    if (!sample) return;
    const c = this.current;
    this.metrics.record(c.now, (put) => sample(c, put));
  }

  /**
   * A checkpoint of now. `handOver`: the checkpoint keeps the running cluster and the run
   * continues in the copy (not for a cluster the owner handed in: it may hold on to it).
   */
  private takeCheckpoint(handOver = false): void {
    const clone = this.clone;
    if (!clone) return;
    const at = this.current.now;
    if (this.checkpoints.some((c) => c.at === at)) {
      // A known checkpoint (a replay passing it): the next gap's work counts from here.
      if (handOver) this.markWork();
      return;
    }
    try {
      const copy = clone(this.current);
      const bytes = this.opts.footprint?.(copy) ?? 0;
      this.lastCheckpointBytes = bytes;
      if (handOver) {
        insertSorted(this.checkpoints, { at, cluster: this.current, bytes });
        this.current = copy;
        this.opts.onHandOver?.(copy);
        this.narrowSpacing();
      } else {
        insertSorted(this.checkpoints, { at, cluster: copy, bytes });
      }
      this.stats.checkpointsTaken++;
    } catch (err) {
      this.disableCheckpoints(err);
      return;
    }
    while (this.checkpoints.length > 2 && (this.checkpoints.length > this.maxCheckpoints || this.checkpointBytes > this.budgetBytes)) {
      // Thin out: twice the spacing, every other checkpoint goes (the first stays).
      this.everyMs *= 2;
      this.thinned = true;
      this.checkpoints = this.checkpoints.filter((c, i) => i === 0 || c.at % this.everyMs === 0);
    }
  }

  /** Counts the current cluster's work from now on. */
  private markWork(): void {
    const events = this.current.eventsRun;
    this.workMark = events === undefined ? undefined : { at: this.current.now, events };
  }

  /**
   * After a checkpoint the run took: halves the spacing while a gap would still hold more
   * than DENSE_GAP_EVENTS and more than the checkpoint costs (enoughWork).
   */
  private narrowSpacing(): void {
    const last = this.workMark;
    this.markWork();
    const now = this.workMark;
    if (!last || !now || now.at <= last.at || this.thinned) return;
    const perMs = (now.events - last.events) / (now.at - last.at);
    this.spacingMeasured = true;
    const enough = this.enoughWork();
    while (this.everyMs % 2 === 0 && this.everyMs / 2 >= this.minEveryMs && (perMs * this.everyMs) / 2 >= enough) this.everyMs /= 2;
  }

  private disableCheckpoints(err: unknown): void {
    this.cloneError = err instanceof Error ? err.message : String(err);
    this.clone = undefined;
    // Keep the one an adopted run cannot do without? It cannot be copied anyway.
    this.checkpoints = [];
  }

  /** New markers for what the run did past the frontier. */
  private collect(): void {
    const now = this.current.now;
    const prevEnd = this.endMs;
    if (now <= prevEnd) {
      // Known moments: skip their events (they were collected the first time).
      this.eventScan = this.current.allEvents?.().length ?? 0;
      return;
    }
    const added: TimelineMarker[] = [];
    for (const a of this.timeline) {
      if (a.at > prevEnd && a.at <= now) added.push({ at: a.at, kind: 'action', action: a });
    }
    const events = this.current.allEvents?.();
    if (events) {
      if (this.eventScan > events.length) this.eventScan = events.length;
      for (let i = this.eventScan; i < events.length; i++) {
        const e = events[i]!;
        if (e.at <= prevEnd) continue;
        const kind = markerKind(e);
        if (kind) added.push({ at: e.at, kind, event: e });
      }
      this.eventScan = events.length;
    }
    this.endMs = now;
    if (added.length === 0) return;
    // Actions run before the events of their millisecond; sort is stable.
    added.sort((x, y) => x.at - y.at);
    for (const m of added) {
      if (this.markerList.length >= this.maxMarkers) this.markersOmitted++;
      else this.markerList.push(m);
    }
  }

  /** Detaches what belongs to the branch after t; the branch now ends at t. */
  private takeFuture(t: number): Future<C> {
    const future: Future<C> = {
      markers: this.markerList.filter((m) => m.at > t),
      checkpoints: this.checkpoints.filter((c) => c.at > t),
      end: this.end,
      samples: this.metrics.cut(t),
    };
    this.markerList = this.markerList.filter((m) => m.at <= t);
    this.checkpoints = this.checkpoints.filter((c) => c.at <= t);
    this.endMs = t;
    return future;
  }

  private putFuture(f: Future<C>): void {
    this.markerList = this.markerList.concat(f.markers);
    this.checkpoints = this.checkpoints.concat(f.checkpoints);
    this.endMs = f.end;
    this.metrics.restore(f.samples);
  }

  /** Where Cluster.perform puts it: after every action due at or before its time. */
  private insertAction(action: TimelineAction): void {
    let i = 0;
    while (i < this.timeline.length && this.timeline[i]!.at <= action.at) i++;
    this.timeline.splice(i, 0, action);
  }
}

function sortedTimeline(actions: TimelineAction[]): TimelineAction[] {
  // Stable: actions of one millisecond keep their recorded order (the Cluster sorts the same way).
  return actions.slice().sort((a, b) => a.at - b.at);
}

function insertSorted<C>(list: Checkpoint<C>[], cp: Checkpoint<C>): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.at > cp.at) i--;
  list.splice(i, 0, cp);
}

/** Which events mark the timeline, and as what. */
export function markerKind(e: ClusterEvent): MarkerKind | null {
  switch (e.type) {
    case 'BrokerDown':
    case 'BrokerUp':
    case 'BrokerFenced':
    case 'BrokerUnfenced':
    case 'BrokerIsolated':
    case 'BrokerHealed':
    case 'ControllerElected':
    case 'ControllerLost':
    case 'ControllerDown':
    case 'ControllerUp':
    case 'QuorumLeaderElected':
    case 'QuorumLeaderResigned':
    case 'PowerCut':
    case 'BrokerUnregistered':
      return 'broker';
    case 'LeaderElected':
      return e.reason === 'initial' ? null : 'leader';
    case 'PartitionOffline':
      return 'leader';
    case 'IsrShrink':
    case 'IsrExpand':
      return 'isr';
    case 'RebalanceCompleted':
    // The consumer group protocol (KIP-848) has no rebalance round: a new target assignment marks one.
    case 'TargetAssignmentComputed':
      return 'group';
    case 'RecordsLost':
      return 'loss';
    default:
      return null;
  }
}

/**
 * Makes a cluster's not-yet-applied actions the branch's. Its applied ones must be the
 * branch's first ones, else it throws (the caller then rebuilds the moment by replay).
 *
 * Uses `replaceFutureTimeline` when the cluster has it; otherwise the Cluster's own
 * `timeline` array and `nextAction` index (src/kafka/cluster.ts), mutated in place so
 * its `scenario()` document, which shares the array, stays in step.
 */
export function adoptTimeline(c: MachineCluster, timeline: readonly TimelineAction[]): void {
  if (typeof c.replaceFutureTimeline === 'function') {
    c.replaceFutureTimeline(timeline);
    return;
  }
  const inner = c as unknown as { timeline?: TimelineAction[]; nextAction?: number };
  if (!Array.isArray(inner.timeline) || typeof inner.nextAction !== 'number') {
    throw new Error('this cluster cannot change its timeline');
  }
  const applied = inner.nextAction;
  if (applied > timeline.length) throw new Error('the cluster applied actions this branch does not have');
  for (let i = 0; i < applied; i++) {
    if (JSON.stringify(inner.timeline[i]) !== JSON.stringify(timeline[i])) throw new Error('the cluster applied another branch');
  }
  inner.timeline.splice(applied, inner.timeline.length - applied, ...timeline.slice(applied).map((a) => ({ ...a })));
}
