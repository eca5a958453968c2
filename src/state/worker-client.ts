/**
 * The UI's handle on the cluster worker: sends commands, routes replies into the stores.
 * Requests that expect an answer (a log, the scenario) get a promise matched by requestId.
 */
import type { Scenario, TimelineAction } from '../scenario/types';
import type { BrowseRequest, BrowseResult } from '../kafka/browse';
import {
  PROTOCOL_VERSION,
  isVersioned,
  toWorker,
  type ActionRequest,
  type FromWorker,
  type Layout,
  type LogResult,
  type SeriesQuery,
  type PlaybackStatus,
  type TimelineStatus,
  type UiCommand,
} from '../worker/protocol';
import { EVENT_HISTORY_LIMIT, applyTimeline, useClusterStore } from './cluster-store';
import type { ClusterSnapshot } from '../kafka/snapshot';
import { applyDelta } from '../worker/snapshot-delta';
import { useUiStore } from './ui-store';
import { useStorageStore } from './storage-store';
import { useSeriesStore } from './series-store';

/** The part of a Worker the client uses (a MessagePort or a fake works as well). */
export interface Endpoint {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'messageerror', listener: (e: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (e: ErrorEvent) => void): void;
}

/**
 * How the page paces frames into the store (main.tsx): its clock, and a way to run code once
 * the page has done the work a frame handed to the store caused (React's render, style,
 * layout, paint: a task posted from the display frame runs after them).
 */
export interface FramePacing {
  now(): number;
  afterFrame(fn: () => void): void;
}

/**
 * The most of the main thread that taking frames may use: after a frame whose work took
 * c ms, the next is handed to the store no sooner than c / UI_FRAME_SHARE ms after it
 * started. A frame that costs a few ms goes in at every display frame, as fast as the worker
 * sends (30 a second); one that costs 25 ms (a broker's replica rows shown at 6 x 50 on a
 * busy machine) every ~60 ms, so the page keeps frames of its own for scrolling, dragging
 * and typing, and the frames waiting meanwhile go in as one (the latest snapshot, every event).
 */
export const UI_FRAME_SHARE = 0.4;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class WorkerClient {
  private nextRequestId = 1;
  /** The frame the store's snapshot is (deltas apply to it); null until a whole one arrived. */
  private frameSeq: number | null = null;
  private readonly pending = new Map<number, Pending>();
  /** Called with each action as the cluster recorded it (with its virtual time). */
  onPerformed: ((action: TimelineAction) => void) | null = null;
  /** Called when a run was installed: a scenario from its start, or (fromDisk) a saved playground. */
  onLoaded: ((info: { name: string | null; fromDisk: boolean }) => void) | null = null;
  /** The worker could not run a share link's scenario (src/state/link-open.ts). */
  onLinkRefused: ((reason: string) => void) | null = null;
  /** The worker failed outside any request (uncaught error, unreadable message): say so, and unblock an open. */
  onFailure: ((reason: string) => void) | null = null;

  /**
   * Frames (whole snapshots and deltas) received since the store was last updated: with a
   * `schedule` (requestAnimationFrame in the page), they reach the store at most once per
   * display frame, however fast they arrive or however long a render takes, so the main
   * thread never works through a backlog. Without one (tests), each goes in at once.
   */
  private pendingFrame: {
    snapshot: ClusterSnapshot;
    status: PlaybackStatus;
    timeline: TimelineStatus | undefined;
    eventsReset: boolean;
    events: ClusterSnapshot['events'];
  } | null = null;
  private flushScheduled = false;

  /** With pacing: the page clock's time before which the next frame waits (see UI_FRAME_SHARE). */
  private nextFrameAt = -Infinity;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly schedule: ((flush: () => void) => void) | null = null,
    private readonly pacing: FramePacing | null = null,
  ) {
    endpoint.addEventListener('message', (e) => this.receive(e.data));
    // Every failure of the worker surfaces: an error no handler caught there, or a message
    // from it that cannot be read here. Silence would leave the page "Opening…" for good.
    endpoint.addEventListener('error', (e) => this.failed(e.message || 'an error without a message'));
    endpoint.addEventListener('messageerror', () => this.failed('a message from the cluster worker could not be read'));
  }

  private failed(reason: string): void {
    useClusterStore.getState().reportError(`Cluster worker failed: ${reason}`);
    this.onFailure?.(reason);
  }

  send(cmd: UiCommand): void {
    this.endpoint.postMessage(toWorker(cmd));
  }

  /** The document this client last loaded (a lesson's Try this opens it again). */
  lastLoaded: Scenario | null = null;
  load(scenario: Scenario, play = true): void {
    this.lastLoaded = scenario;
    this.send({ type: 'load', scenario, play });
  }
  seek(t: number): void {
    this.send({ type: 'seek', t });
  }
  stepBack(ms: number): void {
    this.send({ type: 'stepBack', ms });
  }
  seekMarker(dir: -1 | 1): void {
    this.send({ type: 'seekMarker', dir });
  }
  undo(): void {
    this.send({ type: 'undo' });
  }
  redo(): void {
    this.send({ type: 'redo' });
  }
  play(): void {
    this.send({ type: 'play' });
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  step(ms: number): void {
    this.send({ type: 'step', ms });
  }
  setSpeed(speed: number): void {
    this.send({ type: 'setSpeed', speed });
  }
  perform(action: ActionRequest): void {
    this.send({ type: 'perform', action });
  }
  /** perform, and learn the action as the cluster recorded it (with its virtual time `at`). */
  performTracked(action: ActionRequest): Promise<TimelineAction> {
    return new Promise((resolve) => {
      this.awaitingPerformed.push({ key: JSON.stringify(action), resolve });
      this.perform(action);
    });
  }
  private readonly awaitingPerformed: { key: string; resolve(a: TimelineAction): void }[] = [];

  private performed(action: TimelineAction): void {
    if (this.awaitingPerformed.length > 0) {
      const { at: _at, ...request } = action;
      const key = JSON.stringify(request);
      const i = this.awaitingPerformed.findIndex((w) => w.key === key);
      if (i >= 0) this.awaitingPerformed.splice(i, 1)[0]!.resolve(action);
    }
    this.onPerformed?.(action);
  }
  setLayout(layout: Layout, opts: { replace?: boolean } = {}): void {
    this.send(opts.replace ? { type: 'setLayout', layout, replace: true } : { type: 'setLayout', layout });
  }

  requestLog(topic: string, partition: number, opts: { broker?: number; fromOffset?: number; limit?: number } = {}): Promise<LogResult | null> {
    const requestId = this.nextRequestId++;
    return this.request<LogResult | null>(requestId, () =>
      this.send({ type: 'requestLog', requestId, topic, partition, ...opts }),
    );
  }

  /** Shows these chart lines (null: no chart): the worker sends their samples up to the playhead. */
  watchSeries(queries: SeriesQuery[] | null): void {
    const watch = useSeriesStore.getState().setWatch(queries);
    this.send({ type: 'watchSeries', watch, queries });
  }

  /** A page of a topic's records (the message browser); rejects with the worker's message. */
  browse(request: BrowseRequest): Promise<BrowseResult> {
    const requestId = this.nextRequestId++;
    return this.request<BrowseResult>(requestId, () => this.send({ type: 'browse', requestId, request }));
  }

  exportScenario(): Promise<Scenario> {
    const requestId = this.nextRequestId++;
    return this.request<Scenario>(requestId, () => this.send({ type: 'exportScenario', requestId }));
  }

  private request<T>(requestId: number, send: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      send();
    });
  }

  private settle(requestId: number, value: unknown): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    p.resolve(value);
  }

  private receiveFrame(snapshot: ClusterSnapshot, status: PlaybackStatus, timeline: TimelineStatus | undefined, eventsReset: boolean): void {
    if (!this.schedule) {
      useClusterStore.getState().receiveSnapshot(snapshot, status, timeline, eventsReset);
      return;
    }
    const p = this.pendingFrame;
    this.pendingFrame = p
      ? {
          snapshot,
          status,
          timeline: mergeTimeline(p.timeline, timeline),
          eventsReset: p.eventsReset || eventsReset,
          // A reset's history replaces what came before it.
          events: eventsReset ? snapshot.events : p.events.concat(snapshot.events).slice(-EVENT_HISTORY_LIMIT),
        }
      : { snapshot, status, timeline, eventsReset, events: snapshot.events };
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.schedule(() => this.flush());
  }

  /** Hands the frames received since the last display frame to the store, as one (paced: see UI_FRAME_SHARE). */
  flush(): void {
    this.flushScheduled = false;
    const p = this.pendingFrame;
    if (!p) return;
    const pacing = this.pacing;
    const start = pacing?.now() ?? 0;
    if (pacing && this.schedule && start < this.nextFrameAt) {
      // Too soon after a costly frame: look again at the next display frame.
      this.flushScheduled = true;
      this.schedule(() => this.flush());
      return;
    }
    this.pendingFrame = null;
    useClusterStore.getState().receiveSnapshot({ ...p.snapshot, events: p.events }, p.status, p.timeline, p.eventsReset);
    if (pacing) {
      this.nextFrameAt = start;
      pacing.afterFrame(() => {
        this.nextFrameAt = start + (pacing.now() - start) / UI_FRAME_SHARE;
      });
    }
  }

  private receive(data: unknown): void {
    // The benchmark (bench/browser/ui.ts) measures what crosses from the worker, per message.
    const wire = (globalThis as { __kpWireStats?: { messages: number; bytes: number; maxBytes: number } }).__kpWireStats;
    const kind = (data as { type?: unknown } | null)?.type;
    if (wire && (kind === 'snapshot' || kind === 'delta')) {
      const bytes = JSON.stringify(data).length;
      wire.messages++;
      wire.bytes += bytes;
      wire.maxBytes = Math.max(wire.maxBytes, bytes);
    }
    if (!isVersioned(data) || data.v !== PROTOCOL_VERSION) {
      useClusterStore.getState().reportError('The cluster worker speaks another protocol version. Reload the page.');
      return;
    }
    const msg = data as FromWorker;
    switch (msg.type) {
      case 'snapshot':
        this.frameSeq = msg.seq ?? null;
        this.receiveFrame(msg.snapshot, msg.status, msg.timeline, msg.eventsReset ?? false);
        return;
      case 'delta': {
        const store = useClusterStore.getState();
        const prev = this.pendingFrame?.snapshot ?? store.snapshot;
        if (!prev || this.frameSeq === null || msg.delta.base !== this.frameSeq) {
          // Out of step (a frame lost, or the store was cleared by a new run): ask for a whole one.
          if (this.frameSeq !== -1) this.send({ type: 'resync' });
          this.frameSeq = -1;
          // Timeline markers are sent once: keep them even from a frame that cannot be applied.
          const timeline = msg.timeline;
          if (timeline) useClusterStore.setState((s) => ({ timeline: applyTimeline(s.timeline, timeline) }));
          return;
        }
        this.frameSeq = msg.delta.seq;
        this.receiveFrame(applyDelta(prev, msg.delta.base, msg.delta), msg.status, msg.timeline, false);
        return;
      }
      case 'seeking':
        useClusterStore.getState().seekProgress(msg.target, msg.reached, msg.done);
        return;
      case 'loaded':
        // Frames of the previous run still waiting for a display frame are of no use now.
        this.pendingFrame = null;
        useClusterStore.getState().loaded(msg.name, msg.description, msg.checkpoints ?? [], msg.tryThis ?? []);
        useUiStore.getState().setLayout(msg.layout);
        this.onLoaded?.({ name: msg.name, fromDisk: msg.fromDisk ?? false });
        return;
      case 'performed':
        this.performed(msg.action);
        return;
      case 'log':
        this.settle(msg.requestId, msg.result);
        return;
      case 'scenario':
        this.settle(msg.requestId, msg.scenario);
        return;
      case 'series':
        useSeriesStore.getState().receive(msg);
        return;
      case 'browse':
        this.settle(msg.requestId, msg.result);
        return;
      case 'storage':
        useStorageStore.getState().receive(msg);
        if (msg.linkRefused !== undefined) this.onLinkRefused?.(msg.linkRefused);
        return;
      case 'error': {
        if (msg.requestId !== undefined && this.pending.has(msg.requestId)) {
          const p = this.pending.get(msg.requestId)!;
          this.pending.delete(msg.requestId);
          p.reject(new Error(msg.message));
        }
        if (msg.fatal) this.failed(msg.message);
        else useClusterStore.getState().reportError(msg.message);
        return;
      }
      default: {
        const never: never = msg;
        void never;
      }
    }
  }
}

/** Two timeline statuses received one after the other, as one (markers added up, or the later reset). */
export function mergeTimeline(a: TimelineStatus | undefined, b: TimelineStatus | undefined): TimelineStatus | undefined {
  if (!a) return b;
  if (!b) return a;
  const markers = !b.markers ? a.markers : b.markers.reset || !a.markers ? b.markers : { reset: a.markers.reset, added: a.markers.added.concat(b.markers.added), omitted: b.markers.omitted };
  return markers ? { ...b, markers } : { ...b };
}

let client: WorkerClient | null = null;

export function setWorkerClient(c: WorkerClient): void {
  client = c;
}

/** The client; commands go through it. Null only before main.tsx has started the worker. */
export function getWorkerClient(): WorkerClient | null {
  return client;
}
