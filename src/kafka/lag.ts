/**
 * The arithmetic behind lag and rate metrics, shared by the cluster (Cluster.metrics), the
 * metric sampler (worker) and the charts (UI). Pure functions of plain numbers.
 *
 * Names follow Kafka and the lag monitors people run beside it:
 * - lag in records (kafka-consumer-groups' LAG, the client's records-lag): log end offset
 *   (the high watermark) − committed offset, never below 0;
 * - lag in time (Burrow, kafka-lag-exporter's kafka_consumergroup_group_lag_seconds): how
 *   old the oldest unconsumed record is: now − the timestamp of the record at the committed
 *   offset, 0 when nothing is waiting;
 * - time to drain: lag / consume rate, when the group consumes faster than records arrive
 *   (lag shrinking); otherwise the lag does not drain at the current rate (Infinity).
 */

/**
 * How much a counter grew from `before` to `after`. A counter below its earlier value was
 * reset (a broker process restarted, its meters start from 0): then all it holds now was
 * counted since the reset (Prometheus' counter-reset rule). Never negative.
 */
export function counterIncrease(before: number, after: number): number {
  return after >= before ? after - before : Math.max(0, after);
}

/** Per second, from a counter read at two virtual times (ms); 0 over an empty window. */
export function ratePerSec(before: number, after: number, fromMs: number, toMs: number): number {
  const dt = (toMs - fromMs) / 1000;
  return dt > 0 ? counterIncrease(before, after) / dt : 0;
}

/** Lag in records: high watermark − committed offset, never below 0; null when nothing is committed. */
export function lagRecords(logEndOffset: number, committed: number | null): number | null {
  if (committed === null) return null;
  return Math.max(0, logEndOffset - committed);
}

/**
 * Lag in time (ms): now − the timestamp of the oldest unconsumed record (the one at the
 * committed offset). 0 when there is no lag or the record is unknown (deleted by retention:
 * then its age cannot be told from the log). Never negative (a producer clock ahead).
 */
export function lagMs(nowMs: number, lag: number | null, oldestUnconsumedTimestamp: number | null): number {
  if (lag === null || lag <= 0 || oldestUnconsumedTimestamp === null || oldestUnconsumedTimestamp < 0) return 0;
  return Math.max(0, nowMs - oldestUnconsumedTimestamp);
}

/**
 * Estimated time to drain a lag (ms) at the current consume rate: lag / rate. 0 with no lag;
 * Infinity when nothing is consumed or the lag grows (records arrive faster than they are
 * consumed: at this rate it never drains). `lagTrendPerSec` is the lag's change per second
 * over the same window (negative: shrinking).
 */
export function drainMs(lag: number, consumeRatePerSec: number, lagTrendPerSec: number): number {
  if (lag <= 0) return 0;
  if (!(consumeRatePerSec > 0) || lagTrendPerSec >= 0) return Infinity;
  return (lag / consumeRatePerSec) * 1000;
}

/**
 * The change per second of a series over its last `windowMs` (ms times, values; NaN where
 * missing): the least-squares slope of the samples in the window, so a lag that moves in
 * steps (offsets are committed every auto.commit.interval.ms, a slow consumer commits
 * after each long batch) shows its direction rather than its last step. 0 with fewer than
 * two points.
 */
export function trendPerSec(times: ArrayLike<number>, values: ArrayLike<number>, windowMs: number): number {
  let last = times.length - 1;
  while (last >= 0 && !Number.isFinite(values[last]!)) last--;
  if (last < 1) return 0;
  return slopePerSec(times, values, times[last]! - windowMs, last);
}

/** Least-squares slope (per second) of the finite samples with time ≥ fromMs, up to index last. */
export function slopePerSec(times: ArrayLike<number>, values: ArrayLike<number>, fromMs: number, last: number): number {
  let n = 0;
  let st = 0;
  let sv = 0;
  for (let i = last; i >= 0 && times[i]! >= fromMs; i--) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    st += times[i]!;
    sv += v;
  }
  if (n < 2) return 0;
  const mt = st / n;
  const mv = sv / n;
  let num = 0;
  let den = 0;
  for (let i = last; i >= 0 && times[i]! >= fromMs; i--) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    num += (times[i]! - mt) * (v - mv);
    den += (times[i]! - mt) ** 2;
  }
  return den > 0 ? (num / den) * 1000 : 0;
}

/**
 * Series keys of the metric samples (Cluster.sampleMetrics, src/worker/metric-series.ts).
 * `|` separates the parts (topic names use [a-zA-Z0-9._-], group and client ids never
 * need `|` here: it only has to be unambiguous per kind, which the fixed arity gives).
 */
export const METRIC_KEYS = {
  /** High watermark per partition (produce throughput: its increase per second). */
  hw: (topic: string, p: number) => `hw|${topic}|${p}`,
  /** ISR size per partition. */
  isr: (topic: string, p: number) => `isr|${topic}|${p}`,
  /** Partitions with no reachable leader (OfflinePartitionsCount). */
  offline: 'offline',
  /** Partitions with a live leader and ISR < replicas (UnderReplicatedPartitions, cluster-wide). */
  urp: 'urp',
  underMinIsr: 'underMinIsr',
  /** Controller counters behind IsrShrinksPerSec / IsrExpandsPerSec. */
  isrShrinks: 'isrShrinks',
  isrExpands: 'isrExpands',
  /** The broker's meters' counters (reset when its process restarts). */
  messagesIn: (b: number) => `messagesIn|${b}`,
  bytesIn: (b: number) => `bytesIn|${b}`,
  bytesOut: (b: number) => `bytesOut|${b}`,
  /** UnderReplicatedPartitions of one broker: those it leads with ISR < replicas. */
  brokerUrp: (b: number) => `urp|${b}`,
  /** Producer records sent (record-send-rate), consumer records consumed (records-consumed-rate). */
  sent: (producer: string) => `sent|${producer}`,
  consumed: (consumer: string) => `consumed|${consumer}`,
  /** Per group and partition: committed offset, lag in records, lag in time (ms). */
  committed: (g: string, topic: string, p: number) => `committed|${g}|${topic}|${p}`,
  lag: (g: string, topic: string, p: number) => `lag|${g}|${topic}|${p}`,
  lagMs: (g: string, topic: string, p: number) => `lagMs|${g}|${topic}|${p}`,
  /** Per group: total lag (records-lag-sum), the largest lag in time, the sum of committed offsets (consume rate). */
  groupLag: (g: string) => `groupLag|${g}`,
  groupLagMs: (g: string) => `groupLagMs|${g}`,
  groupCommitted: (g: string) => `groupCommitted|${g}`,
} as const;
