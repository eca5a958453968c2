/**
 * `kafka-consumer-groups --describe`, as rows: one per partition the group has an offset
 * for or a member owns. Pure, for tests.
 */
import type { GroupView } from '../../kafka/snapshot';

export interface DescribeRow {
  group: string;
  topic: string;
  partition: number;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  clientId: string | null;
}

export const DESCRIBE_COLUMNS = [
  'GROUP',
  'TOPIC',
  'PARTITION',
  'CURRENT-OFFSET',
  'LOG-END-OFFSET',
  'LAG',
  'CONSUMER-ID',
  'CLIENT-ID',
] as const;

export function describeGroup(g: GroupView): DescribeRow[] {
  const rows = new Map<string, DescribeRow>();
  const key = (t: string, p: number) => `${t}\u0000${String(p).padStart(8, '0')}`;
  for (const o of g.offsets) {
    rows.set(key(o.topic, o.partition), {
      group: g.groupId,
      topic: o.topic,
      partition: o.partition,
      currentOffset: o.committed,
      logEndOffset: o.logEndOffset,
      lag: o.lag,
      consumerId: null,
      clientId: null,
    });
  }
  for (const m of g.members) {
    for (const a of m.assignment) {
      const k = key(a.topic, a.partition);
      const row = rows.get(k) ?? {
        group: g.groupId,
        topic: a.topic,
        partition: a.partition,
        currentOffset: null,
        logEndOffset: null,
        lag: null,
        consumerId: null,
        clientId: null,
      };
      row.consumerId = m.memberId;
      row.clientId = m.clientId;
      rows.set(k, row);
    }
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/** As the tool prints a missing value. */
export const dash = (v: number | string | null): string => (v === null ? '-' : String(v));
