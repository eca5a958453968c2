/**
 * A readable name for what the scheduler runs (bench/event-census.ts, bench/event-cost.ts):
 * a Call's `Class.method`, with the inner Call of a network delivery (`Network.arrive→Broker.x`);
 * a request's Exchange as `Network.arriveRequest→<its handler>` or, once answered,
 * `Network.answerArrives→<its responder>`.
 */
import type { Call } from '../src/kafka/sim/call';
import { Exchange } from '../src/kafka/sim/network';
import { Entry, type Scheduled, type Scheduler } from '../src/kafka/sim/scheduler';

export function callName(t: Call): string {
  const base = `${t.target.constructor.name}.${t.method}`;
  if (t.method === 'arrive' || t.method === 'ifCurrent') return `${base}→${callName(t.args[t.method === 'arrive' ? 2 : 1] as Call)}`;
  if (t.method === 'arriveResponse') return `${base}→${callName(t.args[2] as Call)}`;
  return base;
}

/** The name of a heap item as it is now (an Exchange's name changes once it is answered). */
export function eventName(e: Scheduled): string {
  if (e instanceof Exchange) return e.answered ? `Network.answerArrives→${callName(e.onResponse)}` : `Network.arriveRequest→${callName(e.handle)}`;
  if (e instanceof Entry) return e.task ? callName(e.task) : '(cancelled)';
  return e.constructor.name;
}

/**
 * From now on, runs each event of `scheduler` through `around(name, fire)`: every event goes
 * through the scheduler's fireNext, with the event at the top of the heap (peekTime found it).
 */
export function aroundEachEvent(scheduler: Scheduler, around: (name: string, fire: () => void) => void): void {
  const s = scheduler as unknown as { fireNext(): void; heap: Scheduled[] };
  const fire = s.fireNext.bind(s);
  s.fireNext = () => around(eventName(s.heap[0]!), fire);
}
