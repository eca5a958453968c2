/**
 * TEST HARNESS, not shipped code: the cluster most mechanism tests start from. Brokers 1, 2
 * and 3 in racks a, b and c on a 1 ms network, so a three-replica partition spans all racks.
 */
import type { ClusterSpec, ConfigMap } from '../../scenario/types';

export function threeRacks(opts: { jitterMs?: number; config?: ConfigMap } = {}): ClusterSpec {
  return {
    brokers: [
      { id: 1, rack: 'a' },
      { id: 2, rack: 'b' },
      { id: 3, rack: 'c' },
    ],
    network: { latencyMs: 1, jitterMs: opts.jitterMs ?? 1 },
    ...(opts.config ? { config: opts.config } : {}),
  };
}
