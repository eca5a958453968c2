/**
 * The produce path reuses what Kafka's semantics do not need made anew:
 *
 * - A producer sends an answered ProduceRequest again, refilled (its node's `answered` list:
 *   the request, its partitions, the answer objects it carries, its Calls). Only an answered
 *   one: a request that timed out may still be on its way, or parked at the broker, which
 *   fills its answer objects when it answers it (late). Sent again meanwhile, the late answer
 *   would overwrite the new request's answers.
 * - The broker answers in the objects the request brought (handleProduce, PendingProduce).
 * - A partition's parked acks=all produces are a list emptied by count, its slots past the
 *   count cleared (Partition.delayedProduces): nothing answered stays held there.
 *
 * Here requests time out while parked, on purpose: acks=all with min.insync.replicas=3 and a
 * follower cut off, so the high watermark stops and parked produces wait for the broker's
 * timeout, which comes after the producer's (request.timeout.ms counts from the send, the
 * broker's from the arrival). And a cluster copied at many moments runs on as the original.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenario/types';
import type { ProduceRequest, ProduceResponses } from '../broker/broker';
import { Cluster } from '../cluster';
import { copiedRun } from '../invariants/copied-run';
import { ordersOnThreeBrokers, wrapMethod } from '../invariants/test-fixtures';
import { Producer } from './producer';

function scenario(): Scenario {
  return ordersOnThreeBrokers({
    seed: 9,
    latencyMs: 2,
    partitions: 6,
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 5, 'request.timeout.ms': REQUEST_TIMEOUT_MS, 'delivery.timeout.ms': 120000 } },
      { kind: 'consumer', id: 'c', groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
    ],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 800, keys: 40, valueBytes: 30 },
      // Broker 3 cut off: until it leaves the ISR (replica.lag.time.max.ms) the HW stops and
      // parked produces time out at the producer first, then at the broker (late answers).
      { at: 3000, op: 'isolateBroker', broker: 3 },
      { at: 9000, op: 'healBroker', broker: 3 },
      { at: 14000, op: 'killBroker', broker: 2 },
      { at: 17000, op: 'restartBroker', broker: 2 },
      { at: 24000, op: 'stopLoad', producer: 'p', topic: 'orders' },
    ],
  });
}

interface InFlightView {
  req: ProduceRequest;
  settled: boolean;
}

const REQUEST_TIMEOUT_MS = 400;

describe('a producer reuses answered produce requests only', () => {
  it('a request is sent again only after its answer was read; one that timed out (its answer late) never is', () => {
    /** Requests handed to the network whose answer the producer has not read yet. */
    const open = new Set<ProduceRequest>();
    const seen = new Set<ProduceRequest>();
    const violations: string[] = [];
    let sends = 0;
    let reused = 0;
    let timedOut = 0;
    let late = 0;
    let answersInOwnObjects = 0;
    let c!: Cluster;
    /** When each request was last sent: its timeout comes exactly request.timeout.ms later. */
    const sentAt = new Map<InFlightView, number>();
    const timeouts: number[] = [];
    const restore = [
      wrapMethod(Producer.prototype, 'sendRequest', (a) => {
        const r = a[0] as InFlightView;
        sentAt.set(r, c.scheduler.now);
        sends++;
        if (open.has(r.req)) violations.push(`request sent again at send ${sends} while its previous send was not answered`);
        if (seen.has(r.req)) reused++;
        seen.add(r.req);
        open.add(r.req);
      }),
      wrapMethod(Producer.prototype, 'onRequestTimeout', (a) => {
        timedOut++;
        const r = (a[0] as { r: InFlightView }).r;
        timeouts.push(c.scheduler.now - sentAt.get(r)!);
      }),
      wrapMethod(Producer.prototype, 'onProduceResponse', (a) => {
        const r = a[0] as InFlightView;
        const resp = a[1] as ProduceResponses;
        if (r.settled) late++;
        else open.delete(r.req);
        if (resp === r.req.responses) answersInOwnObjects++;
      }),
      wrapMethod(Producer.prototype, 'onProduceReset', () => {}),
    ];
    try {
      c = new Cluster(scenario());
      c.runUntil(60000);
    } finally {
      for (const r of restore) r();
    }
    expect(violations.slice(0, 3)).toEqual([]);
    // The cases under test happened: requests reused, timed out, answered after their timeout.
    expect(sends).toBeGreaterThan(1000);
    expect(reused).toBeGreaterThan(sends / 2);
    expect(timedOut).toBeGreaterThan(0);
    expect(late).toBeGreaterThan(0);
    expect(answersInOwnObjects).toBeGreaterThan(sends / 2);
    // A reused request's earlier send, answered, never holds back another's timeout.
    expect(timeouts.filter((ms) => ms !== REQUEST_TIMEOUT_MS)).toEqual([]);
    // Every record got an end, and what was acknowledged is in the log once.
    const p = c.producers.get('p')!;
    expect(p.pendingRecords()).toBe(0);
    expect(p.acked + p.failed).toBe(p.sent);
    expect(p.acked).toBe(p.sent);
    const s = c.snapshot();
    const committed = s.partitions.filter((x) => x.topic === 'orders').reduce((n, x) => n + x.highWatermark, 0);
    expect(committed).toBeGreaterThanOrEqual(p.acked);
  });

  it('no answered produce stays held in a partition: its parked list holds exactly the produces waiting there', () => {
    const c = new Cluster(scenario());
    const problems: string[] = [];
    let parkedSeen = 0;
    for (let t = 50; t <= 26000 && problems.length === 0; t += 50) {
      c.runUntil(t);
      for (const b of c.brokers.values()) {
        for (const part of b.partitions.values()) {
          const x = part as unknown as { delayedProduces: ({ done: boolean } | null)[]; delayedProduceLength: number };
          const n = x.delayedProduceLength;
          parkedSeen += n;
          if (part.delayedProduceCount !== n) problems.push(`${part.key}: count ${part.delayedProduceCount}, length ${n}`);
          for (let i = 0; i < x.delayedProduces.length; i++) {
            const d = x.delayedProduces[i];
            if (i < n && (d === null || d === undefined || d.done)) problems.push(`at ${t} ms ${part.key}[${i}] of ${n} is ${d === null ? 'null' : 'answered'}`);
            if (i >= n && d !== null) problems.push(`at ${t} ms ${part.key}[${i}] past ${n} still holds a produce`);
          }
        }
      }
    }
    expect(problems.slice(0, 3)).toEqual([]);
    expect(parkedSeen).toBeGreaterThan(100);
  });

  it('a cluster copied at many moments (requests in flight, parked, timed out, answered ones held for reuse) runs on exactly as the original', () => {
    const run = copiedRun(() => new Cluster(scenario(), { recordConsumed: true, recordProduced: true }), 26000);
    expect(run.copies).toBeGreaterThan(140);
    expect(run.copied).toBe(run.straight);
  });
});
