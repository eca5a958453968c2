/**
 * Issue 10: `toFlowElements` with a reuse cache hands back last call's broker node (the same
 * object) when the broker would be drawn the same, and a new node with the new data when not;
 * inside a changed node, the strip and the replica cells that did not change are last call's.
 * `withMeasured` keeps such a node the same object once xyflow's measurement is added.
 */
import { describe, expect, it } from 'vitest';
import { scaleScenario } from '../../../bench/workload';
import { Cluster } from '../../kafka/cluster';
import type { ClusterSnapshot, PartitionView } from '../../kafka/snapshot';
import { fixtureSnapshot } from '../test/fixture';
import { createFlowCache, toFlowElements, type BrokerNode, type DiagramView, type FlowElements } from './flow';
import { withMeasured, type MeasuredNode } from './stable';

const OUT: DiagramView = { zoomedIn: false, topicFilter: null, collapsedTopics: [] };
const IN: DiagramView = { zoomedIn: true, topicFilter: null, collapsedTopics: [] };
const broker = (els: FlowElements, id: number) => els.nodes.find((n): n is BrokerNode => n.type === 'broker' && n.data.broker.id === id)!;

let big: ClusterSnapshot | null = null;
/** 12 brokers and 200 partitions, loaded for a second: zoomed out, every broker is a card. */
function bigSnapshot(): ClusterSnapshot {
  if (big) return big;
  const c = new Cluster(scaleScenario(12, 200, 2000, 60_000));
  c.runUntil(1500);
  big = c.snapshot();
  return big;
}

/** The snapshot with one partition replaced (snapshots are never changed in place: the UI's share what did not change). */
function withPartition(s: ClusterSnapshot, index: number, change: (p: PartitionView) => PartitionView): ClusterSnapshot {
  const partitions = s.partitions.slice();
  partitions[index] = change(partitions[index]!);
  return { ...s, partitions };
}

describe('toFlowElements reuses unchanged broker nodes', () => {
  it('cards: the same snapshot again gives every broker node back, the same objects', () => {
    const reuse = createFlowCache();
    const a = toFlowElements(bigSnapshot(), {}, { view: OUT, reuse });
    const b = toFlowElements(bigSnapshot(), {}, { view: OUT, reuse });
    expect(broker(a, 1).data.detail).toBe('card');
    for (let id = 1; id <= 12; id++) expect(broker(b, id)).toBe(broker(a, id));
  });

  it('cards: a follower out of the ISR changes only the card of its broker, with the new role in its strip', () => {
    const s = bigSnapshot();
    const reuse = createFlowCache();
    const a = toFlowElements(s, {}, { view: OUT, reuse });
    const i = s.partitions.findIndex((p) => p.leader >= 0 && p.isr.length === 3);
    const p = s.partitions[i]!;
    const follower = p.isr.find((x) => x !== p.leader)!;
    const next = withPartition(s, i, (x) => ({ ...x, isr: x.isr.filter((r) => r !== follower) }));
    const b = toFlowElements(next, {}, { view: OUT, reuse });
    const key = `${p.topic}-${p.partition}`;
    const changed = broker(b, follower);
    expect(changed).not.toBe(broker(a, follower));
    expect(changed.data.card!.strip.find((x) => x.key === key)!.role).toBe('out-of-sync');
    expect(broker(a, follower).data.card!.strip.find((x) => x.key === key)!.role).toBe('in-sync');
    // The leader's card counts it under-replicated only through the partition's flag, which did not change here.
    for (let id = 1; id <= 12; id++) if (id !== follower) expect(broker(b, id)).toBe(broker(a, id));
  });

  it("cards: new bytes in on a broker give it a new node that keeps last call's strip", () => {
    const s = bigSnapshot();
    const reuse = createFlowCache();
    const a = toFlowElements(s, {}, { view: OUT, reuse });
    const m = s.metrics.brokers[4]!;
    const next = { ...s, metrics: { ...s.metrics, brokers: { ...s.metrics.brokers, 4: { ...m, BytesInPerSec: m.BytesInPerSec + 1_000_000 } } } };
    const b = toFlowElements(next, {}, { view: OUT, reuse });
    expect(broker(b, 4)).not.toBe(broker(a, 4));
    expect(broker(b, 4).data.card!.bytesInPerSec).toBeGreaterThan(broker(a, 4).data.card!.bytesInPerSec);
    expect(broker(b, 4).data.card!.strip).toBe(broker(a, 4).data.card!.strip);
    expect(broker(b, 5)).toBe(broker(a, 5));
  });

  it('rows: a follower fetching more changes its broker only, and in it only that replica cell', () => {
    const s = fixtureSnapshot();
    const reuse = createFlowCache();
    const a = toFlowElements(s, {}, { view: IN, reuse });
    // orders-0: leader 3; its follower on broker 1 reaches log end 95 (was 90).
    const next = withPartition(s, 0, (p) => ({ ...p, replicaStates: p.replicaStates.map((r) => (r.broker === 1 ? { ...r, logEndOffset: 95 } : r)) }));
    const b = toFlowElements(next, {}, { view: IN, reuse });
    const [before, after] = [broker(a, 1), broker(b, 1)];
    expect(after).not.toBe(before);
    const cell = (n: BrokerNode, key: string) => n.data.replicas.find((r) => r.key === key)!;
    expect(cell(after, 'orders-0')).toMatchObject({ logEndOffset: 95, lag: 5 });
    expect(cell(before, 'orders-0')).toMatchObject({ logEndOffset: 90, lag: 10 });
    expect(cell(after, 'orders-1')).toBe(cell(before, 'orders-1'));
    expect(broker(b, 2)).toBe(broker(a, 2));
    expect(broker(b, 3)).toBe(broker(a, 3));
    // The leader appends (log end 100 -> 105): the follower's own offsets did not move, its lag did.
    const later = withPartition(next, 0, (p) => ({ ...p, replicaStates: p.replicaStates.map((r) => (r.broker === 3 ? { ...r, logEndOffset: 105 } : r)) }));
    const c = toFlowElements(later, {}, { view: IN, reuse });
    expect(broker(c, 1)).not.toBe(after);
    expect(cell(broker(c, 1), 'orders-0')).toMatchObject({ logEndOffset: 95, lag: 10 });
    expect(cell(broker(c, 3), 'orders-0')).toMatchObject({ logEndOffset: 105, lag: 0 });
  });

  it('a selection changes the node of the broker selected, and of the one it leaves', () => {
    const s = fixtureSnapshot();
    const reuse = createFlowCache();
    const a = toFlowElements(s, {}, { view: IN, reuse, selection: { kind: 'broker', id: 1 } });
    const b = toFlowElements(s, {}, { view: IN, reuse, selection: { kind: 'broker', id: 3 } });
    expect(broker(b, 1)).not.toBe(broker(a, 1));
    expect(broker(b, 1).data.selected).toBe(false);
    expect(broker(b, 3).data.selected).toBe(true);
    expect(broker(b, 2)).toBe(broker(a, 2));
  });

  it('a broker moved (the layout) gets a new node at its new place', () => {
    const s = fixtureSnapshot();
    const reuse = createFlowCache();
    const a = toFlowElements(s, {}, { view: IN, reuse });
    const b = toFlowElements(s, { 'broker-2': { x: 900, y: 40 } }, { view: IN, reuse });
    expect(broker(b, 2)).not.toBe(broker(a, 2));
    expect(broker(b, 2).position).toEqual({ x: 900, y: 40 });
    expect(broker(b, 1)).toBe(broker(a, 1));
  });

  it('without a cache, every call builds new nodes', () => {
    const s = fixtureSnapshot();
    expect(broker(toFlowElements(s), 1)).not.toBe(broker(toFlowElements(s), 1));
  });
});

describe('produce edges into cards', () => {
  it("one per producer and broker, carrying every target it leads; a failing partition's turns it red", () => {
    const s = bigSnapshot();
    const producer = s.producers[0]!;
    const leaders = new Map<number, number>();
    for (const t of producer.targets) {
      const p = s.partitions.find((x) => x.topic === t.topic && x.partition === t.partition)!;
      leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
    }
    const produce = (snap: ClusterSnapshot) => toFlowElements(snap, {}, { view: OUT }).edges.filter((e) => e.data?.kind === 'produce');
    const edges = produce(s);
    expect(edges).toHaveLength(leaders.size);
    for (const e of edges) expect(e.data!.bundled).toBe(leaders.get(Number(e.target.slice('broker-'.length))));
    expect(edges.every((e) => e.data!.tone === 'normal')).toBe(true);
    // A recent error on one target: the edge into its leader's card, and only that one, is red.
    const t = producer.targets[producer.targets.length - 1]!;
    const leader = s.partitions.find((x) => x.topic === t.topic && x.partition === t.partition)!.leader;
    const failing = {
      ...s,
      producers: [{ ...producer, recovered: false, lastError: { error: 'NOT_ENOUGH_REPLICAS' as const, topic: t.topic, partition: t.partition, at: s.time } }, ...s.producers.slice(1)],
    };
    const red = produce(failing).filter((e) => e.data!.tone === 'error');
    expect(red.map((e) => e.target)).toEqual([`broker-${leader}`]);
  });
});

describe('withMeasured', () => {
  it("keeps a node's measured copy while the node and its size are the same objects", () => {
    const cache = new Map<string, MeasuredNode>();
    const n = { id: 'broker-1', data: {} };
    const m = { id: 'producer-p', data: {} };
    const size = { width: 264, height: 150 };
    const first = withMeasured(cache, [n, m], { 'broker-1': size });
    expect(first[0]).toMatchObject({ id: 'broker-1', measured: size });
    // Not measured yet: handed on as it is.
    expect(first[1]).toBe(m);
    const again = withMeasured(cache, [n, m], { 'broker-1': size });
    expect(again[0]).toBe(first[0]);
    // A new node object, or a new measurement: a new copy.
    const n2 = { id: 'broker-1', data: { x: 1 } };
    expect(withMeasured(cache, [n2], { 'broker-1': size })[0]).toMatchObject({ data: { x: 1 }, measured: size });
    const bigger = { width: 264, height: 200 };
    const resized = withMeasured(cache, [n2], { 'broker-1': bigger })[0]!;
    expect(resized).toMatchObject({ measured: bigger });
  });
});
