/**
 * What a command-line tool can see and do. The tools never touch the cluster directly: they
 * read snapshots and logs, and change the cluster only by timeline actions (the same
 * ActionRequests the dialogs send), so every command that changes something is on the
 * timeline and a share link replays it. In the browser this is backed by the worker client
 * (src/ui/terminal/browser-context.ts); in tests by a Cluster in Node (node-context.ts).
 */
import type { KafkaError } from '../kafka/errors';
import type { ClusterEvent, ClusterSnapshot } from '../kafka/snapshot';
import type { TimelineAction } from '../scenario/types';
import type { ActionRequest, LogResult } from '../worker/protocol';

export interface ActionOutcome {
  /** The action as the cluster recorded it (with its virtual time). */
  action: TimelineAction;
  /** The cluster refused it (its ActionRejected event), else null. */
  rejected: { error: KafkaError; message: string } | null;
}

export interface CliContext {
  /** The cluster as last seen; null before the first snapshot. */
  snapshot(): ClusterSnapshot | null;
  /** Records the action on the timeline and resolves once the cluster has applied it. */
  perform(action: ActionRequest): Promise<ActionOutcome>;
  readLog(topic: string, partition: number, fromOffset?: number, limit?: number): Promise<LogResult | null>;
  /** The next snapshot after the current one (virtual time moved); null when `signal` aborts first. */
  nextSnapshot(signal: AbortSignal): Promise<ClusterSnapshot | null>;
  /** Cluster events from now on, as they arrive; returns the unsubscribe. */
  subscribe(listener: (e: ClusterEvent) => void): () => void;
  /** A random integer in [0, bound) (the console consumer's generated group id). */
  randomInt(bound: number): number;
}

export interface ToolIO {
  /** Standard output: exactly the text the tool prints (newlines included). */
  out(text: string): void;
  /** Standard error. */
  err(text: string): void;
  /** A line typed while the tool runs (the console producer's stdin); null on Ctrl+D or Ctrl+C. */
  readLine(prompt: string): Promise<string | null>;
  /** Aborts on Ctrl+C. A new signal after each Ctrl+C, so a second one can stop a wait that follows the first. */
  readonly signal: AbortSignal;
}

export interface Tool {
  /** The script's name, as in Kafka's bin/ (without .sh). */
  name: string;
  /** One line for `help`. */
  summary: string;
  options: import('./options').OptionSpec[];
  run(argv: string[], ctx: CliContext, io: ToolIO): Promise<number>;
}

/** Kafka's version the tools report (--version). */
export const KAFKA_VERSION = '4.0.0';

/** The Java exception class a client throws for a Kafka error code (org.apache.kafka.common.errors). */
export function exceptionClass(error: KafkaError): string {
  const special: Partial<Record<KafkaError, string>> = {
    MESSAGE_TOO_LARGE: 'RecordTooLargeException',
    TOPIC_ALREADY_EXISTS: 'TopicExistsException',
    INVALID_CONFIG: 'InvalidConfigurationException',
    NON_EMPTY_GROUP: 'GroupNotEmptyException',
    REQUEST_TIMED_OUT: 'TimeoutException',
    RECORD_LIST_TOO_LARGE: 'RecordBatchTooLargeException',
  };
  const name =
    special[error] ??
    `${error
      .toLowerCase()
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('')}Exception`;
  return `org.apache.kafka.common.errors.${name}`;
}

/** java.lang.String.format's `%-Ns`: left-justified in N columns (never cut). */
export function padRight(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** A log4j-style timestamp for the tools' ERROR lines, from virtual ms (`[1970-01-01 00:00:12,345]`). */
export function logTime(ms: number): string {
  const iso = new Date(Math.max(0, Math.floor(ms))).toISOString();
  return `[${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}]`;
}

/** Kafka's include lists and --topic filters are Java regexes matched against the whole name. */
export function topicMatcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  try {
    const re = new RegExp(`^(?:${pattern})$`);
    return (name) => re.test(name);
  } catch {
    return (name) => name === pattern;
  }
}

/** A config value as typed on the command line, given the type the cluster's config checks expect. */
export function configValue(raw: string): string | number | boolean {
  const v = raw.trim();
  if (/^-?\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}

/** Waits until `pred` holds for an event (subscribed before `start` runs), or the signal aborts (null). */
export function waitForEvent<T extends ClusterEvent>(
  ctx: CliContext,
  pred: (e: ClusterEvent) => e is T,
  signal: AbortSignal,
  start?: () => void,
): Promise<T | null> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(null);
    const done = (v: T | null) => {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onAbort = () => done(null);
    const unsubscribe = ctx.subscribe((e) => {
      if (pred(e)) done(e);
    });
    signal.addEventListener('abort', onAbort);
    start?.();
  });
}
