/**
 * A request or answer lost to a network cut alone is held and sent again once the cut heals,
 * at TCP's retransmission times (200 ms after the loss, then doubling), in order on its link;
 * one lost longer ago than the clients' request timeouts (RETRANSMIT_HORIZON_MS), or whose
 * end died meanwhile, is not. In a cluster: a cut of a second no longer stalls acks=all
 * producers for replica.socket.timeout.ms.
 */
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../scenario/default-scenario';
import type { Scenario } from '../../scenario/types';
import { Cluster } from '../cluster';
import { callOf } from './call';
import { Network, RETRANSMIT_HORIZON_MS, brokerNode, clientNode, retransmissionAt } from './network';
import { Prng } from './prng';
import { Scheduler } from './scheduler';

function setup() {
  const s = new Scheduler();
  const n = new Network(s, new Prng(1), { latencyMs: 2, jitterMs: 0 });
  n.up(clientNode('p'));
  n.up(brokerNode(1));
  const got: string[] = [];
  const handled: string[] = [];
  const ask = (what: string) =>
    n.request(
      clientNode('p'),
      brokerNode(1),
      callOf(() => {
        handled.push(`${what}@${s.now}`);
        return what;
      }),
      callOf((v: string) => got.push(`${v}@${s.now}`)),
    );
  return { s, n, got, handled, ask };
}

describe('TCP retransmission across a cut', () => {
  it('retransmissionAt: 200 ms after the loss, then 400, 800, ... later: the first at or after now', () => {
    expect(retransmissionAt(1000, 1000)).toBe(1200);
    expect(retransmissionAt(1000, 1200)).toBe(1200);
    expect(retransmissionAt(1000, 1201)).toBe(1600);
    expect(retransmissionAt(1000, 2500)).toBe(4000);
    // A cut of 18 s from 2 s: 2.2, 2.6, 3.4, 5, 8.2, 14.6 and 27.4 s.
    expect(retransmissionAt(2000, 20000)).toBe(27400);
  });

  it('a request sent into a cut is handled after the heal, at its first retransmission, and answered', () => {
    const { s, n, got, handled, ask } = setup();
    n.isolate(brokerNode(1));
    ask('a'); // lost at 0
    s.runUntil(100);
    expect(handled).toEqual([]);
    expect(n.heldCount).toBe(1);
    n.heal(brokerNode(1));
    expect(n.heldCount).toBe(0);
    s.runUntil(1000);
    // Sent again at 200 (0 + 200 ms), handled 2 ms later, answered 2 ms after that.
    expect(handled).toEqual(['a@202']);
    expect(got).toEqual(['a@204']);
  });

  it('a request in flight when the cut begins is held too; later requests on the link wait behind it, in order', () => {
    const { s, n, got, ask } = setup();
    ask('a'); // due at 2
    s.runUntil(1);
    n.isolate(clientNode('p'));
    s.runUntil(3); // lost on arrival at 2
    expect(n.heldCount).toBe(1);
    s.runUntil(700);
    n.heal(clientNode('p')); // at 700: retransmissions of a at 202, 602, 1402
    ask('b'); // sent after the heal: it may not overtake a on the same connection
    s.runUntil(3000);
    expect(got).toEqual(['a@1406', 'b@1406']);
  });

  it('an answer lost to a cut reaches its requester after the heal', () => {
    const { s, n, got, handled, ask } = setup();
    ask('a'); // handled at 2, answer due at 4
    s.runUntil(3);
    n.isolate(clientNode('p'));
    s.runUntil(50);
    expect(handled).toEqual(['a@2']);
    expect(got).toEqual([]);
    n.heal(clientNode('p'));
    s.runUntil(1000);
    // Handled once (the answer, not the request, is sent again): lost at 4, again at 204, arrives at 206.
    expect(handled).toEqual(['a@2']);
    expect(got).toEqual(['a@206']);
  });

  it('what was lost longer ago than the clients request timeouts, or whose end died, is dropped at the heal', () => {
    const { s, n, got, handled, ask } = setup();
    n.isolate(brokerNode(1));
    ask('old');
    s.runUntil(RETRANSMIT_HORIZON_MS + 1000);
    n.heal(brokerNode(1));
    s.runUntil(RETRANSMIT_HORIZON_MS + 200_000);
    expect(handled).toEqual([]);
    expect(got).toEqual([]);

    n.isolate(brokerNode(1));
    ask('dead');
    s.runUntil(s.now + 100);
    n.down(brokerNode(1));
    n.up(brokerNode(1)); // a restarted broker: new connections, nothing held for the old ones
    n.heal(brokerNode(1));
    s.runUntil(s.now + 100_000);
    expect(handled).toEqual([]);
    expect(n.heldCount).toBe(0);
  });
});

describe('a short cut in a cluster', () => {
  function cutFor(ms: number): Scenario {
    const s = structuredClone(defaultScenario) as Scenario;
    s.timeline = [...(s.timeline ?? []), { at: 10_000, op: 'isolateBroker', broker: 2 }, { at: 10_000 + ms, op: 'healBroker', broker: 2 }];
    return s;
  }

  it('a broker cut off for a second: acks=all produce, stalled by the cut, resumes within about a second of the heal', () => {
    const c = new Cluster(cutFor(1000));
    const acked = () => c.snapshot().producers.reduce((n, p) => n + p.acked, 0);
    c.runUntil(10_000);
    const atCut = acked();
    c.runUntil(11_000);
    // Stalled: broker 2 is in every ISR and the partitions need min.insync.replicas=2 of 3 acks... all of them, with acks=all.
    expect(acked() - atCut).toBeLessThan(5);
    const atHeal = acked();
    c.runUntil(12_500);
    // The load is 20 records/s: within 1.5 s of the heal the backlog is acknowledged (in Kafka too: TCP resends the
    // fetches the cut lost; before, the followers waited out replica.socket.timeout.ms, 30 s, and the producer with them).
    expect(acked() - atHeal).toBeGreaterThan(40);
    expect(c.network.heldCount).toBe(0);
    expect(c.snapshot().partitions.every((p) => p.isr.length === 3)).toBe(true);
  });
});

describe('a long cut', () => {
  it('keeps only what was lost in its last 30 s: senders that time out and ask again do not pile up', () => {
    const { s, n, handled, ask } = setup();
    n.isolate(brokerNode(1));
    // A request every second for 5 minutes, as a client whose every try times out and is sent again.
    for (let i = 0; i < 300; i++) {
      ask(`r${i}`);
      s.runUntil(s.now + 1000);
    }
    expect(n.heldCount).toBeLessThanOrEqual(RETRANSMIT_HORIZON_MS / 1000 + 1);
    n.heal(brokerNode(1));
    s.runUntil(s.now + 200_000);
    // Only tries from the last 30 s were sent again, in order.
    expect(handled.length).toBeGreaterThan(0);
    expect(handled.length).toBeLessThanOrEqual(31);
    expect(handled[0]!.startsWith('r27')).toBe(true);
    expect(handled.map((h) => Number(h.slice(1, h.indexOf('@'))))).toEqual([...handled.keys()].map((k) => 300 - handled.length + k));
  });
});

describe('a cut ending near the request timeout', () => {
  it('a leg whose next retransmission would come after the client closed the connection (30 s) is dropped, and does not hold up the link', () => {
    const { s, n, handled, ask } = setup();
    n.isolate(brokerNode(1));
    ask('early'); // lost at 0: retransmissions at 25.4 s, then 51 s
    s.runUntil(5000);
    ask('later'); // lost at 5 s: retransmission at 30.4 s
    s.runUntil(28_000);
    n.heal(brokerNode(1));
    ask('after'); // a new request on the link once healed
    s.runUntil(100_000);
    expect(handled).toEqual(['later@30402', 'after@30402']);
  });
});
