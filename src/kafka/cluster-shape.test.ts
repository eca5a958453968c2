/**
 * CLUSTER_SHAPE names the fields of the cluster's classes. A saved moment (IndexedDB) is an
 * image of those objects; read by code whose classes have other fields it would give objects
 * missing what the code now relies on (a reload crashed that way once: a field added to
 * Consumer was undefined in a moment saved by the version before). So images carry the shape
 * and readClusterImage refuses another one (the reload restarts the brokers from their disks).
 *
 * This test keeps the number honest: it runs many clusters (every lesson, random scenarios
 * with faults and racks, admin and build ops), lists each class's fields as the images hold
 * them, and compares a hash of that list with the last entry of SHAPES. Changed a field?
 * Bump CLUSTER_SHAPE in checkpoint.ts and append { shape, hash } with the hash printed below.
 */
import { describe, expect, it } from 'vitest';
import { LESSONS, loadLesson } from '../scenario/lessons';
import { defaultScenario } from '../scenario/default-scenario';
import type { Scenario } from '../scenario/types';
import { CLUSTER_SHAPE, imageNodes, writeClusterImage } from './checkpoint';
import { Cluster } from './cluster';
import { FAULT_END_MS, randomRackScenario, randomScenario } from './invariants/random-scenario';

/** Every shape the cluster has had, oldest first (images before shape 2 carry none). */
const SHAPES: { shape: number; hash: string }[] = [{ shape: 2, hash: '2466aac3' }, { shape: 3, hash: 'dc45a67b' }, { shape: 4, hash: '0e83892a' }, { shape: 5, hash: 'b1f83154' }, { shape: 6, hash: 'e05cea4b' }, { shape: 7, hash: '64e6635e' }, { shape: 8, hash: '67037065' }];

function fieldsOf(clusters: Iterable<Cluster>): Map<string, Set<string>> {
  const fields = new Map<string, Set<string>>();
  for (const c of clusters) {
    const image = writeClusterImage(c);
    for (const node of imageNodes(image)) {
      if (node[0] !== 'o' || node[1] < 0) continue;
      const name = image.classes[node[1]]!;
      let set = fields.get(name);
      if (!set) fields.set(name, (set = new Set()));
      for (const k of node[2]) set.add(k);
    }
  }
  return fields;
}

/** FNV-1a, 32 bits, as hex. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function* runs(): Generator<Cluster> {
  const scenarios: Scenario[] = [defaultScenario];
  for (const l of LESSONS) {
    const r = loadLesson(l.id);
    if (!r.ok) throw new Error(r.error.message);
    scenarios.push(r.scenario);
  }
  for (let seed = 1; seed <= 3; seed++) scenarios.push(randomScenario(seed), randomRackScenario(seed));
  // Admin and build ops: a reassignment with a throttle still moving, more partitions, a removed broker, a resubscription.
  scenarios.push({
    ...defaultScenario,
    cluster: { ...defaultScenario.cluster, brokers: [...defaultScenario.cluster.brokers, { id: 4, rack: 'a' }] },
    timeline: [
      ...(defaultScenario.timeline ?? []),
      { at: 2000, op: 'reassignPartitions', topic: 'orders', partition: 0, replicas: [4, 2, 3], throttleBytesPerSec: 2000 },
      { at: 3000, op: 'addPartitions', topic: 'orders', partitions: 6 },
      { at: 4000, op: 'removeBroker', broker: 1 },
    ],
  });
  for (const s of scenarios) {
    const c = new Cluster(s);
    for (const at of [1500, 6000, FAULT_END_MS]) {
      c.runUntil(at);
      yield c;
    }
  }
}

describe('the cluster shape', () => {
  it('SHAPES ends with CLUSTER_SHAPE, each entry a new number and a new hash', () => {
    expect(SHAPES.at(-1)!.shape).toBe(CLUSTER_SHAPE);
    for (let i = 1; i < SHAPES.length; i++) {
      expect(SHAPES[i]!.shape).toBeGreaterThan(SHAPES[i - 1]!.shape);
      expect(SHAPES.slice(0, i).map((s) => s.hash)).not.toContain(SHAPES[i]!.hash);
    }
  });

  it("the classes' fields hash to the last recorded shape (else: bump CLUSTER_SHAPE and record the new hash)", { timeout: 300_000 }, () => {
    const fields = fieldsOf(runs());
    const listing = [...fields.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, keys]) => `${name}: ${[...keys].sort().join(',')}`);
    // Many classes, each with its fields: a listing that caught nothing would prove nothing.
    expect(fields.size).toBeGreaterThan(20);
    expect(fields.get('Consumer')?.size ?? 0).toBeGreaterThan(10);
    const got = hash(listing.join('\n'));
    expect(got, `the cluster's fields changed; bump CLUSTER_SHAPE to ${CLUSTER_SHAPE + 1} in checkpoint.ts and append { shape: ${CLUSTER_SHAPE + 1}, hash: '${got}' } to SHAPES`).toBe(SHAPES.at(-1)!.hash);
  });
});
