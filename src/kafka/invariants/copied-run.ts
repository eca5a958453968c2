/**
 * A run copied at many moments against the same run straight through (tests of reused
 * objects: whatever a cluster keeps for reuse must come through cloneCluster as the rest of
 * its state does).
 */
import { cloneCluster } from '../checkpoint';
import type { Cluster } from '../cluster';

/** A run's output, snapshot and event count, as one string. */
export function runFingerprint(c: Cluster): string {
  return JSON.stringify(c.output()) + JSON.stringify(c.snapshot()) + c.scheduler.eventsRun;
}

/**
 * Runs `make()` to `endMs` straight, and again replaced by a copy of itself every `everyMs`
 * (173 by default, a prime: the copies fall at every phase of linger, request and fetch rounds).
 * Returns both fingerprints and how many copies were made.
 */
export function copiedRun(make: () => Cluster, endMs: number, everyMs = 173): { straight: string; copied: string; copies: number } {
  const straight = make();
  straight.runUntil(endMs);
  let c = make();
  let copies = 0;
  for (let t = everyMs; t < endMs; t += everyMs) {
    c.runUntil(t);
    c = cloneCluster(c);
    copies++;
  }
  c.runUntil(endMs);
  return { straight: runFingerprint(straight), copied: runFingerprint(c), copies };
}
