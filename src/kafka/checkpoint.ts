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
 * only dropped or replaced), and the segments' batch lists themselves (each holder reads
 * its own prefix: LogSegment's class comment), so a checkpoint costs the metadata, not the
 * data, and not the number of batches either.
 *
 * A function found in the graph is a bug (a closure that could not be copied): the walk
 * throws naming its path, and a test walks clusters under load and faults to keep it so.
 */
import { Broker, PendingProduce, PendingProducePartition } from './broker/broker';
import { Partition } from './broker/partition';
import { FetchSession, ReplicaState } from './broker/fetch-session';
import { ProducerStateManager } from './broker/producer-state';
import { ReplicationQuota } from './broker/replication-quota';
import { Cluster, Context, ControllerChannel, Environment, Metadata, QuorumEvents } from './cluster';
import { Quorum } from './controller/quorum';
import { QuorumTransport, RaftNode } from './controller/raft';
import { Config } from './config';
import { Consumer } from './consumer/consumer';
import { GroupCoordinator } from './consumer/group-coordinator';
import { Controller } from './controller/controller';
import { LeaderEpochCache } from './log/leader-epoch-cache';
import { BatchList, LogSegment, SHARED_SEGMENT_LISTS } from './log/log-segment';
import { PlaceMap } from './log/place-map';
import { RecordBatchBuilder } from './log/record-batch';
import { UnifiedLog } from './log/unified-log';
import { Producer } from './producer/producer';
import { TransactionCoordinator } from './transaction/transaction-coordinator';
import { Deadline, TimeoutQueue } from './sim/deadline';
import { Deferred, Exchange, Network } from './sim/network';
import { Prng } from './sim/prng';
import { Entry, Scheduler } from './sim/scheduler';

/**
 * Every class a cluster's state holds, under a stable name (what an image records). A class
 * missing here makes writeImage throw naming it; the checkpoint tests run clusters under load
 * and faults through images, so a new class fails them until it is added.
 */
export const CLUSTER_CLASSES: ClassRegistry = {
  Broker,
  Cluster,
  Config,
  Consumer,
  Context,
  Controller,
  ControllerChannel,
  Deadline,
  Deferred,
  Entry,
  Environment,
  Exchange,
  FetchSession,
  GroupCoordinator,
  LeaderEpochCache,
  LogSegment,
  Metadata,
  Network,
  Partition,
  PendingProduce,
  PendingProducePartition,
  Prng,
  Producer,
  ProducerStateManager,
  Quorum,
  QuorumEvents,
  QuorumTransport,
  RaftNode,
  RecordBatchBuilder,
  ReplicaState,
  ReplicationQuota,
  Scheduler,
  TimeoutQueue,
  TransactionCoordinator,
  UnifiedLog,
};

/** Thrown when the cluster state holds something that cannot be copied exactly. */
export class NotCloneableError extends Error {
  constructor(readonly path: string, what: string) {
    super(`cluster state is not cloneable: ${what} at ${path}`);
    this.name = 'NotCloneableError';
  }
}

/** What a copy holds of its own (not shared): for a checkpoint budget. */
export interface CloneFootprint {
  /** Objects, arrays, Maps and Sets made. */
  objects: number;
  /** Property, element and entry slots filled in them. */
  slots: number;
}

/** Rough bytes a copy holds in V8 (header per object, a word per slot): a budget's unit, not a measurement. */
export function footprintBytes(f: CloneFootprint): number {
  return f.objects * 32 + f.slots * 8;
}

/**
 * Copies the object graph under root. Closures are refused (see NotCloneableError).
 *
 * Fast on purpose (a seek restores a copy): no path strings are built while copying (a
 * refusal walks the graph again to name where the culprit is), and arrays are copied by
 * `slice`, which keeps V8's packed element kinds (an array filled into `new Array(n)` is
 * holey, and code optimised on the live run's packed arrays would deoptimise on it).
 * `footprint`, when given, counts what the copy holds of its own.
 */
export function cloneGraph<T>(root: T, footprint?: CloneFootprint): T {
  const memo = new Map<object, unknown>();
  // An explicit work list instead of recursion: deep chains must not overflow the stack.
  const work: { src: object; dst: Record<PropertyKey, unknown> | unknown[] }[] = [];
  let objects = 0;
  let slots = 0;

  const refuse = (v: unknown, what: string): never => {
    throw new NotCloneableError(pathTo(root, v) ?? 'cluster', what);
  };

  const copy = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function') refuse(v, 'a function');
      return v;
    }
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    if (ArrayBuffer.isView(v)) {
      if (!(v instanceof Uint8Array)) refuse(v, `a ${v.constructor.name}`);
      const c = (v as Uint8Array).slice();
      memo.set(v, c);
      objects++;
      slots += (v as Uint8Array).length / 8;
      return c;
    }
    objects++;
    if (v instanceof Map) {
      const m = new Map();
      memo.set(v, m);
      slots += v.size * 3;
      for (const [k, x] of v) m.set(copy(k), copy(x));
      return m;
    }
    if (v instanceof Set) {
      const s = new Set();
      memo.set(v, s);
      slots += v.size * 2;
      for (const x of v) s.add(copy(x));
      return s;
    }
    if (Array.isArray(v)) {
      const a = v.slice();
      memo.set(v, a);
      slots += a.length;
      work.push({ src: v, dst: a });
      return a;
    }
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto !== Object.prototype && proto !== null && typeof (proto as { constructor?: unknown }).constructor !== 'function') {
      refuse(v, 'an object of unknown kind');
    }
    // A copy with the original's property layout: the spread copies the own properties in
    // one step (V8 clones the hidden class), then the prototype is set (a cached transition,
    // the same for every copy of a class). Object.create(proto) and a store per key put any
    // object of more than ~16 fields in dictionary mode (Partition, Broker, Consumer,
    // Producer, Cluster...): a copied cluster then ran 2-3x slower than the original, and
    // after the first checkpoint the live run is a copy. Null-prototype objects are
    // dictionaries anyway. Either way every value is in place after this step: the work
    // loop replaces only the ones that are objects with their copies.
    let o: Record<PropertyKey, unknown>;
    if (proto === null) o = Object.assign(Object.create(null) as Record<PropertyKey, unknown>, v);
    else {
      o = { ...(v as Record<PropertyKey, unknown>) };
      if (proto !== Object.prototype) Object.setPrototypeOf(o, proto);
    }
    memo.set(v, o);
    work.push({ src: v, dst: o });
    return o;
  };

  const result = copy(root);
  while (work.length > 0) {
    const { src, dst } = work.pop()!;
    if (Array.isArray(src)) {
      // dst is src.slice(): only elements that are objects (or functions) need a copy.
      const a = dst as unknown[];
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        if (x !== null && (typeof x === 'object' || typeof x === 'function')) a[i] = copy(x);
      }
      continue;
    }
    const o = dst as Record<PropertyKey, unknown>;
    const segment = src instanceof LogSegment;
    const keys = Object.keys(src);
    slots += keys.length;
    for (const key of keys) {
      const val = (src as Record<string, unknown>)[key];
      // Primitives are in place already (dst holds src's values).
      if (val === null || (typeof val !== 'object' && typeof val !== 'function')) continue;
      // The segment's batch list is shared whole, not copied: each holder reads its own
      // prefix of it (LogSegment's class comment), so a checkpoint costs O(1) a segment.
      if (segment && SHARED_SEGMENT_LISTS.has(key)) continue;
      const c = copy(val);
      if (key === '__proto__') setOwn(o, key, c);
      else o[key] = c;
    }
  }
  if (footprint) {
    footprint.objects += objects;
    footprint.slots += slots;
  }
  return result as T;
}

/** The path from root to target (as NotCloneableError names it), or null when it is not there. */
function pathTo(root: unknown, target: unknown): string | null {
  const seen = new Set<object>();
  const stack: { v: unknown; path: string }[] = [{ v: root, path: 'cluster' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (v === target) return path;
    if (v === null || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v)) continue;
    seen.add(v);
    if (v instanceof Map) {
      for (const [k, x] of v) stack.push({ v: k, path: `${path}.key` }, { v: x, path: `${path}[${String(k)}]` });
    } else if (v instanceof Set) {
      for (const x of v) stack.push({ v: x, path: `${path}{}` });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]` }));
    } else {
      for (const k of Object.keys(v)) stack.push({ v: (v as Record<string, unknown>)[k], path: `${path}.${k}` });
    }
  }
  return null;
}

const footprints = new WeakMap<Cluster, number>();

/** An exact copy of the cluster at its current instant; both run on independently. */
export function cloneCluster(cluster: Cluster): Cluster {
  const f: CloneFootprint = { objects: 0, slots: 0 };
  const copy = cloneGraph(cluster, f);
  footprints.set(copy, footprintBytes(f));
  return copy;
}

/** Rough bytes a copy made by cloneCluster holds of its own (0 for a cluster it did not make). */
export function cloneFootprint(copy: Cluster): number {
  return footprints.get(copy) ?? 0;
}

/**
 * The cluster as an image (for IndexedDB or postMessage); see readClusterImage. With
 * `external`, what is kept elsewhere is not in the image but named: each log batch by a
 * LogBatchRef (logBatchRefs; how schema-4 saves named them), or, as a flush writes the
 * exact moment now, whole log segments' batch arrays (storage/moment.ts).
 */
export function writeClusterImage(cluster: Cluster, external?: ReadonlyMap<Uint8Array, LogBatchRef> | ImageExternals): CompactImage;
export function writeClusterImage(cluster: Cluster, external: ReadonlyMap<Uint8Array, LogBatchRef> | ImageExternals | undefined, format: 1): ImageV1;
export function writeClusterImage(cluster: Cluster, external?: ReadonlyMap<Uint8Array, LogBatchRef> | ImageExternals, format: 1 | 2 = CHECKPOINT_FORMAT): CheckpointImage {
  return { ...writeImage(cluster, CLUSTER_CLASSES, external, format), shape: CLUSTER_SHAPE };
}

/**
 * The shape of the cluster's state, as a number: bump it whenever an object of that state (an
 * instance of a class in CLUSTER_CLASSES, or a plain object: a Fetcher, a WaiterList, a fetch
 * part, a ProducerBatch...) gains, loses or renames a field, or a field comes to hold another
 * kind of value (cluster-shape.test.ts fails until you do).
 * An image of another shape is refused rather than read into objects missing fields the code
 * now relies on: a reload then restarts the brokers from their disks (nothing stored is lost).
 */
export const CLUSTER_SHAPE = 14;

/** A running cluster from an image, at the instant it was written. */
export function readClusterImage(image: CheckpointImage, resolve?: ((ref: LogBatchRef) => Uint8Array | undefined) | ImageResolver): Cluster {
  if (image && (image.format === 1 || image.format === 2) && image.shape !== CLUSTER_SHAPE) {
    throw new Error(
      image.shape === undefined
        ? 'the saved moment was written by an older version of the playground'
        : `the saved moment was written by another version of the playground (cluster shape ${String(image.shape)}, this version reads ${CLUSTER_SHAPE})`,
    );
  }
  const c = readImage<unknown>(
    image,
    CLUSTER_CLASSES,
    typeof resolve === 'function' ? { bytes: (t) => (isLogBatchRef(t) ? resolve(t) : undefined), array: () => undefined } : resolve,
  );
  if (!(c instanceof Cluster)) throw new Error('checkpoint image: not a cluster');
  return c;
}

/** Where a log's batch is stored: broker, Kafka's "topic-partition" name, the batch's base offset. */
export type LogBatchRef = [broker: number, tp: string, baseOffset: number];

export function isLogBatchRef(t: unknown): t is LogBatchRef {
  return Array.isArray(t) && t.length === 3 && typeof t[0] === 'number' && typeof t[1] === 'string' && typeof t[2] === 'number';
}

/**
 * Every batch the replica logs hold, named by the first place (ascending broker id) that
 * holds it: followers share their leader's batches (their bytes' place), so each is named
 * once. Keyed by a view of each; writeImage looks a Map's keys up by place.
 */
export function logBatchRefs(cluster: Cluster): Map<Uint8Array, LogBatchRef> {
  const refs = new Map<Uint8Array, LogBatchRef>();
  const named = new PlaceMap<true>();
  for (const id of [...cluster.brokers.keys()].sort((a, b) => a - b)) {
    for (const [tp, log] of cluster.brokers.get(id)!.logs) {
      for (const seg of log.segments) {
        for (let i = 0; i < seg.count; i++) {
          // Followers share their leader's batches by place (a read makes a new view each time).
          const b = seg.batchAt(i);
          if (!named.add(b.buffer, b.byteOffset, true)) continue;
          refs.set(b, [id, tp, seg.baseAt(i)]);
        }
      }
    }
  }
  return refs;
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

// ---- images: a checkpoint as data that survives structured clone (IndexedDB, postMessage) ---

/**
 * A checkpoint written out: every object of the graph as a node, references between nodes by
 * index, class instances named through a registry (stable names, not `constructor.name`,
 * which a minifier renames). Two formats, both read:
 * - format 1 (ImageV1, the saved moments of schemas 4 and 5): the nodes as structured-clone
 *   data, references as `{ $: index }`. Structured clone (an IndexedDB put, synchronous on
 *   the worker) then walks every node, value and key: it cost the worker more than writing
 *   the nodes did;
 * - format 2 (CompactImage, written now): the nodes as numbers in one Int32Array, what is not
 *   a number (strings, keys, tokens) as one JSON string, and the bytes of every byte array
 *   the image holds back to back in one Uint8Array. Structured clone copies three flat
 *   values, and writing it allocates nothing per reference.
 */
export type CheckpointImage = ImageV1 | CompactImage;

export interface ImageV1 {
  format: 1;
  /** A cluster's image: CLUSTER_SHAPE of the code that wrote it (absent in images older than it). */
  shape?: number;
  /** Registry names of the classes, indexed by the nodes. */
  classes: string[];
  nodes: ImageNode[];
}

/**
 * Format 2. `nodes` holds one record per node, in any order (a node's index is its first
 * number; node 0 is the root), each `[node, kind, ...]`:
 * - object  `[node, 0, class + 1 (0: a plain object), keys, ...one value per key]`, its keys
 *           the list `keys` of the text's key table;
 * - array   `[node, 1, n, ...n values]`; Map `[node, 2, n, ...n × (key, value)]`; Set `[node, 3, n, ...n values]`;
 * - bytes   `[node, 4, offset, length]` in `bytes`;
 * - kept elsewhere `[node, 5, token]` (bytes, an 'x' node) or `[node, 6, token]` (an array,
 *           an 'r' node), the token's index in the text's token list.
 * A value is one number: `i << 2` node i; `(v << 2) | 1` the integer v (29 bits);
 * `(k << 2) | 2` constant k of the text's constants (strings, other numbers, bigints);
 * `(c << 2) | 3` undefined, null, false, true (c = 0..3).
 */
export interface CompactImage {
  format: 2;
  shape?: number;
  classes: string[];
  /** How many nodes (node indices are below it). */
  count: number;
  nodes: Int32Array;
  /**
   * JSON of [keys: string[][], constants, tokens]. A constant JSON has no literal for is
   * spelled `{"n": "NaN" | "Infinity" | "-Infinity" | "-0"}` or `{"big": "123"}`.
   */
  text: string;
  /** The bytes of every bytes node, back to back. */
  bytes: Uint8Array;
}

/** The format images are written in (readImage also reads format 1). */
export const CHECKPOINT_FORMAT = 2;

type ImageRef = { $: number };
export type ImageNode =
  | ['o', number, string[], unknown[]]
  | ['a', unknown[]]
  | ['m', unknown[], unknown[]]
  | ['s', unknown[]]
  | ['b', Uint8Array]
  /** Bytes kept elsewhere (a log's batch in the chunk store), named by a token. */
  | ['x', unknown]
  /** An array kept elsewhere (a log segment's batches, or their base offsets), named by a token. */
  | ['r', unknown];

/**
 * What an image leaves out and names instead (ImageExternals), and how a reader gets it back
 * (ImageResolver). The writer never looks inside what it leaves out: an array named here is
 * one node however long it is, which keeps an image of a cluster holding many batches small.
 */
export interface ImageExternals {
  /** A byte array's token, or undefined to write its bytes into the image. */
  bytes?(b: Uint8Array): unknown;
  /** Arrays kept elsewhere, by identity, and their tokens. */
  arrays?: ReadonlyMap<object, unknown>;
}

export interface ImageResolver {
  bytes(token: unknown): Uint8Array | undefined;
  array(token: unknown): unknown[] | undefined;
}

/** Classes an image may hold, by stable name. */
export type ClassRegistry = Record<string, { prototype: object }>;

const SMALL_INT = 0x20000000;

/**
 * Writes the graph under root as an image; refuses closures and unregistered classes.
 * `external` names byte arrays and arrays stored elsewhere: the image holds their token
 * instead (an 'x' node for bytes, an 'r' node for an array, whose elements are not written).
 * `format` 1 writes the older structured-clone form (kept to test that it is still read).
 */
export function writeImage(root: unknown, registry: ClassRegistry, externalIn?: ReadonlyMap<Uint8Array, unknown> | ImageExternals): CompactImage;
export function writeImage(root: unknown, registry: ClassRegistry, externalIn: ReadonlyMap<Uint8Array, unknown> | ImageExternals | undefined, format: 1): ImageV1;
export function writeImage(root: unknown, registry: ClassRegistry, externalIn: ReadonlyMap<Uint8Array, unknown> | ImageExternals | undefined, format: 1 | 2): CheckpointImage;
export function writeImage(root: unknown, registry: ClassRegistry, externalIn?: ReadonlyMap<Uint8Array, unknown> | ImageExternals, format: 1 | 2 = CHECKPOINT_FORMAT): CheckpointImage {
  let external = externalIn as ImageExternals | undefined;
  if (externalIn instanceof Map) {
    // By place, not by object: a log's batch is a new view each time it is read (BatchList).
    const byPlace = new PlaceMap<{ length: number; token: unknown }>();
    for (const [b, token] of externalIn) byPlace.add(b.buffer, b.byteOffset, { length: b.byteLength, token });
    external = {
      bytes: (b) => {
        const e = byPlace.get(b.buffer, b.byteOffset);
        return e !== undefined && e.length === b.byteLength ? e.token : undefined;
      },
    };
  }
  return format === 1 ? writeImageV1(root, registry, external) : writeCompactImage(root, registry, external);
}

function classNamer(root: unknown, registry: ClassRegistry): { classes: string[]; classOf: (v: object) => number; refuse: (v: unknown, what: string) => never } {
  const nameOf = new Map<object, string>();
  for (const [name, cls] of Object.entries(registry)) nameOf.set(cls.prototype, name);
  const classes: string[] = [];
  const classIndex = new Map<string, number>();
  // No path strings while writing (a flush writes the moment every time): a refusal walks
  // the graph again to name where the culprit is, as cloneGraph does.
  const refuse = (v: unknown, what: string): never => {
    throw new NotCloneableError(pathTo(root, v) ?? 'cluster', what);
  };
  /** The class index of an object (-1: a plain object); refuses an unregistered class. */
  const classOf = (v: object): number => {
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto === Object.prototype || proto === null) return -1;
    const name = nameOf.get(proto);
    if (name === undefined) return refuse(v, `an instance of an unregistered class (${(proto as { constructor: { name: string } }).constructor.name})`);
    let c = classIndex.get(name);
    if (c === undefined) {
      c = classes.length;
      classes.push(name);
      classIndex.set(name, c);
    }
    return c;
  };
  return { classes, classOf, refuse };
}

function writeCompactImage(root: unknown, registry: ClassRegistry, external: ImageExternals | undefined): CompactImage {
  const externalBytes = external?.bytes;
  const externalArrays = external?.arrays;
  const { classes, classOf, refuse } = classNamer(root, registry);
  /** Records of objects, arrays, Maps and Sets (written when taken off the work list). */
  const out: number[] = [];
  /** Records of bytes and tokens (written when met, possibly in the middle of another record). */
  const leaves: number[] = [];
  const index = new Map<object, number>();
  const sameBytes = new SameBytes();
  let count = 0;
  const work: { src: object; node: number; kind: number; cls: number }[] = [];
  const keyTable: string[][] = [];
  const lastKeyIndex = new Map<number, number>();
  const keyIndex = new Map<string, number>();
  const constants: unknown[] = [];
  const constIndex = new Map<unknown, number>();
  const tokens: unknown[] = [];
  const parts: Uint8Array[] = [];
  let byteLength = 0;

  const constant = (v: unknown): number => {
    let k = constIndex.get(v);
    if (k === undefined) {
      k = constants.length;
      constants.push(v);
      constIndex.set(v, k);
    }
    return (k << 2) | 2;
  };

  const ref = (v: unknown): number => {
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v && v >= -SMALL_INT && v < SMALL_INT && (v !== 0 || 1 / v > 0)) return (v << 2) | 1;
        return constant(v);
      case 'string':
      case 'bigint':
        return constant(v);
      case 'boolean':
        return v ? 15 : 11;
      case 'undefined':
        return 3;
      case 'function':
        return refuse(v, 'a function');
      case 'symbol':
        return refuse(v, 'a symbol');
      default:
        break;
    }
    if (v === null) return 7;
    const o = v instanceof Uint8Array ? sameBytes.canon(v) : (v as object);
    const known = index.get(o);
    if (known !== undefined) return known << 2;
    const i = count++;
    index.set(o, i);
    if (o instanceof Uint8Array) {
      const token = externalBytes?.(o);
      if (token !== undefined) {
        leaves.push(i, 5, tokens.length);
        tokens.push(token);
      } else {
        leaves.push(i, 4, byteLength, o.length);
        parts.push(o);
        byteLength += o.length;
      }
      return i << 2;
    }
    if (ArrayBuffer.isView(o)) return refuse(o, `a ${o.constructor.name}`);
    if (o instanceof Map) work.push({ src: o, node: i, kind: 2, cls: 0 });
    else if (o instanceof Set) work.push({ src: o, node: i, kind: 3, cls: 0 });
    else if (Array.isArray(o) || o instanceof BatchList) {
      const token = externalArrays?.get(o);
      if (token !== undefined) {
        leaves.push(i, 6, tokens.length);
        tokens.push(token);
        return i << 2;
      }
      if (!Array.isArray(o)) return refuse(o, 'a batch list not written as its segment\'s batches');
      work.push({ src: o, node: i, kind: 1, cls: 0 });
    } else work.push({ src: o, node: i, kind: 0, cls: classOf(o) });
    return i << 2;
  };

  ref(root);
  while (work.length > 0) {
    const { src, node, kind, cls } = work.pop()!;
    switch (kind) {
      case 0: {
        const keys = Object.keys(src);
        // Objects of one class mostly have the same keys: the last list of the class is
        // checked first, any other is found by its text.
        const last = lastKeyIndex.get(cls);
        let k: number;
        if (last !== undefined && sameKeys(keyTable[last]!, keys)) k = last;
        else {
          const text = keys.join('\u0000');
          k = keyIndex.get(text) ?? -1;
          if (k < 0) {
            k = keyTable.length;
            keyTable.push(keys);
            keyIndex.set(text, k);
          }
          lastKeyIndex.set(cls, k);
        }
        out.push(node, 0, cls + 1, k);
        for (const key of keys) out.push(ref(fieldForImage(src, key, externalArrays)));
        break;
      }
      case 1: {
        const a = src as unknown[];
        out.push(node, 1, a.length);
        for (let j = 0; j < a.length; j++) out.push(ref(a[j]));
        break;
      }
      case 2: {
        const m = src as Map<unknown, unknown>;
        out.push(node, 2, m.size);
        for (const [k, x] of m) out.push(ref(k), ref(x));
        break;
      }
      default: {
        const set = src as Set<unknown>;
        out.push(node, 3, set.size);
        for (const x of set) out.push(ref(x));
        break;
      }
    }
  }
  const nodes = new Int32Array(out.length + leaves.length);
  nodes.set(out);
  nodes.set(leaves, out.length);
  const bytes = new Uint8Array(byteLength);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  const text = JSON.stringify([keyTable, constants.map(spellConstant), tokens]);
  return { format: 2, classes, count, nodes, text, bytes };
}

/** A constant as format 2's text holds it: JSON keeps it as it is, or it is spelled out. */
function spellConstant(v: unknown): unknown {
  if (typeof v === 'number') {
    if (v - v !== 0) return { n: String(v) }; // NaN, ±Infinity
    if (v === 0 && 1 / v < 0) return { n: '-0' };
    return v;
  }
  if (typeof v === 'bigint') return { big: v.toString() };
  return v;
}

function readConstant(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const s = v as { n?: unknown; big?: unknown };
  if (s.n === 'NaN' || s.n === 'Infinity' || s.n === '-Infinity' || s.n === '-0') return Number(s.n);
  if (typeof s.big === 'string' && /^-?\d+$/.test(s.big)) return BigInt(s.big);
  throw new Error('checkpoint image: damaged constant');
}

function writeImageV1(root: unknown, registry: ClassRegistry, external: ImageExternals | undefined): ImageV1 {
  const externalBytes = external?.bytes;
  const externalArrays = external?.arrays;
  const { classes, classOf, refuse } = classNamer(root, registry);
  const nodes: ImageNode[] = [];
  const index = new Map<object, number>();
  const sameBytes = new SameBytes();
  const work: { src: object; node: number }[] = [];
  /** The keys array last written for each class (by class index; -1 for plain objects). */
  const lastKeys = new Map<number, string[]>();

  const ref = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function') refuse(v, 'a function');
      if (typeof v === 'symbol') refuse(v, 'a symbol');
      return v;
    }
    if (v instanceof Uint8Array) v = sameBytes.canon(v);
    const known = index.get(v as object);
    if (known !== undefined) return { $: known } satisfies ImageRef;
    const i = nodes.length;
    index.set(v as object, i);
    if (v instanceof Uint8Array) {
      const token = externalBytes?.(v);
      nodes.push(token !== undefined ? ['x', token] : ['b', v]);
      return { $: i } satisfies ImageRef;
    }
    else if (ArrayBuffer.isView(v)) refuse(v, `a ${v.constructor.name}`);
    else if (v instanceof Map) nodes.push(['m', [], []]);
    else if (v instanceof Set) nodes.push(['s', []]);
    else if (Array.isArray(v) || v instanceof BatchList) {
      const token = externalArrays?.get(v);
      if (token !== undefined) {
        nodes.push(['r', token]);
        return { $: i } satisfies ImageRef;
      }
      if (!Array.isArray(v)) return refuse(v, 'a batch list not written as its segment\'s batches');
      nodes.push(['a', []]);
    } else nodes.push(['o', classOf(v as object), [], []]);
    work.push({ src: v as object, node: i });
    return { $: i } satisfies ImageRef;
  };

  ref(root);
  while (work.length > 0) {
    const { src, node } = work.pop()!;
    const n = nodes[node]!;
    switch (n[0]) {
      case 'a':
        for (const x of src as unknown[]) n[1].push(ref(x));
        break;
      case 'm':
        for (const [k, x] of src as Map<unknown, unknown>) {
          n[1].push(ref(k));
          n[2].push(ref(x));
        }
        break;
      case 's':
        for (const x of src as Set<unknown>) n[1].push(ref(x));
        break;
      case 'o': {
        const keys = Object.keys(src);
        // Objects of one class mostly have the same keys: they share one array, which
        // structured clone (IndexedDB, postMessage) then writes once, not once per object.
        const proto = n[1];
        const last = lastKeys.get(proto);
        n[2] = last !== undefined && sameKeys(last, keys) ? last : keys;
        lastKeys.set(proto, n[2]);
        for (const key of keys) n[3].push(ref(fieldForImage(src, key, externalArrays)));
        break;
      }
      default:
        break;
    }
  }
  return { format: 1, classes, nodes };
}

/**
 * The value an image writes for src[key]: a log segment's batch list as an array of its
 * batches as far as the segment's count (its list may run on, shared with a copy that
 * appended), unless the whole list is named elsewhere (a token that says the count).
 */
function fieldForImage(src: object, key: string, externalArrays: ReadonlyMap<object, unknown> | undefined): unknown {
  const v = (src as Record<string, unknown>)[key];
  if (src instanceof LogSegment && SHARED_SEGMENT_LISTS.has(key) && v instanceof BatchList && !externalArrays?.has(v)) {
    return v.views(0, src.count);
  }
  return v;
}

/**
 * One byte array for each place an image meets (buffer, start, length): a log batch is a
 * new view each time it is read (BatchList), and the replicas sharing it share its place,
 * so the image writes it once and a reader gets one object for all of them, as before.
 */
class SameBytes {
  private readonly first = new PlaceMap<Uint8Array>();

  canon(b: Uint8Array): Uint8Array {
    const seen = this.first.get(b.buffer, b.byteOffset);
    if (seen === undefined) this.first.add(b.buffer, b.byteOffset, b);
    return seen !== undefined && seen.byteLength === b.byteLength ? seen : b;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const isIndex = (x: unknown, below: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < below;

/**
 * The nodes of an image in format 1's form (references `{ $: index }`), whatever its format.
 * A format-2 image is decoded and checked: a damaged one throws, naming what is wrong (never
 * a half-read graph); its bytes are copied out.
 */
export function imageNodes(image: CheckpointImage): ImageNode[] {
  if (image.format === 1) return image.nodes;
  const { nodes: s, bytes, count } = image;
  if (!(s instanceof Int32Array) || !(bytes instanceof Uint8Array) || typeof image.text !== 'string' || !isIndex(count, 2 ** 29) || count === 0) {
    throw new Error('checkpoint image: damaged (its nodes, text or bytes are missing)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(image.text);
  } catch (err) {
    throw new Error(`checkpoint image: damaged text (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((x) => Array.isArray(x))) throw new Error('checkpoint image: damaged text (not [keys, constants, tokens])');
  const [keys, rawConstants, tokens] = parsed as [unknown[], unknown[], unknown[]];
  for (const k of keys) {
    if (!Array.isArray(k) || !k.every((x) => typeof x === 'string')) throw new Error('checkpoint image: damaged key list');
  }
  const constants = rawConstants.map(readConstant);
  const classes = Array.isArray(image.classes) ? image.classes.length : 0;
  const out: (ImageNode | undefined)[] = new Array(count);
  let p = 0;
  const damaged = (what: string): never => {
    throw new Error(`checkpoint image: damaged ${what} (at ${p} of ${s.length} numbers)`);
  };
  const take = (): number => (p < s.length ? s[p++]! : damaged('nodes: they end in the middle of a node'));
  const value = (): unknown => {
    const x = take();
    const v = x >> 2;
    switch (x & 3) {
      case 0:
        return v < count ? ({ $: v } satisfies ImageRef) : damaged(`reference to node ${v} of ${count}`);
      case 1:
        return v;
      case 2:
        return v < constants.length ? constants[v] : damaged(`constant ${v} of ${constants.length}`);
      default:
        return v === 0 ? undefined : v === 1 ? null : v === 2 ? false : v === 3 ? true : damaged(`value ${x}`);
    }
  };
  const length = (): number => {
    const n = take();
    return n >= 0 && n <= s.length - p ? n : damaged(`length ${n}`);
  };
  while (p < s.length) {
    const node = take();
    if (!(node >= 0 && node < count) || out[node] !== undefined) damaged(`node index ${node}`);
    const kind = take();
    switch (kind) {
      case 0: {
        const cls = take() - 1;
        const k = take();
        if (!(cls >= -1 && cls < classes)) damaged(`class ${cls}`);
        if (!(k >= 0 && k < keys.length)) damaged(`key list ${k}`);
        const names = keys[k] as string[];
        const vals = new Array<unknown>(names.length);
        for (let j = 0; j < names.length; j++) vals[j] = value();
        out[node] = ['o', cls, names, vals];
        break;
      }
      case 1:
      case 3: {
        const n = length();
        const vals = new Array<unknown>(n);
        for (let j = 0; j < n; j++) vals[j] = value();
        out[node] = [kind === 1 ? 'a' : 's', vals];
        break;
      }
      case 2: {
        const n = length();
        const ks = new Array<unknown>(n);
        const vs = new Array<unknown>(n);
        for (let j = 0; j < n; j++) {
          ks[j] = value();
          vs[j] = value();
        }
        out[node] = ['m', ks, vs];
        break;
      }
      case 4: {
        const at = take();
        const len = take();
        if (!(at >= 0 && len >= 0 && at + len <= bytes.length)) damaged(`bytes (node ${node} is outside the image's ${bytes.length} bytes)`);
        out[node] = ['b', bytes.slice(at, at + len)];
        break;
      }
      case 5:
      case 6: {
        const t = take();
        if (!(t >= 0 && t < tokens.length)) damaged(`token ${t} of ${tokens.length}`);
        out[node] = [kind === 5 ? 'x' : 'r', tokens[t]];
        break;
      }
      default:
        damaged(`node kind ${kind}`);
    }
  }
  for (let i = 0; i < count; i++) if (out[i] === undefined) throw new Error(`checkpoint image: damaged (node ${i} of ${count} is missing)`);
  return out as ImageNode[];
}

/**
 * Rebuilds the graph an image holds. Throws (naming the problem) on a damaged or foreign
 * image, or when `resolve` cannot give the bytes of an external token.
 */
export function readImage<T>(image: CheckpointImage, registry: ClassRegistry, resolveIn?: ((token: unknown) => Uint8Array | undefined) | ImageResolver): T {
  const resolve: ImageResolver | undefined = typeof resolveIn === 'function' ? { bytes: resolveIn, array: () => undefined } : resolveIn;
  if (!image || (image.format !== 1 && image.format !== 2) || !Array.isArray(image.classes) || (image.format === 1 && !Array.isArray(image.nodes))) {
    throw new Error('checkpoint image: unknown format');
  }
  const nodes = imageNodes(image);
  const protos = image.classes.map((name) => {
    const cls = Object.hasOwn(registry, name) ? registry[name] : undefined;
    if (!cls) throw new Error(`checkpoint image: unknown class ${JSON.stringify(name)}`);
    return cls.prototype;
  });
  if (nodes.length === 0) throw new Error('checkpoint image: no nodes');
  // Objects and arrays are made as the live run makes its own, so code optimised on those
  // runs on these at the same speed: an object gets all its keys at once (values come in
  // the second pass, into the same hidden class; Object.create and a store per key put any
  // object of more than ~16 fields in dictionary mode, and a cluster read from an image ran
  // ~2x slower), an array is filled by push (packed, its elements' own kind; `new Array(n)`
  // is holey).
  const objs: unknown[] = nodes.map((n) => {
    switch (n[0]) {
      case 'o': {
        const o = Object.fromEntries(n[2].map((k) => [k, undefined])) as object;
        if (n[1] >= 0) Object.setPrototypeOf(o, protos[n[1]]!);
        return o;
      }
      case 'a':
        return [];
      case 'm':
        return new Map();
      case 's':
        return new Set();
      case 'b':
        if (!(n[1] instanceof Uint8Array)) throw new Error('checkpoint image: damaged bytes');
        return n[1];
      case 'x': {
        const bytes = resolve?.bytes(n[1]);
        if (!(bytes instanceof Uint8Array)) throw new Error(`checkpoint image: missing stored bytes ${JSON.stringify(n[1])}`);
        return bytes;
      }
      case 'r': {
        const arr = resolve?.array(n[1]);
        if (!Array.isArray(arr)) throw new Error(`checkpoint image: missing stored batches ${JSON.stringify(n[1])}`);
        return arr;
      }
      default:
        throw new Error('checkpoint image: damaged node');
    }
  });
  const val = (x: unknown): unknown => {
    if (x === null || typeof x !== 'object') return x;
    if (Object.hasOwn(x, '$')) {
      const i = (x as ImageRef).$;
      if (typeof i !== 'number' || !(i >= 0 && i < objs.length)) throw new Error('checkpoint image: damaged reference');
      return objs[i];
    }
    throw new Error('checkpoint image: damaged reference');
  };
  /** Segments and the batch arrays they were written with, kept as BatchLists once the arrays are filled. */
  const segments: [LogSegment, unknown][] = [];
  nodes.forEach((n, i) => {
    const o = objs[i];
    switch (n[0]) {
      case 'o':
        if (o instanceof LogSegment) {
          n[2].forEach((k, j) => {
            if (SHARED_SEGMENT_LISTS.has(k)) segments.push([o, val(n[3][j])]);
            else setOwn(o as unknown as Record<string, unknown>, k, val(n[3][j]));
          });
        } else n[2].forEach((k, j) => setOwn(o as Record<string, unknown>, k, val(n[3][j])));
        break;
      case 'a':
        for (const x of n[1]) (o as unknown[]).push(val(x));
        break;
      case 'm':
        n[1].forEach((k, j) => (o as Map<unknown, unknown>).set(val(k), val(n[2][j])));
        break;
      case 's':
        n[1].forEach((x) => (o as Set<unknown>).add(val(x)));
        break;
      default:
        break;
    }
  });
  for (const [seg, batches] of segments) {
    if (!Array.isArray(batches) || !batches.every((b) => b instanceof Uint8Array) || batches.length < seg.count) throw new Error('checkpoint image: damaged segment batches');
    seg.adoptBatches(batches as Uint8Array[]);
  }
  return objs[0] as T;
}

/** o[key] = v, also for a key named "__proto__" (a config key from a document may be). */
function setOwn(o: Record<PropertyKey, unknown>, key: string, v: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
  else o[key] = v;
}
