/**
 * Issue 10: the bundled edges between brokers are drawn by one SVG layer, not by xyflow; what
 * the layer draws is what KafkaEdge drew for the same edge.
 */
import { describe, expect, it } from 'vitest';
import { Position, getBezierPath } from '@xyflow/react';
import { scaleScenario } from '../../../bench/workload';
import { Cluster } from '../../kafka/cluster';
import type { ClusterSnapshot } from '../../kafka/snapshot';
import { fixtureSnapshot } from '../test/fixture';
import { layerPaths, nodeBoxes, splitEdges } from './edge-layer';
import { toFlowElements, type DiagramView, type FlowEdge, type FlowNode } from './flow';

let snap: ClusterSnapshot | null = null;
/** 8 brokers x 120 partitions (cards zoomed out), loaded for a second. */
function cluster(): ClusterSnapshot {
  if (snap) return snap;
  const c = new Cluster(scaleScenario(8, 120, 2000, 60_000));
  c.runUntil(1200);
  return (snap = c.snapshot());
}

const OUT: DiagramView = { zoomedIn: false, topicFilter: null, collapsedTopics: [] };

/** Every node measured as xyflow would: cards 264 x 150, others 200 x 90. */
const measuredAll = (nodes: FlowNode[]): FlowNode[] =>
  nodes.map((n) => ({ ...n, measured: n.type === 'broker' ? { width: 264, height: n.data.detail === 'card' ? 150 : 400 } : { width: 200, height: 90 } }) as FlowNode);

describe('the edge layer', () => {
  it('zoomed out, every bundle between two brokers goes to the layer and none to xyflow; produce and consumption stay with xyflow', () => {
    const els = toFlowElements(cluster(), {}, { view: OUT });
    const { flow, layer } = splitEdges(els.edges);
    const replication = els.edges.filter((e) => e.data?.kind === 'replication');
    expect(replication.length).toBeGreaterThan(5);
    expect(layer).toEqual(replication);
    expect(flow.some((e) => e.data?.kind === 'replication')).toBe(false);
    expect(flow.filter((e) => e.data?.kind === 'produce').length).toBeGreaterThan(0);
    expect(flow.filter((e) => e.data?.kind === 'consumption').length).toBeGreaterThan(0);
    expect(flow.length + layer.length).toBe(els.edges.length);
  });

  it('replica rows (zoomed in, or the default three brokers): the layer draws nothing, xyflow every edge', () => {
    const zoomed = toFlowElements(cluster(), {}, { view: { ...OUT, zoomedIn: true } });
    expect(splitEdges(zoomed.edges).layer).toEqual([]);
    const small = toFlowElements(fixtureSnapshot(), {}, { view: OUT });
    expect(splitEdges(small.edges)).toEqual({ flow: small.edges, layer: [] });
  });

  it("a path per bundle, centre to centre as KafkaEdge drew it, with the edge's classes; unmeasured brokers' bundles wait", () => {
    const els = toFlowElements(cluster(), {}, { view: OUT });
    const nodes = measuredAll(els.nodes);
    const { layer } = splitEdges(els.edges);
    const { boxes } = nodeBoxes(nodes);
    const paths = layerPaths(layer, boxes);
    expect(paths.map((p) => p.id)).toEqual(layer.map((e) => e.id));
    for (const [i, e] of layer.entries()) {
      const s = nodes.find((n) => n.id === e.source)!;
      const t = nodes.find((n) => n.id === e.target)!;
      const [d] = getBezierPath({
        sourceX: s.position.x + 132,
        sourceY: s.position.y + 75,
        sourcePosition: Position.Top,
        targetX: t.position.x + 132,
        targetY: t.position.y + 75,
        targetPosition: Position.Top,
      });
      expect(paths[i]!.d).toBe(d);
      expect(paths[i]!.className).toBe(`react-flow__edge-path kedge kedge-replication tone-${e.data!.tone}${e.data!.rate >= 50 ? ' heavy' : ''}`);
    }
    // Tone and weight follow the edge.
    const lagging: FlowEdge = { ...layer[0]!, data: { ...layer[0]!.data!, tone: 'lagging', rate: 500 } };
    expect(layerPaths([lagging], boxes)[0]!.className).toBe('react-flow__edge-path kedge kedge-replication tone-lagging heavy');
    // A broker not measured yet: its bundles are left out until it is.
    const unmeasured = nodes.map((n) => (n.id === layer[0]!.source ? { ...n, measured: undefined } : n)) as FlowNode[];
    const some = layerPaths(layer, nodeBoxes(unmeasured).boxes);
    expect(some.length).toBeLessThan(paths.length);
    expect(some.some((p) => p.id === layer[0]!.id)).toBe(false);
  });

  it("the brokers' key changes when one moves or is resized, not when a card's numbers change", () => {
    const els = toFlowElements(cluster(), {}, { view: OUT });
    const nodes = measuredAll(els.nodes);
    const key = nodeBoxes(nodes).key;
    const b = nodes.findIndex((n) => n.type === 'broker');
    const renumbered = nodes.map((n, i) => (i === b ? ({ ...n, data: { ...n.data, messagesInPerSec: 12345 } } as FlowNode) : n));
    expect(nodeBoxes(renumbered).key).toBe(key);
    const moved = nodes.map((n, i) => (i === b ? { ...n, position: { x: n.position.x + 5, y: n.position.y } } : n));
    expect(nodeBoxes(moved).key).not.toBe(key);
    const resized = nodes.map((n, i) => (i === b ? { ...n, measured: { width: 264, height: 151 } } : n));
    expect(nodeBoxes(resized).key).not.toBe(key);
  });
});
