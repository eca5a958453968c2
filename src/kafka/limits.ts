/**
 * The playground's limits: how much work one document (or one live action) may ask for.
 * Kafka itself has few such caps; a browser tab does. Each limit is far above what a lesson
 * needs and below what freezes a tab or fills its memory (10 brokers x 1,000 partitions
 * took a renderer to 7 GB; 1 MB values at 1,000 records/s reached 3.7 GB in seconds).
 *
 * The one place they are set. The scenario schema refuses a document over a limit with a
 * message naming the field, the limit and the value; the cluster refuses a live action over
 * a limit with an ActionRejected event (POLICY_VIOLATION), and the run goes on.
 */

export const LIMITS = {
  /** Brokers in the cluster at once (the document's, plus addBroker). */
  brokers: 64,
  /** Kafka's node.id is an int. */
  brokerId: 2147483647,
  /** Partitions of one topic. */
  partitions: 1000,
  /** Partitions over all topics (issue 10's scale target is 50 brokers x 1,000 partitions). */
  totalPartitions: 2000,
  /** Partition replicas over all topics: partitions x replication factor, summed. */
  totalReplicas: 6000,
  /** A replication factor can never exceed the broker count. */
  replicationFactor: 64,
  /** Producers and consumers in the cluster at once. */
  clients: 200,
  /** Timeline actions in one document. */
  timelineActions: 100_000,
  /** One load generator's records per second. */
  ratePerSec: 100_000,
  /**
   * One load generator's bytes per second (ratePerSec x valueBytes): 2 MB/s, so issue 10's
   * scale workload (20,000 records/s of 100 bytes) opens from a link. Logs live in memory,
   * on every replica, and the playground plays up to 100x: 2 MB/s at RF 3 is already
   * 600 MB of heap per wall-clock second at full speed.
   */
  loadBytesPerSec: 2 * 1024 * 1024,
  /**
   * Bytes of records a run may hold in memory before playing pauses (worker/host.ts,
   * record-batch.ts batchBytesHeld): Kafka keeps every record for retention.ms (7 days by
   * default), and here the logs and the checkpoints for rewinding keep them in the tab's
   * memory, which ran at about 2.5 times that (6 x 50 at 100x: 0.9 GB of records after 90 s,
   * 2.5 GB of renderer); past a few GB the browser kills the tab and the run is lost.
   */
  batchBytesBeforePause: 512 * 1024 * 1024,
  /** After such a pause, Play runs on until the records take this much more. */
  batchBytesPauseStep: 256 * 1024 * 1024,
  keys: 1_000_000,
  /** A load generator's value size; Kafka's default max.message.bytes is 1048588. */
  valueBytes: 1_048_576,
  /** Virtual time anything may name (an action's `at`, a delay, the runner's --until): 24 h. */
  timeMs: 24 * 60 * 60 * 1000,
  /** Nesting depth of a document (objects and arrays); the schema's own needs 5. */
  depth: 64,
} as const;

export type LimitName = keyof typeof LIMITS;

/** "1 MB/s", "2000": a limit as a user reads it. */
export function formatLimit(name: LimitName): string {
  const v = LIMITS[name];
  if (name === 'loadBytesPerSec') return `${v / (1024 * 1024)} MB/s`;
  if (name === 'timeMs') return `${v} ms (24 h)`;
  return String(v);
}

/**
 * Why one load generator is over the byte-rate limit, or null. Shared by the schema (a
 * document's startLoad) and the cluster (a live startLoad).
 */
export function loadRateProblem(ratePerSec: number, valueBytes: number): string | null {
  const bytes = ratePerSec * valueBytes;
  if (bytes <= LIMITS.loadBytesPerSec) return null;
  // As many decimals as it takes to read as more than the limit ("2.003 MB/s", not "2 MB/s").
  const limitMb = LIMITS.loadBytesPerSec / (1024 * 1024);
  let mb = '';
  for (let d = 1; d <= 6; d++) {
    mb = (bytes / (1024 * 1024)).toFixed(d).replace(/\.?0+$/, '');
    if (Number(mb) > limitMb) break;
  }
  return `ratePerSec x valueBytes is ${mb} MB/s (${ratePerSec} records/s of ${valueBytes} bytes), more than the playground's limit of ${formatLimit('loadBytesPerSec')}: lower ratePerSec or valueBytes`;
}

/** The fields of a live action the cluster checks against a limit before it records it. */
interface LimitedAction {
  op: string;
  at?: number;
  ratePerSec?: number;
  valueBytes?: number;
  keys?: number;
  delayMs?: number;
  msPerRecord?: number;
  partitions?: number | readonly unknown[];
  count?: number;
  replicationFactor?: number;
}

/**
 * The first field of an action that is over a limit, in the schema's wording
 * (`ratePerSec: at most 100000, got 1000000`), or null. Cumulative limits (brokers,
 * partitions over all topics, clients) depend on the cluster when the action runs and are
 * checked there.
 */
export function actionLimitProblem(a: LimitedAction): string | null {
  const over = (field: string, limit: LimitName, value: number | undefined): string | null =>
    value !== undefined && value > LIMITS[limit] ? `${field}: at most ${formatLimit(limit)}, got ${value}` : null;
  return (
    over('at', 'timeMs', a.at) ??
    over('delayMs', 'timeMs', a.delayMs) ??
    over('msPerRecord', 'timeMs', a.msPerRecord) ??
    over('ratePerSec', 'ratePerSec', a.ratePerSec) ??
    over('valueBytes', 'valueBytes', a.valueBytes) ??
    over('keys', 'keys', a.keys) ??
    over('partitions', 'partitions', typeof a.partitions === 'number' ? a.partitions : a.partitions?.length) ??
    over('count', 'partitions', a.count) ??
    over('replicationFactor', 'replicationFactor', a.replicationFactor) ??
    (a.op === 'startLoad' && a.ratePerSec !== undefined ? loadRateProblem(a.ratePerSec, a.valueBytes ?? 100) : null)
  );
}
