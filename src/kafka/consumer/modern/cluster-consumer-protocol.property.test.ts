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
import { runChecked } from '../../invariants/checked-run';
import { randomScenario, withConsumerProtocol } from '../../invariants/random-scenario';

/** randomScenario's document with every consumer on group.protocol=consumer. */
function kip848Scenario(seed: number): Scenario {
  return withConsumerProtocol(randomScenario(seed, 'safe'));
}

/** No partition is held by two running consumers of a group at once. */
function heldOnce(cluster: Cluster): string[] {
  const v: string[] = [];
  const held = new Map<string, string>();
  for (const c of cluster.snapshot().consumers) {
    if (c.status === 'closed' || c.status === 'crashed') continue;
    for (const tp of c.assignment) {
      const k = `${c.groupId}/${tp.topic}-${tp.partition}`;
      if (held.has(k)) v.push(`${k} held by ${held.get(k)} and ${c.id} at once`);
      held.set(k, c.id);
    }
  }
  return v;
}

function run(seed: number): string[] {
  const r = runChecked(kip848Scenario(seed), 'safe', { onStep: heldOnce });
  const violations = r.violations;
  if (violations.length === 0) for (const g of r.cluster.coordinator.describeGroups()) if (g.members.length > 0 && g.type !== 'consumer') violations.push(`group ${g.groupId} is ${g.type}`);
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
