/**
 * What the charts compute from the raw samples (src/worker/metric-series.ts): rates from
 * counters over a window, lag trends and the time to drain a lag. Pure functions over
 * arrays of virtual times (ms) and values (NaN: no sample), tested in derive.test.ts.
 */
import { counterIncrease, drainMs, slopePerSec } from '../../kafka/lag';

/** The first index at or after i whose time is within windowMs before times[i]. */
function windowStart(times: ArrayLike<number>, i: number, windowMs: number): number {
  let j = i;
  while (j > 0 && times[j - 1]! >= times[i]! - windowMs) j--;
  return j;
}

/**
 * Per second, from a counter, over the last windowMs at each sample: the increases of the
 * counter (a reset counts from 0, counterIncrease) over the elapsed time. NaN at the first
 * sample of a window and where the counter has no value.
 */
export function rateSeries(times: ArrayLike<number>, counter: ArrayLike<number>, windowMs: number): number[] {
  const out = new Array<number>(times.length).fill(NaN);
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(counter[i]!)) continue;
    const j = windowStart(times, i, windowMs);
    let sum = 0;
    let from = -1;
    for (let k = j; k < i; k++) {
      const a = counter[k]!;
      const b = counter[k + 1]!;
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      if (from < 0) from = k;
      sum += counterIncrease(a, b);
    }
    if (from < 0) continue;
    const dt = (times[i]! - times[from]!) / 1000;
    if (dt > 0) out[i] = sum / dt;
  }
  return out;
}

/** Change per second of a gauge over the last windowMs at each sample (least squares; NaN when unknown). */
export function trendSeries(times: ArrayLike<number>, gauge: ArrayLike<number>, windowMs: number): number[] {
  const out = new Array<number>(times.length).fill(NaN);
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(gauge[i]!)) continue;
    let j = windowStart(times, i, windowMs);
    while (j < i && !Number.isFinite(gauge[j]!)) j++;
    if (j === i) continue;
    out[i] = slopePerSec(times, gauge, times[i]! - windowMs, i);
  }
  return out;
}

/**
 * Estimated time to drain the lag (ms) at each sample: lag / consume rate over windowMs,
 * where the consume rate is the committed offsets' advance (summed over a group's
 * partitions) and the lag shrank over the same window; Infinity where it does not drain.
 */
export function drainSeries(times: ArrayLike<number>, lag: ArrayLike<number>, committed: ArrayLike<number>, windowMs: number): number[] {
  const rate = rateSeries(times, committed, windowMs);
  const trend = trendSeries(times, lag, windowMs);
  return Array.from({ length: times.length }, (_, i) => {
    const l = lag[i]!;
    if (!Number.isFinite(l)) return NaN;
    if (l <= 0) return 0;
    if (!Number.isFinite(rate[i]!) || !Number.isFinite(trend[i]!)) return NaN;
    return drainMs(l, rate[i]!, trend[i]!);
  });
}

/** The last finite value of a series, or null. */
export function lastValue(values: ArrayLike<number> | undefined): number | null {
  if (!values) return null;
  for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i]!) || values[i] === Infinity) return values[i]!;
  return null;
}

/** "12.3 s", "4 min 5 s", "not draining" (Infinity) for a duration in ms. */
export function formatDuration(ms: number | null): string {
  if (ms === null || Number.isNaN(ms)) return '–';
  if (ms === Infinity) return 'not draining at this rate';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}
