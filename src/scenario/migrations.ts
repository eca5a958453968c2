/**
 * Migrations of the scenario document, one step per version. Old share links must keep
 * opening: never edit a step once released; add the next one and bump CURRENT.
 * (excalidraw's data/restore.ts, tldraw's versioned migrations)
 */
export const CURRENT_SCENARIO_VERSION = 1;

export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

/** MIGRATIONS[v] turns a version-v document into version v + 1. */
export const MIGRATIONS: Record<number, Migration> = {};

/** Runs every step from `from` to the current version. */
export function migrate(doc: Record<string, unknown>, from: number, steps: Record<number, Migration> = MIGRATIONS, to = CURRENT_SCENARIO_VERSION): Record<string, unknown> {
  let d = doc;
  for (let v = from; v < to; v++) {
    const step = steps[v];
    if (!step) throw new Error(`no migration from scenario version ${v}`);
    d = { ...step(d), version: v + 1 };
  }
  return d;
}
