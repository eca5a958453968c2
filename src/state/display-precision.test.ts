import { describe, expect, it } from 'vitest';
import { Prng } from '../kafka/sim/prng';
import { formatBytes, formatRate } from '../ui/diagram/flow';
import { bytesForDisplay, rateForDisplay } from './display-precision';

describe('rates at the precision drawn', () => {
  it('over 20,000 random rates from 0 to 50 M/s, the rounded value prints as the rate itself', () => {
    const r = new Prng(5);
    let moved = 0;
    for (let i = 0; i < 20_000; i++) {
      // Spread over the magnitudes: 10^0 .. 10^7.7, with fractions.
      const x = 10 ** (r.int(7700) / 1000) * (r.bool() ? 1 : 0) + r.int(1000) / 1000;
      expect(formatRate(rateForDisplay(x)), `rate ${x}`).toBe(formatRate(x));
      expect(formatBytes(bytesForDisplay(x)), `bytes ${x}`).toBe(formatBytes(x));
      if (bytesForDisplay(x) !== Math.round(x)) moved++;
    }
    // Most of the range is rounded coarser than whole numbers (what keeps nodes unchanged).
    expect(moved).toBeGreaterThan(5000);
  });

  it('rounds at the steps the formatters print, and not where that would print otherwise', () => {
    // 999.6 prints "1000 B/s" and 9,999.6 "10.0 kB/s": no rounder value prints so.
    expect([999.4, 999.6, 1049, 47_941, 9_999.6, 1_234_567].map(bytesForDisplay)).toEqual([999, 999.6, 1000, 48_000, 9_999.6, 1_200_000]);
    expect([12.4, 1234, 12_345].map(rateForDisplay)).toEqual([12, 1200, 12_000]);
    expect(rateForDisplay(NaN)).toBeNaN();
  });
});
