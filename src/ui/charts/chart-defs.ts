/**
 * What each chart shows: for a target (a group, a partition, a broker, or one of Kafka's
 * metrics from the metrics panel), the sample lines it asks the worker for (SeriesQuery,
 * only these leave the worker) and the panels drawn from them. Built from the latest
 * snapshot (which partitions a group has, which brokers exist); pure.
 */
import { METRIC_KEYS } from '../../kafka/lag';
import type { ClusterSnapshot } from '../../kafka/snapshot';
import type { SeriesQuery } from '../../worker/protocol';
import { drainSeries, rateSeries } from './derive';

export type ChartTarget =
  | { kind: 'group'; id: string }
  | { kind: 'partition'; topic: string; partition: number }
  | { kind: 'broker'; id: number }
  | { kind: 'metric'; name: string };

export type Values = Record<string, number[]>;

export interface LineSpec {
  label: string;
  /** The line's values at each sample, from the watched queries' values. */
  compute(times: number[], v: Values): number[];
}

export interface PanelSpec {
  id: string;
  title: string;
  /** Kafka's name for what is drawn, when it has one. */
  metric?: string;
  unit: string;
  lines: LineSpec[];
}

export interface ChartSpec {
  title: string;
  queries: SeriesQuery[];
  panels: PanelSpec[];
}

/** Lines per panel at most: more would not be readable (the rest are counted in the title). */
export const MAX_LINES = 8;
/** Window for rates and trends drawn per sample. */
export const RATE_WINDOW_MS = 5_000;
/**
 * Window for the consume rate and lag trend behind the time to drain: a minute, so it spans
 * several commits (auto.commit.interval.ms is 5 s; a slow consumer commits only between
 * its long batches of max.poll.records) and tells a growing lag from one step of it.
 */
export const DRAIN_WINDOW_MS = 60_000;

const raw = (id: string) => (_t: number[], v: Values) => v[id] ?? [];
const seconds = (id: string) => (_t: number[], v: Values) => (v[id] ?? []).map((x) => x / 1000);
const rate = (id: string, windowMs = RATE_WINDOW_MS) => (t: number[], v: Values) => rateSeries(t, v[id] ?? [], windowMs);
const drainSec = (lag: string, committed: string) => (t: number[], v: Values) =>
  drainSeries(t, v[lag] ?? [], v[committed] ?? [], DRAIN_WINDOW_MS).map((x) => (x === Infinity ? NaN : x / 1000));

class Builder {
  readonly queries = new Map<string, SeriesQuery>();
  q(id: string, keys: string[], agg?: SeriesQuery['agg']): string {
    if (!this.queries.has(id)) this.queries.set(id, agg ? { id, keys, agg } : { id, keys });
    return id;
  }
  one(key: string): string {
    return this.q(key, [key]);
  }
}

function capped(title: string, lines: LineSpec[]): { title: string; lines: LineSpec[] } {
  if (lines.length <= MAX_LINES) return { title, lines };
  return { title: `${title} (first ${MAX_LINES} of ${lines.length})`, lines: lines.slice(0, MAX_LINES) };
}

function groupPartitions(s: ClusterSnapshot, groupId: string) {
  return s.groups.find((g) => g.groupId === groupId)?.offsets.filter((o) => o.committed !== null) ?? [];
}

function groupPanels(b: Builder, s: ClusterSnapshot, id: string): PanelSpec[] {
  const tps = groupPartitions(s, id);
  const lag = b.one(METRIC_KEYS.groupLag(id));
  const lagMs = b.one(METRIC_KEYS.groupLagMs(id));
  const committed = b.one(METRIC_KEYS.groupCommitted(id));
  const lagMax = b.q(`lagMax|${id}`, tps.map((o) => METRIC_KEYS.lag(id, o.topic, o.partition)), 'max');
  const hw = b.q(`hwSum|${id}`, tps.map((o) => METRIC_KEYS.hw(o.topic, o.partition)));
  return [
    {
      id: 'lag',
      title: 'Lag in records',
      metric: 'records-lag',
      unit: 'records',
      lines: [
        { label: 'records-lag-sum (all partitions)', compute: raw(lag) },
        { label: 'records-lag-max (worst partition)', compute: raw(lagMax) },
      ],
    },
    {
      id: 'lag-time',
      title: 'Lag in time: age of the oldest unconsumed record',
      metric: 'kafka_consumergroup_group_max_lag_seconds',
      unit: 's',
      lines: [{ label: 'max over partitions', compute: seconds(lagMs) }],
    },
    {
      id: 'throughput',
      title: 'Produce and consume throughput',
      unit: 'records/s',
      lines: [
        { label: 'produced into its partitions', compute: rate(hw) },
        { label: 'consumed (committed)', compute: rate(committed) },
      ],
    },
    {
      id: 'drain',
      title: 'Estimated time to drain the lag at the current consume rate',
      unit: 's',
      lines: [{ label: 'lag / consume rate (gap: not draining)', compute: drainSec(lag, committed) }],
    },
  ];
}

function partitionPanels(b: Builder, s: ClusterSnapshot, topic: string, p: number): PanelSpec[] {
  const isr = b.one(METRIC_KEYS.isr(topic, p));
  const hw = b.one(METRIC_KEYS.hw(topic, p));
  const groups = s.groups.filter((g) => g.offsets.some((o) => o.topic === topic && o.partition === p && o.committed !== null)).map((g) => g.groupId);
  const lagLines = groups.map((g) => ({ label: g, compute: raw(b.one(METRIC_KEYS.lag(g, topic, p))) }));
  const msLines = groups.map((g) => ({ label: g, compute: seconds(b.one(METRIC_KEYS.lagMs(g, topic, p))) }));
  const drainLines = groups.map((g) => ({ label: g, compute: drainSec(b.one(METRIC_KEYS.lag(g, topic, p)), b.one(METRIC_KEYS.committed(g, topic, p))) }));
  const panels: PanelSpec[] = [
    { id: 'isr', title: 'ISR size', metric: 'InSyncReplicasCount', unit: 'replicas', lines: [{ label: `${topic}-${p}`, compute: raw(isr) }] },
    { id: 'throughput', title: 'Records in (high watermark advance)', unit: 'records/s', lines: [{ label: `${topic}-${p}`, compute: rate(hw) }] },
  ];
  if (groups.length > 0) {
    panels.push(
      { id: 'lag', title: capped('Lag in records, per group', lagLines).title, metric: 'records-lag', unit: 'records', lines: capped('', lagLines).lines },
      { id: 'lag-time', title: capped('Lag in time, per group', msLines).title, metric: 'kafka_consumergroup_group_lag_seconds', unit: 's', lines: capped('', msLines).lines },
      { id: 'drain', title: capped('Time to drain, per group', drainLines).title, unit: 's', lines: capped('', drainLines).lines },
    );
  }
  return panels;
}

function brokerPanels(b: Builder, id: number): PanelSpec[] {
  return [
    { id: 'messages-in', title: 'Messages in', metric: 'MessagesInPerSec', unit: 'records/s', lines: [{ label: `broker ${id}`, compute: rate(b.one(METRIC_KEYS.messagesIn(id))) }] },
    {
      id: 'bytes',
      title: 'Bytes in and out',
      metric: 'BytesInPerSec',
      unit: 'bytes/s',
      lines: [
        { label: 'BytesInPerSec', compute: rate(b.one(METRIC_KEYS.bytesIn(id))) },
        { label: 'BytesOutPerSec', compute: rate(b.one(METRIC_KEYS.bytesOut(id))) },
      ],
    },
    { id: 'urp', title: 'Under-replicated partitions it leads', metric: 'UnderReplicatedPartitions', unit: 'partitions', lines: [{ label: `broker ${id}`, compute: raw(b.one(METRIC_KEYS.brokerUrp(id))) }] },
  ];
}

/** One panel with a line per thing (broker, group, client), capped at MAX_LINES. */
function perThing(id: string, title: string, metric: string, unit: string, lines: LineSpec[]): PanelSpec {
  const c = capped(title, lines);
  return { id, title: c.title, metric, unit, lines: c.lines };
}

/** The chart of one Kafka metric name (metrics panel), or null when the name is unknown. */
function metricPanels(b: Builder, s: ClusterSnapshot, name: string): PanelSpec[] | null {
  const brokers = s.brokers.map((x) => x.id);
  const groups = s.groups.map((g) => g.groupId);
  const one = (key: string, label: string, compute: (id: string) => LineSpec['compute'] = raw) => ({ label, compute: compute(b.one(key)) });
  switch (name) {
    case 'UnderReplicatedPartitions':
      return [perThing('urp', 'Under-replicated partitions', name, 'partitions', [one(METRIC_KEYS.urp, 'cluster'), ...brokers.map((id) => one(METRIC_KEYS.brokerUrp(id), `broker ${id}`))])];
    case 'OfflinePartitionsCount':
      return [perThing('offline', 'Offline partitions', name, 'partitions', [one(METRIC_KEYS.offline, 'cluster')])];
    case 'UnderMinIsrPartitionCount':
      return [perThing('under-min-isr', 'Partitions under min.insync.replicas', name, 'partitions', [one(METRIC_KEYS.underMinIsr, 'cluster')])];
    case 'IsrShrinksPerSec':
      return [perThing('isr-shrinks', 'ISR shrinks', name, '/s', [{ label: 'cluster', compute: rate(b.one(METRIC_KEYS.isrShrinks)) }])];
    case 'IsrExpandsPerSec':
      return [perThing('isr-expands', 'ISR expands', name, '/s', [{ label: 'cluster', compute: rate(b.one(METRIC_KEYS.isrExpands)) }])];
    case 'MessagesInPerSec':
      return [perThing('messages-in', 'Messages in, per broker', name, 'records/s', brokers.map((id) => ({ label: `broker ${id}`, compute: rate(b.one(METRIC_KEYS.messagesIn(id))) })))];
    case 'BytesInPerSec':
      return [perThing('bytes-in', 'Bytes in, per broker', name, 'bytes/s', brokers.map((id) => ({ label: `broker ${id}`, compute: rate(b.one(METRIC_KEYS.bytesIn(id))) })))];
    case 'BytesOutPerSec':
      return [perThing('bytes-out', 'Bytes out, per broker', name, 'bytes/s', brokers.map((id) => ({ label: `broker ${id}`, compute: rate(b.one(METRIC_KEYS.bytesOut(id))) })))];
    case 'InSyncReplicasCount': {
      const all = s.partitions.map((p) => METRIC_KEYS.isr(p.topic, p.partition));
      const lines = [{ label: 'smallest over all partitions', compute: raw(b.q('isrMin', all, 'min')) }, ...s.partitions.map((p) => one(METRIC_KEYS.isr(p.topic, p.partition), `${p.topic}-${p.partition}`))];
      return [perThing('isr', 'ISR size per partition', name, 'replicas', lines)];
    }
    case 'records-lag':
      return [perThing('lag', 'Lag in records, per group (sum over its partitions)', 'records-lag-sum', 'records', groups.map((g) => one(METRIC_KEYS.groupLag(g), g)))];
    case 'records-lag-max':
      return [
        perThing(
          'lag-max',
          'Largest partition lag, per group',
          name,
          'records',
          groups.map((g) => ({ label: g, compute: raw(b.q(`lagMax|${g}`, groupPartitions(s, g).map((o) => METRIC_KEYS.lag(g, o.topic, o.partition)), 'max')) })),
        ),
      ];
    case 'kafka_consumergroup_group_max_lag_seconds':
      return [perThing('lag-time', 'Lag in time, per group (oldest unconsumed record)', name, 's', groups.map((g) => one(METRIC_KEYS.groupLagMs(g), g, seconds)))];
    case 'records-consumed-rate':
      return [perThing('consumed', 'Records consumed, per consumer', name, 'records/s', s.consumers.map((c) => ({ label: c.id, compute: rate(b.one(METRIC_KEYS.consumed(c.id))) })))];
    case 'record-send-rate':
      return [perThing('sent', 'Records sent, per producer', name, 'records/s', s.producers.map((p) => ({ label: p.id, compute: rate(b.one(METRIC_KEYS.sent(p.id))) })))];
    case 'time-to-drain':
      return [perThing('drain', 'Estimated time to drain, per group', name, 's', groups.map((g) => ({ label: g, compute: drainSec(b.one(METRIC_KEYS.groupLag(g)), b.one(METRIC_KEYS.groupCommitted(g))) })))];
    default:
      return null;
  }
}

export function buildChart(target: ChartTarget, s: ClusterSnapshot): ChartSpec | null {
  const b = new Builder();
  let title: string;
  let panels: PanelSpec[] | null;
  switch (target.kind) {
    case 'group':
      if (!s.groups.some((g) => g.groupId === target.id)) return null;
      title = `Group ${target.id}`;
      panels = groupPanels(b, s, target.id);
      break;
    case 'partition':
      if (!s.partitions.some((p) => p.topic === target.topic && p.partition === target.partition)) return null;
      title = `Partition ${target.topic}-${target.partition}`;
      panels = partitionPanels(b, s, target.topic, target.partition);
      break;
    case 'broker':
      if (!s.brokers.some((x) => x.id === target.id)) return null;
      title = `Broker ${target.id}`;
      panels = brokerPanels(b, target.id);
      break;
    case 'metric':
      title = target.name;
      panels = metricPanels(b, s, target.name);
      break;
  }
  if (!panels) return null;
  return { title, queries: [...b.queries.values()], panels };
}
