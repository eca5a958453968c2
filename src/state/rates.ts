/**
 * Throughput from successive snapshots: the snapshot carries offsets, not rates, so rates
 * are offsets moved over the last ~1 s of virtual time. Pure functions, for tests.
 */
import type { ClusterSnapshot, ConsumerView, PartitionView } from '../kafka/snapshot';

/**
 * A snapshot's offsets at its time: its partitions and consumers themselves (a sample costs
 * nothing to take; snapshots are never changed once made, and the UI's delta-applied ones
 * share every unchanged partition and consumer with the previous, issue 10).
 */
export interface RateSample {
  time: number;
  partitions: readonly PartitionView[];
  consumers: readonly ConsumerView[];
}

/** Records per second, keyed as the sample is. */
export interface Rates {
  leo: Record<string, number>;
  position: Record<string, number>;
}

export const RATE_WINDOW_MS = 1000;

export function sampleOf(s: ClusterSnapshot): RateSample {
  return { time: s.time, partitions: s.partitions, consumers: s.consumers };
}

/** Adds a sample, dropping those older than the window (keeping one as the base). */
export function pushRateSample(samples: RateSample[], s: ClusterSnapshot): RateSample[] {
  const last = samples[samples.length - 1];
  // A new scenario (time went back) or a paused clock (same time): restart or keep.
  if (last && s.time < last.time) return [sampleOf(s)];
  if (last && s.time === last.time) return samples;
  const out = samples.concat(sampleOf(s));
  while (out.length > 2 && s.time - out[1]!.time >= RATE_WINDOW_MS) out.shift();
  return out;
}

/**
 * Records per second between the oldest and the newest sample: log end offset per replica
 * (`${topic}-${partition}@${broker}`) and position per consumer and partition
 * (`${consumer}|${topic}-${partition}`), 0 for what the oldest sample does not have.
 */
export function ratesOf(samples: RateSample[]): Rates {
  const base = samples[0];
  const cur = samples[samples.length - 1];
  const rates: Rates = { leo: {}, position: {} };
  if (!base || !cur || cur.time <= base.time) return rates;
  const dt = (cur.time - base.time) / 1000;
  const per = (now: number, then: number | undefined) => Math.max(0, (now - (then ?? now)) / dt);
  const baseParts = new Map<string, PartitionView>();
  for (const p of base.partitions) baseParts.set(`${p.topic}-${p.partition}`, p);
  for (const p of cur.partitions) {
    const k = `${p.topic}-${p.partition}`;
    const was = baseParts.get(k);
    for (const r of p.replicaStates) {
      // The same object: no offset moved (most partitions of a quiet topic).
      const then = was === p ? r.logEndOffset : was?.replicaStates.find((x) => x.broker === r.broker)?.logEndOffset;
      rates.leo[`${k}@${r.broker}`] = per(r.logEndOffset, then);
    }
  }
  const baseConsumers = new Map<string, ConsumerView>();
  for (const c of base.consumers) baseConsumers.set(c.id, c);
  for (const c of cur.consumers) {
    const was = baseConsumers.get(c.id);
    const then = new Map<string, number>();
    if (was && was !== c) for (const x of was.positions) then.set(`${x.topic}-${x.partition}`, x.position);
    for (const x of c.positions) {
      const k = `${x.topic}-${x.partition}`;
      rates.position[`${c.id}|${k}`] = per(x.position, was === c ? x.position : then.get(k));
    }
  }
  return rates;
}
