import { it } from 'vitest';
import { Cluster } from './kafka/cluster';
import { threeRacks } from './kafka/test-support/three-racks';
it('dbg', () => {
  const c = new Cluster({ version: 1, seed: 1, cluster: threeRacks({}),
    topics: [{ name: 't', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 1 }, assignments: [[1, 2, 3]] }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 1 } }],
    timeline: [
      { at: 500, op: 'slowBroker', broker: 2, delayMs: 10000 },
      { at: 500, op: 'slowBroker', broker: 3, delayMs: 10000 },
      { at: 4000, op: 'produce', producer: 'p', topic: 't', key: 'k', value: 'acked-then-lost' },
      { at: 4100, op: 'killBroker', broker: 1 },
      { at: 4200, op: 'slowBroker', broker: 2, delayMs: 0 },
      { at: 4200, op: 'slowBroker', broker: 3, delayMs: 0 },
      { at: 30000, op: 'restartBroker', broker: 1 },
    ] } as any);
  c.runUntil(60000);
  for (const e of c.allEvents()) if (!['RecordProduced'].includes(e.type)) console.log(JSON.stringify(e));
});
