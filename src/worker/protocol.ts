/**
 * The wire between the UI (main thread) and the worker that owns the cluster.
 *
 * Every message is a plain, structured-clone-safe object tagged by `type` and stamped with
 * the protocol version `v`, so a stale tab talking to a newer worker bundle (or the other
 * way round) fails loudly with an `error` instead of misreading fields. Extend by adding
 * cases; change a case's meaning only with a PROTOCOL_VERSION bump.
 */
import type { RecordView, ClusterSnapshot } from '../kafka/snapshot';
import type { Scenario, TimelineAction } from '../scenario/types';
import type { StorageCommand, StorageEvent } from '../storage/status';

export const PROTOCOL_VERSION = 1 as const;

/** Omit that distributes over a union (plain Omit would collapse the TimelineAction union). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A user action before the cluster stamps it with its virtual time. */
export type ActionRequest = DistributiveOmit<TimelineAction, 'at'>;

export type Layout = Record<string, { x: number; y: number }>;

export const MIN_SPEED = 0.1;
export const MAX_SPEED = 100;

/** UI → worker. `requestId` lets the client match a reply to its request. */
export type UiCommand =
  | { type: 'load'; scenario: Scenario; play?: boolean }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step'; ms: number }
  | { type: 'setSpeed'; speed: number }
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
  /**
   * Positions of diagram nodes the user placed, merged into the saved ones; with `replace`
   * they become the whole layout (Tidy forgets every position the user chose).
   */
  | { type: 'setLayout'; layout: Layout; replace?: boolean }
  | { type: 'exportScenario'; requestId: number }
  /** Persistence: open/restore, take over from another tab, reset, retry (src/storage/status.ts). */
  | ({ type: 'storage' } & StorageCommand);

export interface LogResult {
  /** The broker whose replica was read (the leader unless one was asked for). */
  broker: number;
  records: RecordView[];
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
}

/** Playback state, sent with every snapshot so the UI never guesses it. */
export interface PlaybackStatus {
  playing: boolean;
  speed: number;
}

/** Worker → UI. */
export type WorkerEvent =
  | { type: 'loaded'; name: string | null; description: string | null; layout: Layout }
  | { type: 'snapshot'; snapshot: ClusterSnapshot; status: PlaybackStatus }
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
  | { type: 'error'; message: string; requestId?: number }
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
