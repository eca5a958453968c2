import { describe, expect, it } from 'vitest';
import { fixtureSnapshot } from '../test/fixture';
import { autoLayout, elkGraph, layoutInputOf, layoutKey, overlaps, removeOverlaps, type LayoutBox, type LayoutInput } from './auto-layout';
import { toFlowElements } from './flow';

type Placed = { id: string; x: number; y: number; width: number; height: number };

function placedBoxes(input: LayoutInput, positions: Record<string, { x: number; y: number }>): Placed[] {
  return input.boxes.map((b) => ({ ...b, ...positions[b.id]! }));
}

function overlappingPairs(boxes: Placed[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) if (overlaps(boxes[i]!, boxes[j]!)) out.push(`${boxes[i]!.id}/${boxes[j]!.id}`);
  return out;
}

/** A cluster grown tall: 3 brokers with 17 replica rows (orders, a 6- and an 8-partition topic). */
function bigCluster(): LayoutInput {
  const boxes: LayoutBox[] = [
    { id: 'broker-1', kind: 'broker', width: 264, height: 66 + 17 * 48 },
    { id: 'broker-2', kind: 'broker', width: 264, height: 66 + 17 * 48 },
    { id: 'broker-3', kind: 'broker', width: 264, height: 66 + 17 * 48 },
    { id: 'producer-checkout', kind: 'producer', width: 200, height: 96 },
    { id: 'producer-audit', kind: 'producer', width: 200, height: 140 },
    { id: 'group-billing', kind: 'group', width: 438, height: 170 },
    { id: 'group-search', kind: 'group', width: 230, height: 170 },
  ];
  return {
    boxes,
    links: [
      { source: 'producer-checkout', target: 'broker-1' },
      { source: 'producer-checkout', target: 'broker-3' },
      { source: 'producer-audit', target: 'broker-2' },
      { source: 'broker-1', target: 'group-billing' },
      { source: 'broker-2', target: 'group-search' },
    ],
    pinned: {},
  };
}

describe('elkGraph', () => {
  it('asks ELK for layers by role (producers, brokers, groups), brokers in id order, without replication links', () => {
    const g = elkGraph(bigCluster());
    expect(g.layoutOptions).toMatchObject({ 'elk.algorithm': 'layered', 'elk.direction': 'DOWN', 'elk.partitioning.activate': 'true' });
    expect(g.children!.map((c) => `${c.id}:${c.layoutOptions!['elk.partitioning.partition']}`)).toEqual([
      // audit writes to broker 2 only, checkout to brokers 1 and 3: same mean place, listed order.
      'producer-checkout:0',
      'producer-audit:0',
      'broker-1:1',
      'broker-2:1',
      'broker-3:1',
      'group-billing:2',
      'group-search:2',
    ]);
    expect(g.edges!.map((e) => e.id)).toEqual([
      'producer-checkout->broker-1',
      'producer-checkout->broker-3',
      'producer-audit->broker-2',
      'broker-1->group-billing',
      'broker-2->group-search',
    ]);
  });

  it('drops links to unknown nodes and duplicates', () => {
    const input = bigCluster();
    input.links.push({ source: 'producer-checkout', target: 'broker-1' }, { source: 'producer-gone', target: 'broker-1' });
    expect(elkGraph(input).edges).toHaveLength(5);
  });
});

describe('autoLayout (ELK)', () => {
  it('places tall brokers, producers and groups with no two overlapping, producers above brokers above groups', async () => {
    const input = bigCluster();
    const pos = await autoLayout(input);
    const boxes = placedBoxes(input, pos);
    expect(overlappingPairs(boxes)).toEqual([]);
    const by = new Map(boxes.map((b) => [b.id, b]));
    const brokerTop = Math.min(...[1, 2, 3].map((i) => by.get(`broker-${i}`)!.y));
    const brokerBottom = Math.max(...[1, 2, 3].map((i) => by.get(`broker-${i}`)!.y + by.get(`broker-${i}`)!.height));
    for (const p of ['producer-checkout', 'producer-audit']) expect(by.get(p)!.y + by.get(p)!.height).toBeLessThan(brokerTop);
    for (const g of ['group-billing', 'group-search']) expect(by.get(g)!.y).toBeGreaterThan(brokerBottom);
    // Brokers side by side, in id order, on one level.
    const xs = [1, 2, 3].map((i) => by.get(`broker-${i}`)!.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set([1, 2, 3].map((i) => by.get(`broker-${i}`)!.y)).size).toBe(1);
  });

  it('keeps the positions the user chose and moves the others out of their way', async () => {
    const free = await autoLayout(bigCluster());
    const input = bigCluster();
    // The user dropped producer-audit right on top of where broker-2 goes.
    input.pinned = { 'producer-audit': { x: free['broker-2']!.x + 10, y: free['broker-2']!.y + 40 } };
    const pos = await autoLayout(input);
    expect(pos['producer-audit']).toEqual(input.pinned['producer-audit']);
    expect(overlappingPairs(placedBoxes(input, pos))).toEqual([]);
  });

  it('puts broker cards in a tight grid, rows in id order GRID_GAP apart, whatever the links when it ran', async () => {
    const cards = (links: LayoutInput['links']): LayoutInput => ({
      boxes: [
        ...Array.from({ length: 12 }, (_, i): LayoutBox => ({ id: `broker-${i + 1}`, kind: 'broker', width: 170, height: 130, row: Math.floor(i / 6) })),
        { id: 'producer-p', kind: 'producer', width: 200, height: 96 },
        { id: 'group-g', kind: 'group', width: 800, height: 110 },
      ],
      links,
      pinned: {},
    });
    // Links to far-apart brokers (what bends ELK's rows), and none at all.
    const bent = cards([
      { source: 'producer-p', target: 'broker-6' },
      { source: 'producer-p', target: 'broker-12' },
      { source: 'broker-2', target: 'group-g' },
      { source: 'broker-10', target: 'group-g' },
    ]);
    for (const input of [bent, cards([])]) {
      const at = await autoLayout(input);
      for (const row of [0, 1]) {
        const xs = Array.from({ length: 6 }, (_, i) => at[`broker-${row * 6 + i + 1}`]!.x);
        expect(xs.slice(1).map((x, i) => x - xs[i]!)).toEqual([210, 210, 210, 210, 210]);
      }
      // Rows aligned in columns, the second under the first.
      expect(at['broker-7']!.x).toBe(at['broker-1']!.x);
      expect(at['broker-7']!.y).toBeGreaterThanOrEqual(at['broker-1']!.y + 130);
      expect(overlappingPairs(placedBoxes(input, at))).toEqual([]);
    }
  });

  it('starts at the origin with nothing pinned, whatever the measured heights (a size change moves nothing on screen)', async () => {
    const cards = (height: number): LayoutInput => ({
      boxes: [
        ...Array.from({ length: 12 }, (_, i): LayoutBox => ({ id: `broker-${i + 1}`, kind: 'broker', width: 264, height, row: Math.floor(i / 6) })),
        { id: 'producer-p', kind: 'producer', width: 400, height: 84 },
        { id: 'group-g', kind: 'group', width: 1728, height: 178 },
      ],
      links: Array.from({ length: 12 }, (_, i) => [
        { source: 'producer-p', target: `broker-${i + 1}` },
        { source: `broker-${i + 1}`, target: 'group-g' },
      ]).flat(),
      pinned: {},
    });
    const corners: string[] = [];
    for (const height of [150, 181, 188, 206, 240]) {
      const at = await autoLayout(cards(height));
      const xs = Object.values(at).map((p) => p.x);
      const ys = Object.values(at).map((p) => p.y);
      corners.push(`${height}: ${Math.min(...xs)},${Math.min(...ys)}`);
    }
    expect(corners).toEqual(['150: 0,0', '181: 0,0', '188: 0,0', '206: 0,0', '240: 0,0']);
  });

  it('lays out nothing for an empty cluster', async () => {
    expect(await autoLayout({ boxes: [], links: [], pinned: {} })).toEqual({});
  });
});

describe('removeOverlaps', () => {
  it('moves an unpinned box right past the boxes it hits, keeping its row; pinned boxes stay', () => {
    const out = removeOverlaps(
      [
        { id: 'a', x: 0, y: 0, width: 100, height: 50, pinned: true },
        { id: 'b', x: 50, y: 10, width: 100, height: 50, pinned: false },
        { id: 'c', x: 160, y: 10, width: 100, height: 50, pinned: false },
      ],
      10,
    );
    expect(out).toEqual({ a: { x: 0, y: 0 }, b: { x: 110, y: 10 }, c: { x: 220, y: 10 } });
  });
});

describe('layoutInputOf and layoutKey', () => {
  it('takes top-level nodes with measured sizes, links consumers through their group, and pins from the user layout', () => {
    const els = toFlowElements(fixtureSnapshot());
    const input = layoutInputOf(els.nodes, els.edges, { 'broker-1': { width: 264, height: 170 } }, { 'broker-3': { x: 5, y: 6 } });
    expect(input.boxes.map((b) => `${b.id}:${b.kind}`).sort()).toEqual(
      ['broker-1:broker', 'broker-2:broker', 'broker-3:broker', 'group-billing:group', 'producer-checkout:producer'].sort(),
    );
    expect(input.boxes.find((b) => b.id === 'broker-1')).toMatchObject({ width: 264, height: 170 });
    // Unmeasured: estimated from the rows (header + 2 rows).
    expect(input.boxes.find((b) => b.id === 'broker-3')).toMatchObject({ width: 264, height: 66 + 2 * 48 });
    // orders-0 is led by broker 3 but prefers broker 2 (first replica): the link follows the preference.
    expect(input.links).toContainEqual({ source: 'producer-checkout', target: 'broker-2' });
    expect(input.links).not.toContainEqual({ source: 'producer-checkout', target: 'broker-3' });
    expect(input.links.some((l) => l.target === 'group-billing')).toBe(true);
    expect(input.links.every((l) => !l.target.startsWith('consumer-'))).toBe(true);
    expect(input.pinned).toEqual({ 'broker-3': { x: 5, y: 6 } });
  });

  it('links to preferred leaders, so a leader moving changes nothing the layout sees', () => {
    const s = fixtureSnapshot();
    const els = toFlowElements(s);
    const moved = fixtureSnapshot();
    const p = moved.partitions.find((x) => x.topic === 'orders' && x.partition === 1)!;
    p.leader = p.replicas.find((b) => b !== p.leader && moved.brokers.find((x) => x.id === b)?.status === 'up')!;
    const els2 = toFlowElements(moved);
    const linksOf = (e: typeof els) => layoutInputOf(e.nodes, e.edges, {}, {}).links.map((l) => `${l.source}>${l.target}`).sort();
    expect(linksOf(els2)).toEqual(linksOf(els));
  });

  it('changes with the cluster shape and pins, not with a leader moving', () => {
    const s = fixtureSnapshot();
    const key = (snap = s, layout = {}) => {
      const els = toFlowElements(snap);
      return layoutKey(layoutInputOf(els.nodes, els.edges, {}, layout), {});
    };
    const before = key();
    const moved = fixtureSnapshot();
    moved.partitions[0]!.leader = 1;
    expect(key(moved)).toBe(before);
    expect(key(s, { 'broker-1': { x: 1, y: 1 } })).not.toBe(before);
    const taller = fixtureSnapshot();
    taller.partitions.push({ ...taller.partitions[0]!, partition: 2 });
    expect(key(taller)).not.toBe(before);
  });

  it('redoes the layout when a broker is measured taller (a stale measure must not stick), not for a producer', () => {
    const els = toFlowElements(fixtureSnapshot());
    const key = (measured: Record<string, { width: number; height: number }>) =>
      layoutKey(layoutInputOf(els.nodes, els.edges, measured, {}), measured);
    const base = { 'broker-1': { width: 264, height: 170 }, 'producer-checkout': { width: 200, height: 90 } };
    expect(key({ ...base, 'broker-1': { width: 264, height: 260 } })).not.toBe(key(base));
    expect(key({ ...base, 'producer-checkout': { width: 200, height: 140 } })).toBe(key(base));
  });

  it('lays a producer out at its usual height, with or without an error note showing', () => {
    const els = toFlowElements(fixtureSnapshot());
    const h = (height: number) =>
      layoutInputOf(els.nodes, els.edges, { 'producer-checkout': { width: 200, height } }, {}).boxes.find((b) => b.id === 'producer-checkout')!.height;
    expect(h(150)).toBe(h(90));
  });

  it("sizes a group from its data, not from a measure taken before a member joined", () => {
    const els = toFlowElements(fixtureSnapshot());
    const group = els.nodes.find((n) => n.id === 'group-billing')!;
    const input = layoutInputOf(els.nodes, els.edges, { 'group-billing': { width: 230, height: 170 } }, {});
    expect(input.boxes.find((b) => b.id === 'group-billing')).toMatchObject({ width: group.width, height: group.height });
  });
});
