/**
 * Automatic layout of the diagram's top-level nodes (producers, brokers, consumer groups)
 * with ELK's layered algorithm, so that nothing overlaps whatever the cluster grows into (a
 * 6-partition topic makes every broker card taller; clients come and go).
 *
 * Layers are fixed by role, top to bottom as data flows: producers, brokers, groups (ELK's
 * partitioning), and brokers keep their id order across the row (model order), so
 * replication edges stay level and the picture keeps its shape from one change to the next.
 * Only produce (producer → broker) and consumption (broker → group) links are given to ELK:
 * replication runs sideways inside the broker row and must not split it into layers.
 *
 * Positions the user chose (dragged nodes, saved in the scenario's `layout`) are pinned:
 * ELK places everything, then pinned nodes go back where the user put them and the others
 * move out of their way (`removeOverlaps`).
 *
 * ELK is a large module: it is loaded on first use, in a worker of its own (elk.worker.ts), so
 * the first paint draws the estimated layout of `toFlowElements` at once and the measured one
 * replaces it when ready, and no layout blocks the main thread.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { Layout } from '../../worker/protocol';
import { elkRunner, type ElkLayout, type ElkWorkerLike } from './elk-layout';
import { brokerBoxHeight, cardColumns, GRID_GAP, memberSizes, SIZES, type FlowEdge, type FlowNode } from './flow';

export type BoxKind = 'producer' | 'broker' | 'group';

export interface LayoutBox {
  id: string;
  kind: BoxKind;
  width: number;
  height: number;
  /**
   * What, in the node's data, decides its size (a broker's replica rows, a group's size);
   * the layout is redone when it changes, not when a measure moves by a pixel.
   */
  sizeClass?: string;
  /** What of the size is worth refitting the view for (default: sizeClass); not a broker's level of detail. */
  fitClass?: string;
  /** Brokers as cards are laid out in a grid: the row of the grid (0 when absent). */
  row?: number;
}

/** A produce link (producer → broker) or a consumption link (broker → group). */
export interface LayoutLink {
  source: string;
  target: string;
}

export interface LayoutInput {
  boxes: LayoutBox[];
  links: LayoutLink[];
  /** Positions the user chose; kept as they are. */
  pinned: Layout;
}

/** Space kept between any two nodes, and between the layers. */
export const LAYOUT_GAP = {
  /** Side by side: room for replication edges and their lag labels between brokers. */
  node: SIZES.brokerGap,
  /** Between producers, brokers and groups: room for edges to bend and labels to sit. */
  layer: SIZES.groupMarginTop,
} as const;

const LAYER: Record<BoxKind, number> = { producer: 0, broker: 1, group: 2 };

/** The ELK partition (layer band) of a box: brokers in card grids take one band per grid row. */
function band(b: LayoutBox, brokerRows: number): number {
  if (b.kind === 'producer') return 0;
  if (b.kind === 'broker') return 1 + (b.row ?? 0);
  return 1 + brokerRows;
}

/**
 * Each box's place within its layer: brokers by id (as listed), so the row keeps its order
 * whatever the traffic; a producer or a group under the mean place of the brokers it is
 * linked to (fewer crossings), unlinked ones after, in the order listed.
 */
export function layerOrder(input: LayoutInput): Map<string, number> {
  const brokers = input.boxes.filter((b) => b.kind === 'broker');
  const place = new Map(brokers.map((b, i) => [b.id, i]));
  const out = new Map<string, number>(place);
  for (const kind of ['producer', 'group'] as const) {
    const boxes = input.boxes.filter((b) => b.kind === kind);
    const centre = (id: string, i: number) => {
      const linked = input.links.flatMap((l) => (l.source === id ? [l.target] : l.target === id ? [l.source] : []));
      const at = linked.map((x) => place.get(x)).filter((x): x is number => x !== undefined);
      return at.length > 0 ? at.reduce((a, b) => a + b, 0) / at.length : brokers.length + i;
    };
    boxes
      .map((b, i) => ({ id: b.id, c: centre(b.id, i), i }))
      .sort((a, b) => a.c - b.c || a.i - b.i)
      .forEach((b, i) => out.set(b.id, i));
  }
  return out;
}

/** The ELK graph for the boxes: pure, so what ELK is asked can be unit-tested. */
export function elkGraph(input: LayoutInput): ElkNode {
  const ids = new Set(input.boxes.map((b) => b.id));
  const order = layerOrder(input);
  const rows = 1 + Math.max(0, ...input.boxes.map((b) => b.row ?? 0));
  const children = [...input.boxes]
    .sort((a, b) => band(a, rows) - band(b, rows) || order.get(a.id)! - order.get(b.id)!)
    .map((b) => ({
      id: b.id,
      width: Math.max(1, Math.round(b.width)),
      height: Math.max(1, Math.round(b.height)),
      layoutOptions: {
        'elk.partitioning.partition': String(band(b, rows)),
        // The order within its layer, as a position hint (semi-interactive crossing minimization).
        'elk.position': `(${order.get(b.id)! * 1000},${band(b, rows) * 1000})`,
      },
    }));
  const seen = new Set<string>();
  const edges: ElkExtendedEdge[] = [];
  for (const l of input.links) {
    const id = `${l.source}->${l.target}`;
    if (seen.has(id) || !ids.has(l.source) || !ids.has(l.target) || l.source === l.target) continue;
    seen.add(id);
    edges.push({ id, sources: [l.source], targets: [l.target] });
  }
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.partitioning.activate': 'true',
      // Cards in a grid carry no per-partition labels between them: closer, so a dozen fit a laptop screen.
      'elk.spacing.nodeNode': String(rows > 1 ? GRID_GAP : LAYOUT_GAP.node),
      'elk.layered.spacing.nodeNodeBetweenLayers': String(rows > 1 ? GRID_GAP : LAYOUT_GAP.layer),
      // One drawing, not one per connected part side by side (they would not share layers).
      'elk.separateConnectedComponents': 'false',
      'elk.layered.crossingMinimization.semiInteractive': 'true',
      // Compact: neighbours at the node spacing, no wider.
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.padding': '[top=0,left=0,bottom=0,right=0]',
    },
    children,
    edges,
  };
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function overlaps(a: Rect, b: Rect, gap = 0): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/**
 * Pinned boxes stay where they are; every other box, in reading order (top to bottom, left
 * to right), moves right past anything it would overlap (keeping its layer), until it is
 * clear of all boxes placed before it. Pure; the result never has an unpinned box overlap
 * another box.
 */
export function removeOverlaps(boxes: (Rect & { id: string; pinned: boolean })[], gap: number): Layout {
  const placed: Rect[] = boxes.filter((b) => b.pinned);
  const out: Layout = {};
  for (const b of boxes.filter((x) => x.pinned)) out[b.id] = { x: b.x, y: b.y };
  const free = boxes.filter((b) => !b.pinned).sort((a, b) => a.y - b.y || a.x - b.x);
  for (const b of free) {
    const r = { ...b };
    // Each step moves r right of one box it overlaps, so this ends within placed.length steps.
    for (let guard = 0; guard <= placed.length; guard++) {
      const hit = placed.find((p) => overlaps(r, p, gap));
      if (!hit) break;
      r.x = hit.x + hit.width + gap;
    }
    placed.push(r);
    out[b.id] = { x: Math.round(r.x), y: Math.round(r.y) };
  }
  return out;
}

let inPage: Promise<ElkLayout> | null = null;

/** ELK in this thread, loaded on first use (a chunk of its own in the build; no network needed beyond the app's). */
function elkInPage(): Promise<ElkLayout> {
  inPage ??= import('elkjs/lib/elk.bundled.js').then((m) => {
    const ELK = m.default;
    const instance = new ELK();
    return (g: ElkNode) => instance.layout(g);
  });
  return inPage;
}

/**
 * ELK in a worker of its own where there is one (the browser; elk-layout.ts), so neither
 * its first load nor a layout blocks a frame; in this thread otherwise (Node) or once the
 * worker failed.
 */
export const elk = elkRunner(
  () => (typeof Worker === 'undefined' ? null : (new Worker(new URL('./elk.worker.ts', import.meta.url), { type: 'module' }) as unknown as ElkWorkerLike)),
  elkInPage,
);

/**
 * Positions for every box: ELK's layered layout, with pinned boxes where the user put them
 * and the others moved clear of them. Boxes are in canvas coordinates; the layout starts at
 * the origin, as the estimated one does.
 */
export async function autoLayout(input: LayoutInput): Promise<Layout> {
  if (input.boxes.length === 0) return {};
  const result = await elk.layout(elkGraph(input));
  const at = new Map((result.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
  // ELK centres a layer's nodes on its middle line; tops aligned read better (and a node
  // only moves up within its own layer, so layers stay apart).
  const bandOf = (b: LayoutBox) => `${b.kind}${b.row ?? 0}`;
  for (const name of new Set(input.boxes.map(bandOf))) {
    const ys = input.boxes.filter((b) => bandOf(b) === name).map((b) => at.get(b.id)?.y ?? 0);
    const top = Math.min(...ys);
    for (const b of input.boxes) if (bandOf(b) === name && at.has(b.id)) at.get(b.id)!.y = top;
  }
  const grid = input.boxes.some((b) => (b.row ?? 0) > 0);
  if (grid) compactGrid(input.boxes, at);
  // ELK's picture sometimes starts away from the origin (by hundreds of px when only a
  // measured height changed): with nothing pinned, moved there, so a layout that changes no
  // box's place relative to the others moves nothing on screen (the view is not fitted again
  // for a size that changed without changing the shape, fitShape).
  if (Object.keys(input.pinned).length === 0) toOrigin(input.boxes, at);
  return removeOverlaps(
    input.boxes.map((b) => {
      const pin = input.pinned[b.id];
      const p = pin ?? at.get(b.id) ?? { x: 0, y: 0 };
      return { id: b.id, x: p.x, y: p.y, width: b.width, height: b.height, pinned: pin !== undefined };
    }),
    // Unpinned boxes keep ELK's spacing from pinned ones too.
    grid ? GRID_GAP : Math.min(LAYOUT_GAP.node, 40),
  );
}

/**
 * Broker cards in a tight grid: ELK's node placement bends a row around the links (a gap in
 * the middle of a row, rows shifted against each other), which depends on which links
 * existed when the layout ran and makes the picture wider than it needs to be. Each row's
 * cards go side by side in id order, in columns one card wide and GRID_GAP apart, the
 * grid centred where ELK centred the brokers (producers and groups stay where ELK put them,
 * over and under it).
 */
function compactGrid(boxes: LayoutBox[], at: Map<string, { x: number; y: number }>): void {
  const brokers = boxes.filter((b) => b.kind === 'broker' && at.has(b.id));
  if (brokers.length === 0) return;
  const cell = Math.max(...brokers.map((b) => b.width));
  const rows = new Map<number, LayoutBox[]>();
  for (const b of brokers) rows.set(b.row ?? 0, [...(rows.get(b.row ?? 0) ?? []), b]);
  const cols = Math.max(...[...rows.values()].map((r) => r.length));
  const width = cols * cell + (cols - 1) * GRID_GAP;
  const left = Math.min(...brokers.map((b) => at.get(b.id)!.x));
  const right = Math.max(...brokers.map((b) => at.get(b.id)!.x + b.width));
  const x0 = Math.round((left + right) / 2 - width / 2);
  for (const row of rows.values()) row.forEach((b, i) => (at.get(b.id)!.x = x0 + i * (cell + GRID_GAP)));
}

/** Moves the boxes' positions so that their top left corner is at (0, 0). */
function toOrigin(boxes: LayoutBox[], at: Map<string, { x: number; y: number }>): void {
  let x0 = Infinity;
  let y0 = Infinity;
  for (const b of boxes) {
    const p = at.get(b.id);
    if (!p) continue;
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
  }
  if (!Number.isFinite(x0) || (x0 === 0 && y0 === 0)) return;
  for (const b of boxes) {
    const p = at.get(b.id);
    if (p) at.set(b.id, { x: p.x - x0, y: p.y - y0 });
  }
}

type Size = { width: number; height: number };

/** A box's size before xyflow measured it, from what the node will show. */
function estimate(n: FlowNode): Size {
  switch (n.type) {
    case 'broker':
      return { width: SIZES.brokerWidth, height: brokerBoxHeight(n.data.detail, n.data.replicas.length + n.data.topicRows.length) };
    case 'producer': {
      const sizes = memberSizes(n.data.compact);
      return { width: sizes.producerWidth, height: sizes.producerHeight };
    }
    default:
      return { width: n.width ?? 200, height: n.height ?? 100 };
  }
}

const KIND: Partial<Record<NonNullable<FlowNode['type']>, BoxKind>> = {
  producer: 'producer',
  broker: 'broker',
  consumerGroup: 'group',
};

/**
 * What the automatic layout works on, from the diagram's elements: the top-level nodes at
 * their measured size (estimated until measured), produce and consumption links (a
 * consumer's link counts for its group), and the user's positions of those nodes.
 *
 * A link goes to the partition's preferred leader (first in its replica list), not to its
 * current leader: a leader moving (a broker killed) must not change where things go the
 * next time the layout runs, nor after a reload, which draws the same picture again.
 */
export function layoutInputOf(
  nodes: FlowNode[],
  edges: FlowEdge[],
  measured: Record<string, Size>,
  userLayout: Layout,
): LayoutInput {
  const boxes: LayoutBox[] = [];
  const parent = new Map<string, string>();
  const pinned: Layout = {};
  // Brokers as cards go in a grid, so a dozen fit a laptop screen readably (one opened to
  // its rows by a selection stays in its place in the grid).
  const brokers = nodes.filter((n) => n.type === 'broker');
  const grid = brokers.some((n) => n.type === 'broker' && n.data.detail === 'card');
  const cols = cardColumns(brokers.length);
  const members = new Map<string, number>();
  for (const n of nodes) if (n.parentId) members.set(n.parentId, (members.get(n.parentId) ?? 0) + 1);
  let brokerIndex = 0;
  for (const n of nodes) {
    if (n.parentId) {
      parent.set(n.id, n.parentId);
      continue;
    }
    const kind = n.type ? KIND[n.type] : undefined;
    if (!kind) continue;
    // A group's size is set by toFlowElements (exact at once, where a measure lags a member
    // joining); brokers are as tall as the browser draws them. A producer counts at its
    // usual height: its error note comes and goes (the gap below the producers has room
    // for it), and the picture must not depend on whether one was showing when it was laid
    // out, or a reload would draw it differently.
    const size =
      n.type === 'consumerGroup'
        ? estimate(n)
        : n.type === 'producer'
          ? { width: measured[n.id]?.width ?? estimate(n).width, height: estimate(n).height }
          : (measured[n.id] ?? estimate(n));
    // A broker's measured height counts (rows added, badges wrapping); a producer's error
    // note comes and goes, and the gap between layers absorbs it.
    const m = measured[n.id];
    const sizeClass =
      n.type === 'broker'
        ? `${n.data.detail} ${n.data.replicas.length}+${n.data.topicRows.length} ${m ? `${Math.ceil(m.width / 8)}x${Math.ceil(m.height / 8)}` : ''}`
        : n.type === 'consumerGroup'
          ? `${n.width}x${n.height}`
          : '';
    const box: LayoutBox = { id: n.id, kind, width: size.width, height: size.height, sizeClass };
    if (n.type === 'broker') {
      box.fitClass = `replicas ${n.data.replicaCount}`;
      if (grid) box.row = Math.floor(brokerIndex / cols);
      brokerIndex++;
    }
    // A group's size changes with its members, and with the brokers' level of detail (it is
    // drawn compact beside cards): only a member joining or leaving is worth a refit (zooming
    // in must not fit the view again, which would zoom out to cards).
    if (n.type === 'consumerGroup') box.fitClass = `members ${members.get(n.id) ?? 0}`;
    boxes.push(box);
    const pin = userLayout[n.id];
    if (pin) pinned[n.id] = pin;
  }
  const preferred = new Map<string, string>();
  for (const n of nodes) if (n.type === 'broker') for (const r of n.data.replicas) if (r.preferred) preferred.set(r.key, n.id);
  // Edge handles are named `${partition key}:${side}:${type}` (handleId); topic names have no ':'.
  const partitionOf = (handle: string | null | undefined) => handle?.split(':')[0] ?? '';
  const links: LayoutLink[] = [];
  for (const e of edges) {
    if (e.data?.kind === 'produce') {
      links.push({ source: e.source, target: preferred.get(partitionOf(e.targetHandle)) ?? e.target });
    } else if (e.data?.kind === 'consumption') {
      links.push({ source: preferred.get(partitionOf(e.sourceHandle)) ?? e.source, target: parent.get(e.target) ?? e.target });
    }
  }
  return { boxes, links, pinned };
}

/**
 * When the layout is redone: a node added or removed, its size class changed (a broker's
 * replica rows, a group's members), a node first measured, or a user position changed.
 * Links are left out on purpose: a leader moving to another broker must not shuffle the
 * picture, nor a producer's error note coming and going.
 */
/** The part of the layout key that is worth refitting the view for (no pins, no level of detail). */
export function fitShape(input: LayoutInput, measured: Record<string, Size>): string {
  return input.boxes.map((b) => `${b.id}:${b.fitClass ?? b.sizeClass ?? ''}${measured[b.id] ? '' : '?'}`).join('|');
}

export function layoutKey(input: LayoutInput, measured: Record<string, Size>): string {
  const boxes = input.boxes.map((b) => `${b.id}:${b.sizeClass ?? ''}${b.row ? `r${b.row}` : ''}${measured[b.id] ? '' : '?'}`);
  const pins = Object.entries(input.pinned).map(([id, p]) => `${id}@${p.x},${p.y}`);
  return `${boxes.join('|')}#${pins.sort().join('|')}`;
}
