/**
 * The samples the charts on screen draw (src/worker/metric-series.ts, sent by the worker
 * for the watched lines only, always ending at the playhead). One watch at a time: the
 * chart panel's. Plain arrays, replaced (not mutated) on each change so React redraws.
 */
import { create } from 'zustand';
import type { SeriesQuery } from '../worker/protocol';

export interface SeriesState {
  /** The current watch (its replies carry it; older ones are ignored). */
  watch: number;
  queries: SeriesQuery[] | null;
  times: number[];
  values: Record<string, number[]>;
  everyMs: number;
  /** Sets what is watched (null: nothing) and forgets the samples of the previous watch. */
  setWatch(queries: SeriesQuery[] | null): number;
  receive(msg: { watch: number; keep: number; times: number[]; values: Record<string, number[]>; everyMs: number }): void;
}

export const useSeriesStore = create<SeriesState>()((set, get) => ({
  watch: 0,
  queries: null,
  times: [],
  values: {},
  everyMs: 1000,
  setWatch: (queries) => {
    const watch = get().watch + 1;
    set({ watch, queries, times: [], values: {} });
    return watch;
  },
  receive: (msg) =>
    set((s) => {
      if (msg.watch !== s.watch) return s;
      const values: Record<string, number[]> = {};
      for (const q of s.queries ?? []) values[q.id] = (s.values[q.id] ?? []).slice(0, msg.keep).concat(msg.values[q.id] ?? []);
      return { times: s.times.slice(0, msg.keep).concat(msg.times), values, everyMs: msg.everyMs };
    }),
}));
