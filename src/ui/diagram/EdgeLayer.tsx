/**
 * One <svg> holding the bundled edges between brokers (edge-layer.ts says why), inside
 * xyflow's viewport (it pans and zooms with it, and exports with it) under the nodes: in
 * the edge-label layer, which sits between xyflow's edges and its nodes (our labels go to the
 * viewport portal instead, so it is otherwise empty).
 */
import { memo, useMemo } from 'react';
import { createPortal } from 'react-dom';
import { useStore, type ReactFlowState } from '@xyflow/react';
import { layerPaths, type NodeBoxes } from './edge-layer';
import type { FlowEdge } from './flow';

const domNodeOf = (s: ReactFlowState) => s.domNode;
const MARKER_ID = 'edge-layer-arrow';

export const EdgeLayer = memo(function EdgeLayer({ edges, boxes }: { edges: FlowEdge[]; boxes: NodeBoxes }) {
  const domNode = useStore(domNodeOf);
  const target = useMemo(() => domNode?.querySelector('.react-flow__edgelabel-renderer') ?? null, [domNode]);
  const paths = useMemo(() => layerPaths(edges, boxes.boxes), [edges, boxes]);
  if (!target || paths.length === 0) return null;
  return createPortal(
    <svg className="edge-layer" data-testid="edge-layer" data-edges={paths.length} aria-hidden="true">
      <defs>
        {/* xyflow's closed arrow (the other edges' markerEnd), at the same size. */}
        <marker className="react-flow__arrowhead" id={MARKER_ID} markerWidth="14" markerHeight="14" viewBox="-10 -10 20 20" markerUnits="strokeWidth" orient="auto-start-reverse" refX="0" refY="0">
          <polyline className="arrowclosed" style={{ strokeWidth: 1, stroke: '#b1b1b7', fill: '#b1b1b7' }} strokeLinecap="round" strokeLinejoin="round" points="-5,-4 0,0 -5,4 -5,-4" />
        </marker>
      </defs>
      {paths.map((p) => (
        <path key={p.id} data-id={p.id} d={p.d} className={p.className} fill="none" markerEnd={`url(#${MARKER_ID})`} />
      ))}
    </svg>,
    target,
  );
});
