/**
 * kafka-topics.sh, after org.apache.kafka.tools.TopicCommand (Kafka 4.x): --create, --list,
 * --describe, --alter, --delete, with its checks and its output. Differences, stated
 * plainly: the playground's topics have no topic ids (Kafka omits `TopicId:` for a zero id,
 * so does this) and ELR is not modelled (`Elr:` and `LastKnownElr:` are empty).
 * --alter --partitions adds partitions (CreatePartitions); the count can only grow.
 */
import type { PartitionView, TopicView } from '../kafka/snapshot';
import { BOOTSTRAP_SERVER, COMMAND_CONFIG, helpOrVersion, noFiles, usageError } from './common';
import { configValue, topicMatcher, type CliContext, type Tool, type ToolIO } from './context';
import { OptionError, invalidCombination, missingRequired, parseOptions, withDefaults, type OptionSpec } from './options';

const CONFIGS_HINT = ' (To alter topic configurations, the kafka-configs tool can be used.)';

export const TOPICS_OPTIONS: OptionSpec[] = [
  BOOTSTRAP_SERVER,
  COMMAND_CONFIG,
  { name: 'list', description: 'List all available topics.' },
  { name: 'create', description: 'Create a new topic.' },
  { name: 'delete', description: 'Delete a topic.' },
  { name: 'alter', description: `Alter the number of partitions and replica assignment.${CONFIGS_HINT}` },
  { name: 'describe', description: 'List details for the given topics.' },
  {
    name: 'topic',
    description: 'The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option.',
    arg: 'required',
    argName: 'topic',
  },
  { name: 'topic-id', description: 'The topic-id to describe.', arg: 'required', argName: 'topic-id' },
  {
    name: 'config',
    description: `A topic configuration override for the topic being created. See the Kafka documentation for full details on the topic configs. It is supported only in combination with --create.${CONFIGS_HINT}`,
    arg: 'required',
    argName: 'name=value',
  },
  { name: 'delete-config', description: 'This option is no longer supported and has been deprecated since 4.0', arg: 'required', argName: 'name' },
  {
    name: 'partitions',
    description:
      'The number of partitions for the topic being created or altered. If not supplied with --create, the topic uses the cluster default. (WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected).',
    arg: 'required',
    argName: '# of partitions',
    type: 'Integer',
  },
  {
    name: 'replication-factor',
    description: 'The replication factor for each partition in the topic being created. If not supplied, the topic uses the cluster default.',
    arg: 'required',
    argName: 'replication factor',
    type: 'Integer',
  },
  {
    name: 'replica-assignment',
    description: 'A list of manual partition-to-broker assignments for the topic being created or altered.',
    arg: 'required',
    argName: 'broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ...',
  },
  { name: 'under-replicated-partitions', description: 'If set when describing topics, only show under-replicated partitions.' },
  { name: 'unavailable-partitions', description: 'If set when describing topics, only show partitions whose leader is not available.' },
  { name: 'under-min-isr-partitions', description: 'If set when describing topics, only show partitions whose isr count is less than the configured minimum.' },
  { name: 'at-min-isr-partitions', description: 'If set when describing topics, only show partitions whose isr count is equal to the configured minimum.' },
  { name: 'topics-with-overrides', description: 'If set when describing topics, only show topics that have overridden configs.' },
  { name: 'if-exists', description: 'If set when altering or deleting or describing topics, the action will only execute if the topic exists.' },
  {
    name: 'if-not-exists',
    description: 'If set when creating topics, the create request will not fail if the topic already exists, but the request will still be sent.',
  },
  { name: 'exclude-internal', description: 'Exclude internal topics when listing or describing topics. By default, the internal topics are included.' },
  {
    name: 'partition-size-limit-per-response',
    description: 'The maximum partition size to be included in one DescribeTopicPartitions response.',
    arg: 'required',
    argName: 'maximum number of partitions per response',
    type: 'Integer',
  },
];

const PURPOSE = 'This tool helps to create, delete, describe, or change a topic.';
const ACTIONS = ['create', 'list', 'alter', 'describe', 'delete'];

/** TopicCommand.printException: on stdout, as Kafka prints it. */
function fail(io: ToolIO, message: string): number {
  io.out(`Error while executing topic command : ${message}\n`);
  return 1;
}

/** The topic line of --describe (TopicDescription.printDescription). */
export function describeTopicLine(t: TopicView): string {
  const configs = Object.entries(t.config)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `Topic: ${t.name}\tPartitionCount: ${t.partitions}\tReplicationFactor: ${t.replicationFactor}\tConfigs: ${configs}`;
}

/** A partition line of --describe (PartitionDescription.printDescription). */
export function describePartitionLine(p: PartitionView): string {
  const leader = p.leader >= 0 ? String(p.leader) : 'none';
  const moving = p.addingReplicas !== undefined ? `\tAdding Replicas: ${p.addingReplicas.join(',')}\tRemoving Replicas: ${(p.removingReplicas ?? []).join(',')}` : '';
  return `\tTopic: ${p.topic}\tPartition: ${p.partition}\tLeader: ${leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}${moving}\tElr: \tLastKnownElr: `;
}

async function run(argv: string[], ctx: CliContext, io: ToolIO): Promise<number> {
  const specs = withDefaults(TOPICS_OPTIONS);
  let o;
  try {
    o = parseOptions(specs, argv);
  } catch (e) {
    if (e instanceof OptionError) return fail(io, e.message);
    throw e;
  }
  if (argv.length === 0) return usageError(io, 'Create, delete, describe, or change a topic.', TOPICS_OPTIONS);
  const hv = helpOrVersion(io, argv, (n) => o.has(n), PURPOSE, TOPICS_OPTIONS);
  if (hv !== null) return hv;
  if (ACTIONS.filter((a) => o.has(a)).length !== 1) {
    return usageError(io, 'Command must include exactly one action: --list, --describe, --create, --alter or --delete', TOPICS_OPTIONS);
  }
  if (o.has('delete-config')) io.err('delete-config option is no longer supported and deprecated since version 4.0. The config will be fully removed in future releases.\n');
  if (!o.has('bootstrap-server')) {
    io.err('--bootstrap-server must be specified\n');
    return 1;
  }
  if (!o.has('list') && !o.has('describe')) {
    const m = missingRequired(o, 'topic');
    if (m) return usageError(io, m, TOPICS_OPTIONS);
  }
  if (o.has('alter')) {
    if (o.has('config')) return usageError(io, `Option combination "[bootstrap-server, config]" can't be used with option "[alter]"${CONFIGS_HINT}`, TOPICS_OPTIONS);
    const m = missingRequired(o, 'partitions');
    if (m) return usageError(io, m, TOPICS_OPTIONS);
  }
  const others = (keep: string[]) => ACTIONS.filter((a) => !keep.includes(a));
  const checks: [string, string[]][] = [
    ['config', others(['alter', 'create'])],
    ['partitions', others(['alter', 'create'])],
    ['replication-factor', others(['create'])],
    ['replica-assignment', others(['alter', 'create'])],
    ['if-exists', others(['alter', 'delete', 'describe'])],
    ['if-not-exists', others(['create'])],
    ['exclude-internal', others(['list', 'describe'])],
    ['topics-with-overrides', others(['describe'])],
    ['under-replicated-partitions', [...others(['describe']), 'topics-with-overrides']],
    ['unavailable-partitions', [...others(['describe']), 'topics-with-overrides']],
    ['under-min-isr-partitions', [...others(['describe']), 'topics-with-overrides']],
    ['at-min-isr-partitions', [...others(['describe']), 'topics-with-overrides']],
  ];
  if (o.has('create')) checks.push(['replica-assignment', ['partitions', 'replication-factor']]);
  for (const [used, invalid] of checks) {
    const m = invalidCombination(o, used, invalid);
    if (m) return usageError(io, m, TOPICS_OPTIONS);
  }
  if (o.has('command-config')) return fail(io, noFiles('command-config'));
  const snap = ctx.snapshot();
  if (!snap) return fail(io, 'Timed out waiting for a node assignment. Call: listTopics');
  const names = snap.topics.map((t) => t.name).sort();
  const matching = names.filter(topicMatcher(o.value('topic')));
  const ensureExists = (): string | null => {
    const requested = o.value('topic');
    if (requested !== undefined && requested !== '' && !o.has('if-exists') && matching.length === 0) return `Topic '${requested}' does not exist as expected`;
    return null;
  };

  if (o.has('list')) {
    if (matching.length > 0) io.out(`${matching.join('\n')}\n`);
    else io.out('\n');
    return 0;
  }

  if (o.has('create')) {
    const name = o.value('topic')!;
    const configs: Record<string, string | number | boolean> = {};
    for (const c of o.all('config')) {
      const parts = c.split(/\s*=\s*/);
      if (parts.length !== 2) {
        io.err('requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".\n');
        return 1;
      }
      configs[parts[0]!.trim()] = configValue(parts[1]!);
    }
    const rf = o.value('replication-factor');
    const partitions = o.value('partitions');
    if (rf !== undefined && (Number(rf) < 1 || Number(rf) > 32767)) {
      io.err('The replication factor must be between 1 and 32767 inclusive\n');
      return 1;
    }
    if (partitions !== undefined && Number(partitions) < 1) {
      io.err('The partitions must be greater than 0\n');
      return 1;
    }
    if (o.has('replica-assignment')) {
      return fail(io, 'Explicit --replica-assignment is not supported by the playground (it places replicas rack-aware, as Kafka does by default).');
    }
    if (/[._]/.test(name)) {
      io.out("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n");
    }
    if (names.includes(name)) {
      if (o.has('if-not-exists')) return 0;
      return fail(io, `Topic '${name}' already exists.`);
    }
    const action = {
      op: 'createTopic' as const,
      name,
      // Not given: the broker's defaults (num.partitions, default.replication.factor), as the server applies them.
      partitions: partitions !== undefined ? Number(partitions) : Number(snap.brokerConfig?.['num.partitions'] ?? 1),
      replicationFactor: rf !== undefined ? Number(rf) : Number(snap.brokerConfig?.['default.replication.factor'] ?? 1),
      ...(Object.keys(configs).length > 0 ? { config: configs } : {}),
    };
    const r = await ctx.perform(action);
    if (r.rejected) return fail(io, r.rejected.message);
    io.out(`Created topic ${name}.\n`);
    return 0;
  }

  if (o.has('alter')) {
    const missing = ensureExists();
    if (missing) {
      io.err(`${missing}\n`);
      return 1;
    }
    if (matching.length === 0) return 0;
    if (o.has('replica-assignment')) {
      return fail(io, 'Explicit --replica-assignment is not supported by the playground (new partitions are placed rack-aware, as Kafka does by default).');
    }
    const count = Number(o.value('partitions'));
    if (!Number.isInteger(count) || count < 1) return fail(io, 'The partitions must be greater than 0');
    // TopicCommand.alterTopic: CreatePartitions for every matching topic; nothing printed on success.
    for (const t of matching) {
      // The controller's answer, known from the snapshot: a refused request is not recorded.
      const now = snap.topics.find((x) => x.name === t)!.partitions;
      if (count < now) return fail(io, `Topic currently has ${now} partitions, which is higher than the requested ${count}.`);
      if (count === now) return fail(io, `Topic already has ${now} partitions.`);
      const r = await ctx.perform({ op: 'addPartitions', topic: t, partitions: count });
      if (r.rejected) return fail(io, r.rejected.message);
    }
    return 0;
  }

  if (o.has('delete')) {
    const missing = ensureExists();
    if (missing) {
      io.err(`${missing}\n`);
      return 1;
    }
    for (const t of matching) {
      const r = await ctx.perform({ op: 'deleteTopic', name: t });
      if (r.rejected) return fail(io, r.rejected.message);
    }
    return 0;
  }

  // --describe
  if (o.has('topic-id')) return fail(io, `TopicId '${o.value('topic-id')}' does not exist as expected (the playground's topics have no topic ids)`);
  const missing = ensureExists();
  if (missing) {
    io.err(`${missing}\n`);
    return 1;
  }
  const liveBrokers = new Set(snap.brokers.filter((b) => b.status === 'up' && !b.fenced).map((b) => b.id));
  const reportUnder = o.has('under-replicated-partitions');
  const reportUnavailable = o.has('unavailable-partitions');
  const reportUnderMin = o.has('under-min-isr-partitions');
  const reportAtMin = o.has('at-min-isr-partitions');
  const describeConfigs = !reportUnavailable && !reportUnder && !reportUnderMin && !reportAtMin;
  const describePartitions = !o.has('topics-with-overrides');
  const lines: string[] = [];
  for (const name of matching) {
    const t = snap.topics.find((x) => x.name === name)!;
    const minIsr = Number(t.config['min.insync.replicas'] ?? snap.brokerConfig?.['min.insync.replicas'] ?? 1);
    const hasOverrides = Object.values(t.config).some((v) => v !== null);
    if (describeConfigs && (!o.has('topics-with-overrides') || hasOverrides)) lines.push(describeTopicLine(t));
    if (!describePartitions) continue;
    const parts = snap.partitions.filter((p) => p.topic === name).sort((a, b) => a.partition - b.partition);
    for (const p of parts) {
      const hasLeader = p.leader >= 0;
      const show =
        describeConfigs ||
        (reportUnder && p.replicas.length - p.isr.length > 0) ||
        (reportUnavailable && (!hasLeader || !liveBrokers.has(p.leader))) ||
        (reportUnderMin && (!hasLeader || p.isr.length < minIsr)) ||
        (reportAtMin && p.isr.length === minIsr);
      if (show) lines.push(describePartitionLine(p));
    }
  }
  if (lines.length > 0) io.out(`${lines.join('\n')}\n`);
  return 0;
}

export const kafkaTopics: Tool = { name: 'kafka-topics', summary: 'Create, delete, describe, or change a topic.', options: TOPICS_OPTIONS, run };
