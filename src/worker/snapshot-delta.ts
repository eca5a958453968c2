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

export interface CollectionChanges {
  /** Entities new or changed, whole. */
  put?: Entity[];
  /** The collection's keys in order, when its membership or order changed (removals included). */
  order?: string[];
}

/**
 * A partition whose only changes are offsets: key, highWatermark, logStartOffset, then
 * per replica state (in the partition's order) broker, logEndOffset, highWatermark,
 * logStartOffset.
 */
export type OffsetsRow = [string, ...number[]];

export interface SnapshotDelta {
  /** The number of this frame; `base` is the one it applies to. */
  seq: number;
  base: number;
  time: number;
  controller: number;
  /** Everything in the snapshot that is not a keyed collection, when it changed (metrics.controller, health...). */
  rest?: Partial<Omit<ClusterSnapshot, CollectionName | 'events' | 'metrics' | 'time' | 'controller'>> & { metricsRest?: Omit<ClusterSnapshot['metrics'], 'brokers'> };
  /** Broker metrics that changed, by broker id (null: gone). */
  brokerMetrics?: Record<string, ClusterSnapshot['metrics']['brokers'][number] | null>;
  collections?: Partial<Record<CollectionName, CollectionChanges>>;
  offsets?: OffsetsRow[];
  events: ClusterSnapshot['events'];
}

const OFFSET_FIELDS = new Set(['highWatermark', 'logStartOffset', 'replicaStates']);

/** The partition's fields other than offsets, and its replica states' brokers, as one string. */
function partitionShape(p: PartitionView): string {
  let s = '';
  for (const k of Object.keys(p)) {
    if (OFFSET_FIELDS.has(k)) continue;
    s += `${k}=${JSON.stringify((p as unknown as Record<string, unknown>)[k])};`;
  }
  return `${s}rs=${p.replicaStates.map((r) => `${r.broker}:${Object.keys(r).length}`).join(',')}`;
}

function offsetsRow(key: string, p: PartitionView): OffsetsRow {
  const row: OffsetsRow = [key, p.highWatermark, p.logStartOffset];
  for (const r of p.replicaStates) row.push(r.broker, r.logEndOffset, r.highWatermark, r.logStartOffset);
  return row;
}

/** The worker's side: remembers what it sent and says what changed. */
export class SnapshotDiffer {
  private seq = 0;
  private primed = false;
  private readonly sent = new Map<CollectionName, { order: string; json: Map<string, string> }>();
  private readonly partitionShapes = new Map<string, string>();
  private metricsJson = new Map<string, string>();
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
    this.metricsJson = new Map(Object.entries(s.metrics.brokers).map(([id, m]) => [id, JSON.stringify(m)]));
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
      for (const e of s[c] as Entity[]) {
        const k = entityKey(c, e);
        keys.push(k);
        const j = JSON.stringify(e);
        json.set(k, j);
        if (prev.json.get(k) === j) continue;
        if (c === 'partitions' && prev.json.has(k)) {
          const shape = partitionShape(e as PartitionView);
          if (this.partitionShapes.get(k) === shape) {
            offsets.push(offsetsRow(k, e as PartitionView));
            continue;
          }
          this.partitionShapes.set(k, shape);
        } else if (c === 'partitions') {
          this.partitionShapes.set(k, partitionShape(e as PartitionView));
        }
        put.push(e);
      }
      const order = keys.join('\u0000');
      const changes: CollectionChanges = {};
      if (put.length > 0) changes.put = put;
      if (order !== prev.order) {
        changes.order = keys;
        if (c === 'partitions') for (const k of this.partitionShapes.keys()) if (!json.has(k)) this.partitionShapes.delete(k);
      }
      if (changes.put || changes.order) collections[c] = changes;
      this.sent.set(c, { order, json });
    }
    if (Object.keys(collections).length > 0) d.collections = collections;
    if (offsets.length > 0) d.offsets = offsets;
    const metrics: Record<string, ClusterSnapshot['metrics']['brokers'][number] | null> = {};
    let anyMetric = false;
    const nextMetrics = new Map<string, string>();
    for (const [id, m] of Object.entries(s.metrics.brokers)) {
      const j = JSON.stringify(m);
      nextMetrics.set(id, j);
      if (this.metricsJson.get(id) !== j) {
        metrics[id] = m;
        anyMetric = true;
      }
    }
    for (const id of this.metricsJson.keys()) {
      if (!nextMetrics.has(id)) {
        metrics[id] = null;
        anyMetric = true;
      }
    }
    this.metricsJson = nextMetrics;
    if (anyMetric) d.brokerMetrics = metrics;
    const rest = restOf(s);
    const restJson = JSON.stringify(rest);
    if (restJson !== this.restJson) d.rest = rest;
    this.restJson = restJson;
    return d;
  }
}

/** Everything but the keyed collections, the broker metrics, events, time and controller. */
function restOf(s: ClusterSnapshot): NonNullable<SnapshotDelta['rest']> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if ((COLLECTIONS as readonly string[]).includes(k) || k === 'events' || k === 'metrics' || k === 'time' || k === 'controller') continue;
    out[k] = v;
  }
  const { brokers: _b, ...metricsRest } = s.metrics;
  out.metricsRest = metricsRest;
  return out as NonNullable<SnapshotDelta['rest']>;
}

function applyOffsets(p: PartitionView, row: OffsetsRow): PartitionView {
  const replicaStates: ReplicaView[] = [];
  for (let i = 3; i + 3 < row.length; i += 4) {
    replicaStates.push({
      broker: row[i] as number,
      logEndOffset: row[i + 1] as number,
      highWatermark: row[i + 2] as number,
      logStartOffset: row[i + 3] as number,
    });
  }
  return { ...p, highWatermark: row[1] as number, logStartOffset: row[2] as number, replicaStates };
}

/**
 * The UI's side: the snapshot after `delta`, sharing every unchanged entity (and unchanged
 * collection array) with `prev`. Throws when the delta is for another base.
 */
export function applyDelta(prev: ClusterSnapshot, prevSeq: number, d: SnapshotDelta): ClusterSnapshot {
  if (d.base !== prevSeq) throw new Error(`Snapshot delta ${d.seq} applies to frame ${d.base}, not ${prevSeq}.`);
  const next: ClusterSnapshot = { ...prev, time: d.time, controller: d.controller, events: d.events };
  const offsets = new Map((d.offsets ?? []).map((row) => [row[0], row]));
  for (const c of COLLECTIONS) {
    const changes = d.collections?.[c];
    const pendingOffsets = c === 'partitions' && offsets.size > 0;
    if (!changes && !pendingOffsets) continue;
    const byKey = new Map<string, Entity>();
    for (const e of prev[c] as Entity[]) byKey.set(entityKey(c, e), e);
    for (const e of changes?.put ?? []) byKey.set(entityKey(c, e), e);
    if (pendingOffsets) {
      for (const [k, row] of offsets) {
        const p = byKey.get(k) as PartitionView | undefined;
        if (!p) throw new Error(`Snapshot delta ${d.seq}: offsets for unknown partition ${k}.`);
        byKey.set(k, applyOffsets(p, row));
      }
    }
    const order = changes?.order ?? (prev[c] as Entity[]).map((e) => entityKey(c, e));
    (next as unknown as Record<string, Entity[]>)[c] = order.map((k) => {
      const e = byKey.get(k);
      if (!e) throw new Error(`Snapshot delta ${d.seq}: no ${c} entry ${k}.`);
      return e;
    });
  }
  if (d.brokerMetrics) {
    const brokers = { ...prev.metrics.brokers };
    for (const [id, m] of Object.entries(d.brokerMetrics)) {
      if (m === null) delete brokers[Number(id)];
      else brokers[Number(id)] = m;
    }
    next.metrics = { ...prev.metrics, brokers };
  }
  if (d.rest) {
    const { metricsRest, ...rest } = d.rest;
    for (const k of Object.keys(next)) {
      if ((COLLECTIONS as readonly string[]).includes(k) || k === 'events' || k === 'metrics' || k === 'time' || k === 'controller') continue;
      if (!(k in rest)) delete (next as unknown as Record<string, unknown>)[k];
    }
    Object.assign(next, rest);
    if (metricsRest) next.metrics = { ...metricsRest, brokers: next.metrics.brokers } as ClusterSnapshot['metrics'];
  }
  return next;
}
