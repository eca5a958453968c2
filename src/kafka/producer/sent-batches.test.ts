/**
 * A ProduceRequest hands its batch arrays over: the leader stores the very array it was sent
 * (UnifiedLog.appendAsLeader owned, no copy) and stamps the base offset and leader epoch into
 * it, and followers store the leader's array by reference. That is safe only while a sender
 * never sends one array twice: a producer's retry sends a copy (Producer.sendTo). Were an
 * array sent again and appended by another leader, that leader's stamp would rewrite the
 * bytes already in the first leader's log.
 *
 * The invariant checked: a stored batch never changes. Its header (where stamps go) is
 * remembered when first seen in any log and compared on every later check; and it says
 * where it is stored (the base offset its segment indexed it under).
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenario/types';
import { Cluster } from '../cluster';
import { FAULT_END_MS, randomScenario } from '../invariants/random-scenario';
import { BATCH_HEADER_SIZE, batchBaseOffset } from '../log/record-batch';

/** Every stored batch's header as first seen, by array. */
type Seen = WeakMap<Uint8Array, Uint8Array>;

function storedBatchProblems(cluster: Cluster, seen: Seen): string[] {
  const v: string[] = [];
  for (const [id, b] of cluster.brokers) {
    for (const [key, log] of b.logs) {
      for (const seg of log.segments) {
        seg.batchList().forEach((batch, i) => {
          const base = seg.baseAt(i);
          if (batchBaseOffset(batch) !== base) v.push(`${key}@${id}: batch indexed at offset ${base} says ${batchBaseOffset(batch)}`);
          const header = seen.get(batch);
          if (header === undefined) seen.set(batch, batch.slice(0, BATCH_HEADER_SIZE));
          else if (header.some((x, j) => batch[j] !== x)) v.push(`${key}@${id}: the stored batch at ${base} was rewritten after it was appended`);
        });
      }
    }
  }
  return v;
}

function runChecked(scenario: Scenario, untilMs: number, everyMs: number, atStep?: (c: Cluster, t: number) => void): { cluster: Cluster; problems: string[] } {
  const cluster = new Cluster(scenario, { recordConsumed: false, recordProduced: false });
  const seen: Seen = new WeakMap();
  const problems: string[] = [];
  for (let t = everyMs; t <= untilMs && problems.length === 0; t += everyMs) {
    cluster.runUntil(t);
    atStep?.(cluster, t);
    problems.push(...storedBatchProblems(cluster, seen).map((p) => `t=${t}: ${p}`));
  }
  return { cluster, problems };
}

describe('batches a producer sent', () => {
  it('a batch appended by a leader whose answer was lost, then retried to the next leader, stays as the first leader stored it', () => {
    // acks=1: the leader answers as soon as it appended. It is cut off the moment the batch
    // is in its log, before the answer or any follower fetch leaves it: the producer times
    // out and sends the batch again, to the leader elected meanwhile, which appends it too.
    const scenario: Scenario = {
      version: 1,
      name: 'retry after a lost answer',
      seed: 7,
      cluster: { brokers: [1, 2, 3].map((id) => ({ id, rack: null })), network: { latencyMs: 1, jitterMs: 0 } },
      topics: [{ name: 'orders', partitions: 1, replicationFactor: 3 }],
      clients: [{ kind: 'producer', id: 'p', config: { acks: 1, 'request.timeout.ms': 2000, 'linger.ms': 0 } }],
      timeline: [{ at: 5000, op: 'produce', producer: 'p', topic: 'orders', key: 'k', value: 'v' }],
    };
    let isolated = -1;
    const { cluster, problems } = runChecked(scenario, 30000, 1, (c) => {
      if (isolated >= 0) return;
      for (const [id, b] of c.brokers) {
        const p = b.partitions.get('orders-0');
        if (p?.isLeader && p.log.logEndOffset > 0) {
          isolated = id;
          c.perform({ op: 'isolateBroker', broker: id });
        }
      }
    });
    expect(problems).toEqual([]);
    expect(isolated).toBeGreaterThan(0);
    const p = cluster.producers.get('p')!;
    expect(p.retries).toBeGreaterThan(0);
    // The batch is in the cut-off leader's log and (sent again) in the new leader's.
    const newLeader = cluster.controller.topics.get('orders')!.partitions[0]!.leader;
    expect(newLeader).not.toBe(isolated);
    expect(cluster.brokers.get(isolated)!.logs.get('orders-0')!.logEndOffset).toBe(1);
    expect(cluster.brokers.get(newLeader)!.logs.get('orders-0')!.logEndOffset).toBeGreaterThanOrEqual(1);
  });

  it('stay as stored through random kills, isolations and slow brokers under an acks=all load', () => {
    let retries = 0;
    for (let seed = 1; seed <= 4; seed++) {
      const { cluster, problems } = runChecked(randomScenario(seed), FAULT_END_MS + 5000, 250);
      expect(problems.slice(0, 5), `seed ${seed}`).toEqual([]);
      for (const p of cluster.producers.values()) retries += p.retries;
    }
    // The schedules did make producers resend batches (else this shows little).
    expect(retries).toBeGreaterThan(0);
  });
});
