/** The lost-tail arithmetic of a reopen: the previous page's marker against what was restored. */
import { describe, expect, it } from 'vitest';
import type { RestoreReport } from '../storage/status';
import { tailLoss } from './storage-store';

const report = (timeMs: number, records: number): RestoreReport => ({ timeMs, records, savedAtWallMs: 0, totalLogEndOffset: records * 3, logs: 9, cutOffsets: 0, problems: [] });

describe('tailLoss', () => {
  it('reports what the page showed after the last save', () => {
    expect(tailLoss({ timeMs: 12_400, records: 5200, wallMs: 0 }, report(12_000, 5000))).toEqual({ lostMs: 400, lostRecords: 200 });
  });
  it('reports nothing when the save is as fresh as the page (or fresher)', () => {
    expect(tailLoss({ timeMs: 11_900, records: 4990, wallMs: 0 }, report(12_000, 5000))).toEqual({ lostMs: 0, lostRecords: 0 });
  });
  it('has nothing to compare on a first visit', () => {
    expect(tailLoss(null, report(1, 1))).toBeNull();
  });
});
