/**
 * CLUSTER_SHAPE names the shape of the cluster's state. A saved moment (IndexedDB) is an image
 * of its objects; read by code whose objects have other fields it would give objects missing
 * what the code now relies on (a reload crashed that way once: a field added to Consumer was
 * undefined in a moment saved by the version before). So images carry the shape and
 * readClusterImage refuses another one (the reload restarts the brokers from their disks).
 *
 * This test keeps the number honest: it runs many clusters (every lesson, random scenarios
 * with faults and racks, admin and build ops) and walks the image of each at a few moments.
 * Every object reachable is listed with its own keys and, for each key, the kinds of value
 * it held: a class instance under its class's name, a plain object (a Fetcher, a WaiterList,
 * a fetch part, a ProducerBatch, a load's state...) under the path that reaches it from the
 * nearest class instance (`Broker.fetchers{}`: the values of Broker's fetchers map), arrays,
 * maps and sets by what their elements held. A hash of that listing is compared with the
 * last entry of SHAPES. Changed a field, of a class or of a plain object, or what a field
 * holds? Bump CLUSTER_SHAPE in checkpoint.ts and append { shape, hash } with the hash
 * printed below.
 */
import { describe, expect, it } from 'vitest';
import { LESSONS, loadLesson } from '../scenario/lessons';
import { defaultScenario } from '../scenario/default-scenario';
import type { Scenario } from '../scenario/types';
import { CLUSTER_SHAPE, imageNodes, writeClusterImage, type ImageNode } from './checkpoint';
import { Cluster } from './cluster';
import { FAULT_END_MS, randomRackScenario, randomScenario } from './invariants/random-scenario';

/** Every shape the cluster has had, oldest first (images before shape 2 carry none). */
const SHAPES: { shape: number; hash: string }[] = [{ shape: 2, hash: '2466aac3' }, { shape: 3, hash: 'dc45a67b' }, { shape: 4, hash: '0e83892a' }, { shape: 5, hash: 'b1f83154' }, { shape: 6, hash: 'e05cea4b' }, { shape: 7, hash: '64e6635e' }, { shape: 8, hash: '966bb19f' }, { shape: 9, hash: '5fb337f4' }, { shape: 10, hash: '76d44de6' }, { shape: 11, hash: '071adfa6' }, { shape: 12, hash: '3bc38805' }, { shape: 13, hash: 'c2457a49' }, { shape: 14, hash: '504b9397' }];

type ImageLike = { classes: readonly string[]; nodes: readonly ImageNode[] };

const isRef = (v: unknown): v is { $: number } => typeof v === 'object' && v !== null && typeof (v as { $?: unknown }).$ === 'number';

/**
 * The shape of the state in `images`: for each kind of object (by name, see the file's
 * comment) and each set of own keys it was seen with, the kinds of value each key held.
 * Walked breadth-first from the root, each node once (under the first name that reaches it).
 */
function shapeOf(images: Iterable<ImageLike>): Map<string, Map<string, Set<string>>> {
  const shape = new Map<string, Map<string, Set<string>>>();
  const note = (name: string, key: string, kind: string): void => {
    let fields = shape.get(name);
    if (!fields) shape.set(name, (fields = new Map()));
    let kinds = fields.get(key);
    if (!kinds) fields.set(key, (kinds = new Set()));
    kinds.add(kind);
  };
  for (const { classes, nodes } of images) {
    const seen = new Set<number>();
    const queue: { node: number; name: string }[] = [{ node: 0, name: '' }];
    /** The kind of a value, queueing the node it references under `name` (the name it has if plain). */
    const kindOf = (v: unknown, name: string): string => {
      if (!isRef(v)) return v === null ? 'null' : typeof v;
      const n = nodes[v.$]!;
      if (!seen.has(v.$)) {
        seen.add(v.$);
        queue.push({ node: v.$, name });
      }
      switch (n[0]) {
        case 'o':
          return n[1] >= 0 ? classes[n[1]]! : `{${name}}`;
        case 'a':
        case 'r':
          return 'array';
        case 'm':
          return 'map';
        case 's':
          return 'set';
        default:
          return 'bytes';
      }
    };
    seen.add(0);
    while (queue.length > 0) {
      const { node, name: reached } = queue.shift()!;
      const n = nodes[node]!;
      switch (n[0]) {
        case 'o': {
          const name = n[1] >= 0 ? classes[n[1]]! : reached;
          const keys = n[2];
          // One entry per set of keys: a plain object that gains a key is a new entry.
          const entry = `${name} {${[...keys].sort().join(',')}}`;
          if (keys.length === 0) note(entry, '', 'empty');
          for (let i = 0; i < keys.length; i++) note(entry, keys[i]!, kindOf(n[3][i], `${name}.${keys[i]}`));
          break;
        }
        case 'a':
          for (const x of n[1]) note(reached, '[]', kindOf(x, `${reached}[]`));
          break;
        case 's':
          for (const x of n[1]) note(reached, '<>', kindOf(x, `${reached}<>`));
          break;
        case 'm':
          for (let i = 0; i < n[1].length; i++) {
            note(reached, '{key}', kindOf(n[1][i], `${reached}{key}`));
            note(reached, '{}', kindOf(n[2][i], `${reached}{}`));
          }
          break;
        default:
          break;
      }
    }
  }
  return shape;
}

function* imagesOf(clusters: Iterable<Cluster>): Generator<ImageLike> {
  for (const c of clusters) {
    const image = writeClusterImage(c);
    yield { classes: image.classes, nodes: imageNodes(image) };
  }
}

/** The shape as text, one line per kind of object and set of keys, sorted. */
function listing(shape: Map<string, Map<string, Set<string>>>): string[] {
  return [...shape.entries()]
    .map(([name, fields]) => `${name}: ${[...fields.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, kinds]) => `${k}=${[...kinds].sort().join('|')}`).join(' ')}`)
    .sort();
}

/** FNV-1a, 32 bits, as hex. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function* runs(): Generator<Cluster> {
  const scenarios: Scenario[] = [defaultScenario];
  for (const l of LESSONS) {
    const r = loadLesson(l.id);
    if (!r.ok) throw new Error(r.error.message);
    scenarios.push(r.scenario);
  }
  for (let seed = 1; seed <= 3; seed++) scenarios.push(randomScenario(seed), randomRackScenario(seed));
  // Admin and build ops: a reassignment with a throttle still moving, more partitions, a removed broker, a resubscription.
  scenarios.push({
    ...defaultScenario,
    cluster: { ...defaultScenario.cluster, brokers: [...defaultScenario.cluster.brokers, { id: 4, rack: 'a' }] },
    timeline: [
      ...(defaultScenario.timeline ?? []),
      { at: 2000, op: 'reassignPartitions', topic: 'orders', partition: 0, replicas: [4, 2, 3], throttleBytesPerSec: 2000 },
      { at: 3000, op: 'addPartitions', topic: 'orders', partitions: 6 },
      { at: 4000, op: 'removeBroker', broker: 1 },
    ],
  });
  for (const s of scenarios) {
    const c = new Cluster(s);
    for (const at of [1500, 6000, FAULT_END_MS]) {
      c.runUntil(at);
      yield c;
    }
  }
}

describe('the cluster shape', () => {
  it('SHAPES ends with CLUSTER_SHAPE, each entry a new number and a new hash', () => {
    expect(SHAPES.at(-1)!.shape).toBe(CLUSTER_SHAPE);
    for (let i = 1; i < SHAPES.length; i++) {
      expect(SHAPES[i]!.shape).toBeGreaterThan(SHAPES[i - 1]!.shape);
      expect(SHAPES.slice(0, i).map((s) => s.hash)).not.toContain(SHAPES[i]!.hash);
    }
  });

  it("the state's shape (every object's keys and what they hold) hashes to the last recorded shape (else: bump CLUSTER_SHAPE and record the new hash)", { timeout: 300_000 }, () => {
    const shape = shapeOf(imagesOf(runs()));
    const lines = listing(shape);
    // Many kinds of object, each with its fields: a listing that caught nothing would prove nothing.
    const names = new Set([...shape.keys()].map((e) => e.slice(0, e.indexOf(' {'))));
    expect(names.size).toBeGreaterThan(60);
    expect([...shape.keys()].find((e) => e.startsWith('Consumer {'))?.split(',').length ?? 0).toBeGreaterThan(10);
    // Plain objects are covered: the fetchers, purgatory lists and fetch parts among them.
    for (const plain of ['Broker.fetchers{}', 'Broker.waiters{}', 'Partition.fetchPart', 'Consumer.partitions{}.fetchPart']) expect(names, plain).toContain(plain);
    const got = hash(lines.join('\n'));
    expect(got, `the cluster's state changed shape; bump CLUSTER_SHAPE to ${CLUSTER_SHAPE + 1} in checkpoint.ts and append { shape: ${CLUSTER_SHAPE + 1}, hash: '${got}' } to SHAPES`).toBe(SHAPES.at(-1)!.hash);
  });

  it('changes when a plain object of the state gains a field, or a field holds another kind of value (a modified copy of an image)', () => {
    const c = new Cluster(defaultScenario);
    c.runUntil(3000);
    const image = writeClusterImage(c);
    const shapeHash = (nodes: readonly ImageNode[]): string => hash(listing(shapeOf([{ classes: image.classes, nodes }])).join('\n'));
    const base = shapeHash(imageNodes(image));
    // imageNodes decodes a fresh copy of the nodes each time: each case edits its own.
    const plainWith = (nodes: ImageNode[], keys: string): ['o', number, string[], unknown[]] =>
      nodes.find((n): n is ['o', number, string[], unknown[]] => n[0] === 'o' && n[1] < 0 && [...n[2]].sort().join(',') === keys)!;
    const FETCHER = 'answered,backoff,changed,deadline,inFlight,keys,leader,members,sessionVersion,sessionable';
    const WAITER_LIST = 'items,key,what';
    const FETCH_PART = 'currentLeaderEpoch,fetchOffset,holders,key,lastFetchedEpoch,leaderRef,owner,partition,topic';
    for (const keys of [FETCHER, WAITER_LIST, FETCH_PART]) {
      // A field added to one object of the kind (its keys array is its own copy: shared arrays are one per class).
      const added = imageNodes(image);
      const o = plainWith(added, keys);
      expect(o, keys).toBeDefined();
      o[2] = [...o[2], 'added'];
      o[3] = [...o[3], 0];
      expect(shapeHash(added), `a field added to {${keys}}`).not.toBe(base);
      // A field holding a string where it held a number.
      const retyped = imageNodes(image);
      const r = plainWith(retyped, keys);
      const i = r[3].findIndex((v) => typeof v === 'number');
      r[3] = r[3].map((v, j) => (j === i ? String(v) : v));
      expect(shapeHash(retyped), `a field of {${keys}} holding a string`).not.toBe(base);
    }
    // The same image, unmodified, hashes the same (the walk depends on nothing else).
    expect(shapeHash(imageNodes(image))).toBe(base);
  });
});

