/**
 * `kafka-consumer-groups --describe`, as rows: one per partition the group has an offset
 * for or a member owns, then one per member that owns nothing, with `-` in the partition
 * columns, as the tool prints idle members. Beside the tool's LAG (log end − committed
 * offset) each row can carry the owning consumer's position and records-lag (high
 * watermark − position), which the tool does not print. Pure, for tests.
 */
import type { ConsumerView, GroupView } from '../../kafka/snapshot';

export interface DescribeRow {
  group: string;
  /** null: an idle member's row (no partition). */
  topic: string | null;
  partition: number | null;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  clientId: string | null;
  /** The owning consumer's position and records-lag, when it reports them. */
  position: number | null;
  recordsLag: number | null;
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

/** The consumer's columns shown after the tool's, with what each means. */
export const CONSUMER_COLUMNS = [
  { name: 'RECORDS-LAG', title: "records-lag, the owning consumer's metric: high watermark − its position (the next offset it reads); not printed by the tool" },
] as const;

export function describeGroup(g: GroupView, consumers: readonly ConsumerView[] = []): DescribeRow[] {
  const rows = new Map<string, DescribeRow>();
  const key = (t: string, p: number) => `${t}\u0000${String(p).padStart(8, '0')}`;
  const blank = (topic: string, partition: number): DescribeRow => ({
    group: g.groupId,
    topic,
    partition,
    currentOffset: null,
    logEndOffset: null,
    lag: null,
    consumerId: null,
    clientId: null,
    position: null,
    recordsLag: null,
  });
  for (const o of g.offsets) {
    rows.set(key(o.topic, o.partition), { ...blank(o.topic, o.partition), currentOffset: o.committed, logEndOffset: o.logEndOffset, lag: o.lag });
  }
  const idle: DescribeRow[] = [];
  for (const m of g.members) {
    const c = consumers.find((x) => x.memberId === m.memberId);
    if (m.assignment.length === 0) {
      idle.push({ ...blank('', 0), topic: null, partition: null, consumerId: m.memberId, clientId: m.clientId });
      continue;
    }
    for (const a of m.assignment) {
      const k = key(a.topic, a.partition);
      const row = rows.get(k) ?? blank(a.topic, a.partition);
      row.consumerId = m.memberId;
      row.clientId = m.clientId;
      const pos = c?.positions.find((x) => x.topic === a.topic && x.partition === a.partition);
      if (pos && pos.position >= 0) {
        row.position = pos.position;
        row.recordsLag = pos.lag;
      }
      rows.set(k, row);
    }
  }
  const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  return sorted.concat(idle.sort((a, b) => (a.consumerId! < b.consumerId! ? -1 : a.consumerId! > b.consumerId! ? 1 : 0)));
}

/** As the tool prints a missing value. */
export const dash = (v: number | string | null): string => (v === null ? '-' : String(v));
