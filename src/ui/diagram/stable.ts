/**
 * Stable identity for diagram elements: `toFlowElements` builds new objects on every frame;
 * `stabilise` hands back last frame's object for every node or edge whose content did not
 * change, so xyflow keeps its internal node and React skips its component (they compare by
 * reference). Pure, for tests.
 */

/** Structural equality of plain data (objects, arrays, primitives), short-cut on shared references. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a !== a && b !== b; // NaN
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * `next`, with each element replaced by the previous one of the same id when equal; the
 * previous array itself when nothing changed at all. `cache` is updated to `next`'s elements.
 */
export function stabilise<T extends { id: string }>(cache: Map<string, T>, prev: T[] | null, next: T[]): T[] {
  let changed = prev === null || prev.length !== next.length;
  const out = next.map((n, i) => {
    const old = cache.get(n.id);
    const kept = old !== undefined && deepEqual(old, n) ? old : n;
    if (!changed && prev![i] !== kept) changed = true;
    return kept;
  });
  cache.clear();
  for (const n of out) cache.set(n.id, n);
  return changed || prev === null ? out : prev;
}
