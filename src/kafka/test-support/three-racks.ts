/**
 * TEST HARNESS, not shipped code: the cluster most mechanism tests start from. Brokers 1, 2
 * and 3 in racks a, b and c on a 1 ms network, so a three-replica partition spans all racks.
 */
import type { ClusterSpec, ConfigMap } from '../../scenario/types';

export function threeRacks(opts: { jitterMs?: number; config?: ConfigMap; combined?: boolean } = {}): ClusterSpec {
  // combined: every broker is also a quorum voter (process.roles=broker,controller); else the
  // default quorum of three controller-only nodes.
  const roles = (_id: number) => (opts.combined ? { 'process.roles': 'broker,controller' as const } : {});
  return {
    brokers: [
      { id: 1, rack: 'a', ...roles(1) },
      { id: 2, rack: 'b', ...roles(2) },
      { id: 3, rack: 'c', ...roles(3) },
    ],
    network: { latencyMs: 1, jitterMs: opts.jitterMs ?? 1 },
    ...(opts.config ? { config: opts.config } : {}),
  };
}
