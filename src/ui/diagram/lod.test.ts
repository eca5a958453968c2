/**
 * Issue 10: levels of detail, topic filter and collapse, partition search, and stable
 * element identity, on a real 12-broker, 200-partition cluster.
 */
import { describe, expect, it } from 'vitest';
import { scaleScenario } from '../../../bench/workload';
import { Cluster } from '../../kafka/cluster';
import type { ClusterSnapshot } from '../../kafka/snapshot';
import { fixtureSnapshot } from '../test/fixture';
import { fitShape, layoutInputOf } from './auto-layout';
import { cardColumns, COMPACT_SIZES, GRID_GAP, findPartition, isHeavyRate, SIZES, MOTION_MAX_EDGES, parsePartitionQuery, toFlowElements, type BrokerNode, type DiagramView, type FlowEdge } from './flow';
import { deepEqual, sameEdgeDrawing, stabilise } from './stable';

let big: ClusterSnapshot | null = null;
/** 12 brokers, `bench` with 200 partitions and `orders` with 6, RF 3, loaded for a second. */
function bigSnapshot(): ClusterSnapshot {
  if (big) return big;
  const s = scaleScenario(12, 200, 2000, 60_000);
  s.topics = [...(s.topics ?? []), { name: 'orders', partitions: 6, replicationFactor: 3 }];
  const c = new Cluster(s);
  c.runUntil(1500);
  big = c.snapshot();
  return big;
}

const OUT: DiagramView = { zoomedIn: false, topicFilter: null, collapsedTopics: [] };
const brokers = (els: ReturnType<typeof toFlowElements>) => els.nodes.filter((n): n is BrokerNode => n.type === 'broker');

describe('levels of detail', () => {
  it('too many moving edges: none moves (12 x 200 zoomed in, every replica fetching slowly); a few still move', () => {
    const snap = bigSnapshot();
    const leo: Record<string, number> = {};
    for (const p of snap.partitions) for (const r of p.replicas) leo[`${p.topic}-${p.partition}@${r}`] = 10;
    const els = toFlowElements(snap, {}, { view: { ...OUT, zoomedIn: true }, rates: { leo, position: {} } });
    const replication = els.edges.filter((e) => e.data?.kind === 'replication');
    expect(replication.length).toBeGreaterThan(MOTION_MAX_EDGES);
    expect(replication.every((e) => e.data!.rate > 0 && e.data!.rate < 50)).toBe(true);
    expect(els.edges.filter((e) => e.animated)).toEqual([]);
    // The same rates on the small fixture: its few replication edges move.
    const small = fixtureSnapshot();
    const smallLeo: Record<string, number> = {};
    for (const p of small.partitions) for (const r of p.replicas) smallLeo[`${p.topic}-${p.partition}@${r}`] = 10;
    const few = toFlowElements(small, {}, { rates: { leo: smallLeo, position: {} } }).edges.filter((e) => e.animated);
    expect(few.length).toBeGreaterThan(0);
    expect(few.length).toBeLessThanOrEqual(MOTION_MAX_EDGES);
  });

  it('before the layout runs, 12 x 200 cards stand in the grid it will use (2 rows of 6, GRID_GAP apart), the group below them', () => {
    const els = toFlowElements(bigSnapshot(), {}, { view: OUT });
    const bs = brokers(els);
    const at = bs.map((b) => [b.position.x, b.position.y]);
    const step = SIZES.brokerWidth + GRID_GAP;
    expect(at).toEqual(bs.map((_, i) => [(i % 6) * step, SIZES.brokerY + Math.floor(i / 6) * (SIZES.cardHeight + GRID_GAP)]));
    const group = els.nodes.find((n) => n.type === 'consumerGroup')!;
    expect(group.position.y).toBe(SIZES.brokerY + 2 * SIZES.cardHeight + GRID_GAP + SIZES.groupMarginTop);
    // Broker 1 opened to its rows (selected) makes the first row as tall as it is.
    const opened = brokers(toFlowElements(bigSnapshot(), {}, { view: OUT, selection: { kind: 'broker', id: 1 } }));
    expect(opened[0]!.data.detail).toBe('rows');
    expect(opened[6]!.position.y).toBeGreaterThan(SIZES.brokerY + SIZES.cardHeight + GRID_GAP);
    expect(opened[6]!.position.y).toBe(SIZES.brokerY + SIZES.brokerHeaderHeight + opened[0]!.data.replicaCount * SIZES.replicaRowHeight + GRID_GAP);
    // Its 50 bench replicas collapsed into one row (its orders replicas still a row each): the first row is as tall as that.
    const folded = brokers(toFlowElements(bigSnapshot(), {}, { view: { ...OUT, collapsedTopics: ['bench'] }, selection: { kind: 'broker', id: 1 } }));
    expect(folded[0]!.data.topicRows.map((r) => r.topic)).toEqual(['bench']);
    const rows = folded[0]!.data.replicas.length + 1;
    expect(rows).toBeLessThan(5);
    expect(folded[6]!.position.y).toBe(SIZES.brokerY + Math.max(SIZES.cardHeight, SIZES.brokerHeaderHeight + rows * SIZES.replicaRowHeight) + GRID_GAP);
  });

  it('a small cluster shows every replica row even zoomed out', () => {
    const els = toFlowElements(fixtureSnapshot(), {}, { view: OUT });
    for (const b of brokers(els)) {
      expect(b.data.detail).toBe('rows');
      expect(b.data.replicas.length).toBe(b.data.replicaCount);
    }
  });

  it('12 x 200 zoomed out: compact cards whose counts add up, edges bundled per pair of brokers', () => {
    const snap = bigSnapshot();
    const els = toFlowElements(snap, {}, { view: OUT });
    const bs = brokers(els);
    expect(bs).toHaveLength(12);
    let leaders = 0;
    for (const b of bs) {
      expect(b.data.detail).toBe('card');
      expect(b.data.replicas).toEqual([]);
      const card = b.data.card!;
      const hosted = snap.partitions.filter((p) => p.replicas.includes(b.data.broker.id));
      expect(card.replicas).toBe(hosted.length);
      expect(card.strip).toHaveLength(hosted.length);
      expect(card.leaders).toBe(hosted.filter((p) => p.leader === b.data.broker.id).length);
      expect(card.strip.filter((x) => x.role === 'leader')).toHaveLength(card.leaders);
      leaders += card.leaders;
    }
    expect(leaders).toBe(206);
    const ids = els.edges.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const repl = els.edges.filter((e) => e.data?.kind === 'replication');
    // At most one line per pair of brokers (66 pairs), carrying the partitions' count.
    expect(repl.length).toBeLessThanOrEqual(66);
    expect(repl.reduce((n, e) => n + (e.data!.bundled ?? 0), 0)).toBe(206 * 2);
    expect(els.edges.filter((e) => e.data?.kind === 'produce').length).toBeLessThanOrEqual(12);
    // Consumption: one line per broker to the group, not one per partition.
    const consume = els.edges.filter((e) => e.data?.kind === 'consumption');
    expect(consume.length).toBeLessThanOrEqual(12);
    expect(consume.every((e) => e.target === 'group-g')).toBe(true);
  });

  it('zoomed in, or selected, a broker shows every row', () => {
    const snap = bigSnapshot();
    const zoomed = toFlowElements(snap, {}, { view: { ...OUT, zoomedIn: true } });
    for (const b of brokers(zoomed)) {
      expect(b.data.detail).toBe('rows');
      expect(b.data.replicas).toHaveLength(b.data.replicaCount);
    }
    expect(zoomed.edges.filter((e) => e.data?.kind === 'replication')).toHaveLength(206 * 2);

    const p = snap.partitions.find((x) => x.topic === 'bench' && x.partition === 42)!;
    const sel = toFlowElements(snap, {}, { view: OUT, selection: { kind: 'partition', topic: 'bench', partition: 42 } });
    for (const b of brokers(sel)) expect(b.data.detail).toBe(p.replicas.includes(b.data.broker.id) ? 'rows' : 'card');
    const one = toFlowElements(snap, {}, { view: OUT, selection: { kind: 'broker', id: 5 } });
    expect(brokers(one).filter((b) => b.data.detail === 'rows').map((b) => b.data.broker.id)).toEqual([5]);
  });

  it('a topic filter draws only that topic (small enough for rows)', () => {
    const els = toFlowElements(bigSnapshot(), {}, { view: { ...OUT, topicFilter: 'orders' } });
    const rows = brokers(els).flatMap((b) => b.data.replicas);
    expect(rows).toHaveLength(18);
    expect(rows.every((r) => r.topic === 'orders')).toBe(true);
    expect(brokers(els).every((b) => b.data.detail === 'rows')).toBe(true);
    expect(els.edges.every((e) => !e.id.includes('bench'))).toBe(true);
  });

  it('a collapsed topic is one row per broker, its edges merged onto it', () => {
    const snap = bigSnapshot();
    const els = toFlowElements(snap, {}, { view: { zoomedIn: true, topicFilter: null, collapsedTopics: ['bench'] } });
    for (const b of brokers(els)) {
      expect(b.data.replicas.every((r) => r.topic === 'orders')).toBe(true);
      const row = b.data.topicRows.find((t) => t.topic === 'bench')!;
      expect(row.replicas).toBe(snap.partitions.filter((p) => p.topic === 'bench' && p.replicas.includes(b.data.broker.id)).length);
    }
    const ids = els.edges.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const benchRepl = els.edges.filter((e) => e.data?.kind === 'replication' && e.id.includes('@bench'));
    // One edge per leader → follower pair of brokers for the whole topic.
    expect(benchRepl.length).toBeLessThanOrEqual(12 * 11);
    expect(benchRepl.reduce((n, e) => n + (e.data!.bundled ?? 1), 0)).toBe(400);
  });

  it('brokers as cards are laid out in a grid', () => {
    const els = toFlowElements(bigSnapshot(), {}, { view: OUT });
    const input = layoutInputOf(els.nodes, els.edges, {}, {});
    const rows = input.boxes.filter((b) => b.kind === 'broker').map((b) => b.row ?? 0);
    expect(cardColumns(12)).toBe(6);
    expect(rows).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(cardColumns(3)).toBe(3);
  });

  it('the card grid is about as wide as a laptop pane is for it: rows of at most 6 up to 30 brokers, then about sqrt(1.2 n)', () => {
    expect([1, 6, 7, 8, 9, 11, 12, 24, 36, 50, 100].map(cardColumns)).toEqual([1, 6, 4, 4, 5, 6, 6, 6, 6, 8, 10]);
    for (let n = 7; n <= 200; n++) {
      const cols = cardColumns(n);
      const rows = Math.ceil(n / cols);
      // No lone card on the last row.
      expect(n - (rows - 1) * cols, `n=${n}`).toBeGreaterThanOrEqual(2);
      if (n <= 30) expect(cols, `n=${n}`).toBeLessThanOrEqual(6);
      // Wider than six (a group of six is as wide), never a strip: in cells of 304 x 190 (cards
      // and gaps) at most twice a 1280 x 720 pane's 1.4 : 1 (rows of 13 for 50 brokers were 3.0).
      if (cols > 6) expect((cols * 304) / (rows * 190), `n=${n}`).toBeLessThanOrEqual(2.8);
    }
  });

  it('beside cards, producers, groups and consumers are compact (drawn at the cards\' size); beside rows, as usual', () => {
    const snap = bigSnapshot();
    const nonBrokers = (els: ReturnType<typeof toFlowElements>) => els.nodes.filter((n) => n.type !== 'broker');
    const out = toFlowElements(snap, {}, { view: OUT });
    const consumersOut = out.nodes.filter((n) => n.type === 'consumer');
    expect(consumersOut).toHaveLength(6);
    for (const n of nonBrokers(out)) expect(n.data).toHaveProperty('compact', true);
    for (const c of consumersOut) expect([c.width, c.height]).toEqual([COMPACT_SIZES.consumerWidth, COMPACT_SIZES.consumerHeight]);
    const group = out.nodes.find((n) => n.type === 'consumerGroup')!;
    expect(group.height).toBe(COMPACT_SIZES.groupHeader + COMPACT_SIZES.consumerHeight + COMPACT_SIZES.groupPad);
    expect(out.nodes.find((n) => n.type === 'producer')!.width).toBe(COMPACT_SIZES.producerWidth);
    const zoomed = toFlowElements(snap, {}, { view: { ...OUT, zoomedIn: true } });
    for (const n of nonBrokers(zoomed)) expect(n.data).toHaveProperty('compact', false);
    for (const c of zoomed.nodes.filter((n) => n.type === 'consumer')) expect([c.width, c.height]).toEqual([SIZES.consumerWidth, SIZES.consumerHeight]);
    // The small default cluster shows rows: nothing is compact.
    for (const n of nonBrokers(toFlowElements(fixtureSnapshot(), {}, { view: OUT }))) expect(n.data).toHaveProperty('compact', false);
    // Zooming in changes the group's size but is no reason to fit the view again (that would zoom out to cards).
    const shapeOf = (els: ReturnType<typeof toFlowElements>) => fitShape(layoutInputOf(els.nodes, els.edges, {}, {}), {});
    expect(shapeOf(zoomed)).toBe(shapeOf(out));
  });
});

describe('partition search', () => {
  it('reads what a person types', () => {
    expect(parsePartitionQuery('orders-2')).toEqual({ topic: 'orders', partition: 2 });
    expect(parsePartitionQuery(' orders 12 ')).toEqual({ topic: 'orders', partition: 12 });
    expect(parsePartitionQuery('my-topic-3')).toEqual({ topic: 'my-topic', partition: 3 });
    expect(parsePartitionQuery('orders')).toBeNull();
  });

  it('finds a partition, or says what is wrong', () => {
    const snap = bigSnapshot();
    const ok = findPartition(snap, 'bench-137');
    expect(ok.ok && `${ok.partition.topic}-${ok.partition.partition}`).toBe('bench-137');
    const bad = findPartition(snap, 'bench-999');
    expect(bad.ok ? '' : bad.message).toBe('Topic bench has partitions 0 to 199; there is no partition 999.');
    const none = findPartition(snap, 'nope-1');
    expect(none.ok ? '' : none.message).toBe('There is no topic nope.');
    const junk = findPartition(snap, 'hello');
    expect(junk.ok ? '' : junk.message).toMatch(/does not name a partition/);
  });
});

describe('stable identity', () => {
  it('keeps last frame objects for unchanged elements, and the array when nothing changed', () => {
    const cache = new Map<string, { id: string; v: number[] }>();
    const first = stabilise(cache, null, [{ id: 'a', v: [1] }, { id: 'b', v: [2] }]);
    const same = stabilise(cache, first, [{ id: 'a', v: [1] }, { id: 'b', v: [2] }]);
    expect(same).toBe(first);
    const next = stabilise(cache, same, [{ id: 'a', v: [1] }, { id: 'b', v: [3] }]);
    expect(next).not.toBe(first);
    expect(next[0]).toBe(first[0]);
    expect(next[1]).not.toBe(first[1]);
    expect(deepEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(deepEqual({ a: [1, { b: null }] }, { a: [1, { b: 0 }] })).toBe(false);
  });

  it('a broker card whose numbers did not move keeps its node across frames of the real cluster', () => {
    const s = scaleScenario(12, 200, 2000, 60_000);
    const c = new Cluster(s);
    c.runUntil(1500);
    const cache = new Map<string, ReturnType<typeof toFlowElements>['nodes'][number]>();
    const a = stabilise(cache, null, toFlowElements(c.snapshot(), {}, { view: OUT }).nodes);
    const b = stabilise(cache, a, toFlowElements(c.snapshot(), {}, { view: OUT }).nodes);
    // Nothing ran between the two: every node is the same object.
    expect(b).toBe(a);
  });

  it('an edge whose rate moved but draws the same keeps its object; one that turns heavy, or whose label moved, does not', () => {
    const snap = bigSnapshot();
    const leo = (r: number) => {
      const out: Record<string, number> = {};
      for (const p of snap.partitions) for (const b of p.replicas) out[`${p.topic}-${p.partition}@${b}`] = r;
      return out;
    };
    const same = (a: FlowEdge, b: FlowEdge) => sameEdgeDrawing(a, b, isHeavyRate);
    const cache = new Map<string, FlowEdge>();
    const frame = (r: number) => toFlowElements(snap, {}, { view: OUT, rates: { leo: leo(r), position: {} } }).edges;
    const a = stabilise(cache, null, frame(100), same);
    const bundles = a.filter((e) => e.data?.kind === 'replication' && (e.data.bundled ?? 1) > 1);
    expect(bundles.length).toBeGreaterThan(0);
    // Bundled rates add up: every replica's rate, once per follower.
    expect(bundles.every((e) => e.data!.rate === 100 * e.data!.bundled!)).toBe(true);
    const b = stabilise(cache, a, frame(120), same);
    expect(b).toBe(a);
    // Below the heavy stroke's threshold, the replication bundles draw differently.
    const c = stabilise(cache, b, frame(0.001), same);
    const changed = c.filter((e, i) => e !== b[i]);
    expect(changed.length).toBeGreaterThanOrEqual(bundles.length);
    expect(changed.every((e) => !isHeavyRate(e.data!.rate))).toBe(true);
    // Same rates, a label that changes: not the same drawing.
    const x = bundles[0]!;
    expect(same(x, { ...x, data: { ...x.data!, rate: x.data!.rate + 1 } })).toBe(true);
    expect(same(x, { ...x, data: { ...x.data!, rate: x.data!.rate + 1, label: 'LEO −1' } })).toBe(false);
  });
});
