/**
 * kafka-console-producer.sh and kafka-console-consumer.sh (org.apache.kafka.tools.ConsoleProducer,
 * org.apache.kafka.tools.consumer.ConsoleConsumer, Kafka 4.x).
 *
 * The producer is a real client of the cluster: it starts as a producer
 * (`console-producer`, acks from --request-required-acks, linger.ms from --timeout, as Kafka
 * maps them), each line typed is a `produce` action (with parse.key / key.separator /
 * null.marker / ignore.error as LineMessageReader reads a line), and Ctrl+D or Ctrl+C waits
 * for the records' outcomes and closes it. Send errors print as Kafka's ErrorLoggingCallback
 * logs them.
 *
 * The consumer is a real member of a consumer group: --group names it; without one it is a
 * fresh `console-consumer-NNNNN` group with enable.auto.commit=false, as the Java tool does.
 * --from-beginning sets auto.offset.reset=earliest. It prints each record it consumes
 * (DefaultMessageFormatter's print.key, print.offset, print.partition, print.timestamp,
 * print.headers, print.value, key.separator, line.separator, null.literal), read from the
 * partition's log between its previous and its current position, until Ctrl+C,
 * --max-messages or --timeout-ms; then it leaves the group and says how many it processed.
 * Simplification: the first position seen for a partition counts as where it started,
 * unless the group had committed an offset there or it reads from the beginning.
 */
import type { ClusterEvent, ClusterSnapshot, ConsumerView, RecordView } from '../kafka/snapshot';
import type { ConfigMap } from '../scenario/types';
import { BOOTSTRAP_SERVER, helpOrVersion, noFiles, usageError } from './common';
import { configValue, exceptionClass, logTime, topicMatcher, type CliContext, type Tool, type ToolIO } from './context';
import { OptionError, parseOptions, withDefaults, type OptionSpec } from './options';

// ---- kafka-console-producer ----------------------------------------------------------------

export const PRODUCER_OPTIONS: OptionSpec[] = [
  { ...BOOTSTRAP_SERVER, description: 'REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to. The broker list string in the form HOST1:PORT1,HOST2:PORT2.' },
  { name: 'topic', description: 'REQUIRED: The topic id to produce messages to.', arg: 'required', argName: 'topic' },
  {
    name: 'property',
    description:
      'A mechanism to pass user-defined properties in the form key=value to the message reader. This allows custom configuration for a user-defined message reader.\nDefault properties include:\n parse.key=false\n parse.headers=false\n ignore.error=false\n key.separator=\\t\n headers.delimiter=\\t\n headers.separator=,\n headers.key.separator=:\n null.marker=   When set, any fields (key, value and headers) equal to this will be replaced by null',
    arg: 'required',
    argName: 'prop',
  },
  { name: 'producer-property', description: 'A mechanism to pass user-defined properties in the form key=value to the producer.', arg: 'required', argName: 'producer_prop' },
  { name: 'producer.config', description: 'Producer config properties file. Note that [producer-property] takes precedence over this config.', arg: 'required', argName: 'config file' },
  {
    name: 'request-required-acks',
    description: 'The required `acks` of the producer requests',
    arg: 'required',
    argName: 'request required acks',
    defaultValue: '-1',
  },
  { name: 'sync', description: 'If set message send requests to the brokers are synchronously, one at a time as they arrive.' },
  {
    name: 'timeout',
    description: 'If set and the producer is running in asynchronous mode, this gives the maximum amount of time a message will queue awaiting sufficient batch size. The value is given in ms. This is the option to control `linger.ms` in producer configs.',
    arg: 'required',
    argName: 'timeout_ms',
    type: 'Long',
    defaultValue: '1000',
  },
];

export interface LineReaderProps {
  parseKey: boolean;
  keySeparator: string;
  ignoreError: boolean;
  nullMarker: string | null;
}

/** LineMessageReader: one line into a key and a value, or Kafka's error for a line without the separator. */
export function readLineRecord(line: string, lineNumber: number, p: LineReaderProps): { key: string | null; value: string | null } | { error: string } {
  const orNull = (s: string) => (p.nullMarker !== null && s === p.nullMarker ? null : s);
  if (!p.parseKey) return { key: null, value: orNull(line) };
  const i = line.indexOf(p.keySeparator);
  if (i < 0) {
    if (p.ignoreError) return { key: null, value: orNull(line) };
    return { error: `No key separator found on line number ${lineNumber}: '${line}'` };
  }
  return { key: orNull(line.slice(0, i)), value: orNull(line.slice(i + p.keySeparator.length)) };
}

function keyValues(list: string[]): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i < 0) out[kv] = '';
    else out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** Java properties escapes in a separator given on the command line (`\t`, `\n`). */
function unescape(s: string): string {
  return s.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\r/g, '\r');
}

function freeClientId(snap: ClusterSnapshot, base: string): string {
  const taken = new Set([...snap.producers.map((p) => p.id), ...snap.consumers.map((c) => c.id)]);
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

async function runProducer(argv: string[], ctx: CliContext, io: ToolIO): Promise<number> {
  let o;
  try {
    o = parseOptions(withDefaults(PRODUCER_OPTIONS), argv);
  } catch (e) {
    if (e instanceof OptionError) return usageError(io, e.message, PRODUCER_OPTIONS);
    throw e;
  }
  const hv = helpOrVersion(io, argv, (n) => o.has(n), 'This tool helps to read data from standard input and publish it to Kafka.', PRODUCER_OPTIONS);
  if (hv !== null) return hv;
  for (const r of ['topic', 'bootstrap-server']) if (!o.has(r)) return usageError(io, `Missing required argument "[${r}]"`, PRODUCER_OPTIONS);
  if (o.has('producer.config')) return usageError(io, noFiles('producer.config'), PRODUCER_OPTIONS);
  const props = keyValues(o.all('property')) as Record<string, string>;
  const reader: LineReaderProps = {
    parseKey: (props['parse.key'] ?? 'false').trim().toLowerCase() === 'true',
    keySeparator: unescape(props['key.separator'] ?? '\\t'),
    ignoreError: (props['ignore.error'] ?? 'false').trim().toLowerCase() === 'true',
    nullMarker: props['null.marker'] !== undefined ? props['null.marker'] : null,
  };
  if (props['parse.headers'] === 'true') return usageError(io, 'parse.headers is not supported by the playground console producer (records are produced without headers).', PRODUCER_OPTIONS);
  const acksRaw = o.value('request-required-acks') ?? '-1';
  const acks = acksRaw === '-1' || acksRaw === 'all' ? 'all' : acksRaw === '1' ? 1 : acksRaw === '0' ? 0 : null;
  if (acks === null) return usageError(io, `Invalid value ${acksRaw} for configuration acks: String must be one of: all, -1, 0, 1`, PRODUCER_OPTIONS);
  const config: ConfigMap = { acks, 'linger.ms': Number(o.value('timeout') ?? 1000) };
  for (const [k, v] of Object.entries(keyValues(o.all('producer-property')) as Record<string, string>)) config[k] = configValue(v);
  const topic = o.value('topic')!;
  const snap = ctx.snapshot();
  if (!snap) return 1;
  const id = freeClientId(snap, 'console-producer');
  const added = await ctx.perform({ op: 'addProducer', id, config });
  if (added.rejected) {
    io.err(`${logTime(added.action.at)} ERROR ${exceptionClass(added.rejected.error)}: ${added.rejected.message}\n`);
    return 1;
  }
  // Outcomes of this producer's records: errors print as ErrorLoggingCallback logs them.
  const pending = new Map<number, { key: string | null; value: string | null }>();
  const onEvent = (e: ClusterEvent) => {
    if (e.type === 'RecordProduced' && e.producer === id) {
      const sent = pending.get(e.sentAt);
      pending.delete(e.sentAt);
      if (e.error) {
        const bytes = (s: string | null | undefined) => (s == null ? 'null' : `${new TextEncoder().encode(s).length} bytes`);
        io.err(
          `${logTime(e.at)} ERROR Error when sending message to topic ${e.topic} with key: ${bytes(sent?.key)}, value: ${bytes(sent?.value)} with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n${exceptionClass(e.error)}: The request failed with ${e.error}.\n`,
        );
      }
    }
  };
  const unsubscribe = ctx.subscribe(onEvent);
  let status = 0;
  try {
    for (let lineNumber = 1; ; lineNumber++) {
      const line = await io.readLine('>');
      if (line === null) break;
      const rec = readLineRecord(line, lineNumber, reader);
      if ('error' in rec) {
        io.err(`org.apache.kafka.common.KafkaException: ${rec.error}\n`);
        status = 1;
        break;
      }
      const r = await ctx.perform({ op: 'produce', producer: id, topic, key: rec.key, value: rec.value });
      if (r.rejected) {
        io.err(
          `${logTime(r.action.at)} ERROR Error when sending message to topic ${topic} with key: ${rec.key === null ? 'null' : `${rec.key.length} bytes`}, value: ${rec.value === null ? 'null' : `${rec.value.length} bytes`} with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n${exceptionClass(r.rejected.error)}: ${r.rejected.message}\n`,
        );
        continue;
      }
      pending.set(r.action.at, rec);
      if (o.has('sync')) await waitUntil(ctx, io, () => pending.size === 0, 120_000);
    }
    // KafkaProducer.close() waits for the records sent to complete (Ctrl+C again stops waiting).
    await waitUntil(ctx, io, () => pending.size === 0, 120_000);
  } finally {
    unsubscribe();
    await ctx.perform({ op: 'removeProducer', id });
  }
  return status;
}

/** Lets virtual time pass until `done` (or `maxMs` of virtual time, or Ctrl+C). */
async function waitUntil(ctx: CliContext, io: ToolIO, done: () => boolean, maxMs: number): Promise<void> {
  const start = ctx.snapshot()?.time ?? 0;
  while (!done()) {
    const s = await ctx.nextSnapshot(io.signal);
    if (!s || s.time - start > maxMs) return;
  }
}

// ---- kafka-console-consumer ----------------------------------------------------------------

export const CONSUMER_OPTIONS: OptionSpec[] = [
  { ...BOOTSTRAP_SERVER, description: 'REQUIRED: The server(s) to connect to.' },
  { name: 'topic', description: 'The topic to consume on.', arg: 'required', argName: 'topic' },
  { name: 'include', description: 'Regular expression specifying list of topics to include for consumption.', arg: 'required', argName: 'Java regex (String)' },
  { name: 'partition', description: 'The partition to consume from. Consumption starts from the end of the partition unless \'--offset\' is specified.', arg: 'required', argName: 'partition', type: 'Integer' },
  { name: 'offset', description: "The offset to start consuming from. Must be used together with '--partition'.", arg: 'required', argName: 'consume offset', defaultValue: 'latest' },
  { name: 'consumer-property', description: 'A mechanism to pass user-defined properties in the form key=value to the consumer.', arg: 'required', argName: 'consumer_prop' },
  { name: 'consumer.config', description: 'Consumer config properties file. Note that [consumer-property] takes precedence over this config.', arg: 'required', argName: 'config file' },
  { name: 'formatter', description: 'The name of a class to use for formatting Kafka messages for display.', arg: 'required', argName: 'class', defaultValue: 'org.apache.kafka.tools.consumer.DefaultMessageFormatter' },
  {
    name: 'property',
    description:
      'The properties to initialize the message formatter. Default properties include:\n print.timestamp=true|false\n print.key=true|false\n print.offset=true|false\n print.partition=true|false\n print.headers=true|false\n print.value=true|false\n key.separator=<key.separator>\n line.separator=<line.separator>\n headers.separator=<line.separator>\n null.literal=<null.literal>',
    arg: 'required',
    argName: 'prop',
  },
  { name: 'from-beginning', description: 'If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message.' },
  { name: 'max-messages', description: 'The maximum number of messages to consume before exiting. If not set, consumption is continual.', arg: 'required', argName: 'num_messages', type: 'Integer' },
  { name: 'timeout-ms', description: 'If specified, exit if no message is available for consumption for the specified interval.', arg: 'required', argName: 'timeout_ms', type: 'Integer' },
  { name: 'skip-message-on-error', description: 'If there is an error when processing a message, skip it instead of halt.' },
  { name: 'group', description: 'The consumer group id of the consumer.', arg: 'required', argName: 'consumer group id' },
];

export interface FormatterProps {
  printTimestamp: boolean;
  printKey: boolean;
  printOffset: boolean;
  printPartition: boolean;
  printHeaders: boolean;
  printValue: boolean;
  keySeparator: string;
  lineSeparator: string;
  headersSeparator: string;
  nullLiteral: string;
}

export function formatterProps(props: Record<string, string>): FormatterProps {
  const bool = (k: string, d: boolean) => (props[k] !== undefined ? props[k]!.trim().toLowerCase() === 'true' : d);
  return {
    printTimestamp: bool('print.timestamp', false),
    printKey: bool('print.key', false),
    printOffset: bool('print.offset', false),
    printPartition: bool('print.partition', false),
    printHeaders: bool('print.headers', false),
    printValue: bool('print.value', true),
    keySeparator: unescape(props['key.separator'] ?? '\\t'),
    lineSeparator: unescape(props['line.separator'] ?? '\\n'),
    headersSeparator: unescape(props['headers.separator'] ?? ','),
    nullLiteral: props['null.literal'] ?? 'null',
  };
}

/** DefaultMessageFormatter.writeTo for one record. */
export function formatRecord(r: RecordView, partition: number, f: FormatterProps): string {
  const cols: string[] = [];
  if (f.printTimestamp) cols.push(`CreateTime:${r.timestamp}`);
  if (f.printPartition) cols.push(`Partition:${partition}`);
  if (f.printOffset) cols.push(`Offset:${r.offset}`);
  if (f.printHeaders) {
    const hs = Object.entries(r.headers ?? {});
    cols.push(hs.length === 0 ? 'NO_HEADERS' : hs.map(([k, v]) => `${k}:${v}`).join(f.headersSeparator));
  }
  if (f.printKey) cols.push(r.key ?? f.nullLiteral);
  let out = cols.join(f.keySeparator);
  if (f.printValue) out += (cols.length > 0 ? f.keySeparator : '') + (r.value ?? f.nullLiteral) + f.lineSeparator;
  else if (cols.length > 0) out += f.keySeparator;
  return out;
}

async function runConsumer(argv: string[], ctx: CliContext, io: ToolIO): Promise<number> {
  let o;
  try {
    o = parseOptions(withDefaults(CONSUMER_OPTIONS), argv);
  } catch (e) {
    if (e instanceof OptionError) return usageError(io, e.message, CONSUMER_OPTIONS);
    throw e;
  }
  const hv = helpOrVersion(io, argv, (n) => o.has(n), 'This tool helps to read data from Kafka topics and outputs it to standard output.', CONSUMER_OPTIONS);
  if (hv !== null) return hv;
  if (!o.has('bootstrap-server')) return usageError(io, 'Missing required argument "[bootstrap-server]"', CONSUMER_OPTIONS);
  if ((o.has('topic') ? 1 : 0) + (o.has('include') ? 1 : 0) !== 1) return usageError(io, 'Exactly one of include/topic is required.', CONSUMER_OPTIONS);
  if (o.has('partition') || o.has('offset')) {
    if (o.has('offset') && !o.has('partition')) return usageError(io, 'The partition is required when offset is specified.', CONSUMER_OPTIONS);
    return usageError(io, 'The playground console consumer always joins a consumer group: --partition and --offset (assign without a group) are not modelled. Use --group and kafka-consumer-groups --reset-offsets.', CONSUMER_OPTIONS);
  }
  if (o.has('consumer.config')) return usageError(io, noFiles('consumer.config'), CONSUMER_OPTIONS);
  const formatter = o.value('formatter');
  if (formatter !== undefined && formatter !== 'org.apache.kafka.tools.consumer.DefaultMessageFormatter') {
    return usageError(io, `Only org.apache.kafka.tools.consumer.DefaultMessageFormatter is available in the playground, not ${formatter}.`, CONSUMER_OPTIONS);
  }
  const consumerProps = keyValues(o.all('consumer-property')) as Record<string, string>;
  if (o.has('group') && consumerProps['group.id'] !== undefined && consumerProps['group.id'] !== o.value('group')) {
    return usageError(io, `The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: '${o.value('group')}', '${consumerProps['group.id']}'`, CONSUMER_OPTIONS);
  }
  const snap = ctx.snapshot();
  if (!snap) return 1;
  const fmt = formatterProps(keyValues(o.all('property')) as Record<string, string>);
  const topics = o.has('topic') ? [o.value('topic')!] : snap.topics.map((t) => t.name).filter(topicMatcher(o.value('include')));
  const explicitGroup = o.value('group') ?? consumerProps['group.id'];
  const groupId = explicitGroup ?? `console-consumer-${ctx.randomInt(100000)}`;
  const config: ConfigMap = { 'auto.offset.reset': o.has('from-beginning') ? 'earliest' : 'latest' };
  if (explicitGroup === undefined) config['enable.auto.commit'] = false;
  for (const [k, v] of Object.entries(consumerProps)) if (k !== 'group.id') config[k] = configValue(v);
  const id = freeClientId(snap, 'console-consumer');
  const added = await ctx.perform({ op: 'addConsumer', id, groupId, topics, config });
  if (added.rejected) {
    io.err(`${logTime(added.action.at)} ERROR ${exceptionClass(added.rejected.error)}: ${added.rejected.message}\n`);
    return 1;
  }
  const maxMessages = o.has('max-messages') ? Number(o.value('max-messages')) : Infinity;
  const timeoutMs = o.has('timeout-ms') ? Number(o.value('timeout-ms')) : Infinity;
  const fromBeginning = o.has('from-beginning');
  let processed = 0;
  let lastRecordAt = ctx.snapshot()?.time ?? 0;
  let timedOut = false;
  /** Next offset to print, per partition this consumer owns. */
  const printed = new Map<string, number>();
  let previous: ClusterSnapshot = ctx.snapshot() ?? snap;
  try {
    outer: while (processed < maxMessages) {
      const s = await ctx.nextSnapshot(io.signal);
      if (!s) break;
      const me: ConsumerView | undefined = s.consumers.find((c) => c.id === id);
      if (!me || me.status === 'closed' || me.status === 'crashed') break;
      const owned = new Set<string>();
      for (const pos of me.positions) {
        const key = `${pos.topic}-${pos.partition}`;
        owned.add(key);
        if (!printed.has(key)) {
          const committed = previous.groups.find((g) => g.groupId === groupId)?.offsets.find((x) => x.topic === pos.topic && x.partition === pos.partition)?.committed ?? null;
          const start = s.partitions.find((p) => p.topic === pos.topic && p.partition === pos.partition)?.logStartOffset ?? 0;
          printed.set(key, committed ?? (fromBeginning ? start : pos.position));
        }
        let next = printed.get(key)!;
        while (next < pos.position && processed < maxMessages) {
          const log = await ctx.readLog(pos.topic, pos.partition, next, Math.min(500, pos.position - next));
          const from = next;
          const recs = (log?.records ?? []).filter((r) => r.offset >= from && r.offset < pos.position);
          // Nothing readable there (compacted away, or the replica is gone): skip to the position.
          if (recs.length === 0) {
            next = pos.position;
            break;
          }
          for (const r of recs) {
            if (processed >= maxMessages) break;
            io.out(formatRecord(r, pos.partition, fmt));
            processed++;
            next = r.offset + 1;
            lastRecordAt = s.time;
          }
        }
        printed.set(key, next);
        if (processed >= maxMessages) break outer;
      }
      for (const key of [...printed.keys()]) if (!owned.has(key)) printed.delete(key);
      if (s.time - lastRecordAt >= timeoutMs) {
        timedOut = true;
        break;
      }
      previous = s;
    }
  } finally {
    await ctx.perform({ op: 'removeConsumer', id, graceful: true });
  }
  if (timedOut) {
    io.err(`${logTime(ctx.snapshot()?.time ?? 0)} ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\n`);
  }
  io.err(`Processed a total of ${processed} messages\n`);
  return 0;
}

export const kafkaConsoleProducer: Tool = {
  name: 'kafka-console-producer',
  summary: 'Read lines from the terminal and produce them to a topic.',
  options: PRODUCER_OPTIONS,
  run: runProducer,
};

export const kafkaConsoleConsumer: Tool = {
  name: 'kafka-console-consumer',
  summary: 'Consume records from a topic and print them.',
  options: CONSUMER_OPTIONS,
  run: runConsumer,
};
