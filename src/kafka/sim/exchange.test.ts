/**
 * A request's round trip is one Exchange, scheduled for the request's arrival and again for
 * its answer's; the scheduler's heap holds Entries and such self-scheduling objects in one
 * (at, seq) order. These tests pin what that must keep: the order of events, the answers of
 * Deferreds resolved before anyone waits (falsy values too), resets of parked requests when
 * their node dies (and what happens to an answer given after it came back), and checkpoints
 * taken while requests are in flight or parked.
 */
import { describe, expect, it } from 'vitest';
import { cloneGraph, readImage, writeImage } from '../checkpoint';
import { call, callOf } from './call';
import { Deferred, Exchange, Network, brokerNode, clientNode } from './network';
import { Prng } from './prng';
import { Entry, Scheduled, Scheduler } from './scheduler';

/** Something that schedules itself, as an Exchange does: fires `times` times, `gap` ms apart. */
class Repeater extends Scheduled {
  constructor(
    readonly s: Scheduler,
    readonly log: string[],
    readonly name: string,
    public times: number,
    readonly gap: number,
  ) {
    super(0, 0);
  }
  fire(): void {
    this.log.push(`${this.name}@${this.s.now}`);
    if (--this.times > 0) this.s.schedule(this, this.s.now + this.gap);
  }
}

describe('Scheduler with objects that schedule themselves', () => {
  it('runs them and tasks in one (time, scheduling order) order', () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.at(10, callOf(() => log.push(`t1@${s.now}`)));
    s.schedule(new Repeater(s, log, 'r', 3, 5), 5); // 5, 10, 15: its 10 is scheduled after t1 and t2
    s.at(10, callOf(() => log.push(`t2@${s.now}`)));
    s.at(15, callOf(() => log.push(`t3@${s.now}`))); // scheduled before r's 15
    s.runUntil(100);
    expect(log).toEqual(['r@5', 't1@10', 't2@10', 'r@10', 't3@15', 'r@15']);
    expect(s.eventsRun).toBe(6);
  });

  it('refuses to schedule an object already waiting in the heap (it would run twice)', () => {
    const s = new Scheduler();
    const r = new Repeater(s, [], 'r', 1, 0);
    s.schedule(r, 5);
    expect(() => s.schedule(r, 7)).toThrow(/scheduled already/);
    s.runUntil(10);
    s.schedule(r, 12); // ran: may go again
    expect(s.pending).toBe(1);
  });

  it('a timer cancelled after it fired is a no-op: no cancelled entry is counted', () => {
    const s = new Scheduler();
    let ran = 0;
    const t = s.at(1, callOf(() => ran++));
    s.runUntil(5);
    t.cancel();
    t.cancel();
    expect(ran).toBe(1);
    expect((s as unknown as { cancelled: number }).cancelled).toBe(0);
    const u = s.at(10, callOf(() => ran++));
    u.cancel();
    u.cancel();
    expect((s as unknown as { cancelled: number }).cancelled).toBe(1);
    expect(u).toBeInstanceOf(Entry);
    s.runUntil(20);
    expect(ran).toBe(1);
  });
});

describe('Network round trips', () => {
  function setup() {
    const s = new Scheduler();
    const n = new Network(s, new Prng(1), { latencyMs: 2, jitterMs: 0 });
    n.up(brokerNode(1));
    n.up(clientNode('p'));
    return { s, n };
  }

  it('a round trip is one Exchange, scheduled for the request and again for its answer', () => {
    const { s, n } = setup();
    const scheduled: unknown[] = [];
    const orig = s.schedule.bind(s);
    s.schedule = (e, at) => {
      scheduled.push(e);
      orig(e, at);
    };
    let got: unknown;
    n.request(clientNode('p'), brokerNode(1), callOf(() => 'answer'), callOf((v: string) => (got = v)));
    s.runUntil(100);
    expect(got).toBe('answer');
    expect(scheduled.length).toBe(2);
    expect(scheduled[0]).toBeInstanceOf(Exchange);
    expect(scheduled[1]).toBe(scheduled[0]);
  });

  it('an answer is lost when its requester dies while it travels, held when the requester is cut off (sent again after the heal); the answering node need not run', () => {
    const { s, n } = setup();
    n.up(clientNode('q'));
    const got: string[] = [];
    const ask = (who: string, from: string) => n.request(from, brokerNode(1), callOf(() => who), callOf((v: string) => got.push(`${v}@${s.now}`)));
    ask('a', clientNode('p'));
    ask('b', clientNode('q'));
    s.runUntil(3); // both handled at 2, answers due at 4
    n.down(clientNode('p'));
    n.isolate(clientNode('q'));
    s.runUntil(10);
    expect(got).toEqual([]);
    expect(n.messagesDropped).toBe(2);
    n.up(clientNode('p'));
    n.heal(clientNode('q'));
    ask('c', clientNode('p'));
    s.runUntil(13); // handled at 12
    n.down(brokerNode(1)); // the answerer dies: its answer, already sent, still arrives
    s.runUntil(20);
    expect(got).toEqual(['c@14']);
    // b's answer, lost to q's cut at 4, goes again at TCP's first retransmission after the
    // heal at 10 (4 + 200 ms) and arrives 2 ms later; p's died with p.
    s.runUntil(300);
    expect(got).toEqual(['c@14', 'b@206']);
  });

  it('a Deferred resolved before anyone waits answers at once, falsy values (undefined, 0, null, "") too', () => {
    const { s, n } = setup();
    const got: unknown[] = [];
    for (const v of [undefined, 0, null, '', 'x']) {
      n.request(
        clientNode('p'),
        brokerNode(1),
        callOf(() => {
          const d = new Deferred<unknown>();
          d.resolve(v);
          return d;
        }),
        callOf((x: unknown) => got.push(x)),
        callOf(() => got.push('reset')),
      );
    }
    s.runUntil(100);
    expect(got).toEqual([undefined, 0, null, '', 'x']);
    // then() on a resolved Deferred answers at once; resolving twice keeps the first value.
    const d = new Deferred<number | undefined>();
    d.resolve(undefined);
    d.resolve(7);
    const seen: unknown[] = [];
    d.then(callOf((x: unknown) => seen.push(x)));
    expect(seen).toEqual([undefined]);
    expect(d.isDone).toBe(true);
  });

  it('a parked request whose node dies is reset; its answer given after the node came back still travels (the node runs), a later request parks anew', () => {
    const { s, n } = setup();
    const parked: Deferred<string>[] = [];
    const got: string[] = [];
    const ask = (who: string) =>
      n.request(
        clientNode('p'),
        brokerNode(1),
        callOf(() => {
          const d = new Deferred<string>();
          parked.push(d);
          return d;
        }),
        callOf((v: string) => got.push(`${who}:${v}@${s.now}`)),
        callOf(() => got.push(`${who}:reset@${s.now}`)),
      );
    ask('a');
    s.runUntil(10);
    n.down(brokerNode(1));
    s.runUntil(20);
    expect(got).toEqual(['a:reset@12']);
    n.up(brokerNode(1));
    ask('b');
    s.runUntil(30);
    parked[0]!.resolve('late'); // the old request's answer, after the restart
    s.runUntil(40);
    expect(got).toEqual(['a:reset@12', 'a:late@32']);
    // The late answer left no trace in the node's open requests: b alone is reset by the next death.
    n.down(brokerNode(1));
    s.runUntil(50);
    expect(got).toEqual(['a:reset@12', 'a:late@32', 'b:reset@42']);
    parked[1]!.resolve('dead'); // answered while the node is down: lost
    s.runUntil(60);
    expect(got).toEqual(['a:reset@12', 'a:late@32', 'b:reset@42']);
    expect(n.messagesDropped).toBe(1);
  });
});

/** A server whose requests park until `answerAll`; plain data, so checkpoints copy it. */
class Server {
  parked: Deferred<string>[] = [];
  constructor(readonly log: string[]) {}
  /** @scheduled */
  handle(who: string, park: boolean): string | Deferred<string> {
    this.log.push(`handle ${who}`);
    if (!park) return `now:${who}`;
    const d = new Deferred<string>();
    this.parked.push(d);
    return d;
  }
  answerAll(v: string): void {
    for (const d of this.parked.splice(0)) d.resolve(v);
  }
}

class Client {
  constructor(
    readonly s: Scheduler,
    readonly log: string[],
  ) {}
  /** @scheduled */
  onAnswer(who: string, v: string): void {
    this.log.push(`${who}:${v}@${this.s.now}`);
  }
  /** @scheduled */
  onReset(who: string): void {
    this.log.push(`${who}:reset@${this.s.now}`);
  }
}

class World {
  readonly log: string[] = [];
  readonly s = new Scheduler();
  readonly n = new Network(this.s, new Prng(3), { latencyMs: 2, jitterMs: 3 });
  readonly server = new Server(this.log);
  readonly client = new Client(this.s, this.log);
  constructor() {
    this.n.up(brokerNode(1));
    this.n.up(clientNode('p'));
  }
  ask(who: string, park: boolean): void {
    this.n.request(clientNode('p'), brokerNode(1), call(this.server, this.server.handle, who, park), call(this.client, this.client.onAnswer, who), call(this.client, this.client.onReset, who));
  }
}

const REGISTRY = { Scheduler, Entry, Network, Exchange, Deferred, Prng, Server, Client, World };

describe('checkpoints of round trips', () => {
  /** Requests parked, arriving and answers on their way back at `at`; what follows, from there. */
  function scene(): World {
    const w = new World();
    w.ask('a', true);
    w.ask('b', true);
    w.s.runUntil(8); // a, b parked
    w.ask('c', false); // answered at once: its answer will be on its way at the checkpoint
    w.s.runUntil(w.s.now + 5);
    w.ask('d', false); // still arriving at the checkpoint
    w.ask('e', true);
    return w;
  }
  function goOn(w: World): string[] {
    w.server.answerAll('first'); // a, b answered (e not yet arrived)
    w.s.runUntil(30);
    w.ask('f', true);
    w.s.runUntil(40);
    w.n.down(brokerNode(1)); // e, f reset
    w.s.runUntil(60);
    w.n.up(brokerNode(1));
    w.server.answerAll('after'); // e and f answered after the restart
    w.ask('g', false);
    w.s.runUntil(100);
    return w.log;
  }

  it('a copy taken while requests are parked and in flight goes on exactly as the original', () => {
    const straight = goOn(scene());
    expect(straight).toEqual([
      ...['handle a', 'handle b', 'handle c', 'c:now:c@15', 'handle d', 'handle e', 'a:first@18', 'b:first@18', 'd:now:d@20', 'handle f'],
      ...['e:reset@42', 'f:reset@42', 'handle g', 'e:after@64', 'f:after@65', 'g:now:g@68'],
    ]);

    const original = scene();
    // At the checkpoint: a and b parked, c's answer on its way back, d and e on their way in.
    expect(original.log).toEqual(['handle a', 'handle b', 'handle c']);
    expect(original.s.pending).toBe(3);
    expect(original.n.isUp(brokerNode(1))).toBe(true);
    const copy = cloneGraph(original);
    expect(copy.s.pending).toBe(original.s.pending);
    expect(goOn(original)).toEqual(straight);
    expect(goOn(copy)).toEqual(straight);

    const image = structuredClone(writeImage(scene(), REGISTRY));
    expect(goOn(readImage<World>(image, REGISTRY))).toEqual(straight);
  });
});
