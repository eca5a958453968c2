/**
 * The diagram's work per frame, off the browser (issue 10): runs a scale workload in Node,
 * takes a snapshot every `stepMs` of virtual time, and for each frame times the delta
 * (SnapshotDiffer + applyDelta), the rates, `toFlowElements` and `stabilise`, and counts the
 * nodes and edges whose objects changed (what React and xyflow re-render).
 * `npx tsx bench/diagram-frames.ts 50 1000 [stepMs] [frames]`. Prints figures; asserts nothing.
 */
import { UiFeed, warmScaleCluster } from './ui-feed';
import { createFlowCache, toFlowElements, isHeavyRate, type FlowEdge, type FlowNode, type DiagramView } from '../src/ui/diagram/flow';
import { sameEdgeDrawing, stabilise } from '../src/ui/diagram/stable';

const [b = '50', p = '1000', step = '100', n = '20'] = process.argv.slice(2);
const c = warmScaleCluster(Number(b), Number(p));
const feed = new UiFeed();
const view: DiagramView = { zoomedIn: false, topicFilter: null, collapsedTopics: [] };
const nodeCache = new Map<string, FlowNode>();
const reuse = createFlowCache();
const edgeCache = new Map<string, FlowEdge>();
let lastNodes: FlowNode[] | null = null;
let lastEdges: FlowEdge[] | null = null;
const t = { delta: 0, apply: 0, rates: 0, flow: 0, stable: 0, bytes: 0 };
const changed = { nodes: 0, edges: 0, nodesTotal: 0, edgesTotal: 0 };
const frames = Number(n);
for (let i = 0; i <= frames; i++) {
  c.runUntil(2000 + i * Number(step));
  const s = c.snapshot();
  let t0 = performance.now();
  const sent = feed.send(s);
  const wire = sent.wire;
  t.delta += performance.now() - t0;
  t0 = performance.now();
  const ui = feed.receive(sent);
  t.apply += performance.now() - t0;
  t0 = performance.now();
  const rates = feed.rates();
  t.rates += performance.now() - t0;
  t0 = performance.now();
  const els = toFlowElements(ui, {}, { selection: null, rates, view, reuse });
  t.flow += performance.now() - t0;
  t0 = performance.now();
  const nodes: FlowNode[] = stabilise(nodeCache, lastNodes, els.nodes);
  const edges: FlowEdge[] = stabilise(edgeCache, lastEdges, els.edges, (x, y) => sameEdgeDrawing(x, y, isHeavyRate));
  t.stable += performance.now() - t0;
  if (i > 0) {
    const pn = lastNodes!;
    const pe = lastEdges!;
    t.bytes += wire.length;
    changed.nodes += nodes.filter((x: FlowNode, j: number) => pn[j] !== x).length;
    changed.edges += edges.filter((x: FlowEdge, j: number) => pe[j] !== x).length;
    changed.nodesTotal += nodes.length;
    changed.edgesTotal += edges.length;
  }
  lastNodes = nodes;
  lastEdges = edges;
}
const per = (x: number) => (x / frames).toFixed(1);
console.log(
  `${b}x${p} every ${step} ms: per frame ${per(t.bytes / 1024)} KiB; worker diff ${per(t.delta)} ms; apply ${per(t.apply)} ms, rates ${per(t.rates)} ms, ` +
    `toFlowElements ${per(t.flow)} ms, stabilise ${per(t.stable)} ms; changed nodes ${per(changed.nodes)} of ${per(changed.nodesTotal)}, edges ${per(changed.edges)} of ${per(changed.edgesTotal)}`,
);
