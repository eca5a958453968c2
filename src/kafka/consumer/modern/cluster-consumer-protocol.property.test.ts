/**
 * The cluster property test (cluster.property.test.ts) with every consumer on the consumer
 * group protocol (KIP-848): random clusters and fault schedules (broker kills, restarts,
 * isolations, slow brokers; consumers joining, leaving and crashing). Every 50 ms the
 * cluster-wide invariants hold (checkStepInvariants: a Stable group owns each subscribed
 * partition exactly once, committed offsets only grow, ...) and no partition is held by two
 * running consumers of the group at once; at the end every acknowledged record is in the log
 * once, and the group is Stable and caught up.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../../scenario/types';
import { Cluster } from '../../cluster';
import { checkAcknowledgedRecords, checkStepInvariants, newInvariantState } from '../../invariants/invariants';
import { FAULT_END_MS, SETTLE_MS, randomScenario, withConsumerProtocol } from '../../invariants/random-scenario';

/** randomScenario's document with every consumer on group.protocol=consumer. */
function kip848Scenario(seed: number): Scenario {
  return withConsumerProtocol(randomScenario(seed, 'safe'));
}

function run(seed: number): string[] {
  const scenario = kip848Scenario(seed);
  const cluster = new Cluster(scenario, { recordConsumed: false, recordProduced: true });
  const state = newInvariantState();
  state.committedOnlyGrows = true;
  const violations: string[] = [];
  for (let t = 50; t <= FAULT_END_MS + SETTLE_MS && violations.length === 0; t += 50) {
    cluster.runUntil(t);
    for (const v of checkStepInvariants(cluster, state)) violations.push(`t=${t}: ${v}`);
    const held = new Map<string, string>();
    for (const c of cluster.snapshot().consumers) {
      if (c.status === 'closed' || c.status === 'crashed') continue;
      for (const tp of c.assignment) {
        const k = `${c.groupId}/${tp.topic}-${tp.partition}`;
        if (held.has(k)) violations.push(`t=${t}: ${k} held by ${held.get(k)} and ${c.id} at once`);
        held.set(k, c.id);
      }
    }
  }
  if (violations.length === 0) violations.push(...checkAcknowledgedRecords(cluster));
  if (violations.length === 0) {
    for (const g of cluster.coordinator.describeGroups()) {
      if (g.members.length === 0) continue;
      if (g.type !== 'consumer') violations.push(`group ${g.groupId} is ${g.type}`);
      if (g.state !== 'Stable') violations.push(`group ${g.groupId} is ${g.state} long after the faults healed`);
      for (const o of g.offsets) if (o.lag !== 0) violations.push(`group ${g.groupId} ${o.topic}-${o.partition}: lag ${o.lag} long after the load stopped`);
    }
  }
  return violations;
}

const SEEDS = Number(process.env.KIP848_SEEDS ?? 24);

describe('the cluster under faults with consumer-protocol groups (property)', () => {
  for (let chunk = 0; chunk < SEEDS; chunk += 8) {
    it(`seeds ${chunk + 1}–${Math.min(SEEDS, chunk + 8)}: invariants every 50 ms, no partition held twice, settles Stable and caught up`, { timeout: 300_000 }, () => {
      for (let seed = chunk + 1; seed <= Math.min(SEEDS, chunk + 8); seed++) {
        const v = run(seed);
        expect(v.slice(0, 5), `seed ${seed}: ${JSON.stringify(kip848Scenario(seed))}`).toEqual([]);
      }
    });
  }
});
