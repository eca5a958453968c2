/**
 * One property-test run (the VOPR's loop): a scenario run to the end of its faults and
 * settling, the step invariants checked every `stepMs` of virtual time, then what must hold
 * at the end: every partition led, with its whole ISR holding the leader's log, every
 * reassignment done; and ('safe') every acknowledged record in the log exactly once, in
 * order, and every live group caught up ('lossy': acks=1 and unclean elections may lose
 * records, that is the point).
 */
import type { Scenario } from '../../scenario/types';
import { Cluster } from '../cluster';
import { checkAcknowledgedRecords, checkReplicasAgree, checkStepInvariants, newInvariantState } from './invariants';
import { FAULT_END_MS, SETTLE_MS, type Mode } from './random-scenario';

export interface CheckedRun {
  violations: string[];
  /** Records acknowledged to the producer. */
  acked: number;
  /** The cluster at the end of the run. */
  cluster: Cluster;
}

export interface CheckedRunOptions {
  /** Virtual ms between checks (50). */
  stepMs?: number;
  /** A test's own checks at each step, besides checkStepInvariants: violations in words. */
  onStep?: (cluster: Cluster) => string[];
}

export function runChecked(scenario: Scenario, mode: Mode, opts: CheckedRunOptions = {}): CheckedRun {
  const stepMs = opts.stepMs ?? 50;
  const cluster = new Cluster(scenario, { recordConsumed: false, recordProduced: true });
  const state = newInvariantState();
  state.committedOnlyGrows = mode === 'safe';
  const violations: string[] = [];
  const end = FAULT_END_MS + SETTLE_MS;
  for (let t = stepMs; t <= end && violations.length === 0; t += stepMs) {
    cluster.runUntil(t);
    for (const v of checkStepInvariants(cluster, state)) violations.push(`t=${t}: ${v}`);
    if (opts.onStep) for (const v of opts.onStep(cluster)) violations.push(`t=${t}: ${v}`);
  }
  const acked = cluster.output().produced.filter((r) => r.offset !== null).length;
  // Healed: every partition led, its ISR whole, every replica holding its leader's log, no move unfinished.
  if (violations.length === 0) violations.push(...checkReplicasAgree(cluster));
  if (violations.length === 0) for (const m of cluster.controller.reassignmentsInProgress()) violations.push(`a reassignment is unfinished long after the faults healed: ${JSON.stringify(m)}`);
  if (mode === 'lossy') return { violations, acked, cluster };
  if (violations.length === 0) violations.push(...checkAcknowledgedRecords(cluster));
  // Liveness: once every fault healed and the load stopped, a live group has caught up.
  if (violations.length === 0) {
    for (const g of cluster.coordinator.describeGroups()) {
      if (g.members.length === 0) continue;
      if (g.state !== 'Stable') violations.push(`group ${g.groupId} is ${g.state} long after the faults healed`);
      for (const o of g.offsets) if (o.lag !== 0) violations.push(`group ${g.groupId} ${o.topic}-${o.partition}: lag ${o.lag} long after the load stopped`);
    }
  }
  if (violations.length === 0 && acked === 0) violations.push('no record was acknowledged at all');
  return { violations, acked, cluster };
}

/** A failed run in words: the seed, its first violations, and the scenario that reproduces it (`npm run scenario -- FILE.json`). */
export function reportRun(seed: number, r: { violations: string[] }, scenario: Scenario): string {
  return `seed ${seed}:\n  ${r.violations.slice(0, 5).join('\n  ')}\nreproduce with this scenario:\n${JSON.stringify(scenario)}`;
}
