/**
 * What the reuse tests (producer/ready-list, producer/produce-reuse, sim/exchange-reuse,
 * broker/fetch-reuse) share: the cluster they load and break, and a way to watch a method.
 */
import type { Scenario } from '../../scenario/types';

/**
 * Three brokers with `orders` (RF 3, min.insync.replicas 2), the network's latency and jitter
 * both `latencyMs`, no initial rebalance delay (plus `brokerConfig`), and the given clients and timeline.
 */
export function ordersOnThreeBrokers(o: {
  seed: number;
  latencyMs: number;
  partitions: number;
  brokerConfig?: Record<string, string | number>;
  clients: Scenario['clients'];
  timeline: Scenario['timeline'];
}): Scenario {
  return {
    version: 1,
    seed: o.seed,
    cluster: {
      brokers: [{ id: 1 }, { id: 2 }, { id: 3 }],
      network: { latencyMs: o.latencyMs, jitterMs: o.latencyMs },
      config: { 'group.initial.rebalance.delay.ms': 0, ...o.brokerConfig },
    },
    topics: [{ name: 'orders', partitions: o.partitions, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: o.clients,
    timeline: o.timeline,
  };
}

/**
 * Wraps the method `name` of a prototype (called as this.name, or through Calls by name):
 * `before` sees each call's arguments first. The wrapper keeps the name. Returns the undo.
 */
export function wrapMethod(proto: object, name: string, before: (args: unknown[]) => void): () => void {
  const p = proto as Record<string, unknown>;
  const original = p[name] as (...a: unknown[]) => unknown;
  const wrapper = function (this: unknown, ...a: unknown[]) {
    before(a);
    return original.apply(this, a);
  };
  Object.defineProperty(wrapper, 'name', { value: name });
  p[name] = wrapper;
  return () => {
    p[name] = original;
  };
}
