/**
 * Producer batches are built in reused buffers (RecordBatchBuilder.release): what a run
 * writes must not depend on what earlier batches in the same process left in them.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenario/types';
import { Cluster } from '../cluster';
import { RecordBatchBuilder, decodeRecords } from '../log/record-batch';
import { fillerText } from './producer';

function scenario(valueBytes: number): Scenario {
  return {
    version: 1,
    seed: 3,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], network: { latencyMs: 1, jitterMs: 0 } },
    topics: [{ name: 't', partitions: 2, replicationFactor: 3 }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 5 } }],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: 300, keys: 4, valueBytes },
      { at: 1500, op: 'stopLoad', producer: 'p', topic: 't' },
    ],
  };
}

/** Every batch of every log, as bytes. */
function logBytes(c: Cluster): number[][] {
  const out: number[][] = [];
  for (const b of [...c.brokers.values()]) for (const log of b.logs.values()) for (const s of log.segments) for (const x of s.batchList()) out.push([...x]);
  return out;
}

/** Gives the builder pool buffers full of 0xff, as a previous run's batches could leave them. */
function dirtyPool(): void {
  for (let i = 0; i < 64; i++) {
    const b = new RecordBatchBuilder({ baseTimestamp: 0, batchSize: 1 << 20 });
    b.tryAppend(0, null, new Uint8Array(9000).fill(0xff));
    b.release();
  }
}

describe('producer batches in reused buffers', () => {
  it('values longer than the filler text end in zeros, whatever the buffers held', () => {
    const clean = new Cluster(scenario(6000));
    clean.runUntil(3000);
    dirtyPool();
    const dirty = new Cluster(scenario(6000));
    dirty.runUntil(3000);
    const a = logBytes(clean);
    expect(a.length).toBeGreaterThan(10);
    expect(logBytes(dirty)).toEqual(a);
    const firstLog = [...dirty.brokers.get(1)!.logs.values()][0]!;
    const value = decodeRecords(firstLog.segments[0]!.batchAt(0))[0]!.value!;
    expect(value.length).toBe(6000);
    expect(value.subarray(5000).every((x) => x === 0)).toBe(true);
  });

  it('a load\'s values are "<producer>#<seq> " and the filler from (seq * 13) mod (4096 - rest), whatever sizes ran before', () => {
    const filler = fillerText();
    const dec = new TextDecoder();
    // Sizes in turn, in one process: the filler's views are cached by start, and a start seen
    // at one size must give the other size's bytes.
    for (const size of [100, 300, 100, 4090]) {
      const c = new Cluster(scenario(size));
      c.runUntil(2000);
      let checked = 0;
      for (const log of c.brokers.get(1)!.logs.values()) {
        for (const s of log.segments) for (const batch of s.batchList()) for (const r of decodeRecords(batch)) {
          const v = r.value!;
          expect(v.length).toBe(size);
          const text = dec.decode(v);
          const m = /^p#(\d+) /.exec(text)!;
          expect(m).not.toBeNull();
          const seq = Number(m[1]);
          const take = size - m[0].length;
          const from = (seq * 13) % (filler.length - take > 0 ? filler.length - take : 1);
          expect([...v.subarray(m[0].length)]).toEqual([...filler.subarray(from, from + take)]);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(100);
    }
  });
});
