import { describe, expect, it } from 'vitest';
import { fixtureSnapshot } from '../test/fixture';
import { describeGroup } from './describe';

describe('describeGroup', () => {
  it('lists each partition with offsets, lag and owner, like kafka-consumer-groups --describe', () => {
    const g = fixtureSnapshot().groups[0]!;
    expect(describeGroup(g)).toEqual([
      { group: 'billing', topic: 'orders', partition: 0, currentOffset: 85, logEndOffset: 90, lag: 5, consumerId: 'billing-1-aaa', clientId: 'billing-1', position: null, recordsLag: null },
      { group: 'billing', topic: 'orders', partition: 1, currentOffset: null, logEndOffset: 40, lag: null, consumerId: 'billing-2-bbb', clientId: 'billing-2', position: null, recordsLag: null },
    ]);
  });

  it('keeps partitions with offsets but no owner, sorted numerically', () => {
    const g = fixtureSnapshot().groups[0]!;
    g.members = [];
    g.offsets.push({ topic: 'orders', partition: 10, committed: 3, logEndOffset: 3, lag: 0 });
    g.offsets.push({ topic: 'orders', partition: 2, committed: 3, logEndOffset: 4, lag: 1 });
    expect(describeGroup(g).map((r) => `${r.partition}:${r.clientId}`)).toEqual(['0:null', '1:null', '2:null', '10:null']);
  });

  it('lists a member with no partitions with - in the partition columns, after the partitions, as the tool does', () => {
    const g = fixtureSnapshot().groups[0]!;
    g.members.push({ memberId: 'billing-3-ccc', clientId: 'billing-3', groupInstanceId: null, assignment: [] });
    const rows = describeGroup(g);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatchObject({ topic: null, partition: null, currentOffset: null, logEndOffset: null, lag: null, consumerId: 'billing-3-ccc', clientId: 'billing-3' });
  });

  it("puts the owning consumer's position and records-lag beside the committed LAG", () => {
    const s = fixtureSnapshot();
    const g = s.groups[0]!;
    const c = s.consumers.find((x) => x.memberId === 'billing-1-aaa');
    expect(c).toBeDefined();
    const row = describeGroup(g, s.consumers).find((r) => r.partition === 0)!;
    const pos = c!.positions.find((p) => p.partition === 0)!;
    expect(row.position).toBe(pos.position);
    expect(row.recordsLag).toBe(pos.lag);
  });
});
