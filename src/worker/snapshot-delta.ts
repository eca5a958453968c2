/**
 * What changed since the last frame, instead of the whole snapshot (issue 10).
 *
 * The worker keeps, per entity (broker, topic, partition, group, producer, consumer, a
 * broker's metrics), what it last sent, and posts only the entities that differ. A
 * partition whose only changes are offsets (the common case under load: log end offsets
 * and high watermarks move every frame, leaders and ISRs rarely) travels as one flat row
 * of numbers. The UI applies a delta to its previous snapshot (`applyDelta`): entities
 * that did not change keep their object identity, so the diagram rebuilds and React
 * re-renders only what changed.
 *
 * The first frame, and every frame after the UI's copy cannot be trusted (a new run, a
 * seek that rebuilt the cluster), is a whole snapshot (`SnapshotDiffer.reset`). Deltas are
 * numbered: a client that receives one for another base refuses it rather than drift.
 *
 * Pure TypeScript, no DOM: `apply(prev, delta(next)) deep-equals next` is tested over
 * random runs of the real cluster (snapshot-delta.test.ts).
 */
import type { ClusterSnapshot, PartitionView, ReplicaView } from '../kafka/snapshot';

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
  | { t: string[]; r: unknown[][] };

/** Same-length arrays of objects with the same fields whose changes are all to primitive fields: as a table patch. */
function tablePatch(a: unknown[], b: unknown[]): Patch | undefined | null {
  const fields = new Set<string>();
  const changed: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const x = a[i];
    const y = b[i];
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
  if (changed.length === 0) return undefined;
  const t = [...fields];
  return { t, r: changed.map((i) => [i, ...t.map((k) => (b[i] as Record<string, unknown>)[k])]) };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** What turns `a` into `b`, or undefined when they are equal. Pure. */
export function diffValue(a: unknown, b: unknown): Patch | undefined {
  if (a === b) return undefined;
  if (isPlainObject(a) && isPlainObject(b)) {
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
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return undefined;
  return { v: b };
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
  const out = (value as unknown[]).slice();
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
 * A partition whose only changes are offsets, as small numbers (most are 0 under load: a
 * follower caught up has the leader's offsets): `[i, hw, logStart, lso, ...replicas]`, where
 * `i` is the partition's index in this frame's order of partitions, `lso` is hw minus the
 * last stable offset (-1: absent), and then, unless every replica has log end = high
 * watermark = the partition's high watermark and the partition's log start, per replica
 * state (in the partition's order; its brokers are those the UI has) logEndOffset − hw,
 * highWatermark − hw, logStartOffset − logStart. About a third of the bytes of the rows
 * with keys and whole offsets it replaced (issue 10: 50 brokers x 1,000 partitions).
 */
export type OffsetsRow = number[];

export interface SnapshotDelta {
  /** The number of this frame; `base` is the one it applies to. */
  seq: number;
  base: number;
  time: number;
  controller: number;
  /** What changed in everything that is not a keyed collection (metrics, health...): a patch of `restOf`. */
  rest?: Patch;
  collections?: Partial<Record<CollectionName, CollectionChanges>>;
  offsets?: OffsetsRow[];
  events: ClusterSnapshot['events'];
}

const OFFSET_FIELDS = new Set(['highWatermark', 'logStartOffset', 'lastStableOffset', 'replicaStates']);

/** The partition's fields other than offsets, and its replica states' brokers, as one string. */
function partitionShape(p: PartitionView): string {
  let s = '';
  for (const k of Object.keys(p)) {
    if (OFFSET_FIELDS.has(k)) continue;
    s += `${k}=${JSON.stringify((p as unknown as Record<string, unknown>)[k])};`;
  }
  return `${s}rs=${p.replicaStates.map((r) => `${r.broker}:${Object.keys(r).length}`).join(',')}`;
}

/** The partition's offsets as a row (OffsetsRow), or null when they do not fit one (a last stable offset above the HW). */
function offsetsRow(index: number, p: PartitionView): OffsetsRow | null {
  const hw = p.highWatermark;
  const ls = p.logStartOffset;
  const lso = p.lastStableOffset;
  if (lso !== undefined && (lso > hw || !Number.isFinite(lso))) return null;
  const row: OffsetsRow = [index, hw, ls, lso === undefined ? -1 : hw - lso];
  let all = true;
  for (const r of p.replicaStates) if (r.logEndOffset !== hw || r.highWatermark !== hw || r.logStartOffset !== ls) all = false;
  if (!all) for (const r of p.replicaStates) row.push(r.logEndOffset - hw, r.highWatermark - hw, r.logStartOffset - ls);
  return row;
}

/** The worker's side: remembers what it sent and says what changed. */
export class SnapshotDiffer {
  private seq = 0;
  private primed = false;
  private readonly sent = new Map<CollectionName, { order: string; json: Map<string, string> }>();
  private readonly partitionShapes = new Map<string, string>();
  private restJson = '';

  /** The next frame goes out whole (a new run, a rebuilt cluster, a new client). */
  reset(): void {
    this.primed = false;
  }

  /** The frame for this snapshot: whole the first time after a reset, else a delta. */
  frame(snapshot: ClusterSnapshot): { kind: 'full'; seq: number; snapshot: ClusterSnapshot } | { kind: 'delta'; delta: SnapshotDelta } {
    if (!this.primed) {
      this.remember(snapshot);
      this.primed = true;
      return { kind: 'full', seq: ++this.seq, snapshot };
    }
    return { kind: 'delta', delta: this.delta(snapshot) };
  }

  private remember(s: ClusterSnapshot): void {
    this.sent.clear();
    this.partitionShapes.clear();
    for (const c of COLLECTIONS) {
      const json = new Map<string, string>();
      const keys: string[] = [];
      for (const e of s[c] as Entity[]) {
        const k = entityKey(c, e);
        keys.push(k);
        json.set(k, JSON.stringify(e));
        if (c === 'partitions') this.partitionShapes.set(k, partitionShape(e as PartitionView));
      }
      this.sent.set(c, { order: keys.join('\u0000'), json });
    }
    this.restJson = JSON.stringify(restOf(s));
  }

  private delta(s: ClusterSnapshot): SnapshotDelta {
    const base = this.seq;
    const d: SnapshotDelta = { seq: ++this.seq, base, time: s.time, controller: s.controller, events: s.events };
    const collections: Partial<Record<CollectionName, CollectionChanges>> = {};
    const offsets: OffsetsRow[] = [];
    for (const c of COLLECTIONS) {
      const prev = this.sent.get(c)!;
      const json = new Map<string, string>();
      const keys: string[] = [];
      const put: Entity[] = [];
      const patch: [string, Patch][] = [];
      for (const e of s[c] as Entity[]) {
        const k = entityKey(c, e);
        keys.push(k);
        const j = JSON.stringify(e);
        json.set(k, j);
        const was = prev.json.get(k);
        if (was === j) continue;
        if (c === 'partitions' && prev.json.has(k)) {
          const shape = partitionShape(e as PartitionView);
          const row = this.partitionShapes.get(k) === shape ? offsetsRow(keys.length - 1, e as PartitionView) : null;
          if (row) {
            offsets.push(row);
            continue;
          }
          this.partitionShapes.set(k, shape);
        } else if (c === 'partitions') {
          this.partitionShapes.set(k, partitionShape(e as PartitionView));
        }
        if (was === undefined) {
          put.push(e);
          continue;
        }
        // Changed: only what changed (a group's offsets move, its members stay).
        const p = diffValue(JSON.parse(was), JSON.parse(j));
        if (p) patch.push([k, p]);
      }
      const order = keys.join('\u0000');
      const changes: CollectionChanges = {};
      if (put.length > 0) changes.put = put;
      if (patch.length > 0) changes.patch = patch;
      if (order !== prev.order) {
        changes.order = keys;
        if (c === 'partitions') for (const k of this.partitionShapes.keys()) if (!json.has(k)) this.partitionShapes.delete(k);
      }
      if (changes.put || changes.patch || changes.order) collections[c] = changes;
      this.sent.set(c, { order, json });
    }
    if (Object.keys(collections).length > 0) d.collections = collections;
    if (offsets.length > 0) d.offsets = offsets;
    const restJson = JSON.stringify(restOf(s));
    if (restJson !== this.restJson) {
      const p = diffValue(JSON.parse(this.restJson), JSON.parse(restJson));
      if (p) d.rest = p;
    }
    this.restJson = restJson;
    return d;
  }
}

const NOT_REST = new Set<string>([...COLLECTIONS, 'events', 'time', 'controller']);

/** Everything but the keyed collections, events, time and controller (metrics, health, what else the snapshot grows). */
function restOf(s: ClusterSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!NOT_REST.has(k)) out[k] = v;
  return out;
}

function applyOffsets(p: PartitionView, row: OffsetsRow): PartitionView {
  const hw = row[1]!;
  const ls = row[2]!;
  const replicaStates: ReplicaView[] = p.replicaStates.map((r, j) =>
    row.length > 4
      ? { broker: r.broker, logEndOffset: hw + row[4 + 3 * j]!, highWatermark: hw + row[5 + 3 * j]!, logStartOffset: ls + row[6 + 3 * j]! }
      : { broker: r.broker, logEndOffset: hw, highWatermark: hw, logStartOffset: ls },
  );
  const next: PartitionView = { ...p, highWatermark: hw, logStartOffset: ls, replicaStates };
  const lso = row[3]!;
  if (lso >= 0) next.lastStableOffset = hw - lso;
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
    const pendingOffsets = c === 'partitions' && (d.offsets?.length ?? 0) > 0;
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
      for (const row of d.offsets!) {
        const k = order[row[0]!];
        const p = k === undefined ? undefined : (byKey.get(k) as PartitionView | undefined);
        if (!p) throw new Error(`Snapshot delta ${d.seq}: offsets for unknown partition #${row[0]}.`);
        byKey.set(k!, applyOffsets(p, row));
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
