/**
 * The edge layer (issue 10): bundled replication edges between brokers drawn as paths of one
 * <svg>, not as an xyflow edge each. Zoomed out, a 50-broker, 1,000-partition cluster has
 * some 600 such bundles (one per pair of brokers that share a partition); as xyflow edges
 * they were 600 <svg> elements, each its own box to lay out, paint chunk to layerize and
 * React component to reconcile, and Chromium's Layerize and Paint of them made most of the
 * main thread's long tasks. They take no clicks and carry no labels (build/connect.ts draws
 * no such edge), so nothing is lost by drawing them outside xyflow. Pure, for tests.
 */
import { Position, getBezierPath } from '@xyflow/react';
import { handleId, isHeavyRate, type FlowEdge, type FlowNode } from './flow';

/** An edge the layer draws: a bundle between two brokers' centres (flow.ts, cards zoomed out). */
export function isLayerEdge(e: FlowEdge): boolean {
  return e.sourceHandle === handleId.brokerCentre('s') && e.targetHandle === handleId.brokerCentre('t');
}

/** The edges xyflow draws, and those the layer draws, in their order. */
export function splitEdges(edges: readonly FlowEdge[]): { flow: FlowEdge[]; layer: FlowEdge[] } {
  const flow: FlowEdge[] = [];
  const layer: FlowEdge[] = [];
  for (const e of edges) (isLayerEdge(e) ? layer : flow).push(e);
  return { flow, layer };
}

/** Where each measured top-level node sits (flow coordinates), and a key that changes only when one moves or resizes. */
export interface NodeBoxes {
  key: string;
  boxes: Map<string, { x: number; y: number; width: number; height: number }>;
}

export function nodeBoxes(nodes: readonly FlowNode[]): NodeBoxes {
  const boxes: NodeBoxes['boxes'] = new Map();
  const parts: string[] = [];
  for (const n of nodes) {
    // Brokers are top-level nodes: their position is absolute. Group members are not drawn to.
    if (n.type !== 'broker' || n.parentId || !n.measured?.width || !n.measured.height) continue;
    const b = { x: n.position.x, y: n.position.y, width: n.measured.width, height: n.measured.height };
    boxes.set(n.id, b);
    parts.push(`${n.id}:${b.x},${b.y},${b.width},${b.height}`);
  }
  return { key: parts.join('|'), boxes };
}

export interface LayerPath {
  id: string;
  d: string;
  className: string;
}

/**
 * The layer's paths: what KafkaEdge draws for the same edge (a bezier leaving and entering
 * through the top, from centre to centre, the same classes for stroke and tone). An edge
 * whose broker is not measured yet is left out, as xyflow leaves it out until it is.
 */
export function layerPaths(edges: readonly FlowEdge[], boxes: NodeBoxes['boxes']): LayerPath[] {
  const out: LayerPath[] = [];
  for (const e of edges) {
    const s = boxes.get(e.source);
    const t = boxes.get(e.target);
    if (!s || !t) continue;
    const [d] = getBezierPath({
      sourceX: s.x + s.width / 2,
      sourceY: s.y + s.height / 2,
      sourcePosition: Position.Top,
      targetX: t.x + t.width / 2,
      targetY: t.y + t.height / 2,
      targetPosition: Position.Top,
    });
    const kind = e.data?.kind ?? 'replication';
    const tone = e.data?.tone ?? 'normal';
    const heavy = isHeavyRate(e.data?.rate ?? 0);
    out.push({ id: e.id, d, className: `react-flow__edge-path kedge kedge-${kind} tone-${tone}${heavy ? ' heavy' : ''}` });
  }
  return out;
}
