import { describe, expect, it } from 'vitest';
import { drainSeries, formatDuration, lastValue, rateSeries, trendSeries } from './derive';

const T = [1000, 2000, 3000, 4000, 5000, 6000];

describe('chart arithmetic', () => {
  it('rates a counter over a window, counting a reset (broker restart) from 0', () => {
    expect(rateSeries(T, [0, 100, 200, 300, 400, 500], 1000)).toEqual([NaN, 100, 100, 100, 100, 100]);
    expect(rateSeries(T, [0, 0, 0, 500, 500, 500], 2000)).toEqual([NaN, 0, 0, 250, 250, 0]);
    // Killed at 3 s (counter back to 0), counting again from 0 at 5 s: never negative.
    const r = rateSeries(T, [100, 200, 0, 0, 40, 80], 1000);
    expect(r).toEqual([NaN, 100, 0, 0, 40, 40]);
    expect(rateSeries(T, [NaN, NaN, 10, 20, 30, 40], 5000)).toEqual([NaN, NaN, NaN, 10, 10, 10]);
  });

  it('trends a gauge per second over a window', () => {
    expect(trendSeries(T, [0, 10, 20, 30, 20, 10], 2000)).toEqual([NaN, 10, 10, 10, 0, -10]);
  });

  it('estimates the time to drain: lag / consume rate while the lag shrinks', () => {
    // Lag 600 shrinking by 100/s while committing 150/s (50/s still arriving): 600/150 = 4 s.
    const lag = [1000, 900, 800, 700, 600, 0];
    const committed = [0, 150, 300, 450, 600, 1200];
    const d = drainSeries(T, lag, committed, 1000);
    expect(d[4]).toBeCloseTo(4000);
    expect(d[5]).toBe(0);
    // Lag growing although the group consumes: never drains at this rate.
    expect(drainSeries(T, [0, 50, 100, 150, 200, 250], [0, 50, 100, 150, 200, 250], 2000)[5]).toBe(Infinity);
    // A stopped consumer: nothing is committed.
    expect(drainSeries(T, [10, 10, 10, 10, 10, 10], [5, 5, 5, 5, 5, 5], 2000)[5]).toBe(Infinity);
  });

  it('says durations in words', () => {
    expect(formatDuration(4000)).toBe('4.0 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(Infinity)).toBe('not draining at this rate');
    expect(formatDuration(null)).toBe('–');
    expect(lastValue([1, 2, NaN])).toBe(2);
    expect(lastValue([1, Infinity, NaN])).toBe(Infinity);
    expect(lastValue([])).toBeNull();
  });
});
