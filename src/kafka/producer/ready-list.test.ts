/**
 * A producer's partitions ready to send are kept per node in a list that is emptied and kept
 * (NodeOpen.ready), not a Set made per request: a partition joins a list once (its mark names
 * the list it joined last), and a request takes its node's list whole, the partitions its
 * closing batches make ready included (Sender.sendProduceRequests: one batch per partition
 * per request). Here partitions often have more than one batch queued (a high rate,
 * linger.ms 5 and a small batch.size, leaders killed and restarted): every request must
 * still carry each partition once, and a run copied at many moments must go on as the original.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenario/types';
import { Cluster } from '../cluster';
import { copiedRun } from '../invariants/copied-run';
import { ordersOnThreeBrokers, wrapMethod } from '../invariants/test-fixtures';
import { Producer } from './producer';

function scenario(): Scenario {
  return ordersOnThreeBrokers({
    seed: 21,
    latencyMs: 3,
    partitions: 8,
    clients: [{ kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 5, 'batch.size': 1000 } }],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 3000, keys: 64, valueBytes: 40 },
      { at: 2500, op: 'killBroker', broker: 1 },
      { at: 4500, op: 'restartBroker', broker: 1 },
      { at: 6000, op: 'killBroker', broker: 2 },
      { at: 8000, op: 'restartBroker', broker: 2 },
      { at: 10000, op: 'stopLoad', producer: 'p', topic: 'orders' },
    ],
  });
}

interface SentView {
  batches: { key: string }[];
}
interface ReadyView {
  readyId: number;
}
interface QueueView {
  readyMark: number;
}

describe("a producer's ready partitions, per node", () => {
  it('every request carries each partition once, though partitions become ready again while their node is drained', () => {
    const problems: string[] = [];
    let sends = 0;
    let multi = 0;
    let joinedAgain = 0;
    const restore = [
      wrapMethod(Producer.prototype, 'sendRequest', (a) => {
        const keys = (a[0] as SentView).batches.map((b) => b.key);
        sends++;
        if (keys.length > 1) multi++;
        if (new Set(keys).size !== keys.length) problems.push(`send ${sends}: ${keys.join(' ')}`);
      }),
      wrapMethod(Producer.prototype, 'markReady', (a) => {
        if ((a[1] as QueueView).readyMark === (a[0] as ReadyView).readyId) joinedAgain++;
      }),
    ];
    let c!: Cluster;
    try {
      c = new Cluster(scenario());
      c.runUntil(16000);
    } finally {
      for (const r of restore) r();
    }
    expect(problems.slice(0, 3)).toEqual([]);
    // The cases under test happened: requests of several partitions, partitions made ready
    // again while already in their node's list (a closing batch of a partition waiting there).
    expect(sends).toBeGreaterThan(1000);
    expect(multi).toBeGreaterThan(sends / 10);
    expect(joinedAgain).toBeGreaterThan(500);
    const p = c.producers.get('p')!;
    expect(p.pendingRecords()).toBe(0);
    expect(p.acked + p.failed).toBe(p.sent);
  });

  it('a cluster copied at many moments (ready lists, their marks and spares) runs on exactly as the original', () => {
    const run = copiedRun(() => new Cluster(scenario(), { recordProduced: true }), 7000);
    expect(run.copies).toBeGreaterThan(35);
    expect(run.copied).toBe(run.straight);
  });
});
