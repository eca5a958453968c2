/**
 * What changed since the last frame, instead of the whole snapshot (issue 10).
 *
 * The worker keeps, per entity (broker, topic, partition, group, producer, consumer, a
 * broker's metrics), what it last sent, and posts only the entities that differ. A
 * partition whose only changes are offsets (the common case under load: log end offsets
 * and high watermarks move every frame, leaders and ISRs rarely) travels as a few packed
 * integers relative to the offsets the UI has (PackedOffsets); so do the changed rows of a
 * group's offsets and a consumer's positions, and broker metrics by id (integer table
 * patches), and broker rates travel at the precision drawn (wireSnapshot): about 7-8 KiB a
 * frame at 50 brokers x 1,000 partitions, 20,000 records/s (30 KiB with protocol 2). The
 * UI applies a delta to its previous snapshot (`applyDelta`): entities that did not change
 * keep their object identity, so the diagram rebuilds and React re-renders only what changed.
 *
 * The first frame, and every frame after the UI's copy cannot be trusted (a new run, a
 * seek that rebuilt the cluster), is a whole snapshot (`SnapshotDiffer.reset`). Deltas are
 * numbered: a client that receives one for another base refuses it rather than drift.
 *
 * Pure TypeScript, no DOM: `apply(prev, delta(next)) deep-equals wireSnapshot(next)` is
 * tested over random runs of the real cluster with faults, and over made-up offsets
 * (snapshot-delta.test.ts).
 */
import type { ClusterSnapshot, MetricsView, PartitionView, ReplicaView } from '../kafka/snapshot';
import { IntPacker, IntReader, packable, unzigzag, zigzag } from './packed-ints';
import { bytesForDisplay } from '../state/display-precision';

type Entity = object;

/** The keyed collections of a snapshot. */
export const COLLECTIONS = ['brokers', 'topics', 'partitions', 'groups', 'producers', 'consumers'] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

const KEY: Record<CollectionName, (e: never) => string> = {
  brokers: (b: { id: number }) => String(b.id),
  topics: (t: { name: string }) => t.name,
  partitions: (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`,
  groups: (g: { groupId: string }) => g.groupId,
  producers: (p: { id: string }) => p.id,
  consumers: (c: { id: string }) => c.id,
};

export function entityKey(collection: CollectionName, e: Entity): string {
  return (KEY[collection] as (e: Entity) => string)(e);
}

/**
 * A change to a plain value: `v` replaces it; `o` patches an object's fields (`d`: fields
 * removed); `a` patches elements of an array of the same length, by index.
 */
export type Patch =
  | { v: unknown }
  | { o: Record<string, Patch>; d?: string[] }
  | { a: [number, Patch][] }
  /** An array of flat records (a group's offsets, a consumer's positions): the fields `t` that changed, as rows [index, ...values]. */
  | { t: string[]; r: unknown[][] }
  /**
   * The same when every value involved is an integer: packed (packed-ints.ts), per changed
   * record the gap to the previous changed index (0: the next one), then each field of `t`
   * as new − old (a position that moved by 3 is one character).
   */
  | { t: string[]; p: string }
  /**
   * The same when some values are null (a group's committed offsets and lag before its first
   * commit): per changed record the gap, then each field of `t` as one packed number: 0 for
   * null, else 1 + zigzag(new − base), where base is the old value, or when that was null the
   * field's new value in the previous changed record (0 for the first). A group's first
   * commits turn 1,000 nulls into numbers in one frame; as rows that frame was about 21 KiB
   * at 50 x 1,000.
   */
  | { t: string[]; q: string }
  /**
   * An array that only gained elements (`i`: each new one with its index in the new array)
   * or only lost some (`x`: their indices in the old one), the others equal and in order: a
   * producer's targets grow one partition at a time and, sorted by name, mostly in the
   * middle, so by index nearly all of them changed (the whole list, 33 KiB a frame at
   * 50 x 1,000, until the producer had written to every partition).
   */
  | { i: [number, unknown][] }
  | { x: number[] }
  /** An object whose changed members are flat records of the same fields (broker metrics by id): the members `k`, their new values as rows. */
  | { t: string[]; k: string[]; r: unknown[][] }
  /** The same with integers only: per member of `k`, each field of `t` as new − old, packed. */
  | { t: string[]; k: string[]; p: string };

/** Same-shaped flat records: which changed, and in which fields; null when they do not fit a table. */
function tableChanges(pairs: [unknown, unknown][]): { changed: number[]; fields: string[] } | null {
  const fields = new Set<string>();
  const changed: number[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const [x, y] = pairs[i]!;
    if (x === y) continue;
    if (!isPlainObject(x) || !isPlainObject(y)) return null;
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length) return null;
    let any = false;
    for (const k of ky) {
      if (!(k in x)) return null;
      const u = x[k];
      const w = y[k];
      if (u === w) continue;
      if ((typeof w === 'object' && w !== null) || (typeof u === 'object' && u !== null)) return null;
      if (typeof u === 'number' && typeof w === 'number' && Number.isNaN(u) && Number.isNaN(w)) continue;
      fields.add(k);
      any = true;
    }
    if (any) changed.push(i);
  }
  return { changed, fields: [...fields] };
}

/** The changed records' fields as integers new − old (with `gaps`, each row led by the gap to the previous changed index), or null when a value is no packable integer. */
function packTable(pairs: [unknown, unknown][], changed: number[], t: string[], gaps: boolean): string | null {
  const out = new IntPacker();
  let last = -1;
  for (const i of changed) {
    const [x, y] = pairs[i] as [Record<string, unknown>, Record<string, unknown>];
    for (const k of t) if (!packable(x[k]) || !packable(y[k])) return null;
    if (gaps) out.push(i - last - 1);
    last = i;
    for (const k of t) out.push((y[k] as number) - (x[k] as number));
  }
  return out.toString();
}

/** packTable's rows where values may also be null (the `q` patch), or null when a value is neither. */
function packNullableTable(pairs: [unknown, unknown][], changed: number[], t: string[]): string | null {
  const out = new IntPacker();
  const lastNew = new Map<string, number>();
  let last = -1;
  for (const i of changed) {
    const [x, y] = pairs[i] as [Record<string, unknown>, Record<string, unknown>];
    out.push(i - last - 1);
    last = i;
    for (const k of t) {
      const was = x[k];
      const now = y[k];
      if ((was !== null && !packable(was)) || (now !== null && !packable(now))) return null;
      if (now === null) {
        out.push(0);
        continue;
      }
      const base = was === null ? (lastNew.get(k) ?? 0) : (was as number);
      const u = 1 + zigzag((now as number) - base);
      if (!packable(u)) return null;
      out.push(u);
      lastNew.set(k, now as number);
    }
  }
  return out.toString();
}

/** Same-length arrays of objects with the same fields whose changes are all to primitive fields: as a table patch. */
function tablePatch(a: unknown[], b: unknown[]): Patch | undefined | null {
  const pairs = b.map((y, i): [unknown, unknown] => [a[i], y]);
  const c = tableChanges(pairs);
  if (c === null) return null;
  if (c.changed.length === 0) return undefined;
  const t = c.fields;
  const p = packTable(pairs, c.changed, t, true);
  if (p !== null) return { t, p };
  const q = packNullableTable(pairs, c.changed, t);
  if (q !== null) return { t, q };
  return { t, r: c.changed.map((i) => [i, ...t.map((k) => (b[i] as Record<string, unknown>)[k])]) };
}

/** Objects with the same members whose changed members are flat records of the same fields (at least two of them): as a keyed table patch. */
function keyedTablePatch(a: Record<string, unknown>, b: Record<string, unknown>): Patch | undefined | null {
  const keys = Object.keys(b);
  if (keys.length !== Object.keys(a).length || keys.some((k) => !(k in a))) return null;
  const pairs = keys.map((k): [unknown, unknown] => [a[k], b[k]]);
  const c = tableChanges(pairs);
  if (c === null) return null;
  if (c.changed.length < 2) return c.changed.length === 0 ? undefined : null;
  const t = c.fields;
  const k = c.changed.map((i) => keys[i]!);
  const p = packTable(pairs, c.changed, t, false);
  if (p !== null) return { t, k, p };
  return { t, k, r: c.changed.map((i) => t.map((f) => (b[keys[i]!] as Record<string, unknown>)[f])) };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Equal as far as a splice patch needs: the same primitive, or flat records with the same fields and values. */
function sameElement(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (!isPlainObject(x) || !isPlainObject(y)) return false;
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx) {
    const u = x[k];
    if (!(k in y) || (typeof u === 'object' && u !== null) || u !== y[k]) return false;
  }
  return true;
}

/** The indices of `long` left over when `short` is matched in order (a subsequence), or null when it is not one. */
function extraIndices(short: unknown[], long: unknown[]): number[] | null {
  const extra: number[] = [];
  let j = 0;
  for (let i = 0; i < long.length; i++) {
    if (j < short.length && sameElement(short[j], long[i])) j++;
    else extra.push(i);
  }
  return j === short.length ? extra : null;
}

/** An insertion or removal patch when `b` is `a` with elements only added or only removed (fewer than half), else null. */
function splicePatch(a: unknown[], b: unknown[]): Patch | null {
  if (b.length > a.length) {
    const added = extraIndices(a, b);
    return added !== null && added.length * 2 < b.length ? { i: added.map((k) => [k, b[k]]) } : null;
  }
  const removed = extraIndices(b, a);
  return removed !== null && removed.length * 2 < a.length ? { x: removed } : null;
}

/** What turns `a` into `b`, or undefined when they are equal. Pure. */
export function diffValue(a: unknown, b: unknown): Patch | undefined {
  if (a === b) return undefined;
  if (isPlainObject(a) && isPlainObject(b)) {
    const table = keyedTablePatch(a, b);
    if (table !== null) return table;
    const o: Record<string, Patch> = {};
    let any = false;
    for (const k of Object.keys(b)) {
      const p = k in a ? diffValue(a[k], b[k]) : { v: b[k] };
      if (p) {
        o[k] = p;
        any = true;
      }
    }
    const d = Object.keys(a).filter((k) => !(k in b));
    if (!any && d.length === 0) return undefined;
    return d.length > 0 ? { o, d } : { o };
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    const table = tablePatch(a, b);
    if (table !== null) return table;
    const out: [number, Patch][] = [];
    for (let i = 0; i < b.length; i++) {
      const p = diffValue(a[i], b[i]);
      if (p) out.push([i, p]);
    }
    return out.length === 0 ? undefined : out.length * 2 > b.length + 1 ? { v: b } : { a: out };
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length > 0) {
    const splice = splicePatch(a, b);
    if (splice !== null) return splice;
  }
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return undefined;
  return { v: b };
}

/**
 * The rows of a packed table patch (`p` or `q`), each led by the gap to the previous changed
 * index: `readRow` reads the row's fields into a copy of the element.
 */
function applyPackedRows(
  out: unknown[],
  packed: string,
  readRow: (was: Record<string, unknown>, e: Record<string, unknown>, reader: IntReader, i: number) => void,
): unknown[] {
  const reader = new IntReader(packed);
  let i = -1;
  while (!reader.done) {
    i += reader.next() + 1;
    const was = out[i] as Record<string, unknown> | undefined;
    if (!isPlainObject(was)) throw new Error(`A table patch for element ${i}, which is no record.`);
    const e: Record<string, unknown> = { ...was };
    readRow(was, e, reader, i);
    out[i] = e;
  }
  return out;
}

/** `value` with `patch` applied; what the patch does not touch keeps its identity. Pure. */
export function applyPatch(value: unknown, patch: Patch): unknown {
  if ('v' in patch) return patch.v;
  if ('o' in patch) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [k, p] of Object.entries(patch.o)) out[k] = applyPatch(out[k], p);
    for (const k of patch.d ?? []) delete out[k];
    return out;
  }
  if ('k' in patch) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const reader = 'p' in patch ? new IntReader(patch.p) : null;
    patch.k.forEach((key, j) => {
      const was = out[key] as Record<string, unknown> | undefined;
      if (!isPlainObject(was)) throw new Error(`A table patch for ${key}, which is no record.`);
      const e: Record<string, unknown> = { ...was };
      if (reader) for (const f of patch.t) e[f] = (was[f] as number) + reader.next();
      else if ('r' in patch) patch.t.forEach((f, n) => (e[f] = patch.r[j]![n]));
      out[key] = e;
    });
    if (reader && !reader.done) throw new Error('A packed table patch holds more numbers than its members.');
    return out;
  }
  if ('i' in patch) {
    const was = value as unknown[];
    if (!Array.isArray(was)) throw new Error('An insertion patch for a value that is no array.');
    const out: unknown[] = [];
    let j = 0;
    for (const [at, v] of patch.i) {
      if (!Number.isInteger(at) || at < out.length) throw new Error(`An insertion patch with index ${String(at)} out of order.`);
      while (out.length < at) {
        if (j >= was.length) throw new Error(`An insertion patch with index ${at} past the array's end.`);
        out.push(was[j++]);
      }
      out.push(v);
    }
    while (j < was.length) out.push(was[j++]);
    return out;
  }
  if ('x' in patch) {
    const was = value as unknown[];
    if (!Array.isArray(was)) throw new Error('A removal patch for a value that is no array.');
    const gone = new Set(patch.x);
    for (const k of gone) if (!Number.isInteger(k) || k < 0 || k >= was.length) throw new Error(`A removal patch with index ${String(k)} outside the array.`);
    return was.filter((_, k) => !gone.has(k));
  }
  const out = (value as unknown[]).slice();
  if ('p' in patch) {
    return applyPackedRows(out, patch.p, (was, e, reader) => {
      for (const f of patch.t) e[f] = (was[f] as number) + reader.next();
    });
  }
  if ('q' in patch) {
    const lastNew = new Map<string, number>();
    return applyPackedRows(out, patch.q, (was, e, reader, i) => {
      for (const f of patch.t) {
        const u = reader.next();
        if (u === 0) {
          e[f] = null;
          continue;
        }
        if (u < 0) throw new Error(`A nullable table patch holds a negative code for ${f}.`);
        const old = was[f];
        const base = old === null ? (lastNew.get(f) ?? 0) : old;
        if (typeof base !== 'number') throw new Error(`A table patch for element ${i} changes ${f}, which is no number.`);
        const v = base + unzigzag(u - 1);
        e[f] = v;
        lastNew.set(f, v);
      }
    });
  }
  if ('t' in patch) {
    for (const row of patch.r) {
      const i = row[0] as number;
      const e: Record<string, unknown> = { ...(out[i] as Record<string, unknown>) };
      patch.t.forEach((k, j) => (e[k] = row[j + 1]));
      out[i] = e;
    }
    return out;
  }
  for (const [i, p] of patch.a) out[i] = applyPatch(out[i], p);
  return out;
}

export interface CollectionChanges {
  /** Entities new, whole. */
  put?: Entity[];
  /** Entities changed: key and what changed. */
  patch?: [string, Patch][];
  /** The collection's keys in order, when its membership or order changed (removals included). */
  order?: string[];
}

/**
 * Partitions whose only changes are offsets, packed (packed-ints.ts) one after the other,
 * mostly one character a number (under load the HW moves by a few records a frame, and a
 * follower caught up has the leader's offsets). Per partition:
 *
 * - `gap * 4 + extra * 2 + detail`: `gap` from the previous partition in the stream (0: the
 *   next one in this frame's order of partitions; the first counts from before index 0);
 * - the high watermark minus the one the UI has;
 * - with `extra` (the log start or the last stable offset moved otherwise than with the HW):
 *   the log start minus the UI's, then hw − last stable offset (−1: absent);
 * - with `detail` (not every replica has log end = high watermark = the partition's HW and
 *   the partition's log start): of the numbers logEndOffset − hw, highWatermark − hw,
 *   logStartOffset − logStart of each replica state in the partition's order (its brokers are
 *   those the UI has), a mask of those that are not 0 (bit 3j + f), then those (a follower
 *   whose HW lags one fetch behind is 2 characters); mask −1 (more than 16 replicas): all of them.
 *
 * Protocol 3; protocol 2 sent each partition as a JSON row with the whole HW and log start.
 */
export type PackedOffsets = string;

/** The offsets of a partition the differ compares against: hw, log start, hw − last stable offset (−1: absent). */
type OffsetBase = [number, number, number];

function offsetBase(p: PartitionView): OffsetBase {
  const hw = p.highWatermark;
  return [hw, p.logStartOffset, p.lastStableOffset === undefined ? -1 : hw - p.lastStableOffset];
}

export interface SnapshotDelta {
  /** The number of this frame; `base` is the one it applies to. */
  seq: number;
  base: number;
  time: number;
  controller: number;
  /** What changed in everything that is not a keyed collection (metrics, health...): a patch of `restOf`. */
  rest?: Patch;
  collections?: Partial<Record<CollectionName, CollectionChanges>>;
  offsets?: PackedOffsets;
  events: ClusterSnapshot['events'];
}

const OFFSET_FIELDS = new Set(['highWatermark', 'logStartOffset', 'lastStableOffset', 'replicaStates']);

/**
 * The partition's fields other than offsets are those `was` had (the same fields in the same
 * order, equal as JSON), and so are its replica states' brokers: what the UI has then differs
 * at most in offsets, which PackedOffsets can carry.
 */
function sameShape(was: PartitionView, p: PartitionView): boolean {
  const a = was as unknown as Record<string, unknown>;
  const b = p as unknown as Record<string, unknown>;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < ka.length && OFFSET_FIELDS.has(ka[i]!)) i++;
    while (j < kb.length && OFFSET_FIELDS.has(kb[j]!)) j++;
    if (i === ka.length || j === kb.length) break;
    const k = kb[j]!;
    if (ka[i] !== k || !sameJson(a[k], b[k])) return false;
    i++;
    j++;
  }
  if (i !== ka.length || j !== kb.length) return false;
  const ra = was.replicaStates;
  const rb = p.replicaStates;
  if (ra.length !== rb.length) return false;
  for (let n = 0; n < rb.length; n++) {
    if (ra[n]!.broker !== rb[n]!.broker || Object.keys(ra[n]!).length !== Object.keys(rb[n]!).length) return false;
  }
  return true;
}

/** Equal as JSON: a partition's fields are primitives and arrays of numbers (anything else is compared as its JSON). */
function sameJson(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (Array.isArray(x) && Array.isArray(y)) {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !sameJson(x[i], y[i])) return false;
    return true;
  }
  return JSON.stringify(x) === JSON.stringify(y);
}

/** The most replica offsets a mask covers (3 per replica; packable integers have 51 bits). */
const MASKED_VALUES = 48;

/**
 * Appends the partition's offsets to `out` (PackedOffsets) and says true, or says false
 * and leaves `out` as it was when they do not pack (a last stable offset above the HW, an
 * offset that is no integer).
 */
function packOffsets(out: IntPacker, gap: number, p: PartitionView, was: OffsetBase): boolean {
  const [hw, ls, lsoRel] = offsetBase(p);
  // A last stable offset above the HW would read as another (hw + 1 as none): not packed.
  if (p.lastStableOffset !== undefined && !(p.lastStableOffset <= hw)) return false;
  if (!packable(hw) || !packable(ls) || !packable(lsoRel) || !packable(hw - was[0])) return false;
  const extra = ls !== was[1] || lsoRel !== was[2];
  if (extra && !packable(ls - was[1])) return false;
  let detail = false;
  for (const r of p.replicaStates) {
    if (!packable(r.logEndOffset) || !packable(r.highWatermark) || !packable(r.logStartOffset)) return false;
    if (r.logEndOffset !== hw || r.highWatermark !== hw || r.logStartOffset !== ls) detail = true;
  }
  out.push(gap * 4 + (extra ? 2 : 0) + (detail ? 1 : 0));
  out.push(hw - was[0]);
  if (extra) out.push(ls - was[1], lsoRel);
  if (detail) {
    const values: number[] = [];
    for (const r of p.replicaStates) values.push(r.logEndOffset - hw, r.highWatermark - hw, r.logStartOffset - ls);
    if (values.length > MASKED_VALUES) {
      out.push(-1, ...values);
    } else {
      let mask = 0;
      const nonZero: number[] = [];
      values.forEach((v, j) => {
        if (v === 0) return;
        mask += 2 ** j;
        nonZero.push(v);
      });
      out.push(mask, ...nonZero);
    }
  }
  return true;
}

/**
 * The offsets packOffsets sends are those `was` had: the HW, log start, last stable offset and
 * every replica's three offsets. Only for partitions of the same shape (sameShape): the same
 * replicas, in order, so the replica states are of one length (checked there, not again).
 */
function sameOffsets(was: PartitionView, p: PartitionView): boolean {
  if (was.highWatermark !== p.highWatermark || was.logStartOffset !== p.logStartOffset || was.lastStableOffset !== p.lastStableOffset) return false;
  const a = was.replicaStates;
  const b = p.replicaStates;
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.logEndOffset !== y.logEndOffset || x.highWatermark !== y.highWatermark || x.logStartOffset !== y.logStartOffset) return false;
  }
  return true;
}

/**
 * The worker's side: remembers what it sent and says what changed.
 *
 * It keeps the snapshot's own objects and compares them with the next snapshot's, field by
 * field (diffValue), rather than each entity's JSON: at 50 x 1,000 that was 700 KiB of JSON
 * written and half of it parsed again every frame, two thirds of the frame's cost. This
 * relies on a snapshot never changing once taken: the cluster builds each of new objects, or
 * of ones it never changes in place (snapshot-delta.test.ts checks it over random runs).
 */
export class SnapshotDiffer {
  private seq = 0;
  private primed = false;
  /** Each collection's entities as last sent, by key: the UI's copy of each is equal to it as JSON. */
  private readonly sent = new Map<CollectionName, { order: string; entities: Map<string, Entity> }>();
  private rest: Record<string, unknown> = {};

  /** The next frame goes out whole (a new run, a rebuilt cluster, a new client). */
  reset(): void {
    this.primed = false;
  }

  /** The frame for this snapshot: whole the first time after a reset, else a delta. */
  frame(whole: ClusterSnapshot): { kind: 'full'; seq: number; snapshot: ClusterSnapshot } | { kind: 'delta'; delta: SnapshotDelta } {
    const snapshot = wireSnapshot(whole);
    if (!this.primed) {
      this.remember(snapshot);
      this.primed = true;
      return { kind: 'full', seq: ++this.seq, snapshot };
    }
    return { kind: 'delta', delta: this.delta(snapshot) };
  }

  private remember(s: ClusterSnapshot): void {
    this.sent.clear();
    for (const c of COLLECTIONS) {
      const entities = new Map<string, Entity>();
      const keys: string[] = [];
      for (const e of s[c] as Entity[]) {
        const k = entityKey(c, e);
        keys.push(k);
        entities.set(k, e);
      }
      this.sent.set(c, { order: keys.join('\u0000'), entities });
    }
    this.rest = restOf(s);
  }

  private delta(s: ClusterSnapshot): SnapshotDelta {
    const base = this.seq;
    const d: SnapshotDelta = { seq: ++this.seq, base, time: s.time, controller: s.controller, events: s.events };
    const collections: Partial<Record<CollectionName, CollectionChanges>> = {};
    const offsets = new IntPacker();
    /** The index of the last partition in `offsets`. */
    let lastPacked = -1;
    for (const c of COLLECTIONS) {
      const prev = this.sent.get(c)!;
      const entities = new Map<string, Entity>();
      const keys: string[] = [];
      const put: Entity[] = [];
      const patch: [string, Patch][] = [];
      for (const e of s[c] as Entity[]) {
        const k = entityKey(c, e);
        keys.push(k);
        entities.set(k, e);
        const was = prev.entities.get(k);
        if (was === e) continue;
        if (c === 'partitions' && was !== undefined) {
          // The UI has `was`: when only offsets moved, they go in the packed stream; when none
          // did, the partition is not in it (the next one's gap skips it).
          const p = e as PartitionView;
          const w = was as PartitionView;
          if (sameShape(w, p)) {
            if (sameOffsets(w, p)) continue;
            if (packOffsets(offsets, keys.length - 1 - lastPacked - 1, p, offsetBase(w))) {
              lastPacked = keys.length - 1;
              continue;
            }
          }
        }
        if (was === undefined) {
          put.push(e);
          continue;
        }
        // Changed: only what changed (a group's offsets move, its members stay).
        const p = diffValue(was, e);
        if (p) patch.push([k, p]);
      }
      const order = keys.join('\u0000');
      const changes: CollectionChanges = {};
      if (put.length > 0) changes.put = put;
      if (patch.length > 0) changes.patch = patch;
      if (order !== prev.order) changes.order = keys;
      if (changes.put || changes.patch || changes.order) collections[c] = changes;
      this.sent.set(c, { order, entities });
    }
    if (Object.keys(collections).length > 0) d.collections = collections;
    if (offsets.length > 0) d.offsets = offsets.toString();
    const rest = restOf(s);
    const p = diffValue(this.rest, rest);
    if (p) d.rest = p;
    this.rest = rest;
    return d;
  }
}

/**
 * The snapshot as the UI gets it with deltas on: broker rates as the UI draws them, so that
 * they change, and travel, only when what is drawn does: MessagesInPerSec as a whole number
 * (the inspector's "Messages in"), BytesInPerSec and BytesOutPerSec as the broker cards print
 * them (display-precision.ts bytesForDisplay: 47.9 kB/s is drawn "48 kB/s" and sent as
 * 48000). The charts' lines keep full precision (metric-series.ts, in the worker).
 * Everything else as it is; `whole` itself is not changed.
 */
export function wireSnapshot(whole: ClusterSnapshot): ClusterSnapshot {
  const brokers: MetricsView['brokers'] = {};
  for (const [id, m] of Object.entries(whole.metrics.brokers)) {
    const r = { ...m };
    if (Number.isFinite(r.MessagesInPerSec)) r.MessagesInPerSec = Math.round(r.MessagesInPerSec);
    r.BytesInPerSec = bytesForDisplay(r.BytesInPerSec);
    r.BytesOutPerSec = bytesForDisplay(r.BytesOutPerSec);
    brokers[Number(id)] = r;
  }
  return { ...whole, metrics: { ...whole.metrics, brokers } };
}

const NOT_REST = new Set<string>([...COLLECTIONS, 'events', 'time', 'controller']);

/** Everything but the keyed collections, events, time and controller (metrics, health, what else the snapshot grows). */
function restOf(s: ClusterSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!NOT_REST.has(k)) out[k] = v;
  return out;
}

/** The partition after its next entry in `r` (PackedOffsets; after the gap, read by the caller). */
function applyOffsets(p: PartitionView, flags: number, r: IntReader): PartitionView {
  const [wasHw, wasLs, wasLso] = offsetBase(p);
  const hw = wasHw + r.next();
  let ls = wasLs;
  let lsoRel = wasLso;
  if (flags & 2) {
    ls += r.next();
    lsoRel = r.next();
  }
  let mask = flags & 1 ? r.next() : 0;
  const all = mask === -1;
  // Bit by bit from the lowest, as the mask was summed (no 32-bit operators: up to 48 bits).
  const value = (): number => {
    if (all) return r.next();
    const set = mask % 2 === 1;
    mask = Math.floor(mask / 2);
    return set ? r.next() : 0;
  };
  const replicaStates: ReplicaView[] = p.replicaStates.map((x) => ({
    broker: x.broker,
    logEndOffset: hw + value(),
    highWatermark: hw + value(),
    logStartOffset: ls + value(),
  }));
  const next: PartitionView = { ...p, highWatermark: hw, logStartOffset: ls, replicaStates };
  if (lsoRel >= 0) next.lastStableOffset = hw - lsoRel;
  else delete next.lastStableOffset;
  return next;
}

/**
 * The UI's side: the snapshot after `delta`, sharing every unchanged entity (and unchanged
 * collection array) with `prev`. Throws when the delta is for another base.
 */
export function applyDelta(prev: ClusterSnapshot, prevSeq: number, d: SnapshotDelta): ClusterSnapshot {
  if (d.base !== prevSeq) throw new Error(`Snapshot delta ${d.seq} applies to frame ${d.base}, not ${prevSeq}.`);
  const next: ClusterSnapshot = { ...prev, time: d.time, controller: d.controller, events: d.events };
  for (const c of COLLECTIONS) {
    const changes = d.collections?.[c];
    const pendingOffsets = c === 'partitions' && !!d.offsets;
    if (!changes && !pendingOffsets) continue;
    const byKey = new Map<string, Entity>();
    for (const e of prev[c] as Entity[]) byKey.set(entityKey(c, e), e);
    for (const e of changes?.put ?? []) byKey.set(entityKey(c, e), e);
    for (const [k, p] of changes?.patch ?? []) {
      const old = byKey.get(k);
      if (!old) throw new Error(`Snapshot delta ${d.seq}: a change to unknown ${c} entry ${k}.`);
      byKey.set(k, applyPatch(old, p) as Entity);
    }
    const order = changes?.order ?? (prev[c] as Entity[]).map((e) => entityKey(c, e));
    if (pendingOffsets) {
      const r = new IntReader(d.offsets!);
      let i = -1;
      while (!r.done) {
        const head = r.next();
        i += Math.floor(head / 4) + 1;
        const k = order[i];
        const p = k === undefined ? undefined : (byKey.get(k) as PartitionView | undefined);
        if (!p) throw new Error(`Snapshot delta ${d.seq}: offsets for unknown partition #${i}.`);
        byKey.set(k!, applyOffsets(p, head % 4, r));
      }
    }
    (next as unknown as Record<string, Entity[]>)[c] = order.map((k) => {
      const e = byKey.get(k);
      if (!e) throw new Error(`Snapshot delta ${d.seq}: no ${c} entry ${k}.`);
      return e;
    });
  }
  if (d.rest) {
    const rest = applyPatch(restOf(prev), d.rest) as Record<string, unknown>;
    for (const k of Object.keys(next)) if (!NOT_REST.has(k) && !(k in rest)) delete (next as unknown as Record<string, unknown>)[k];
    Object.assign(next, rest);
  }
  return next;
}
