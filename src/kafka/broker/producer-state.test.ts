import { describe, expect, it } from 'vitest';
import { NUM_BATCHES_TO_RETAIN, ProducerStateManager } from './producer-state';

/** Appends batches of `size` records from sequence 0 at offsets from 100, as a leader would. */
function withBatches(count: number, size: number): ProducerStateManager {
  const s = new ProducerStateManager();
  for (let i = 0; i < count; i++) {
    const first = i * size;
    expect(s.check(7, 0, first, first + size - 1)).toEqual({ kind: 'append' });
    s.update(7, 0, first, first + size - 1, 100 + first, 100 + first + size - 1);
  }
  return s;
}

describe('ProducerStateManager.check', () => {
  it('appends the next sequence, and a new producer only from sequence 0', () => {
    const s = withBatches(3, 4);
    expect(s.check(7, 0, 12, 15)).toEqual({ kind: 'append' });
    expect(s.check(8, 0, 0, 3)).toEqual({ kind: 'append' });
    expect(s.check(8, 0, 4, 7)).toEqual({ kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  });

  it('answers a retained batch sent again as a duplicate with its original offsets, the oldest retained one too', () => {
    const s = withBatches(NUM_BATCHES_TO_RETAIN + 2, 4);
    // Batches 2..6 (sequences 8..27) are retained; 0 and 1 are not any more.
    expect(s.check(7, 0, 24, 27)).toEqual({ kind: 'duplicate', firstOffset: 124, lastOffset: 127 });
    expect(s.check(7, 0, 8, 11)).toEqual({ kind: 'duplicate', firstOffset: 108, lastOffset: 111 });
    expect(s.check(7, 0, 4, 7)).toEqual({ kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  });

  it('refuses a gap, an overlap that matches no retained batch, and an older epoch', () => {
    const s = withBatches(3, 4);
    expect(s.check(7, 0, 13, 16)).toEqual({ kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(s.check(7, 0, 8, 12)).toEqual({ kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    s.update(7, 1, 0, 0, 200, 200);
    expect(s.check(7, 0, 12, 15)).toEqual({ kind: 'error', error: 'INVALID_PRODUCER_EPOCH' });
    expect(s.check(7, 1, 1, 1)).toEqual({ kind: 'append' });
  });
});
