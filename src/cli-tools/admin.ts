/**
 * kafka-configs.sh (kafka.admin.ConfigCommand), kafka-leader-election.sh
 * (LeaderElectionCommand), kafka-reassign-partitions.sh (ReassignPartitionsCommand) and
 * kafka-get-offsets.sh (GetOffsetShell), Kafka 4.x.
 *
 * What the playground's cluster does not have, the tools say plainly: broker configs are
 * cluster-wide (the dynamic default, `--entity-default` / `--broker-defaults`), not per
 * broker id; `synonyms` list only the dynamic source; partition reassignment is not modelled
 * (`--list` is true: none is ever in progress; the others explain).
 */
import type { ClusterSnapshot, PartitionView } from '../kafka/snapshot';
import type { ConfigMap } from '../scenario/types';
import { BOOTSTRAP_SERVER, COMMAND_CONFIG, helpOrVersion, noFiles, usageError } from './common';
import { configValue, exceptionClass, topicMatcher, type CliContext, type Tool, type ToolIO } from './context';
import { OptionError, parseOptions, withDefaults, type OptionSpec } from './options';

// ---- kafka-configs ------------------------------------------------------------------------

export const CONFIGS_OPTIONS: OptionSpec[] = [
  { ...BOOTSTRAP_SERVER, description: 'The Kafka servers to connect to.' },
  { name: 'bootstrap-controller', description: 'The Kafka controllers to connect to.', arg: 'required', argName: 'controller to connect to' },
  { ...COMMAND_CONFIG, description: 'Property file containing configs to be passed to Admin Client. This is used only with --bootstrap-server option for describing and altering broker configs.' },
  { name: 'alter', description: 'Alter the configuration for the entity.' },
  { name: 'describe', description: 'List configs for the given entity.' },
  { name: 'all', description: 'List all configs for the given entity, including static configs if available.' },
  { name: 'entity-type', description: 'Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)', arg: 'required', argName: 'String' },
  { name: 'entity-name', description: 'Name of entity (topic name/client id/user principal name/broker id/ip/client metrics/group id)', arg: 'required', argName: 'String' },
  { name: 'entity-default', description: 'Default entity name for clients/users/brokers/ips (applies to corresponding entity type)' },
  {
    name: 'add-config',
    description: "Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'.",
    arg: 'required',
    argName: 'String',
  },
  { name: 'add-config-file', description: 'Path to a properties file with configs to add. See add-config for a list of valid configurations.', arg: 'required', argName: 'String' },
  { name: 'delete-config', description: "config keys to remove 'k1,k2'", arg: 'required', argName: 'String' },
  { name: 'force', description: 'Suppress console prompts' },
  { name: 'topic', description: "The topic's name.", arg: 'required', argName: 'String' },
  { name: 'client', description: "The client's ID.", arg: 'required', argName: 'String' },
  { name: 'broker', description: "The broker's ID.", arg: 'required', argName: 'String' },
  { name: 'broker-defaults', description: 'The config defaults for all brokers.' },
  { name: 'group', description: "The group's ID.", arg: 'required', argName: 'String' },
];

const ENTITY_TYPES = ['topics', 'clients', 'users', 'brokers', 'broker-loggers', 'ips', 'client-metrics', 'groups'];

/** 'k1=v1,k2=[v1,v2],k3=v3' as ConfigCommand.parseConfigsToBeAdded splits it. */
export function parseAddConfig(s: string): { key: string; value: string }[] | string {
  const out: { key: string; value: string }[] = [];
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') parts.push(cur);
  for (const p of parts) {
    const i = p.indexOf('=');
    if (i <= 0) return `Invalid entity config: all configs to be added must be in the format "key=val" or "key=[val1,val2]".`;
    out.push({ key: p.slice(0, i).trim(), value: p.slice(i + 1).trim().replace(/^\[(.*)\]$/, '$1') });
  }
  return out;
}

function configLines(config: Record<string, unknown>, source: string): string {
  return Object.entries(config)
    .filter(([, v]) => v !== null && v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `  ${k}=${String(v)} sensitive=false synonyms={${source}:${k}=${String(v)}}\n`)
    .join('');
}

async function runConfigs(argv: string[], ctx: CliContext, io: ToolIO): Promise<number> {
  let o;
  try {
    o = parseOptions(withDefaults(CONFIGS_OPTIONS), argv);
  } catch (e) {
    if (e instanceof OptionError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const hv = helpOrVersion(io, argv, (n) => o.has(n), 'This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip, client-metrics or group', CONFIGS_OPTIONS);
  if (hv !== null) return hv;
  const fail = (m: string) => {
    io.err(`${m}\n`);
    return 1;
  };
  if (['alter', 'describe'].filter((a) => o.has(a)).length !== 1) return usageError(io, 'Command must include exactly one action: --describe, --alter', CONFIGS_OPTIONS);
  // The entity: --entity-type/--entity-name/--entity-default, or a shortcut (--topic, --broker, ...).
  const shortcuts: [string, string][] = [
    ['topic', 'topics'],
    ['client', 'clients'],
    ['broker', 'brokers'],
    ['group', 'groups'],
  ];
  const usedShortcuts = shortcuts.filter(([s]) => o.has(s));
  if (o.has('broker-defaults')) usedShortcuts.push(['broker-defaults', 'brokers']);
  const generic = o.has('entity-type') || o.has('entity-name') || o.has('entity-default');
  if (generic && usedShortcuts.length > 0) return fail('--entity-{type,name,default} should not be used in conjunction with specific entity flags');
  let type: string | undefined;
  let name: string | undefined;
  let isDefault = false;
  if (usedShortcuts.length > 0) {
    const [flag, t] = usedShortcuts[0]!;
    type = t;
    isDefault = flag === 'broker-defaults';
    name = isDefault ? undefined : o.value(flag);
  } else {
    const types = o.all('entity-type');
    if (types.length === 0) return fail('At least one entity type must be specified');
    type = types[0]!;
    name = o.value('entity-name');
    isDefault = o.has('entity-default');
  }
  if (!ENTITY_TYPES.includes(type)) return fail(`Invalid entity type ${type}, the entity type must be one of ${ENTITY_TYPES.join(', ')} with a --bootstrap-server or --bootstrap-controller argument`);
  if (!o.has('bootstrap-server') && !o.has('bootstrap-controller')) return fail('One of the required --bootstrap-server or --bootstrap-controller arguments must be specified');
  if (o.has('bootstrap-server') && o.has('bootstrap-controller')) return fail('Only one of --bootstrap-server or --bootstrap-controller can be specified');
  if (type === 'brokers' && name !== undefined && !/^\d+$/.test(name)) return fail(`The entity name for ${type} must be a valid integer broker id, but it is: ${name}`);
  if (o.has('command-config') || o.has('add-config-file')) return fail(noFiles(o.has('command-config') ? 'command-config' : 'add-config-file'));
  if (!['topics', 'brokers', 'clients'].includes(type)) {
    return fail(`The playground's cluster keeps configs for topics, brokers (cluster-wide) and clients only, not ${type}.`);
  }
  const snap = ctx.snapshot();
  if (!snap) return 1;
  const single = type.slice(0, -1);

  if (o.has('describe')) {
    if (o.has('add-config') || o.has('delete-config')) return usageError(io, 'Option "[describe]" can\'t be used with option "[add-config]"', CONFIGS_OPTIONS);
    if (type === 'topics') {
      const names = name !== undefined ? [name] : snap.topics.map((t) => t.name).sort();
      let out = '';
      for (const n of names) {
        const t = snap.topics.find((x) => x.name === n);
        if (!t) {
          io.out(out);
          return fail(`Error while executing config command with args '${argv.join(' ')}'\njava.util.concurrent.ExecutionException: ${exceptionClass('UNKNOWN_TOPIC_OR_PARTITION')}: The topic '${n}' does not exist.`);
        }
        out += `${o.has('all') ? 'All' : 'Dynamic'} configs for topic ${n} are:\n${configLines(t.config, 'DYNAMIC_TOPIC_CONFIG')}`;
      }
      io.out(out);
      return 0;
    }
    if (type === 'brokers') {
      if (name !== undefined) {
        // Per-broker dynamic configs do not exist in the playground: none is set on a broker id.
        if (!snap.brokers.some((b) => String(b.id) === name)) return fail(`Error while executing config command with args '${argv.join(' ')}'\n${exceptionClass('BROKER_NOT_AVAILABLE')}: There is no broker ${name}.`);
        io.out(`Dynamic configs for broker ${name} are:\n`);
        return 0;
      }
      if (isDefault) {
        io.out(`Default configs for brokers in the cluster are:\n${configLines(snap.brokerConfig ?? {}, 'DYNAMIC_DEFAULT_BROKER_CONFIG')}`);
        return 0;
      }
      let out = '';
      for (const b of [...snap.brokers].sort((x, y) => x.id - y.id)) out += `Dynamic configs for broker ${b.id} are:\n`;
      out += `Default configs for brokers in the cluster are:\n${configLines(snap.brokerConfig ?? {}, 'DYNAMIC_DEFAULT_BROKER_CONFIG')}`;
      io.out(out);
      return 0;
    }
    return fail('Describing client configs is not available in the playground (the inspector shows a client\'s settings).');
  }

  // --alter
  if (name === undefined && !isDefault) return fail('--entity-name or --entity-default must be specified with each --entity-type for --alter');
  if (!o.has('add-config') && !o.has('delete-config')) return fail('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter');
  const config: ConfigMap = {};
  for (const a of o.all('add-config')) {
    const parsed = parseAddConfig(a);
    if (typeof parsed === 'string') return fail(parsed);
    for (const { key, value } of parsed) config[key] = configValue(value);
  }
  for (const d of o.all('delete-config')) {
    for (const k of d.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
      if (k in config) return fail(`Invalid config(s): ${k}`);
      config[k] = null;
    }
  }
  let entity: 'topic' | 'broker' | 'client';
  let entityName: string;
  if (type === 'topics') {
    if (!snap.topics.some((t) => t.name === name)) {
      return fail(`Error while executing config command with args '${argv.join(' ')}'\njava.util.concurrent.ExecutionException: ${exceptionClass('UNKNOWN_TOPIC_OR_PARTITION')}: The topic '${name}' does not exist.`);
    }
    entity = 'topic';
    entityName = name!;
  } else if (type === 'brokers') {
    if (!isDefault) {
      return fail(`The playground's broker configs are cluster-wide: alter them with --entity-default (or --broker-defaults), not for broker ${name} alone.`);
    }
    entity = 'broker';
    entityName = '';
  } else {
    if (isDefault) return fail('Client config defaults are not modelled by the playground: alter a client by its id.');
    entity = 'client';
    entityName = name!;
  }
  const r = await ctx.perform({ op: 'alterConfig', entity, name: entityName, config });
  if (r.rejected) return fail(r.rejected.error === 'INVALID_CONFIG' ? r.rejected.message : `Error while executing config command with args '${argv.join(' ')}'\n${exceptionClass(r.rejected.error)}: ${r.rejected.message}`);
  io.out(isDefault ? `Completed updating default config for ${type} in the cluster.\n` : `Completed updating config for ${single} ${name}.\n`);
  return 0;
}

export const kafkaConfigs: Tool = { name: 'kafka-configs', summary: 'Describe and alter topic, broker and client configs.', options: CONFIGS_OPTIONS, run: runConfigs };

// ---- kafka-leader-election ----------------------------------------------------------------

export const ELECTION_OPTIONS: OptionSpec[] = [
  {
    ...BOOTSTRAP_SERVER,
    description: 'A hostname and port for the broker to connect to, in the form host:port. Multiple comma separated URLs can be given. REQUIRED.',
    argName: 'host:port',
  },
  { name: 'admin.config', description: 'Configuration properties files to pass to the admin client', arg: 'required', argName: 'config file' },
  {
    name: 'path-to-json-file',
    description: 'The JSON file with the list  of partition for which leader elections should be performed. Not allowed if --all-topic-partitions or --topic flags are specified.',
    arg: 'required',
    argName: 'Path to JSON file',
  },
  { name: 'topic', description: 'Name of topic for which to perform an election. Not allowed if --path-to-json-file or --all-topic-partitions is specified.', arg: 'required', argName: 'topic name' },
  { name: 'partition', description: 'Partition id for which to perform an election. REQUIRED if --topic is specified.', arg: 'required', argName: 'partition id', type: 'Integer' },
  {
    name: 'all-topic-partitions',
    description: 'Perform election on all of the eligible topic partitions based on the type of election (see the --election-type flag). Not allowed if --topic or --path-to-json-file is specified.',
  },
  {
    name: 'election-type',
    description:
      'Type of election to attempt. Possible values are "preferred" for preferred leader election or "unclean" for unclean leader election. If preferred election is selection, the election is only performed if the current leader is not the preferred leader for the topic partition. If unclean election is selected, the election is only performed if there are no leader for the topic partition. REQUIRED.',
    arg: 'required',
    argName: 'election type',
    type: 'String',
  },
];

async function runElection(argv: string[], ctx: CliContext, io: ToolIO): Promise<number> {
  let o;
  try {
    o = parseOptions(withDefaults(ELECTION_OPTIONS), argv);
  } catch (e) {
    if (e instanceof OptionError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const hv = helpOrVersion(io, argv, (n) => o.has(n), 'This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.', ELECTION_OPTIONS);
  if (hv !== null) return hv;
  const fail = (m: string) => {
    io.err(`${m}\n`);
    return 1;
  };
  const missing = ['bootstrap-server', 'election-type'].filter((n) => !o.has(n));
  if (missing.length > 0) return fail(`Missing required option(s): ${missing.join(', ')}`);
  const typeRaw = o.value('election-type')!;
  const type = typeRaw.toLowerCase();
  if (type !== 'preferred' && type !== 'unclean') return fail(`Value for option election-type is invalid: ${typeRaw} is not a valid election type (preferred, unclean)`);
  const scopes = ['topic', 'all-topic-partitions', 'path-to-json-file'].filter((n) => o.has(n));
  if (scopes.length !== 1) return fail('One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file');
  if (o.has('topic') && !o.has('partition')) return fail('Missing required option(s): partition');
  if (!o.has('topic') && o.has('partition')) return fail('Option partition is only allowed if topic is used');
  if (o.has('path-to-json-file') || o.has('admin.config')) return fail(noFiles(o.has('admin.config') ? 'admin.config' : 'path-to-json-file'));
  const snap = ctx.snapshot();
  if (!snap) return 1;
  const label = type.toUpperCase();
  let targets: { topic: string; partition: number }[];
  if (o.has('topic')) {
    targets = [{ topic: o.value('topic')!, partition: Number(o.value('partition')) }];
  } else {
    // For every partition, the controller elects only where an election is due; the others are not in the answer.
    const due = (p: PartitionView) => (type === 'preferred' ? p.leader !== p.replicas[0] : p.leader < 0 || p.offline === true);
    targets = snap.partitions.filter(due).map((p) => ({ topic: p.topic, partition: p.partition }));
  }
  const succeeded: string[] = [];
  const noop: string[] = [];
  const failed: [string, string][] = [];
  for (const t of targets) {
    const r = await ctx.perform({ op: 'electLeaders', topic: t.topic, partition: t.partition, type });
    const key = `${t.topic}-${t.partition}`;
    if (!r.rejected) succeeded.push(key);
    else if (r.rejected.error === 'ELECTION_NOT_NEEDED') noop.push(key);
    else failed.push([key, `${exceptionClass(r.rejected.error)}: ${r.rejected.message}`]);
  }
  let out = '';
  if (succeeded.length > 0) out += `Successfully completed leader election (${label}) for partitions ${succeeded.join(', ')}\n`;
  if (noop.length > 0) out += `Valid replica already elected for partitions ${noop.join(', ')}\n`;
  for (const [key, err] of failed) out += `Error completing leader election (${label}) for partition: ${key}: ${err}\n`;
  io.out(out);
  if (failed.length > 0) return fail(`${failed.length} replica(s) could not be elected`);
  return 0;
}

export { kafkaReassignPartitions, REASSIGN_OPTIONS } from './reassign';

export const kafkaLeaderElection: Tool = { name: 'kafka-leader-election', summary: 'Elect preferred or unclean leaders.', options: ELECTION_OPTIONS, run: runElection };

// ---- kafka-get-offsets --------------------------------------------------------------------

export const GET_OFFSETS_OPTIONS: OptionSpec[] = [
  { ...BOOTSTRAP_SERVER, description: 'REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.', argName: 'HOST1:PORT1,...,HOST3:PORT3' },
  { name: 'bootstrap-controller', description: 'The controller(s) to connect to.', arg: 'required', argName: 'HOST1:PORT1,...,HOST3:PORT3' },
  {
    name: 'topic-partitions',
    description: "Comma separated list of topic-partition patterns to get the offsets for, with the format of 'topic:partition'. It also accepts a regular expression for the topic and a range of partitions (start-end).",
    arg: 'required',
    argName: 'topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3',
  },
  { name: 'topic', description: 'The topic to get the offsets for. It also accepts a regular expression. If not present, all authorized topics are queried. Cannot be used if --topic-partitions is present.', arg: 'required', argName: 'topic' },
  { name: 'partitions', description: 'Comma separated list of partition ids to get the offsets for. If not present, all partitions of the authorized topics are queried. Cannot be used if --topic-partitions is present.', arg: 'required', argName: 'partition ids' },
  {
    name: 'time',
    description: 'timestamp of the offsets before that. [Note: No offset is returned, if the timestamp greater than recently committed record timestamp is given.]',
    arg: 'required',
    argName: '<timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered',
    defaultValue: 'latest',
  },
  { ...COMMAND_CONFIG },
  { name: 'exclude-internal-topics', description: 'By default, internal topics are included. If specified, internal topics are excluded.' },
];

type OffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | { timestamp: number };

export function parseOffsetSpec(s: string): OffsetSpec | { error: string } {
  const named: Record<string, OffsetSpec> = { earliest: 'earliest', latest: 'latest', 'max-timestamp': 'max-timestamp', 'earliest-local': 'earliest', 'latest-tiered': 'latest' };
  if (named[s]) return named[s]!;
  if (!/^-?\d+$/.test(s)) {
    return { error: `Malformed time argument ${s}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp` };
  }
  const n = Number(s);
  if (n === -1 || n === -5) return 'latest';
  if (n === -2 || n === -4) return 'earliest';
  if (n === -3) return 'max-timestamp';
  return { timestamp: n };
}

/** topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3 into (topic regex, partition test) rules. */
function topicPartitionRules(s: string): { topic: (t: string) => boolean; partition: (p: number) => boolean }[] | string {
  const rules = [];
  for (const spec of s.split(',')) {
    const m = /^([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?$/.exec(spec.trim());
    if (!m) return `Invalid rule specification: ${spec}`;
    const topic = m[1] === '' ? () => true : topicMatcher(m[1]);
    let partition: (p: number) => boolean = () => true;
    if (m[2] !== undefined && m[2] !== '') partition = (p) => p === Number(m[2]);
    else if (m[3] !== undefined || m[4] !== undefined) {
      const lo = m[3] ? Number(m[3]) : 0;
      const hi = m[4] ? Number(m[4]) : Infinity;
      partition = (p) => p >= lo && p < hi;
    }
    rules.push({ topic, partition });
  }
  return rules;
}

async function offsetOf(ctx: CliContext, p: PartitionView, spec: OffsetSpec): Promise<number | null> {
  if (spec === 'earliest') return p.logStartOffset;
  if (spec === 'latest') return p.highWatermark;
  let best: { offset: number; ts: number } | null = null;
  let from = p.logStartOffset;
  while (from < p.highWatermark) {
    const page = await ctx.readLog(p.topic, p.partition, from, 1000);
    if (!page || page.records.length === 0) break;
    for (const r of page.records) {
      if (r.offset < from || r.offset >= p.highWatermark) continue;
      if (spec === 'max-timestamp') {
        if (!best || r.timestamp > best.ts) best = { offset: r.offset, ts: r.timestamp };
      } else if (r.timestamp >= spec.timestamp) return r.offset;
    }
    from = page.records[page.records.length - 1]!.offset + 1;
  }
  if (spec === 'max-timestamp') return best ? best.offset : null;
  return null;
}

async function runGetOffsets(argv: string[], ctx: CliContext, io: ToolIO): Promise<number> {
  let o;
  try {
    o = parseOptions(withDefaults(GET_OFFSETS_OPTIONS), argv);
  } catch (e) {
    if (e instanceof OptionError) {
      io.err(`Error occurred: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const hv = helpOrVersion(io, argv, (n) => o.has(n), 'An interactive shell for getting topic-partition offsets.', GET_OFFSETS_OPTIONS);
  if (hv !== null) return hv;
  const fail = (m: string) => {
    io.err(`Error occurred: ${m}\n`);
    return 1;
  };
  if (!o.has('bootstrap-server') && !o.has('bootstrap-controller')) return fail('Missing required option(s): bootstrap-server');
  if (o.has('topic-partitions') && (o.has('topic') || o.has('partitions'))) return fail('--topic-partitions cannot be used with --topic or --partitions');
  if (o.has('command-config')) return fail(noFiles('command-config'));
  const spec = parseOffsetSpec(o.value('time') ?? 'latest');
  if (typeof spec === 'object' && 'error' in spec) return fail(spec.error);
  let rules;
  if (o.has('topic-partitions')) {
    const r = topicPartitionRules(o.value('topic-partitions')!);
    if (typeof r === 'string') return fail(r);
    rules = r;
  } else {
    const parts = o.value('partitions');
    if (parts !== undefined && !/^\d+(,\d+)*$/.test(parts.trim())) return fail(`--partitions expects a comma separated list of numeric partition ids, but received: ${parts}`);
    const set = parts !== undefined ? new Set(parts.split(',').map(Number)) : null;
    rules = [{ topic: topicMatcher(o.value('topic')), partition: (p: number) => set === null || set.has(p) }];
  }
  const snap: ClusterSnapshot | null = ctx.snapshot();
  if (!snap) return 1;
  const chosen = snap.partitions
    .filter((p) => rules.some((r) => r.topic(p.topic) && r.partition(p.partition)))
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  if (chosen.length === 0) return fail('Could not match any topic-partitions with the specified filters');
  let out = '';
  for (const p of chosen) {
    if (p.offline || p.leader < 0) {
      io.out(out);
      out = '';
      io.err(`Skip getting offsets for topic-partition ${p.topic}-${p.partition} due to error: ${exceptionClass('LEADER_NOT_AVAILABLE')}: There is no leader for this topic-partition as we are in the middle of a leadership election.\n`);
      continue;
    }
    const off = await offsetOf(ctx, p, spec);
    if (off !== null) out += `${p.topic}:${p.partition}:${off}\n`;
  }
  io.out(out);
  return 0;
}

export const kafkaGetOffsets: Tool = { name: 'kafka-get-offsets', summary: 'Print the offsets of topic partitions (earliest, latest, by time).', options: GET_OFFSETS_OPTIONS, run: runGetOffsets };
