/**
 * Which events the scheduler runs and schedules, per virtual second, at one scale size:
 * `npx tsx bench/event-census.ts 6 50 [virtualMs] [records/s] [idle partitions]`. For deciding what to cut, not a benchmark.
 */
import { Cluster } from '../src/kafka/cluster';
import { Scheduler, type Scheduled } from '../src/kafka/sim/scheduler';
import { aroundEachEvent, eventName } from './event-name';
import { scaleScenario } from './workload';

const [b = '6', p = '50', ms = '2000', rate = '20000', idle = '0'] = process.argv.slice(2);
const ran = new Map<string, number>();
const scheduled = new Map<string, number>();
let counting = false;
const origSchedule = Scheduler.prototype.schedule;
Scheduler.prototype.schedule = function (e: Scheduled, atMs: number) {
  origSchedule.call(this, e, atMs);
  if (counting) scheduled.set(eventName(e), (scheduled.get(eventName(e)) ?? 0) + 1);
};
const c = new Cluster(scaleScenario(Number(b), Number(p), Number(rate), 1e9, Number(idle)));
c.runUntil(2000);
aroundEachEvent(c.scheduler, (k, fire) => {
  fire();
  ran.set(k, (ran.get(k) ?? 0) + 1);
});
counting = true;
const e0 = c.scheduler.eventsRun;
c.runUntil(2000 + Number(ms));
const secs = Number(ms) / 1000;
console.log(`${b}x${p}: ${Math.round((c.scheduler.eventsRun - e0) / secs)} events/vs run`);
const show = (m: Map<string, number>, title: string) => {
  console.log(title);
  for (const [k, n] of [...m].sort((x, y) => y[1] - x[1]).slice(0, 25)) console.log(String(Math.round(n / secs)).padStart(8), k);
};
show(ran, 'ran per virtual s');
show(scheduled, 'scheduled per virtual s');
