/**
 * Throughput from successive snapshots: the snapshot carries offsets, not rates, so rates
 * are offsets moved over the last ~1 s of virtual time. Pure functions, for tests.
 */
import type { ClusterSnapshot } from '../kafka/snapshot';

export interface RateSample {
  time: number;
  /** Log end offset per replica: `${topic}-${partition}@${broker}`. */
  leo: Record<string, number>;
  /** Position per consumer and partition: `${consumer}|${topic}-${partition}`. */
  position: Record<string, number>;
}

/** Records per second, keyed as the sample is. */
export interface Rates {
  leo: Record<string, number>;
  position: Record<string, number>;
}

export const RATE_WINDOW_MS = 1000;

export function sampleOf(s: ClusterSnapshot): RateSample {
  const leo: Record<string, number> = {};
  for (const p of s.partitions) {
    for (const r of p.replicaStates) leo[`${p.topic}-${p.partition}@${r.broker}`] = r.logEndOffset;
  }
  const position: Record<string, number> = {};
  for (const c of s.consumers) {
    for (const pos of c.positions) position[`${c.id}|${pos.topic}-${pos.partition}`] = pos.position;
  }
  return { time: s.time, leo, position };
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

export function ratesOf(samples: RateSample[]): Rates {
  const base = samples[0];
  const cur = samples[samples.length - 1];
  const rates: Rates = { leo: {}, position: {} };
  if (!base || !cur || cur.time <= base.time) return rates;
  const dt = (cur.time - base.time) / 1000;
  for (const [k, v] of Object.entries(cur.leo)) rates.leo[k] = Math.max(0, (v - (base.leo[k] ?? v)) / dt);
  for (const [k, v] of Object.entries(cur.position))
    rates.position[k] = Math.max(0, (v - (base.position[k] ?? v)) / dt);
  return rates;
}
