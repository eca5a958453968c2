/**
 * The charts' data: samples of the cluster's metrics over virtual time (issue 11), taken
 * by the TimeMachine every `everyMs` of virtual time as the run first passes each moment
 * (Cluster.sampleMetrics), and kept with the branch they belong to.
 *
 * Consistent with time travel: samples are appended only past the last one (a replay of a
 * known moment, after a seek back, adds nothing: the cluster is deterministic, so it would
 * add the same numbers); a fork or an undo cuts the samples after its moment and stashes
 * them with the branch they came from (`cut` / `restore`, beside the markers and
 * checkpoints). What the UI is shown stops at the playhead (`query` takes `upTo`).
 *
 * Compact: one shared array of times; each series an array of numbers from the sample it
 * first appeared in (NaN where it was absent). Only what a visible chart asks for leaves
 * the worker (`query`), and aggregates over many partitions are summed here.
 */

export interface SeriesData {
  start: number;
  values: number[];
}

/** The samples after a fork point, put aside with their branch. */
export interface SeriesStash {
  /** Index of the first stashed sample (the cut was made there). */
  from: number;
  times: number[];
  series: Map<string, SeriesData>;
}

/** One line a chart wants: a raw series, or the sum / max of several at each sample. */
export interface SeriesQuery {
  id: string;
  keys: string[];
  agg?: 'sum' | 'max' | 'min';
}

export class MetricSeries {
  private times: number[] = [];
  private readonly series = new Map<string, SeriesData>();
  /** Changes whenever samples were removed or replaced (not when appended). */
  revision = 0;

  constructor(readonly everyMs = 1000) {}

  get length(): number {
    return this.times.length;
  }

  get lastTime(): number {
    return this.times.length > 0 ? this.times[this.times.length - 1]! : -Infinity;
  }

  /** How many series are kept (diagnostics, the benchmark). */
  get seriesCount(): number {
    return this.series.size;
  }

  /** Numbers held in all series (diagnostics, the benchmark). */
  get valueCount(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.values.length;
    return n;
  }

  /** Appends the sample at t (later than every kept one; otherwise ignored: that moment is known). */
  record(t: number, sample: (put: (key: string, value: number) => void) => void): boolean {
    if (t <= this.lastTime) return false;
    const index = this.times.length;
    this.times.push(t);
    sample((key, value) => {
      let s = this.series.get(key);
      if (!s) {
        s = { start: index, values: [] };
        this.series.set(key, s);
      }
      const at = index - s.start;
      if (s.values.length > at) return; // the same key twice in one sample: the first counts
      while (s.values.length < at) s.values.push(NaN);
      s.values.push(value);
    });
    return true;
  }

  /** Index of the first sample later than t. */
  private indexAfter(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Detaches the samples after t (a fork or undo at t); they go with the branch they belong to. */
  cut(t: number): SeriesStash {
    const from = this.indexAfter(t);
    const stash: SeriesStash = { from, times: this.times.slice(from), series: new Map() };
    if (from === this.times.length) return stash;
    this.times.length = from;
    for (const [key, s] of this.series) {
      const keep = from - s.start;
      if (keep >= s.values.length) continue;
      if (keep <= 0) {
        stash.series.set(key, s);
        this.series.delete(key);
      } else {
        stash.series.set(key, { start: from, values: s.values.slice(keep) });
        s.values.length = keep;
      }
    }
    this.revision++;
    return stash;
  }

  /** Puts a branch's stashed samples back (after `cut` at the same moment); false when they no longer fit. */
  restore(stash: SeriesStash): boolean {
    if (stash.times.length === 0) return true;
    if (stash.from !== this.times.length) return false;
    for (const t of stash.times) this.times.push(t);
    for (const [key, tail] of stash.series) {
      const s = this.series.get(key);
      if (!s) {
        this.series.set(key, { start: tail.start, values: tail.values.slice() });
        continue;
      }
      while (s.start + s.values.length < tail.start) s.values.push(NaN);
      for (const v of tail.values) s.values.push(v);
    }
    this.revision++;
    return true;
  }

  /** How many samples are at or before t (the playhead). */
  countUpTo(t: number): number {
    return this.indexAfter(t);
  }

  /** Keys of kept series that start with prefix (a chart lists the partitions it can show). */
  keysWithPrefix(prefix: string): string[] {
    const out: string[] = [];
    for (const k of this.series.keys()) if (k.startsWith(prefix)) out.push(k);
    return out.sort();
  }

  /**
   * Samples [from, to) for the queries: times, and one array per query id (NaN where no
   * series of the query had a value). Aggregates skip NaN.
   */
  query(queries: readonly SeriesQuery[], from: number, to: number): { times: number[]; values: Record<string, number[]> } {
    const lo = Math.max(0, from);
    const hi = Math.min(this.times.length, to);
    const times = this.times.slice(lo, Math.max(lo, hi));
    const values: Record<string, number[]> = {};
    for (const q of queries) {
      const out = new Array<number>(times.length).fill(NaN);
      const agg = q.agg ?? 'sum';
      for (const key of q.keys) {
        const s = this.series.get(key);
        if (!s) continue;
        for (let i = 0; i < times.length; i++) {
          const v = s.values[lo + i - s.start];
          if (v === undefined || Number.isNaN(v)) continue;
          const cur = out[i]!;
          if (Number.isNaN(cur)) out[i] = v;
          else out[i] = agg === 'max' ? Math.max(cur, v) : agg === 'min' ? Math.min(cur, v) : cur + v;
        }
      }
      values[q.id] = out;
    }
    return { times, values };
  }
}
