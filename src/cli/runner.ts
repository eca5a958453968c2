/**
 * The headless runner's logic, kept pure for tests: arguments and file text in, exit code
 * and output out. `npm run scenario -- FILE.json [--until MS]` (run-scenario.ts) is a thin
 * shell around it.
 *
 * Without --until, the run goes to the last timeline action's time plus 30 000 ms.
 * Bad input (unreadable JSON, an unknown op, a field of the wrong type, a bad --until)
 * exits 2 with one line naming the problem; nothing else is printed.
 */
import { Cluster } from '../kafka/cluster';
import { tryRestoreScenario } from '../scenario/restore';

export const DEFAULT_SETTLE_MS = 30000;

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export const USAGE = 'usage: npm run scenario -- FILE.json [--until MS]   (default: last action + 30000 ms)';

export function parseArgs(args: string[]): { file: string; untilMs: number | null } | { error: string } {
  let file: string | null = null;
  let untilMs: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--until') {
      const v = args[++i];
      if (v === undefined) return { error: '--until: missing a number of milliseconds' };
      const n = Number(v);
      if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n)) return { error: `--until: expected a number of milliseconds, got "${v}"` };
      untilMs = n;
    } else if (a.startsWith('--until=')) {
      const v = a.slice('--until='.length);
      const n = Number(v);
      if (!/^\d+(\.\d+)?$/.test(v)) return { error: `--until: expected a number of milliseconds, got "${v}"` };
      untilMs = n;
    } else if (a === '--help' || a === '-h') {
      return { error: USAGE };
    } else if (a.startsWith('-')) {
      return { error: `unknown option ${a} (${USAGE})` };
    } else if (file === null) file = a;
    else return { error: `unexpected argument "${a}" (${USAGE})` };
  }
  if (file === null) return { error: `missing FILE.json (${USAGE})` };
  return { file, untilMs };
}

/** Runs a scenario document given as text. */
export function runScenarioText(text: string, fileName: string, untilMs: number | null): RunResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return { exitCode: 2, stdout: '', stderr: `${fileName}: not valid JSON: ${detail}\n` };
  }
  const r = tryRestoreScenario(json);
  if (!r.ok) return { exitCode: 2, stdout: '', stderr: `${fileName}: ${r.error.message}\n` };
  const timeline = r.scenario.timeline ?? [];
  const until = untilMs ?? (timeline.length > 0 ? timeline[timeline.length - 1]!.at : 0) + DEFAULT_SETTLE_MS;
  const cluster = new Cluster(r.scenario, { recordConsumed: true });
  cluster.runUntil(until);
  return { exitCode: 0, stdout: JSON.stringify(cluster.output(), null, 2) + '\n', stderr: '' };
}
