/**
 * Rack-aware replica placement for new topics, after KRaft's StripedReplicaPlacer
 * (metadata/src/main/java/org/apache/kafka/metadata/placement/StripedReplicaPlacer.java):
 * racks taken round-robin from a random start, brokers within a rack round-robin, at most
 * one replica per broker, so RF ≤ number of racks puts every replica in its own rack.
 * The random start comes from the cluster's seeded PRNG.
 */
import type { Prng } from '../sim/prng';

export interface PlacementBroker {
  id: number;
  rack: string | null;
}

export function placeReplicas(brokers: readonly PlacementBroker[], partitions: number, replicationFactor: number, prng: Prng): number[][] {
  if (replicationFactor < 1) throw new RangeError('replication factor must be at least 1');
  if (replicationFactor > brokers.length) throw new RangeError('replication factor above usable broker count');
  const byRack = new Map<string, number[]>();
  for (const b of [...brokers].sort((x, y) => x.id - y.id)) {
    const rack = b.rack ?? `\u0000${b.id}`; // a broker without a rack is a rack of its own
    const list = byRack.get(rack) ?? [];
    list.push(b.id);
    byRack.set(rack, list);
  }
  const racks = [...byRack.keys()].sort();
  const rackStart = prng.int(racks.length);
  const brokerCursor = new Map<string, number>();
  for (const r of racks) brokerCursor.set(r, prng.int(byRack.get(r)!.length));

  const out: number[][] = [];
  for (let p = 0; p < partitions; p++) {
    const replicas: number[] = [];
    let rackIdx = rackStart + p;
    let guard = 0;
    while (replicas.length < replicationFactor) {
      const rack = racks[rackIdx % racks.length]!;
      const list = byRack.get(rack)!;
      const cursor = brokerCursor.get(rack)!;
      for (let k = 0; k < list.length; k++) {
        const id = list[(cursor + k) % list.length]!;
        if (!replicas.includes(id)) {
          replicas.push(id);
          brokerCursor.set(rack, (cursor + k + 1) % list.length);
          break;
        }
      }
      rackIdx++;
      if (++guard > racks.length * (replicationFactor + 1) * 4) throw new Error('placement did not converge');
    }
    out.push(replicas);
  }
  return out;
}
