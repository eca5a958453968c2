/**
 * The cluster as the UI knows it: the latest snapshot from the worker, a bounded history
 * of its events, playback status and recent rates. The UI never computes cluster state;
 * it only derives views from what is stored here.
 */
import { create } from 'zustand';
import type { ClusterEvent, ClusterSnapshot } from '../kafka/snapshot';
import type { PlaybackStatus } from '../worker/protocol';
import { pushRateSample, type RateSample } from './rates';

export const EVENT_HISTORY_LIMIT = 500;

export interface LoggedEvent {
  /** Increasing id, stable across trimming (React keys). */
  seq: number;
  event: ClusterEvent;
}

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
  receiveSnapshot(snapshot: ClusterSnapshot, status: PlaybackStatus): void;
  loaded(name: string | null, description?: string | null): void;
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
  receiveSnapshot: (snapshot, status) =>
    set((s) => {
      const appended = appendEvents(s.events, s.nextSeq, snapshot.events);
      return {
        snapshot,
        status,
        events: appended.events,
        nextSeq: appended.nextSeq,
        rateSamples: pushRateSample(s.rateSamples, snapshot),
      };
    }),
  // A new scenario: forget everything about the previous run.
  loaded: (name, description = null) =>
    set({ scenarioName: name, scenarioDescription: description, events: [], rateSamples: [], snapshot: null }),
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
