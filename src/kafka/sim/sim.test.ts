import { callOf } from './call';
import { describe, expect, it } from 'vitest';
import { Prng } from './prng';
import { Scheduler } from './scheduler';
import { Deferred, Network, brokerNode, clientNode } from './network';

describe('Prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 20 }, () => a.nextU32());
    const sb = Array.from({ length: 20 }, () => b.nextU32());
    const sc = Array.from({ length: 20 }, () => c.nextU32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });
  it('int stays in range and covers it', () => {
    const p = new Prng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = p.int(5);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(5);
      seen.add(v);
    }
    expect(seen.size).toBe(5);
  });
  it('restores from state', () => {
    const p = new Prng(9);
    p.nextU32();
    const q = Prng.fromState(p.state());
    expect(q.nextU32()).toBe(p.nextU32());
  });
});

describe('Scheduler', () => {
  it('runs events by time, then by scheduling order', () => {
    const s = new Scheduler();
    const order: string[] = [];
    s.at(10, callOf(() => order.push('b')));
    s.at(5, callOf(() => order.push('a')));
    s.at(10, callOf(() => order.push('c')));
    const t = s.at(7, callOf(() => order.push('cancelled')));
    t.cancel();
    s.runUntil(100);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(s.now).toBe(100);
  });
  it('runs any mix of schedules, cancels and events that schedule more in (time, scheduling order): 40 seeds', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = new Prng(seed);
      const s = new Scheduler();
      const ran: number[] = [];
      // Each entry's [time, order scheduled]: a run must take them sorted by both.
      const key: [number, number][] = [];
      const timers: { cancel(): void }[] = [];
      const cancelled = new Set<number>();
      const add = (at: number): void => {
        const id = key.length;
        key.push([Math.max(at, s.now), id]);
        timers.push(
          s.at(
            at,
            callOf(() => {
              ran.push(id);
              // Some events schedule more, at this instant or later.
              if (rng.int(4) === 0) for (let k = rng.int(3); k >= 0; k--) add(s.now + rng.int(3));
            }),
          ),
        );
      };
      // Enough entries and cancels to make the scheduler compact its heap more than once.
      for (let i = 0; i < 3000; i++) add(rng.int(200));
      for (let i = 0; i < 2500; i++) {
        const id = rng.int(key.length);
        timers[id]!.cancel();
        cancelled.add(id);
      }
      s.runUntil(1000);
      const expected = key.filter(([, id]) => !cancelled.has(id)).sort((x, y) => x[0] - y[0] || x[1] - y[1]).map(([, id]) => id);
      expect(ran, `seed ${seed}`).toEqual(expected);
    }
  });
  it('stops at the limit', () => {
    const s = new Scheduler();
    const order: number[] = [];
    s.at(10, callOf(() => order.push(10)));
    s.at(20, callOf(() => order.push(20)));
    s.runUntil(15);
    expect(order).toEqual([10]);
    expect(s.now).toBe(15);
  });
  it('runBefore runs what is due strictly before the instant, events they schedule meanwhile included, and leaves the clock at the last one run', () => {
    const s = new Scheduler();
    const order: string[] = [];
    s.at(3, callOf(() => (order.push('3'), s.at(4, callOf(() => order.push('4 (scheduled at 3)'))))));
    s.at(5, callOf(() => order.push('5')));
    s.at(6, callOf(() => order.push('6')));
    s.runBefore(5);
    expect(order).toEqual(['3', '4 (scheduled at 3)']);
    expect(s.now).toBe(4);
    s.runBefore(5);
    expect(order).toHaveLength(2);
    s.runUntil(5);
    expect(order).toEqual(['3', '4 (scheduled at 3)', '5']);
  });
});

describe('Network', () => {
  function setup(jitterMs = 5) {
    const s = new Scheduler();
    const n = new Network(s, new Prng(1), { latencyMs: 2, jitterMs });
    n.up(brokerNode(1));
    n.up(clientNode('p'));
    return { s, n };
  }
  it('keeps per-link FIFO order despite jitter', () => {
    const { s, n } = setup(50);
    const got: number[] = [];
    for (let i = 0; i < 50; i++) n.send(clientNode('p'), brokerNode(1), callOf(() => got.push(i)));
    s.runUntil(1000);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
  it('keeps FIFO order on every link of several nodes, each link on its own (per-receiver slots of the sender)', () => {
    const s = new Scheduler();
    const n = new Network(s, new Prng(3), { latencyMs: 2, jitterMs: 40 });
    const nodes = [brokerNode(1), brokerNode(2), clientNode('a'), clientNode('b')];
    for (const x of nodes) n.up(x);
    const got = new Map<string, number[]>();
    const sent = new Map<string, number[]>();
    for (let i = 0; i < 400; i++) {
      const from = nodes[i % 4]!;
      const to = nodes[(i * 7 + 1) % 4]!;
      if (from === to) continue;
      const link = `${from}->${to}`;
      sent.set(link, [...(sent.get(link) ?? []), i]);
      n.send(from, to, callOf(() => got.set(link, [...(got.get(link) ?? []), i])));
      if (i % 50 === 0) s.runUntil(s.now + 10);
    }
    s.runUntil(s.now + 1000);
    expect(got.size).toBeGreaterThanOrEqual(4);
    for (const [link, ids] of sent) expect(got.get(link), link).toEqual(ids);
  });
  it('drops messages to an isolated or dead node, and delivers after heal', () => {
    const { s, n } = setup();
    let got = 0;
    n.isolate(brokerNode(1));
    n.send(clientNode('p'), brokerNode(1), callOf(() => got++));
    s.runUntil(100);
    expect(got).toBe(0);
    n.heal(brokerNode(1));
    n.send(clientNode('p'), brokerNode(1), callOf(() => got++));
    s.runUntil(200);
    expect(got).toBe(1);
    n.down(brokerNode(1));
    n.send(clientNode('p'), brokerNode(1), callOf(() => got++));
    s.runUntil(300);
    expect(got).toBe(1);
  });
  it('resets, when a node dies, exactly the long-polled requests it has not answered, in arrival order; answers after a restart go through', () => {
    const { s, n } = setup(0);
    n.up(clientNode('q'));
    const parked: Deferred<string>[] = [];
    const got: string[] = [];
    const ask = (who: string, from: string) =>
      n.request(
        clientNode(from),
        brokerNode(1),
        callOf(() => {
          const d = new Deferred<string>();
          parked.push(d);
          return d;
        }),
        callOf((v: string) => got.push(`${who}:${v}`)),
        callOf(() => got.push(`${who}:reset`)),
      );
    for (const [who, from] of [['a', 'p'], ['b', 'q'], ['c', 'p'], ['d', 'q']] as const) ask(who, from);
    s.runUntil(10);
    expect(parked.length).toBe(4);
    // The first and the third are answered (the head and the middle of the node's list).
    parked[0]!.resolve('ok');
    parked[2]!.resolve('ok');
    s.runUntil(20);
    expect(got).toEqual(['a:ok', 'c:ok']);
    n.down(brokerNode(1));
    s.runUntil(40);
    expect(got).toEqual(['a:ok', 'c:ok', 'b:reset', 'd:reset']);
    // An answer from before the death goes nowhere; after a restart, new requests park and answer.
    parked[1]!.resolve('late');
    n.up(brokerNode(1));
    ask('e', 'p');
    ask('f', 'q');
    s.runUntil(60);
    parked[5]!.resolve('ok');
    s.runUntil(80);
    n.down(brokerNode(1));
    s.runUntil(100);
    expect(got).toEqual(['a:ok', 'c:ok', 'b:reset', 'd:reset', 'f:ok', 'e:reset']);
  });
  it('adds slowness to latency', () => {
    const { s, n } = setup(0);
    let at = -1;
    n.slow(brokerNode(1), 100);
    n.send(clientNode('p'), brokerNode(1), callOf(() => (at = s.now)));
    s.runUntil(1000);
    expect(at).toBe(102);
  });
  it('a request to a dead node is reset one trip later; to a dead node cut off, or from a dead sender, nothing comes back', () => {
    const { s, n } = setup(0);
    n.up(brokerNode(2));
    n.down(brokerNode(2));
    const got: string[] = [];
    const ask = (who: string, from: string, to: string) =>
      n.request(from, to, callOf(() => 'answer'), callOf((v: string) => got.push(`${who}:${v}@${s.now}`)), callOf(() => got.push(`${who}:reset@${s.now}`)));
    ask('a', clientNode('p'), brokerNode(2)); // dead receiver: reset at latency 2
    ask('b', clientNode('p'), brokerNode(9)); // never started: dead too
    ask('c', clientNode('p'), brokerNode(1)); // alive: answered after the round trip
    s.runUntil(50);
    expect(got).toEqual(['a:reset@2', 'b:reset@2', 'c:answer@4']);
    n.isolate(brokerNode(2));
    ask('d', clientNode('p'), brokerNode(2)); // dead and cut off: the sender only times out
    n.heal(brokerNode(2));
    n.isolate(clientNode('p'));
    ask('e', clientNode('p'), brokerNode(2)); // the sender cut off: nothing either
    n.heal(clientNode('p'));
    n.down(clientNode('p'));
    ask('f', clientNode('p'), brokerNode(1)); // a dead sender sends nothing
    s.runUntil(100);
    expect(got).toEqual(['a:reset@2', 'b:reset@2', 'c:answer@4']);
  });
  it('counts isolation and slowness per node: isolating or slowing twice, healing or clearing once, changing another node, never leaves a fault behind or loses one', () => {
    const { s, n } = setup(0);
    n.up(brokerNode(2));
    const arrivals: number[] = [];
    const sendAt = (to: string) => n.send(clientNode('p'), to, callOf(() => arrivals.push(s.now)));
    n.isolate(brokerNode(1));
    n.isolate(brokerNode(1));
    n.isolate(brokerNode(2));
    n.heal(brokerNode(2));
    n.heal(brokerNode(3)); // never isolated: changes nothing
    sendAt(brokerNode(1));
    s.runUntil(10);
    expect(arrivals).toEqual([]); // 1 is still cut off
    expect(n.canReach(clientNode('p'), brokerNode(1))).toBe(false);
    expect(n.canReach(brokerNode(1), clientNode('p'))).toBe(false);
    expect(n.canReach(brokerNode(1), brokerNode(1))).toBe(true); // a running node reaches itself
    n.heal(brokerNode(1));
    expect(n.isIsolated(brokerNode(1))).toBe(false);
    expect(n.canReach(brokerNode(1), clientNode('p'))).toBe(true);
    n.slow(brokerNode(1), 50);
    n.slow(brokerNode(1), 30); // replaces the 50
    n.slow(brokerNode(2), 40);
    n.slow(brokerNode(2), 0);
    n.slow(brokerNode(3), 0); // never slowed: changes nothing
    sendAt(brokerNode(1)); // at 10: latency 2 + 30
    sendAt(brokerNode(2)); // latency only
    s.runUntil(100);
    expect(arrivals).toEqual([12, 42]);
    n.slow(brokerNode(1), 0);
    expect(n.slowness(brokerNode(1))).toBe(0);
    sendAt(brokerNode(1)); // at 100, after the link's last delivery (42)
    s.runUntil(200);
    expect(arrivals).toEqual([12, 42, 102]);
    // A node the network never heard of is down and connected.
    expect(n.isUp(brokerNode(9))).toBe(false);
    expect(n.canReach(clientNode('p'), brokerNode(9))).toBe(false);
    expect(n.isIsolated(brokerNode(9))).toBe(false);
    expect(n.uplinkBusyMs(brokerNode(9))).toBe(0);
  });
});
