import { describe, expect, it } from 'vitest';
import { counterIncrease, drainMs, lagMs, lagRecords, ratePerSec, trendPerSec } from './lag';

describe('lag arithmetic', () => {
  it('lag in records is high watermark − committed, never below 0, null with nothing committed', () => {
    expect(lagRecords(120, 100)).toBe(20);
    expect(lagRecords(100, 100)).toBe(0);
    // A committed offset past the HW (after an unclean election truncated the log) is no negative lag.
    expect(lagRecords(90, 100)).toBe(0);
    expect(lagRecords(90, null)).toBeNull();
  });

  it('lag in time is the age of the oldest unconsumed record, 0 when nothing waits', () => {
    expect(lagMs(10_000, 5, 7_500)).toBe(2_500);
    expect(lagMs(10_000, 0, 7_500)).toBe(0);
    expect(lagMs(10_000, null, 7_500)).toBe(0);
    // The record is gone (retention) or unknown: its age cannot be told.
    expect(lagMs(10_000, 5, null)).toBe(0);
    // A producer clock ahead of now never makes a negative age.
    expect(lagMs(10_000, 5, 10_400)).toBe(0);
  });

  it('time to drain is lag / consume rate while the lag shrinks, Infinity when it does not', () => {
    expect(drainMs(500, 100, -40)).toBe(5_000);
    expect(drainMs(0, 0, 0)).toBe(0);
    expect(drainMs(500, 0, -1)).toBe(Infinity);
    // Consuming, but records arrive faster: at this rate it never drains.
    expect(drainMs(500, 100, 20)).toBe(Infinity);
    expect(drainMs(500, 100, 0)).toBe(Infinity);
  });

  it('a counter reset (a restarted broker) counts from 0, never as a negative increase', () => {
    expect(counterIncrease(100, 160)).toBe(60);
    expect(counterIncrease(1_000, 30)).toBe(30);
    expect(counterIncrease(1_000, 0)).toBe(0);
    expect(ratePerSec(100, 160, 1_000, 3_000)).toBe(30);
    expect(ratePerSec(1_000, 30, 1_000, 2_000)).toBe(30);
    expect(ratePerSec(5, 9, 1_000, 1_000)).toBe(0);
  });

  it('trend is the change per second over the window, skipping missing samples', () => {
    const t = [1000, 2000, 3000, 4000, 5000];
    expect(trendPerSec(t, [10, 20, 30, 40, 50], 10_000)).toBe(10);
    expect(trendPerSec(t, [10, 20, 30, 40, 50], 2_000)).toBe(10);
    expect(trendPerSec(t, [50, 40, 10, 10, 0], 2_000)).toBe(-5);
    expect(trendPerSec(t, [1, 2, 3, 8, NaN], 1_000)).toBe(5);
    expect(trendPerSec([1000], [5], 5_000)).toBe(0);
  });
});

describe('lag trend', () => {
  it('follows the direction of a lag that moves in steps, not its last step', () => {
    // A slow consumer: the lag grows 10/s between commits and drops by 40 at each (every 5 s): net +2/s.
    const times: number[] = [];
    const lag: number[] = [];
    let l = 0;
    for (let t = 1000; t <= 60_000; t += 1000) {
      l += 10;
      if (t % 5000 === 0) l -= 40;
      times.push(t);
      lag.push(l);
    }
    // Just after a commit the last step is down, yet over the minute the lag grew.
    expect(lag[lag.length - 1]! - lag[lag.length - 2]!).toBeLessThan(0);
    expect(trendPerSec(times, lag, 60_000)).toBeCloseTo(2, 0);
  });
});
