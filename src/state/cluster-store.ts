/**
 * The cluster as the UI knows it: the latest snapshot from the worker, a bounded history
 * of its events, playback status and recent rates. The UI never computes cluster state;
 * it only derives views from what is stored here.
 */
import { create } from 'zustand';
import type { ClusterEvent, ClusterSnapshot } from '../kafka/snapshot';
import type { PlaybackStatus, TimelineMarker, TimelineStatus } from '../worker/protocol';
import type { LessonCheckpoint, LessonTryThis } from '../scenario/types';
import { pushRateSample, type RateSample } from './rates';

export const EVENT_HISTORY_LIMIT = 500;

export interface LoggedEvent {
  /** Increasing id, stable across trimming (React keys). */
  seq: number;
  event: ClusterEvent;
}

/** The run's time axis as the timeline bar draws it. */
export interface TimelineState {
  end: number;
  origin: number;
  canUndo: boolean;
  canRedo: boolean;
  markers: TimelineMarker[];
  /** Markers the worker did not keep (past its bound). */
  omitted: number;
}

export const EMPTY_TIMELINE: TimelineState = { end: 0, origin: 0, canUndo: false, canRedo: false, markers: [], omitted: 0 };

export interface ClusterState {
  snapshot: ClusterSnapshot | null;
  status: PlaybackStatus;
  events: LoggedEvent[];
  nextSeq: number;
  rateSamples: RateSample[];
  scenarioName: string | null;
  /** The scenario's description (Markdown source, shown as plain text). */
  scenarioDescription: string | null;
  /** A worker-side error shown to the user (the run goes on). */
  lastError: { message: string; seq: number } | null;
  timeline: TimelineState;
  /** A long replay toward a moment (a link opened at &t=), while it runs. */
  seeking: { target: number; reached: number } | null;
  receiveSnapshot(snapshot: ClusterSnapshot, status: PlaybackStatus, timeline?: TimelineStatus, eventsReset?: boolean): void;
  seekProgress(target: number, reached: number, done: boolean): void;
  /** The lesson's chapters (the scenario's `checkpoints`), by time. */
  chapters: LessonCheckpoint[];
  /** The lesson's Try this suggestions (the scenario's `tryThis`). */
  tryThis: LessonTryThis[];
  loaded(name: string | null, description?: string | null, chapters?: LessonCheckpoint[], tryThis?: LessonTryThis[]): void;
  reportError(message: string): void;
  dismissError(): void;
}

export const useClusterStore = create<ClusterState>()((set) => ({
  snapshot: null,
  status: { playing: false, speed: 1 },
  events: [],
  nextSeq: 1,
  rateSamples: [],
  scenarioName: null,
  scenarioDescription: null,
  lastError: null,
  timeline: EMPTY_TIMELINE,
  seeking: null,
  chapters: [],
  receiveSnapshot: (snapshot, status, timeline, eventsReset = false) =>
    set((s) => {
      // After a seek the worker sends the history up to that moment: it replaces ours.
      const appended = appendEvents(eventsReset ? [] : s.events, s.nextSeq, snapshot.events);
      // Rates are per second of virtual time; samples from another moment would mix runs.
      const samples = eventsReset || (s.snapshot !== null && snapshot.time < s.snapshot.time) ? [] : s.rateSamples;
      return {
        snapshot,
        status,
        events: appended.events,
        nextSeq: appended.nextSeq,
        rateSamples: pushRateSample(samples, snapshot),
        timeline: timeline ? applyTimeline(s.timeline, timeline) : s.timeline,
      };
    }),
  seekProgress: (target, reached, done) => set({ seeking: done ? null : { target, reached } }),
  // A new scenario: forget everything about the previous run.
  tryThis: [],
  loaded: (name, description = null, chapters = [], tryThis = []) =>
    set({ scenarioName: name, scenarioDescription: description, chapters, tryThis, events: [], rateSamples: [], snapshot: null, timeline: EMPTY_TIMELINE }),
  reportError: (message) => set((s) => ({ lastError: { message, seq: (s.lastError?.seq ?? 0) + 1 } })),
  dismissError: () => set({ lastError: null }),
}));

/** Appends, keeping only the newest EVENT_HISTORY_LIMIT. Pure, for tests. */
export function appendEvents(
  events: LoggedEvent[],
  nextSeq: number,
  incoming: ClusterEvent[],
  limit = EVENT_HISTORY_LIMIT,
): { events: LoggedEvent[]; nextSeq: number } {
  if (incoming.length === 0) return { events, nextSeq };
  const added = incoming.map((event, i) => ({ seq: nextSeq + i, event }));
  const all = events.concat(added);
  return { events: all.length > limit ? all.slice(all.length - limit) : all, nextSeq: nextSeq + incoming.length };
}

/** The worker's timeline status applied to ours: markers arrive as additions or whole. Pure, for tests. */
export function applyTimeline(prev: TimelineState, t: TimelineStatus): TimelineState {
  const markers = t.markers ? (t.markers.reset ? t.markers.added : prev.markers.concat(t.markers.added)) : prev.markers;
  return { end: t.end, origin: t.origin, canUndo: t.canUndo, canRedo: t.canRedo, markers, omitted: t.markers?.omitted ?? prev.omitted };
}
