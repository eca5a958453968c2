/**
 * The shell around the tools: a command line is split as a shell splits it, its first word
 * names a tool (`kafka-topics.sh`, `kafka-topics` or `bin/kafka-topics.sh`), and the tool
 * runs with the rest. Tab completion of tool names, flags and the cluster's topic, group
 * and client names. Framework-free: the terminal (src/ui/terminal) draws it.
 */
import type { ClusterSnapshot } from '../kafka/snapshot';
import { kafkaConfigs, kafkaGetOffsets, kafkaLeaderElection, kafkaReassignPartitions } from './admin';
import { kafkaConsoleConsumer, kafkaConsoleProducer } from './console';
import { kafkaConsumerGroups } from './consumer-groups';
import type { CliContext, Tool, ToolIO } from './context';
import { tokenize, withDefaults } from './options';
import { kafkaTopics } from './topics';
import { kafkaTransactions } from './transactions';

export const TOOLS: readonly Tool[] = [
  kafkaTopics,
  kafkaConsoleProducer,
  kafkaConsoleConsumer,
  kafkaConsumerGroups,
  kafkaConfigs,
  kafkaLeaderElection,
  kafkaReassignPartitions,
  kafkaGetOffsets,
  kafkaTransactions,
];

export const DEFAULT_BOOTSTRAP = 'localhost:9092';

export function findTool(word: string): Tool | undefined {
  const base = word.replace(/^.*\//, '').replace(/\.sh$/, '');
  return TOOLS.find((t) => t.name === base);
}

const HELP = [
  'Kafka 4.x command-line tools, run against the playground cluster:',
  ...TOOLS.map((t) => `  ${`${t.name}.sh`.padEnd(30)}${t.summary}`),
  '',
  `Each takes --help. --bootstrap-server is required as in real use (any of ${DEFAULT_BOOTSTRAP}, broker1:9092, ... reaches this cluster).`,
  'Every command that changes the cluster is an action on the timeline, like the toolbar\'s.',
  'Tab completes tools, flags and names; Up/Down go through the history; Ctrl+C stops a running tool, Ctrl+D ends the producer\'s input.',
  'Also: help, clear.',
].join('\n');

/** Runs one command line; the exit status (0 success) as the tool returns it. */
export async function runLine(line: string, ctx: CliContext, io: ToolIO): Promise<number> {
  const { tokens, error } = tokenize(line);
  if (error) {
    io.err(`bash: ${error}\n`);
    return 2;
  }
  if (tokens.length === 0) return 0;
  const [word, ...argv] = tokens as [string, ...string[]];
  if (word === 'help') {
    io.out(`${HELP}\n`);
    return 0;
  }
  const tool = findTool(word);
  if (!tool) {
    io.err(`bash: ${word}: command not found (try: help)\n`);
    return 127;
  }
  return tool.run(argv, ctx, io);
}

/** Flags that take a name of something in the cluster. */
const NAME_VALUES: Record<string, (s: ClusterSnapshot) => string[]> = {
  topic: (s) => s.topics.map((t) => t.name),
  include: (s) => s.topics.map((t) => t.name),
  group: (s) => s.groups.map((g) => g.groupId),
  'entity-name': (s) => [...s.topics.map((t) => t.name), ...s.brokers.map((b) => String(b.id)), ...s.producers.map((p) => p.id), ...s.consumers.map((c) => c.id)],
  client: (s) => [...s.producers.map((p) => p.id), ...s.consumers.map((c) => c.id)],
  broker: (s) => s.brokers.map((b) => String(b.id)),
};
const FIXED_VALUES: Record<string, string[]> = {
  'bootstrap-server': [DEFAULT_BOOTSTRAP],
  'election-type': ['preferred', 'unclean'],
  'entity-type': ['topics', 'brokers', 'clients'],
  time: ['earliest', 'latest', 'max-timestamp'],
  property: ['parse.key=true', 'key.separator=:', 'print.key=true', 'print.offset=true', 'print.partition=true', 'print.timestamp=true', 'null.marker=', 'ignore.error=true'],
};

export interface Completion {
  /** The line with the word under the cursor completed as far as it is unambiguous. */
  line: string;
  /** All candidates, when more than one fits (to list them). */
  candidates: string[];
}

/** Tab completion at the end of `line`. */
export function complete(line: string, snapshot: ClusterSnapshot | null): Completion {
  const endsInSpace = /\s$/.test(line) || line === '';
  const { tokens } = tokenize(line);
  const current = endsInSpace ? '' : (tokens[tokens.length - 1] ?? '');
  const before = endsInSpace ? tokens : tokens.slice(0, -1);
  let candidates: string[];
  if (before.length === 0) {
    candidates = [...TOOLS.map((t) => `${t.name}.sh`), 'help', 'clear'];
  } else {
    const tool = findTool(before[0]!);
    if (!tool) return { line, candidates: [] };
    const prev = before[before.length - 1]!;
    const spec = prev.startsWith('--') ? withDefaults(tool.options).find((o) => o.name === prev.slice(2)) : undefined;
    if (spec && (spec.arg ?? 'none') !== 'none' && !current.startsWith('-')) {
      const named = NAME_VALUES[spec.name];
      candidates = named && snapshot ? named(snapshot) : (FIXED_VALUES[spec.name] ?? []);
    } else {
      const used = new Set(before.filter((t) => t.startsWith('--')));
      candidates = withDefaults(tool.options)
        .map((o) => `--${o.name}`)
        .filter((f) => !used.has(f) || f === '--property' || f === '--config' || f === '--topic' || f === '--group');
    }
  }
  const fits = [...new Set(candidates)].filter((c) => c.startsWith(current)).sort();
  if (fits.length === 0) return { line, candidates: [] };
  let common = fits[0]!;
  for (const f of fits) while (!f.startsWith(common)) common = common.slice(0, -1);
  const stem = line.slice(0, line.length - current.length);
  if (fits.length === 1) return { line: `${stem}${quoteIfNeeded(fits[0]!)} `, candidates: [] };
  return { line: `${stem}${common}`, candidates: fits };
}

function quoteIfNeeded(s: string): string {
  return /[\s'"\\]/.test(s) ? `'${s.replace(/'/g, `'\\''`)}'` : s;
}
