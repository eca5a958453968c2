/**
 * restoreScenario: the one path every load goes through (share link, file, IndexedDB,
 * lesson, headless runner), as excalidraw's data/restore.ts. In order:
 *   1. the input must be a JSON object with an integer `version`;
 *   2. a version newer than this build is refused ("made by a newer version"), an older
 *      one is migrated step by step (migrations.ts);
 *   3. the result is validated against the current schema (schema.ts);
 *   4. defaults the spec implies are filled in, so every consumer of a restored scenario
 *      sees the same shape: topics/clients/timeline arrays, the network's latency and
 *      jitter, and the timeline sorted stably by `at` (actions at one instant keep their
 *      document order, which is the order the cluster applies them).
 * Never throws and never mutates its input: a failed load leaves everything as it was.
 */
import { LIMITS } from '../kafka/limits';
import { badVersion, migrationFailed, missingVersion, newerVersion, notAnObject, notPlainData, tooDeep, unknownOldVersion } from './messages';
import { MIGRATIONS, migrate, type MigrationTable, type ScenarioDoc } from './migrations';
import { describeValue, formatPath, parseScenario, type ScenarioError } from './schema';
import type { ClientSpec, ClusterSpec, Scenario, TimelineAction, TopicSpec } from './types';
import { SCENARIO_VERSION } from './types';

export type { ScenarioError } from './schema';

/** Network defaults the cluster also assumes (kafka/cluster.ts); written out so they show. */
export const DEFAULT_NETWORK = { latencyMs: 1, jitterMs: 1 } as const;

/** A restored scenario: a Scenario whose implied defaults are present. */
export type RestoredScenario = Scenario & {
  cluster: ClusterSpec & { network: { latencyMs: number; jitterMs: number } };
  topics: TopicSpec[];
  clients: ClientSpec[];
  timeline: TimelineAction[];
};

export type RestoreResult =
  | { ok: true; scenario: RestoredScenario; migratedFrom?: number }
  | { ok: false; error: ScenarioError };

export interface RestoreOptions {
  /** Tests pass a synthetic table; the app uses MIGRATIONS. */
  migrations?: MigrationTable;
}

function fail(path: string, message: string): { ok: false; error: ScenarioError } {
  return { ok: false, error: { path, message } };
}

export function restoreScenario(input: unknown, options: RestoreOptions = {}): RestoreResult {
  const table = options.migrations ?? MIGRATIONS;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return fail('', notAnObject(describeValue(input)));
  // Before anything recursive (structuredClone, zod) sees it: 5,000 levels overflow the stack.
  const deep = tooDeepAt(input, LIMITS.depth);
  if (deep) return fail(deep, tooDeep(deep, LIMITS.depth));
  const version = (input as ScenarioDoc).version;
  if (version === undefined) return fail('version', missingVersion());
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) return fail('version', badVersion(describeValue(version)));
  if (version > SCENARIO_VERSION) return fail('version', newerVersion(version, SCENARIO_VERSION));

  let doc: unknown = input;
  if (version < SCENARIO_VERSION) {
    // Steps may mutate what they are given; the caller's object must stay as it was.
    let copy: ScenarioDoc;
    try {
      copy = structuredClone(input) as ScenarioDoc;
    } catch (e) {
      return fail('', notPlainData(e instanceof Error ? e.message : String(e)));
    }
    const m = migrate(copy, version, table, SCENARIO_VERSION);
    if (!m.ok) {
      return m.reason === 'no-path'
        ? fail('version', unknownOldVersion(version, m.oldest))
        : fail('version', migrationFailed(m.at, m.at + 1, m.detail));
    }
    doc = m.doc;
  }

  const parsed = parseScenario(doc);
  if (!parsed.ok) return parsed;
  const scenario = withDefaults(parsed.scenario);
  return version < SCENARIO_VERSION ? { ok: true, scenario, migratedFrom: version } : { ok: true, scenario };
}

/**
 * The JSON path of the first value nested deeper than `limit` objects and arrays, shortened
 * to its first segments (it is as long as the nesting), or null. Iterative, with an
 * explicit stack, so it cannot overflow however deep the input; each object is visited
 * once, so a value shared or cyclic (possible in a non-JSON input) cannot make it loop.
 */
export function tooDeepAt(root: unknown, limit: number): string | null {
  type Frame = { value: unknown; depth: number; parent: Frame | null; key: string | number };
  const seen = new Set<object>();
  const stack: Frame[] = [{ value: root, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const f = stack.pop()!;
    const v = f.value;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (f.depth >= limit) {
      const path: (string | number)[] = [];
      for (let p: Frame | null = f; p && p.parent; p = p.parent) path.push(p.key);
      path.reverse();
      const SHOWN = 6;
      return path.length > SHOWN ? `${formatPath(path.slice(0, SHOWN))}…` : formatPath(path);
    }
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth: f.depth + 1, parent: f, key: i });
    else for (const k of Object.keys(v)) stack.push({ value: (v as Record<string, unknown>)[k], depth: f.depth + 1, parent: f, key: k });
  }
  return null;
}

/** Fills what the spec implies; the schema's output is already a fresh copy of the input. */
function withDefaults(s: Scenario): RestoredScenario {
  const timeline = (s.timeline ?? []).slice();
  // Array.prototype.sort is stable (ES2019), which is what makes "document order" hold.
  timeline.sort((a, b) => a.at - b.at);
  return {
    ...s,
    cluster: {
      ...s.cluster,
      network: {
        ...s.cluster.network,
        latencyMs: s.cluster.network?.latencyMs ?? DEFAULT_NETWORK.latencyMs,
        jitterMs: s.cluster.network?.jitterMs ?? DEFAULT_NETWORK.jitterMs,
      },
    },
    topics: s.topics ?? [],
    clients: s.clients ?? [],
    timeline,
  };
}

/** A load failure as an exception, for callers that work with try/catch. */
export class ScenarioLoadError extends Error {
  readonly path: string;
  constructor(error: ScenarioError) {
    super(error.message);
    this.name = 'ScenarioLoadError';
    this.path = error.path;
  }
}

/** restoreScenario for try/catch callers: the scenario, or a ScenarioLoadError with the one-line message. */
export function restoreScenarioOrThrow(input: unknown, options?: RestoreOptions): RestoredScenario {
  const r = restoreScenario(input, options);
  if (!r.ok) throw new ScenarioLoadError(r.error);
  return r.scenario;
}
