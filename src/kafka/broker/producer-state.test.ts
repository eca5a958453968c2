import { describe, expect, it } from 'vitest';
import { Prng } from '../sim/prng';
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

/**
 * The rules as the first version of this file stated them, one array of small objects per
 * producer (Kafka's ProducerStateEntry: a deque of the last 5 BatchMetadata, oldest first).
 * The flat ring must answer every check as this does.
 */
class ReferenceState {
  private readonly producers = new Map<number, { epoch: number; batches: { firstSeq: number; lastSeq: number; firstOffset: number; lastOffset: number }[] }>();

  check(pid: number, epoch: number, firstSeq: number, lastSeq: number): unknown {
    const e = this.producers.get(pid);
    if (!e) return firstSeq === 0 ? { kind: 'append' } : { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
    if (epoch < e.epoch) return { kind: 'error', error: 'INVALID_PRODUCER_EPOCH' };
    if (epoch > e.epoch) return firstSeq === 0 ? { kind: 'append' } : { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
    const last = e.batches[e.batches.length - 1];
    if (firstSeq === (last ? (last.lastSeq + 1) | 0 : 0)) return { kind: 'append' };
    for (const b of e.batches) if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return { kind: 'duplicate', firstOffset: b.firstOffset, lastOffset: b.lastOffset };
    return { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
  }

  update(pid: number, epoch: number, firstSeq: number, lastSeq: number, firstOffset: number, lastOffset: number): void {
    let e = this.producers.get(pid);
    if (!e || epoch > e.epoch) this.producers.set(pid, (e = { epoch, batches: [] }));
    e.batches.push({ firstSeq, lastSeq, firstOffset, lastOffset });
    if (e.batches.length > NUM_BATCHES_TO_RETAIN) e.batches.shift();
  }

  marker(pid: number, epoch: number): string {
    const e = this.producers.get(pid);
    if (!e || epoch > e.epoch) this.producers.set(pid, { epoch, batches: [] });
    return e && epoch < e.epoch ? 'INVALID_PRODUCER_EPOCH' : 'NONE';
  }

  clear(): void {
    this.producers.clear();
  }
}

describe('ProducerStateManager against the reference rules', () => {
  it('answers every check alike over random appends, retries, epoch bumps, markers and rebuilds (200 seeds)', () => {
    const seen = new Map<string, number>();
    for (let seed = 1; seed <= 200; seed++) {
      const rng = new Prng(seed);
      const s = new ProducerStateManager();
      const ref = new ReferenceState();
      const next = new Map<number, { epoch: number; seq: number; sent: [number, number][] }>();
      let offset = 0;
      for (let step = 0; step < 300; step++) {
        const pid = rng.int(3);
        const p = next.get(pid) ?? { epoch: 0, seq: 0, sent: [] };
        next.set(pid, p);
        const op = rng.int(20);
        let epoch = p.epoch;
        let first = p.seq;
        let size = 1 + rng.int(4);
        if (op < 3 && p.sent.length > 0) {
          // A retry of a batch sent earlier (retained or not any more).
          [first, size] = p.sent[rng.int(p.sent.length)]!;
        } else if (op === 3) {
          first = p.seq + 1 + rng.int(3); // a gap
        } else if (op === 4) {
          epoch = p.epoch + 1; // a bumped epoch, starting at 0 or not
          first = rng.bool() ? 0 : 1 + rng.int(3);
        } else if (op === 5) {
          epoch = Math.max(0, p.epoch - 1); // a fenced (older) epoch
        } else if (op === 6) {
          const markerEpoch = p.epoch + rng.int(2);
          const cm = s.checkMarker(pid, markerEpoch);
          s.onTxnBatch(pid, markerEpoch, true, 'COMMIT', offset, offset);
          expect(cm, `seed ${seed} step ${step} marker`).toBe(ref.marker(pid, markerEpoch));
          offset++;
          if (markerEpoch > p.epoch) Object.assign(p, { epoch: markerEpoch, seq: 0, sent: [] });
          continue;
        } else if (op === 7 && rng.bool(0.2)) {
          s.clear();
          ref.clear();
          next.clear();
          continue;
        }
        const last = first + size - 1;
        const got = s.check(pid, epoch, first, last);
        expect(got, `seed ${seed} step ${step}`).toEqual(ref.check(pid, epoch, first, last));
        const kind = got.kind === 'error' ? got.error : got.kind;
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        if (got.kind === 'append') {
          s.update(pid, epoch, first, last, offset, offset + size - 1);
          ref.update(pid, epoch, first, last, offset, offset + size - 1);
          offset += size;
          if (epoch > p.epoch) Object.assign(p, { epoch, sent: [] });
          p.seq = last + 1;
          p.sent.push([first, size]);
        }
      }
    }
    // Every answer was exercised, duplicates of retained batches and refusals alike.
    for (const k of ['append', 'duplicate', 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'INVALID_PRODUCER_EPOCH']) expect(seen.get(k) ?? 0, k).toBeGreaterThan(100);
  });
});
