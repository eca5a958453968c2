/**
 * The headless runner's logic, kept free of process I/O so tests call it directly:
 * arguments and file text in, `{ exitCode, stdout, stderr }` out. `run-scenario.ts` is the
 * thin shell that reads the file and writes the streams.
 *
 *   npm run scenario -- FILE.json [--until MS]
 *
 * Without --until the run goes to the last timeline action's `at` plus 30000 ms
 * (DEFAULT_SETTLE_MS), so that the last action's consequences (elections, ISR changes,
 * rebalances, retries) have settled; with an empty timeline, to 30000 ms.
 *
 * Exit codes: 0 with the RunnerOutput document on stdout; 2 for bad input (arguments, an
 * unreadable file, JSON with its line and column, any field the schema rejects), with
 * exactly one line on stderr naming the problem; 1 for an internal failure, one line too
 * unless DEBUG=1 asks for the stack. The same file always gives byte-identical stdout: the
 * cluster is deterministic and the output is serialised with a fixed layout.
 *
 * The cluster is imported lazily, after validation: bad input never needs the simulator
 * (and its tests run even while the simulator is being rebuilt). That makes runScenario
 * asynchronous.
 */
import { parseJsonText } from '../scenario/json';
import { oneLine } from '../scenario/messages';
import { restoreScenario } from '../scenario/restore';
import type { Scenario } from '../scenario/types';
import type { RunnerOutput } from '../kafka/snapshot';
import { LIMITS, formatLimit } from '../kafka/limits';

export const DEFAULT_SETTLE_MS = 30000;

export const OUTPUT_TOO_LARGE =
  'the result is too large to print (more than the ~512 MB a JSON text can hold): run to an earlier --until, or produce fewer or smaller records';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** What the runner needs from the cluster (kafka/cluster.ts's Cluster satisfies it). */
export interface RunnableCluster {
  runUntil(untilMs: number): void;
  output(): RunnerOutput;
}

export type ClusterFactory = (scenario: Scenario) => RunnableCluster;

export interface RunOptions {
  /** DEBUG=1: an internal error prints its stack. */
  debug?: boolean;
  /** Tests inject a cluster; the default imports kafka/cluster.ts. */
  loadCluster?: () => Promise<ClusterFactory>;
}

export const USAGE = [
  'usage: npm run scenario -- FILE.json [--until MS]',
  '',
  'Runs the scenario document in FILE.json in Node, as fast as the CPU allows, and prints the',
  'cluster at the end as one JSON document on stdout (see "The headless runner" in the spec).',
  '',
  `  --until MS   virtual time to run to, in ms (a whole number from 0 to ${LIMITS.timeMs}). Default: the last`,
  `               timeline action's "at" plus ${DEFAULT_SETTLE_MS} ms (${DEFAULT_SETTLE_MS} with an empty timeline).`,
  '  -h, --help   print this text',
  '',
  'Exit status: 0 done; 2 bad input (one line on stderr naming the problem);',
  '1 internal error (one line; DEBUG=1 prints the stack).',
  '',
].join('\n');

const HINT = ' (see --help)';

export type CliArgs = { help: true } | { help: false; file: string | null; untilMs: number | null };

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** `--until` as a whole number of virtual milliseconds. */
export function parseUntil(text: string): Parsed<number> {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    return { ok: false, message: `--until: expected a whole number of milliseconds (>= 0), got ${JSON.stringify(text)}` };
  }
  if (n > LIMITS.timeMs) return { ok: false, message: `--until: at most ${formatLimit('timeMs')} of virtual time, got ${n}` };
  return { ok: true, value: n };
}

export function parseArgs(args: readonly string[]): Parsed<CliArgs> {
  let file: string | null = null;
  let untilMs: number | null = null;
  let positionalOnly = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!positionalOnly && (a === '--help' || a === '-h')) return { ok: true, value: { help: true } };
    if (!positionalOnly && (a === '--until' || a.startsWith('--until='))) {
      const v = a === '--until' ? args[++i] : a.slice('--until='.length);
      if (v === undefined) return { ok: false, message: `--until: missing the number of milliseconds${HINT}` };
      if (untilMs !== null) return { ok: false, message: `--until: given twice${HINT}` };
      const u = parseUntil(v);
      if (!u.ok) return u;
      untilMs = u.value;
    } else if (!positionalOnly && a === '--') {
      positionalOnly = true;
    } else if (!positionalOnly && a.startsWith('-') && a !== '-') {
      return { ok: false, message: `unknown option ${JSON.stringify(a)}${HINT}` };
    } else if (file === null) {
      file = a;
    } else {
      return { ok: false, message: `unexpected argument ${JSON.stringify(a)}: one FILE.json at a time${HINT}` };
    }
  }
  return { ok: true, value: { help: false, file, untilMs } };
}

/** The default end of a run: the last action's time plus the settle time. */
export function defaultUntilMs(scenario: Scenario): number {
  let last = 0;
  for (const a of scenario.timeline ?? []) last = Math.max(last, a.at);
  return last + DEFAULT_SETTLE_MS;
}

function badInput(message: string): RunResult {
  return { exitCode: 2, stdout: '', stderr: `${oneLine(message)}\n` };
}

function internalError(e: unknown, debug: boolean): RunResult {
  const message = e instanceof Error ? e.message : String(e);
  const stack = debug && e instanceof Error && e.stack ? `${e.stack}\n` : '';
  const hint = debug ? '' : ' (run with DEBUG=1 for the stack)';
  return { exitCode: 1, stdout: '', stderr: `internal error: ${oneLine(message)}${hint}\n${stack}` };
}

async function loadRealCluster(): Promise<ClusterFactory> {
  const { Cluster } = await import('../kafka/cluster');
  return (scenario) => new Cluster(scenario, { recordConsumed: true });
}

/**
 * Runs a scenario document given as text. `args` are the command's arguments (the file name
 * among them only labels messages; `runCli` reads the file).
 */
export async function runScenario(text: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const parsedArgs = parseArgs(args);
  if (!parsedArgs.ok) return badInput(parsedArgs.message);
  if (parsedArgs.value.help) return { exitCode: 0, stdout: USAGE, stderr: '' };
  const label = parsedArgs.value.file ?? 'scenario';

  const json = parseJsonText(text);
  if (!json.ok) return badInput(`${label}: ${json.error.message}`);
  const restored = restoreScenario(json.value);
  if (!restored.ok) return badInput(`${label}: ${restored.error.message}`);
  const scenario = restored.scenario;
  const untilMs = parsedArgs.value.untilMs ?? defaultUntilMs(scenario);

  const debug = options.debug ?? false;
  try {
    const factory = await (options.loadCluster ?? loadRealCluster)();
    const cluster = factory(scenario);
    cluster.runUntil(untilMs);
    // Fixed two-space layout: part of "same file, byte-identical stdout".
    let stdout: string;
    try {
      stdout = `${JSON.stringify(cluster.output(), null, 2)}\n`;
    } catch (e) {
      // The document asked for more records than one JSON text can hold (V8 caps a string
      // near 512 MB): say so, as bad input, rather than fail as an internal error.
      if (e instanceof RangeError && /string length/i.test(e.message)) return badInput(`${label}: ${OUTPUT_TOO_LARGE}`);
      throw e;
    }
    return { exitCode: 0, stdout, stderr: '' };
  } catch (e) {
    return internalError(e, debug);
  }
}

export interface CliIo {
  /** Reads a file as UTF-8 text; throws a Node-style error (with `code`) when it cannot. */
  readFile(path: string): string;
  debug?: boolean;
  loadCluster?: () => Promise<ClusterFactory>;
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** The whole command: arguments → file → run. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<RunResult> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) return badInput(parsed.message);
  if (parsed.value.help) return { exitCode: 0, stdout: USAGE, stderr: '' };
  const file = parsed.value.file;
  if (file === null) return badInput(`missing FILE.json: which scenario should run?${HINT}`);
  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
    const why = (Object.hasOwn(READ_ERRORS, code) ? READ_ERRORS[code] : undefined) ?? (e instanceof Error ? e.message : String(e));
    return badInput(`${file}: cannot read the file: ${why}`);
  }
  return runScenario(text, argv, { debug: io.debug, loadCluster: io.loadCluster });
}
