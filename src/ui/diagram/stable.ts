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
export function stabilise<T extends { id: string }>(
  cache: Map<string, T>,
  prev: T[] | null,
  next: T[],
  equal: (a: T, b: T) => boolean = deepEqual,
): T[] {
  let changed = prev === null || prev.length !== next.length;
  const out = next.map((n, i) => {
    const old = cache.get(n.id);
    const kept = old !== undefined && equal(old, n) ? old : n;
    if (!changed && prev![i] !== kept) changed = true;
    return kept;
  });
  cache.clear();
  for (const n of out) cache.set(n.id, n);
  return changed || prev === null ? out : prev;
}

/**
 * Edges that draw the same (issue 10): an edge's rate only decides whether its stroke is
 * heavy (`isHeavy`); its labels and motion are fields of their own. At 50 brokers x 1,000
 * partitions some 1,200 bundled replication edges change rate every frame and look the
 * same: keeping last frame's object spares xyflow and React re-rendering all of them. The
 * kept edge's `data.rate` is then the rate when it was last drawn differently.
 */
export function sameEdgeDrawing<T extends { data?: { rate: number } }>(a: T, b: T, isHeavy: (rate: number) => boolean): boolean {
  const ra = a.data?.rate;
  const rb = b.data?.rate;
  if (ra === rb || ra === undefined || rb === undefined) return deepEqual(a, b);
  if (isHeavy(ra) !== isHeavy(rb)) return false;
  return deepEqual({ ...a, data: { ...a.data, rate: 0 } }, { ...b, data: { ...b.data, rate: 0 } });
}

/** A node with xyflow's measurements, and what it was made from (`withMeasured`). */
export interface MeasuredNode {
  from: object;
  size: { width: number; height: number } | undefined;
  node: object;
}

/**
 * Nodes carrying xyflow's measurements (or it would hide and re-measure them): a node that is
 * the same object as last frame's, with the same measurement, gets last frame's copy back, so
 * a node `toFlowElements` reused stays the same object here too and `stabilise` does not
 * compare it field by field. `cache` is updated to these nodes.
 */
export function withMeasured<T extends { id: string }>(
  cache: Map<string, MeasuredNode>,
  nodes: readonly T[],
  measured: Record<string, { width: number; height: number }>,
): T[] {
  const out = nodes.map((n) => {
    const size = measured[n.id];
    if (!size) return n;
    const had = cache.get(n.id);
    if (had && had.from === n && had.size === size) return had.node as T;
    const node = { ...n, measured: size };
    cache.set(n.id, { from: n, size, node });
    return node;
  });
  if (cache.size > nodes.length * 2) {
    const live = new Set(nodes.map((n) => n.id));
    for (const id of cache.keys()) if (!live.has(id)) cache.delete(id);
  }
  return out;
}
