import { describe, expect, it } from 'vitest';
import { fixtureSnapshot } from '../test/fixture';
import { describeGroup } from './describe';

describe('describeGroup', () => {
  it('lists each partition with offsets, lag and owner, like kafka-consumer-groups --describe', () => {
    const g = fixtureSnapshot().groups[0]!;
    expect(describeGroup(g)).toEqual([
      { group: 'billing', topic: 'orders', partition: 0, currentOffset: 85, logEndOffset: 90, lag: 5, consumerId: 'billing-1-aaa', clientId: 'billing-1' },
      { group: 'billing', topic: 'orders', partition: 1, currentOffset: null, logEndOffset: 40, lag: null, consumerId: 'billing-2-bbb', clientId: 'billing-2' },
    ]);
  });

  it('keeps partitions with offsets but no owner, sorted numerically', () => {
    const g = fixtureSnapshot().groups[0]!;
    g.members = [];
    g.offsets.push({ topic: 'orders', partition: 10, committed: 3, logEndOffset: 3, lag: 0 });
    g.offsets.push({ topic: 'orders', partition: 2, committed: 3, logEndOffset: 4, lag: 1 });
    expect(describeGroup(g).map((r) => `${r.partition}:${r.clientId}`)).toEqual(['0:null', '1:null', '2:null', '10:null']);
  });
});
