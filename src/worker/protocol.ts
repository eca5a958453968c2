/**
 * The wire between the UI (main thread) and the worker that owns the cluster.
 *
 * Every message is a plain, structured-clone-safe object tagged by `type` and stamped with
 * the protocol version `v`, so a stale tab talking to a newer worker bundle (or the other
 * way round) fails loudly with an `error` instead of misreading fields. Extend by adding
 * cases; change a case's meaning only with a PROTOCOL_VERSION bump.
 */
import type { RecordView, ClusterSnapshot } from '../kafka/snapshot';
import type { BrowseRequest, BrowseResult } from '../kafka/browse';
import type { LessonCheckpoint, LessonTryThis, Scenario, TimelineAction } from '../scenario/types';
import type { StorageCommand, StorageEvent } from '../storage/status';
import type { TimelineMarker } from './time-machine';
import type { SeriesQuery } from './metric-series';

export type { SeriesQuery } from './metric-series';
import type { SnapshotDelta } from './snapshot-delta';

export type { TimelineMarker, MarkerKind } from './time-machine';

/**
 * 2: snapshot deltas carry offsets rows as small numbers. 3: offsets, and integer record
 * tables (group offsets, consumer positions, broker metrics by id), as packed integers
 * relative to what the UI has (snapshot-delta.ts PackedOffsets, packed-ints.ts); broker
 * rates rounded to whole numbers (wireSnapshot). 4: record tables whose values may be null
 * (a group's offsets before its first commit) packed too (the `q` patch).
 */
export const PROTOCOL_VERSION = 4 as const;

/** Omit that distributes over a union (plain Omit would collapse the TimelineAction union). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A user action before the cluster stamps it with its virtual time. */
export type ActionRequest = DistributiveOmit<TimelineAction, 'at'>;

export type Layout = Record<string, { x: number; y: number }>;

export const MIN_SPEED = 0.1;
export const MAX_SPEED = 100;

/** UI → worker. `requestId` lets the client match a reply to its request. */
export type UiCommand =
  /** at: open paused at this virtual time (a link's `&t=`), replayed in slices with `seeking` progress. */
  | { type: 'load'; scenario: Scenario; play?: boolean; at?: number }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step'; ms: number }
  | { type: 'setSpeed'; speed: number }
  /** Time travel (src/worker/time-machine.ts): each pauses and shows that moment of the run. */
  | { type: 'seek'; t: number }
  | { type: 'stepBack'; ms: number }
  /** To the previous (-1) or next (1) timeline marker. */
  | { type: 'seekMarker'; dir: -1 | 1 }
  /** Takes the last action back (and shows the moment it was taken at) / does it again. */
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'perform'; action: ActionRequest }
  | {
      type: 'requestLog';
      requestId: number;
      topic: string;
      partition: number;
      broker?: number;
      fromOffset?: number;
      limit?: number;
    }
  /** The message browser: a page of a topic's records as a consumer sees them (src/kafka/browse.ts). */
  | { type: 'browse'; requestId: number; request: BrowseRequest }
  /**
   * Positions of diagram nodes the user placed, merged into the saved ones; with `replace`
   * they become the whole layout (Tidy forgets every position the user chose).
   */
  | { type: 'setLayout'; layout: Layout; replace?: boolean }
  | { type: 'exportScenario'; requestId: number }
  /**
   * The charts on screen want these lines (metric-series.ts): the worker sends their samples
   * up to the playhead now, then what changes (`series` events). null: no chart is shown.
   */
  | { type: 'watchSeries'; watch: number; queries: SeriesQuery[] | null }
  /** Persistence: open/restore, take over from another tab, reset, retry (src/storage/status.ts). */
  | ({ type: 'storage' } & StorageCommand)
  /** The UI lost track of the frames (a delta for another base): send the next one whole. */
  | { type: 'resync' };

export interface LogResult {
  /** The broker whose replica was read (the leader unless one was asked for). */
  broker: number;
  records: RecordView[];
  logStartOffset: number;
  highWatermark: number;
  /** The leader's last stable offset: read_committed consumers read below it (absent from older workers). */
  lastStableOffset?: number;
  logEndOffset: number;
}

/** Playback state, sent with every snapshot so the UI never guesses it. */
export interface PlaybackStatus {
  playing: boolean;
  speed: number;
}

/** The run's time axis, sent with every snapshot. */
export interface TimelineStatus {
  /** The furthest virtual time reached in the current branch. */
  end: number;
  /** The earliest moment that can be shown (0, unless the run was restarted from disk). */
  origin: number;
  canUndo: boolean;
  canRedo: boolean;
  /**
   * Markers since the previous snapshot: `reset` says the UI's list is to be replaced
   * (a fork, undo or a new run cut it), else `added` extends it. Absent: nothing new.
   */
  markers?: { reset: boolean; added: TimelineMarker[]; omitted: number };
}

/** The most events a snapshot carries; the UI keeps as many (cluster-store EVENT_HISTORY_LIMIT). */
export const EVENT_HISTORY_LIMIT = 500;

/** Worker → UI. */
export type WorkerEvent =
  /** fromDisk: a saved playground restarted from its disks, not a scenario run from its start. */
  | {
      type: 'loaded';
      name: string | null;
      description: string | null;
      layout: Layout;
      fromDisk?: boolean;
      /** Lesson chapters, by time: playing pauses at each (the host does), the lesson panel shows the caption. */
      checkpoints?: LessonCheckpoint[];
      /** The lesson's Try this suggestions (the lesson panel shows each with a button). */
      tryThis?: LessonTryThis[];
    }
  /**
   * eventsReset: `snapshot.events` is the history up to this moment (the last
   * EVENT_HISTORY_LIMIT), to replace the UI's list: the cluster was rebuilt at another moment.
   */
  | { type: 'snapshot'; snapshot: ClusterSnapshot; status: PlaybackStatus; timeline?: TimelineStatus; eventsReset?: boolean; seq?: number }
  /** What changed since the frame `delta.base` (snapshot-delta.ts); the host sends these when its `deltas` option is on. */
  | { type: 'delta'; delta: SnapshotDelta; status: PlaybackStatus; timeline?: TimelineStatus }
  /** A long replay (link open, seek far back without checkpoints) in progress, then done. */
  | { type: 'seeking'; target: number; reached: number; done: boolean }
  | { type: 'performed'; action: TimelineAction }
  | {
      type: 'log';
      requestId: number;
      topic: string;
      partition: number;
      /** null when no replica of that partition exists (deleted topic, unknown broker). */
      result: LogResult | null;
    }
  | { type: 'scenario'; requestId: number; scenario: Scenario }
  /**
   * Samples for the watched chart lines: keep the first `keep` samples already sent, drop
   * the rest, then append these (times in virtual ms; NaN where a line had no value).
   * Always ends at the playhead: after a seek back, `keep` cuts the later samples off.
   */
  | { type: 'series'; watch: number; keep: number; times: number[]; values: Record<string, number[]>; everyMs: number }
  | { type: 'browse'; requestId: number; result: BrowseResult }
  /** `fatal`: the worker itself failed (an uncaught error, a message it could not read), not one command. */
  | { type: 'error'; message: string; requestId?: number; fatal?: boolean }
  /** Persistence status, and what was restored on open (src/storage/status.ts). */
  | ({ type: 'storage' } & StorageEvent);

export type ToWorker = UiCommand & { v: typeof PROTOCOL_VERSION };
export type FromWorker = WorkerEvent & { v: typeof PROTOCOL_VERSION };

export function toWorker(cmd: UiCommand): ToWorker {
  return { ...cmd, v: PROTOCOL_VERSION };
}

export function fromWorker(ev: WorkerEvent): FromWorker {
  return { ...ev, v: PROTOCOL_VERSION };
}

export function clampSpeed(speed: number): number {
  if (!Number.isFinite(speed)) return 1;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
}

/** A cheap shape check for messages arriving from the other side (never trust `data`). */
export function isVersioned(data: unknown): data is { v: number; type: string } {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { v?: unknown }).v === 'number' &&
    typeof (data as { type?: unknown }).type === 'string'
  );
}
