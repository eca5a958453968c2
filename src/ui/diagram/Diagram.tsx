/**
 * The live diagram. Nodes and edges come from `toFlowElements` on every snapshot; this
 * component only adds what xyflow itself measured (node sizes) and feeds drags back into
 * the layout, which is saved into exported scenarios.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Background,
  Controls,
  MarkerType,
  Panel,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  type NodeChange,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useClusterStore } from '../../state/cluster-store';
import { ratesOf } from '../../state/rates';
import { selectionForNode, type Selection } from '../../state/selection';
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient } from '../../state/worker-client';
import { toFlowElements, type FlowEdge, type FlowNode } from './flow';
import { edgeTypes } from './KafkaEdge';
import { ROLE_LABEL, nodeTypes } from './nodes';

type Size = { width: number; height: number };

/**
 * Error 008 (an edge's handle is not measured yet) is expected for one frame when rows
 * appear (a new topic, a new assignment) together with their edges; the edge shows as soon
 * as the node's internals are updated. Anything else is worth a warning in development.
 */
function onFlowError(code: string, message: string): void {
  if (code === '008') return;
  if (import.meta.env.DEV) console.warn(`[React Flow] ${message}`);
}

/** Fits the view when the set of nodes changes (a broker added, a consumer joined). */
function AutoFit({ nodeIds }: { nodeIds: string }) {
  const initialized = useNodesInitialized();
  const { fitView } = useReactFlow();
  const fitted = useRef('');
  useEffect(() => {
    if (!initialized || fitted.current === nodeIds) return;
    fitted.current = nodeIds;
    void fitView({ padding: 0.04, maxZoom: 1.1, duration: 0 });
  }, [initialized, nodeIds, fitView]);
  return null;
}

/** A right-click target: a replica row names a partition, anything else its node. */
function selectionAt(target: EventTarget | null, nodeId: string): Selection | null {
  const row = target instanceof Element ? target.closest<HTMLElement>('[data-partition]') : null;
  const key = row?.dataset.partition;
  const owner = selectionForNode(nodeId);
  if (key && owner?.kind === 'broker') {
    const dash = key.lastIndexOf('-');
    return { kind: 'partition', topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)), broker: owner.id };
  }
  return owner;
}

export function Diagram() {
  const snapshot = useClusterStore((s) => s.snapshot);
  const rateSamples = useClusterStore((s) => s.rateSamples);
  const layout = useUiStore((s) => s.layout);
  const selection = useUiStore((s) => s.selection);
  const [measured, setMeasured] = useState<Record<string, Size>>({});

  const elements = useMemo(
    () =>
      snapshot
        ? toFlowElements(snapshot, layout, { selection, rates: ratesOf(rateSamples) })
        : { nodes: [] as FlowNode[], edges: [] as FlowEdge[] },
    [snapshot, layout, selection, rateSamples],
  );
  // Regenerated nodes must carry xyflow's measurements, or it would hide and re-measure them.
  const nodes = useMemo(
    () => elements.nodes.map((n) => (measured[n.id] ? { ...n, measured: measured[n.id] } : n)),
    [elements.nodes, measured],
  );
  const edges = useMemo(
    () =>
      elements.edges.map((e) => ({
        ...e,
        markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 },
      })),
    [elements.edges],
  );
  const nodeIds = useMemo(() => elements.nodes.map((n) => n.id).join('|'), [elements.nodes]);

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    let next: Record<string, Size> | null = null;
    for (const c of changes) {
      if (c.type === 'dimensions' && c.dimensions) {
        next ??= {};
        next[c.id] = c.dimensions;
      } else if (c.type === 'position' && c.position) {
        useUiStore.getState().moveNode(c.id, c.position);
      }
    }
    if (next) {
      const add = next;
      setMeasured((m) => ({ ...m, ...add }));
    }
  }, []);

  const onNodeDragStop = useCallback(() => {
    getWorkerClient()?.setLayout(useUiStore.getState().layout);
  }, []);

  const onNodeContextMenu = useCallback((event: ReactMouseEvent, node: FlowNode) => {
    event.preventDefault();
    const target = selectionAt(event.target, node.id);
    if (!target) return;
    let { clientX: x, clientY: y } = event;
    if (x === 0 && y === 0 && event.target instanceof Element) {
      // Opened from the keyboard (context-menu key): anchor to the focused element.
      const r = event.target.getBoundingClientRect();
      x = r.left + 12;
      y = r.bottom;
    }
    const ui = useUiStore.getState();
    ui.select(target);
    ui.openContextMenu({ x, y, target });
  }, []);

  return (
    <div className="diagram" data-testid="diagram" aria-label="Cluster diagram" role="region">
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onNodeDragStop={onNodeDragStop}
        onNodeContextMenu={onNodeContextMenu}
        // A click on empty space (not a drag) clears the selection, as in most editors.
        onPaneClick={() => useUiStore.getState().select(null)}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        // Space is play/pause (the command registry); xyflow would swallow it for panning.
        panActivationKeyCode={null}
        onError={onFlowError}
        minZoom={0.2}
        maxZoom={2}
      >
        <Background gap={24} size={1} color="#d9dee7" />
        <Controls showInteractive={false} position="bottom-right" />
        <AutoFit nodeIds={nodeIds} />
        <Panel position="top-right" className="legend" aria-label="Legend">
          {(['leader', 'in-sync', 'out-of-sync', 'offline'] as const).map((r) => (
            <span key={r} className={`role-pill role-${r}`}>
              <span aria-hidden="true">{ROLE_LABEL[r].icon}</span> {ROLE_LABEL[r].text}
            </span>
          ))}
          <span className="legend-note">LEO log end · HW high watermark</span>
        </Panel>
      </ReactFlow>
      {!snapshot && <div className="diagram-empty">Starting the cluster…</div>}
    </div>
  );
}
