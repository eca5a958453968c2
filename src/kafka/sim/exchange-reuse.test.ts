/**
 * A request's Exchange is reused for a later round trip once its own is over (its answer
 * arrived: Network.answerArrives), never earlier: while its request or answer travels, while
 * the receiver holds it unanswered (a parked fetch or produce, in the node's open requests and
 * its Deferred), it must be the only round trip it carries. Here requests park and time out,
 * brokers die with requests parked (resets), a broker is cut off (requests and answers lost,
 * and sent again on the same Exchange once the cut heals: the same round trip), and a run
 * copied at many moments must go on as the original.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenario/types';
import { Cluster } from '../cluster';
import { copiedRun } from '../invariants/copied-run';
import { ordersOnThreeBrokers } from '../invariants/test-fixtures';
import { Network, type Exchange } from './network';
import { Scheduler, type Scheduled } from './scheduler';

function scenario(): Scenario {
  return ordersOnThreeBrokers({
    seed: 5,
    latencyMs: 2,
    partitions: 6,
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 5, 'request.timeout.ms': 400 } },
      { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': 300 } },
      { kind: 'consumer', id: 'c2', groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': 300 } },
    ],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 600, keys: 40, valueBytes: 30 },
      { at: 2000, op: 'isolateBroker', broker: 3 },
      { at: 5000, op: 'healBroker', broker: 3 },
      { at: 7000, op: 'killBroker', broker: 2 },
      { at: 9000, op: 'restartBroker', broker: 2 },
      { at: 11000, op: 'stopLoad', producer: 'p', topic: 'orders' },
      { at: 12000, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 50, keys: 40, valueBytes: 30 },
    ],
  });
}

describe("a request's Exchange", () => {
  it('carries one round trip at a time: reused only after its answer arrived', () => {
    /** Exchanges whose round trip is under way: scheduled for their request, not yet answered back. */
    const live = new Set<Exchange>();
    const problems: string[] = [];
    let trips = 0;
    let reused = 0;
    let parkedAnswers = 0;
    let retransmitted = 0;
    let heldAnswers = 0;
    const seen = new WeakSet<Exchange>();
    const sched = Scheduler.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const net = Network.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const schedule = sched.schedule!;
    const answerArrives = net.answerArrives!;
    const answerLater = net.answerLater!;
    sched.schedule = function (this: Scheduler, e: unknown, at: unknown) {
      const x = e as Scheduled & Partial<Exchange>;
      if (x.answered === false && x.handle !== undefined && live.has(x as Exchange) && (x as Exchange).lostAt >= 0) {
        // A request leg lost to a cut and sent again once it healed (TCP's retransmission): the same round trip.
        retransmitted++;
      } else if (x.answered === false && x.handle !== undefined) {
        // A request leg: a new round trip.
        const ex = x as Exchange;
        trips++;
        if (live.has(ex)) problems.push(`trip ${trips}: an Exchange sent again while its round trip (${ex.from} -> ${ex.to}) is under way`);
        if (seen.has(ex)) reused++;
        seen.add(ex);
        live.add(ex);
      }
      return schedule.call(this, e, at);
    };
    net.answerLater = function (this: Network, x: unknown, v: unknown) {
      parkedAnswers++;
      if (!live.has(x as Exchange)) problems.push('a parked request answered through an Exchange whose round trip was over');
      return answerLater.call(this, x, v);
    };
    net.answerArrives = function (this: Network, x: unknown) {
      // Over before the answer is read (the requester may send its next request on this very Exchange then)...
      if (!live.delete(x as Exchange)) problems.push('an answer arrived on an Exchange whose round trip was over');
      const r = answerArrives.call(this, x);
      // ...unless the answer was lost to a cut: held for retransmission, its round trip goes on.
      if ((this as unknown as { held: Exchange[] }).held.includes(x as Exchange)) {
        heldAnswers++;
        live.add(x as Exchange);
      }
      return r;
    };
    let c!: Cluster;
    try {
      c = new Cluster(scenario());
      c.runUntil(16000);
    } finally {
      sched.schedule = schedule;
      net.answerArrives = answerArrives;
      net.answerLater = answerLater;
    }
    expect(problems.slice(0, 3)).toEqual([]);
    // The cases under test happened: many round trips on reused Exchanges, answers of parked requests.
    expect(trips).toBeGreaterThan(2500);
    expect(reused).toBeGreaterThan(trips * 0.9);
    expect(parkedAnswers).toBeGreaterThan(1000);
    expect(c.network.messagesDropped).toBeGreaterThan(0);
    // Requests and answers lost to the cut of broker 3 went again once it healed.
    expect(retransmitted + heldAnswers).toBeGreaterThan(0);
  });

  it('a cluster copied at many moments (requests travelling, parked, reset, lost) runs on exactly as the original', () => {
    const run = copiedRun(() => new Cluster(scenario(), { recordConsumed: true, recordProduced: true }), 12000, 131);
    expect(run.copies).toBeGreaterThan(80);
    expect(run.copied).toBe(run.straight);
  });
});
