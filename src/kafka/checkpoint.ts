/**
 * Checkpoints: an exact copy of a running cluster, taken at any virtual instant, that
 * continues exactly as the original would have. This is what makes time travel cheap: the
 * worker keeps a checkpoint every few virtual seconds, a seek restores the nearest one and
 * runs forward, a fork continues from it with a new action.
 *
 * How: the cluster's whole state is a graph of plain data and class instances (no closures:
 * timers and messages in flight are tagged records, `Task`s, run by their `run()` method).
 * `cloneCluster` copies that graph with a generic walk that keeps prototypes, Maps, Sets,
 * shared references and cycles. What is known never to change is shared instead of copied:
 * record batches held by log segments (LogSegment's invariant: batches are never mutated,
 * only dropped or replaced), so a checkpoint costs the metadata, not the data.
 *
 * A function found in the graph is a bug (a closure that could not be copied): the walk
 * throws naming its path, and a test walks clusters under load and faults to keep it so.
 */
import type { Cluster } from './cluster';
import { LogSegment } from './log/log-segment';

/** Thrown when the cluster state holds something that cannot be copied exactly. */
export class NotCloneableError extends Error {
  constructor(readonly path: string, what: string) {
    super(`cluster state is not cloneable: ${what} at ${path}`);
    this.name = 'NotCloneableError';
  }
}

/** Copies the object graph under root. Closures are refused (see NotCloneableError). */
export function cloneGraph<T>(root: T): T {
  const memo = new Map<object, unknown>();
  // An explicit work list instead of recursion: deep chains must not overflow the stack.
  const work: { src: object; dst: Record<PropertyKey, unknown> | unknown[]; path: string }[] = [];

  const copy = (v: unknown, path: string, shareBytes: boolean): unknown => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function') throw new NotCloneableError(path, 'a function');
      return v;
    }
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    if (ArrayBuffer.isView(v)) {
      if (shareBytes || !(v instanceof Uint8Array)) {
        if (!(v instanceof Uint8Array)) throw new NotCloneableError(path, `a ${v.constructor.name}`);
        memo.set(v, v);
        return v;
      }
      const c = v.slice();
      memo.set(v, c);
      return c;
    }
    if (v instanceof Map) {
      const m = new Map();
      memo.set(v, m);
      for (const [k, x] of v) m.set(copy(k, `${path}.key`, false), copy(x, `${path}[${String(k)}]`, false));
      return m;
    }
    if (v instanceof Set) {
      const s = new Set();
      memo.set(v, s);
      for (const x of v) s.add(copy(x, `${path}{}`, false));
      return s;
    }
    if (Array.isArray(v)) {
      const a: unknown[] = new Array(v.length);
      memo.set(v, a);
      work.push({ src: v, dst: a, path });
      return a;
    }
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto !== Object.prototype && proto !== null && typeof (proto as { constructor?: unknown }).constructor !== 'function') {
      throw new NotCloneableError(path, 'an object of unknown kind');
    }
    const o = Object.create(proto) as Record<PropertyKey, unknown>;
    memo.set(v, o);
    work.push({ src: v, dst: o, path });
    return o;
  };

  const result = copy(root, 'cluster', false);
  while (work.length > 0) {
    const { src, dst, path } = work.pop()!;
    if (Array.isArray(src)) {
      const a = dst as unknown[];
      for (let i = 0; i < src.length; i++) a[i] = copy(src[i], `${path}[${i}]`, false);
      continue;
    }
    const o = dst as Record<PropertyKey, unknown>;
    const segment = src instanceof LogSegment;
    for (const key of Object.keys(src)) {
      const val = (src as Record<string, unknown>)[key];
      if (segment && key === 'batches') {
        // Immutable record batches: the checkpoint shares them with the live log.
        const arr = val as Uint8Array[];
        const c = arr.slice();
        memo.set(arr, c);
        o[key] = c;
        continue;
      }
      o[key] = copy(val, `${path}.${key}`, false);
    }
  }
  return result as T;
}

/** An exact copy of the cluster at its current instant; both run on independently. */
export function cloneCluster(cluster: Cluster): Cluster {
  return cloneGraph(cluster);
}

/** Paths of every function held in the cluster's state (empty when it is cloneable). */
export function findClosures(root: unknown, limit = 50): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  const stack: { v: unknown; path: string }[] = [{ v: root, path: 'cluster' }];
  while (stack.length > 0 && found.length < limit) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'function') {
      found.push(path);
      continue;
    }
    if (v === null || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v)) continue;
    seen.add(v);
    if (v instanceof Map) {
      for (const [k, x] of v) stack.push({ v: x, path: `${path}[${String(k)}]` });
    } else if (v instanceof Set) {
      for (const x of v) stack.push({ v: x, path: `${path}{}` });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]` }));
    } else {
      for (const k of Object.keys(v)) stack.push({ v: (v as Record<string, unknown>)[k], path: `${path}.${k}` });
    }
  }
  return found;
}
