/**
 * The worker sends the charts only the lines they watch, up to the playhead: what is new
 * while the run goes on, a cut after a seek back, everything again after a fork.
 */
import { describe, expect, it } from 'vitest';
import { Cluster } from '../kafka/cluster';
import { METRIC_KEYS } from '../kafka/lag';
import type { Scenario } from '../scenario/types';
import { WorkerHost } from './host';
import { toWorker, type FromWorker, type UiCommand } from './protocol';

const doc: Scenario = {
  version: 1,
  seed: 5,
  cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], network: { latencyMs: 1, jitterMs: 1 } },
  topics: [{ name: 't', partitions: 3, replicationFactor: 3 }],
  clients: [{ kind: 'producer', id: 'p' }],
  timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: 50 }],
};

type Series = Extract<FromWorker, { type: 'series' }>;

function setup() {
  const clock = { t: 1000 };
  const posted: FromWorker[] = [];
  const host = new WorkerHost({
    createCluster: (d) => new Cluster(d),
    post: (m) => posted.push(m),
    wallNow: () => clock.t,
    setTimer: () => 0,
    clearTimer: () => undefined,
  });
  const send = (cmd: UiCommand) => host.handle(toWorker(cmd));
  /** Lets the snapshot interval pass and runs a tick (which posts a snapshot and the series). */
  const flush = () => {
    clock.t += 100;
    host.tick();
  };
  const series = () => posted.filter((m): m is Series => m.type === 'series');
  /** What the UI holds after applying every series message of the watch (series-store.ts does the same). */
  const held = (watch: number) => {
    let times: number[] = [];
    let hw: number[] = [];
    for (const m of series().filter((x) => x.watch === watch)) {
      times = times.slice(0, m.keep).concat(m.times);
      hw = hw.slice(0, m.keep).concat(m.values.hw!);
    }
    return { times, hw };
  };
  return { host, send, flush, series, held };
}

const queries = [{ id: 'hw', keys: [0, 1, 2].map((p) => METRIC_KEYS.hw('t', p)) }];

describe('watched chart lines', () => {
  it('go out only when watched, grow with the run, are cut at the playhead by a seek back and resent after a fork', () => {
    const s = setup();
    s.send({ type: 'load', scenario: doc, play: false });
    s.send({ type: 'step', ms: 5000 });
    s.flush();
    expect(s.series()).toEqual([]);

    s.send({ type: 'watchSeries', watch: 1, queries });
    expect(s.held(1).times).toEqual([1000, 2000, 3000, 4000, 5000]);
    // Records keep arriving: the sum of the high watermarks grows.
    const first = s.held(1).hw;
    expect(first[4]!).toBeGreaterThan(first[0]!);

    // More run: only the new samples are sent.
    const before = s.series().length;
    s.send({ type: 'step', ms: 3000 });
    s.flush();
    const update = s.series().slice(before);
    expect(update).toHaveLength(1);
    expect(update[0]!.keep).toBe(5);
    expect(update[0]!.times).toEqual([6000, 7000, 8000]);
    expect(s.held(1).times).toHaveLength(8);
    const atEight = s.held(1).hw;

    // Back to 3.5 s: the UI keeps the first three samples, nothing more is sent.
    s.send({ type: 'seek', t: 3500 });
    s.flush();
    expect(s.held(1)).toEqual({ times: [1000, 2000, 3000], hw: atEight.slice(0, 3) });
    // Forward again to the end: the same samples come back (the branch kept them).
    s.send({ type: 'seek', t: 8000 });
    s.flush();
    expect(s.held(1)).toEqual({ times: [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000], hw: atEight });

    // A fork at 3.5 s (the load stops): the later samples go, the new branch's follow.
    s.send({ type: 'seek', t: 3500 });
    s.send({ type: 'perform', action: { op: 'stopLoad', producer: 'p' } });
    s.send({ type: 'step', ms: 4500 });
    s.flush();
    const forked = s.held(1);
    expect(forked.times).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]);
    expect(forked.hw.slice(0, 3)).toEqual(atEight.slice(0, 3));
    // No more records after the stop: the high watermarks stay where they got to.
    expect(forked.hw[7]).toBe(forked.hw[5]);
    expect(forked.hw[7]!).toBeLessThan(atEight[7]!);

    // Unwatched: nothing more is sent.
    s.send({ type: 'watchSeries', watch: 2, queries: null });
    const n = s.series().length;
    s.send({ type: 'step', ms: 2000 });
    s.flush();
    expect(s.series()).toHaveLength(n);
  });
});
