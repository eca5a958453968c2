import { describe, expect, it } from 'vitest';
import { callOf } from './call';
import { Deadline, TimeoutQueue, type Expiring } from './deadline';
import { Scheduler } from './scheduler';

describe('Deadline', () => {
  it('expires at the due instant of the request still outstanding, after re-arming past answered ones', () => {
    const s = new Scheduler();
    const fired: number[] = [];
    const d = new Deadline(s, callOf(() => fired.push(s.now)));
    d.set(100); // request 1, answered at 10
    s.runUntil(10);
    d.clear();
    s.runUntil(20);
    d.set(120); // request 2, never answered
    s.runUntil(119);
    expect(fired).toEqual([]);
    s.runUntil(1000);
    expect(fired).toEqual([120]);
    // One event for the early fire at 100 (re-armed), one at 120: not one timer per request.
    expect(s.eventsRun).toBe(2);
  });

  it('a cleared deadline never fires, and nothing stays scheduled after its event', () => {
    const s = new Scheduler();
    let fired = 0;
    const d = new Deadline(s, callOf(() => fired++));
    for (let t = 0; t < 50; t++) {
      d.set(t + 30);
      s.runUntil(t + 1);
      d.clear();
    }
    s.runUntil(10_000);
    expect(fired).toBe(0);
    expect(s.pending).toBe(0);
    expect(s.eventsRun).toBeLessThanOrEqual(3);
  });

  it('an earlier due time than the armed one still fires on time', () => {
    const s = new Scheduler();
    const fired: number[] = [];
    const d = new Deadline(s, callOf(() => fired.push(s.now)));
    d.set(500);
    d.set(50);
    s.runUntil(1000);
    expect(fired).toEqual([50]);
  });
});

describe('TimeoutQueue', () => {
  interface Item extends Expiring {
    name: string;
  }
  const item = (name: string, due: number): Item => ({ name, due, settled: false });

  it('expires unsettled items at their due instants, in due order, ties in the order added', () => {
    const s = new Scheduler();
    const expired: string[] = [];
    const q = new TimeoutQueue<Item>(s, callOf((it: Item) => expired.push(`${it.name}@${s.now}`)));
    const a = item('a', 30);
    const b = item('b', 10);
    const c = item('c', 30);
    const d = item('d', 20);
    q.add(a);
    q.add(b);
    q.add(c);
    q.add(d);
    d.settled = true; // answered before it was due
    s.runUntil(1000);
    expect(expired).toEqual(['b@10', 'a@30', 'c@30']);
  });

  it('many answered requests cost no events of their own and do not pile up', () => {
    const s = new Scheduler();
    const expired: string[] = [];
    const q = new TimeoutQueue<Item>(s, callOf((it: Item) => expired.push(it.name)));
    for (let t = 0; t < 10_000; t++) {
      const it = item(`r${t}`, t + 30_000);
      q.add(it);
      s.runUntil(t + 1);
      it.settled = true;
    }
    const last = item('last', s.now + 30_000);
    q.add(last);
    s.runUntil(100_000);
    expect(expired).toEqual(['last']);
    expect(s.eventsRun).toBeLessThan(10);
    expect(q.size).toBe(0);
  });
});
