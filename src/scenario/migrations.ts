/**
 * Migrations of the scenario document, one step per version: MIGRATIONS[v] turns a
 * version-v document into a version-(v + 1) one. Old share links must keep opening, so a
 * shipped step is never edited: a new shape means a new version, a new step here, and
 * SCENARIO_VERSION bumped in types.ts (excalidraw's data/restore.ts; tldraw's migrations).
 *
 * Steps see plain JSON data (a deep copy of the input: they may mutate it) and must not
 * validate; `restoreScenario` validates the result against the current schema.
 */
import { SCENARIO_VERSION } from './types';

/** The plain-object form a step works on; the version field is managed by `migrate`. */
export type ScenarioDoc = Record<string, unknown>;
export type Migration = (doc: ScenarioDoc) => ScenarioDoc;
export type MigrationTable = Readonly<Record<number, Migration>>;

/** Version 1 is the first released version: nothing to migrate yet. */
export const MIGRATIONS: MigrationTable = {};

/** The oldest version from which an unbroken chain of steps reaches `current`. */
export function oldestReadableVersion(table: MigrationTable = MIGRATIONS, current: number = SCENARIO_VERSION): number {
  let v = current;
  while (table[v - 1] !== undefined) v--;
  return v;
}

export type MigrateResult =
  | { ok: true; doc: ScenarioDoc }
  | { ok: false; reason: 'no-path'; oldest: number }
  | { ok: false; reason: 'step-failed'; at: number; detail: string };

/**
 * Runs every step from `from` up to `current`. Never throws: a step that throws (a document
 * so damaged its old shape is not there) is reported with the version it failed at.
 */
export function migrate(
  doc: ScenarioDoc,
  from: number,
  table: MigrationTable = MIGRATIONS,
  current: number = SCENARIO_VERSION,
): MigrateResult {
  const oldest = oldestReadableVersion(table, current);
  if (from < oldest) return { ok: false, reason: 'no-path', oldest };
  let d = doc;
  for (let v = from; v < current; v++) {
    const step = table[v]!; // present: from ≥ oldest
    try {
      d = { ...step(d), version: v + 1 };
    } catch (e) {
      return { ok: false, reason: 'step-failed', at: v, detail: e instanceof Error ? e.message : String(e) };
    }
  }
  return { ok: true, doc: d };
}
