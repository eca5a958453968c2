/**
 * Every load path (share link, file, IndexedDB, lesson) goes through restoreScenario:
 * check the version, migrate, validate, fill defaults. A failure is a ScenarioError whose
 * message is one line naming the problem; nothing else is touched.
 */
import { messages } from './messages';
import { CURRENT_SCENARIO_VERSION, MIGRATIONS, migrate, type Migration } from './migrations';
import { parseScenario } from './schema';
import type { Scenario } from './types';

export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly path: string = '(document)',
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

export type RestoreResult = { ok: true; scenario: Scenario; migratedFrom?: number } | { ok: false; error: ScenarioError };

export function tryRestoreScenario(input: unknown, steps: Record<number, Migration> = MIGRATIONS, current = CURRENT_SCENARIO_VERSION): RestoreResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { ok: false, error: new ScenarioError(messages.notAnObject()) };
  const doc = input as Record<string, unknown>;
  const version = doc.version;
  if (version === undefined) return { ok: false, error: new ScenarioError(messages.missingVersion(), 'version') };
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) return { ok: false, error: new ScenarioError(messages.unknownVersion(version), 'version') };
  if (version > current) return { ok: false, error: new ScenarioError(messages.newerVersion(version, current), 'version') };
  let migrated: Record<string, unknown>;
  try {
    migrated = migrate(doc, version, steps, current);
  } catch {
    return { ok: false, error: new ScenarioError(messages.unknownVersion(version), 'version') };
  }
  const parsed = parseScenario(migrated);
  if (!parsed.ok) return { ok: false, error: new ScenarioError(parsed.error.message, parsed.error.path) };
  const s = parsed.scenario;
  const scenario: Scenario = {
    ...s,
    cluster: { ...s.cluster, network: { latencyMs: s.cluster.network?.latencyMs ?? 1, jitterMs: s.cluster.network?.jitterMs ?? 1 } },
    topics: s.topics ?? [],
    clients: s.clients ?? [],
    // Stable sort: actions at the same time keep their document order.
    timeline: [...(s.timeline ?? [])].sort((a, b) => a.at - b.at),
  };
  return version === current ? { ok: true, scenario } : { ok: true, scenario, migratedFrom: version };
}

/** Throws ScenarioError with a one-line message. */
export function restoreScenario(input: unknown): Scenario {
  const r = tryRestoreScenario(input);
  if (!r.ok) throw r.error;
  return r.scenario;
}
