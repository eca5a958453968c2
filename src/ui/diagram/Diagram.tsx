/**
 * The live diagram. Nodes and edges come from `toFlowElements` on every snapshot; this
 * component only adds what xyflow itself measured (node sizes) and feeds drags back into
 * the layout, which is saved into exported scenarios.
 */
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Background,
  Controls,
  MarkerType,
  Panel,
  ReactFlow,
  useNodesInitialized,
  useConnection,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type NodeChange,
  type ReactFlowState,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useClusterStore } from '../../state/cluster-store';
import { ratesOf } from '../../state/rates';
import { flowId, selectionForNode, type Selection } from '../../state/selection';
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient } from '../../state/worker-client';
import { ROWS_ALWAYS_MAX, createFlowCache, isHeavyRate, toFlowElements, type DiagramView, type FlowCache, type FlowEdge, type FlowNode } from './flow';
import { sameEdgeDrawing, stabilise, withMeasured, type MeasuredNode } from './stable';
import { nodeBoxes, splitEdges, type NodeBoxes } from './edge-layer';
import { EdgeLayer } from './EdgeLayer';
import { DiagramFind } from './DiagramFind';
import { nodeId } from '../../state/selection';
import { edgeTypes } from './KafkaEdge';
import { ROLE_LABEL, nodeTypes } from './nodes';
import { Palette } from './Palette';
import { QuorumPanel } from './QuorumPanel';
import { PALETTE_MIME, isPaletteItem, paletteOutcome, type PaletteItem } from './palette';
import { placeNode } from './place';
import { Abbr } from '../glossary';
import { DiagramTools } from './DiagramTools';
import { muteEdgeAnimationEvents } from './animation-events';
import { setDragging, useAutoLayout, useAutoLayoutStore } from './useAutoLayout';
import { elk } from './auto-layout';
import { connectionOutcome, edgeDeletion, edgeLinkLabel, type EdgeLink } from '../build/connect';
import { useEdgeStore } from '../build/edge-store';

/** An edge drawn from a connector: what it would do, for xyflow's isValidConnection. */
function drawnOutcome(c: Connection | Edge) {
  const snapshot = useClusterStore.getState().snapshot;
  if (!snapshot) return { ok: false as const, hint: 'The cluster is starting.' };
  return connectionOutcome(snapshot, { source: c.source, sourceHandle: c.sourceHandle ?? null, target: c.target, targetHandle: c.targetHandle ?? null });
}

function isValidConnection(c: Connection | Edge): boolean {
  return drawnOutcome(c).ok;
}

function onConnect(c: Connection): void {
  const r = drawnOutcome(c);
  const ui = useUiStore.getState();
  if (!r.ok) {
    ui.toast(r.hint, 'error');
    return;
  }
  getWorkerClient()?.perform(r.action);
  ui.toast(r.message);
}

/** While an edge is being drawn: what dropping it here would do, or why it cannot. */
function ConnectHint() {
  const c = useConnection();
  if (!c.inProgress) return null;
  const from = c.fromNode?.id ?? null;
  const target = c.toNode?.id ?? null;
  const r = target
    ? drawnOutcome({ source: from!, sourceHandle: c.fromHandle?.id ?? null, target, targetHandle: c.toHandle?.id ?? null })
    : null;
  const fromKind = from?.startsWith('producer-') ? 'producer' : 'consumer';
  const text = r
    ? r.ok
      ? r.message
      : r.hint
    : fromKind === 'producer'
      ? "Drop on a topic's partition row: the producer sends there."
      : "Drop on a topic's partition row to subscribe, or on another group's box to join it.";
  return (
    <Panel position="top-center" className={`connect-hint${r ? (r.ok ? ' accepted' : ' refused') : ''}`} data-testid="connect-hint" role="status">
      {text}
    </Panel>
  );
}

/** Deletes what a drawn edge stands for (a load, a subscription): a timeline action like any other. */
export function deleteEdgeLink(link: EdgeLink): void {
  const snapshot = useClusterStore.getState().snapshot;
  const ui = useUiStore.getState();
  useEdgeStore.getState().selectEdge(null);
  if (!snapshot) return;
  const r = edgeDeletion(snapshot, link);
  if ('refused' in r) {
    ui.toast(r.refused, 'error');
    return;
  }
  getWorkerClient()?.perform(r.action);
  ui.toast(r.message);
}

/** Delete / Backspace on a selected edge deletes it (before the command shortcuts see the key). */
function useEdgeDeleteKey() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Delete' && e.key !== 'Backspace') return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      const sel = useEdgeStore.getState().selected;
      if (!sel) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      deleteEdgeLink(sel.link);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
}

/** An edge's context menu: the one thing a drawn edge can have done to it. */
function EdgeMenu() {
  const menu = useEdgeStore((s) => s.menu);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!menu) return;
    ref.current?.querySelector('button')?.focus();
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent && e.key !== 'Escape') return;
      if (e instanceof MouseEvent && ref.current?.contains(e.target as Node)) return;
      useEdgeStore.getState().openMenu(null);
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', close);
    };
  }, [menu]);
  if (!menu) return null;
  return (
    <div className="edge-menu" role="menu" ref={ref} style={{ left: menu.x, top: menu.y }} data-testid="edge-menu">
      <button type="button" role="menuitem" onClick={() => deleteEdgeLink(menu.link)}>
        {edgeLinkLabel(menu.link)} <span className="menu-shortcut">Delete</span>
      </button>
    </div>
  );
}

type Size = { width: number; height: number };

const sameEdge = (a: FlowEdge, b: FlowEdge) => sameEdgeDrawing(a, b, isHeavyRate);

/**
 * `stabilise` with its cache and last frame's array kept across renders: the function it
 * returns (the same one every render) maps a frame's items to the objects to render.
 */
function useStabiliser<T extends { id: string }>(): (next: T[], equal?: (a: T, b: T) => boolean) => T[] {
  const state = useRef<{ cache: Map<string, T>; last: T[] | null }>({ cache: new Map(), last: null });
  return useCallback((next: T[], equal?: (a: T, b: T) => boolean) => (state.current.last = stabilise(state.current.cache, state.current.last, next, equal)), []);
}

/*
 * The diagram's handlers are defined once, not inline: xyflow hands them to every edge and
 * node wrapper, and a new function each render re-rendered all of them on every frame (at
 * 50 brokers x 1,000 partitions, some 700 edges each frame; issue 10).
 */

/** A click on empty space (not a drag) clears the selection, as in most editors. */
function onPaneClick(): void {
  useUiStore.getState().select(null);
  useEdgeStore.getState().selectEdge(null);
}

/** Drawn edges (a load, a subscription) are selected by a click, deleted with Delete or their menu. */
function onEdgeClick(_e: ReactMouseEvent, edge: FlowEdge): void {
  const link = edge.data?.link;
  if (!link) return;
  useUiStore.getState().select(null);
  useEdgeStore.getState().selectEdge({ id: edge.id, link });
}

function onEdgeContextMenu(e: ReactMouseEvent, edge: FlowEdge): void {
  const link = edge.data?.link;
  if (!link) return;
  e.preventDefault();
  useUiStore.getState().select(null);
  useEdgeStore.getState().selectEdge({ id: edge.id, link });
  useEdgeStore.getState().openMenu({ x: e.clientX, y: e.clientY, link });
}

/** The user moving the view ends a search's centring. */
function onMoveStart(event: MouseEvent | TouchEvent | null): void {
  if (event && useUiStore.getState().centreOn) useUiStore.getState().clearCentre();
}

/**
 * Error 008 (an edge's handle is not measured yet) is expected for one frame when rows
 * appear (a new topic, a new assignment) together with their edges; the edge shows as soon
 * as the node's internals are updated. Anything else is worth a warning in development.
 */
function onFlowError(code: string, message: string): void {
  if (code === '008') return;
  if (import.meta.env.DEV) console.warn(`[React Flow] ${message}`);
}

/** Zoom at and above which brokers of a large cluster show their replica rows; below ZOOM_CARDS_BELOW, cards again. */
export const ZOOM_ROWS_AT = 0.9;
export const ZOOM_CARDS_BELOW = 0.75;

/**
 * The bottom edge of the strip along the diagram's top (.diagram-top), kept by a
 * ResizeObserver: it reports after the browser's own layout, where reading the strip's box
 * costs nothing. Read when the view is fitted instead, right after the commit that showed
 * the new nodes, it forced a layout of the whole page (24-50 ms while a large link opened),
 * done again by the frame that followed. 0 until the strip has been laid out.
 *
 * The observer is made while the diagram renders, before xyflow's own (made as its nodes
 * render): observers report in the order they were made, so a strip that changed size in
 * the layout that measured new nodes has been read before those nodes' measures fit the view.
 */
function useStripBottom(): { readonly current: number } {
  const [watch] = useState(() => {
    const bottom = { current: 0 };
    const read = (strip: HTMLElement) => (bottom.current = strip.offsetTop + strip.offsetHeight);
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver((entries) => entries.forEach((e) => read(e.target as HTMLElement)));
    return { bottom, read, ro };
  });
  useEffect(() => {
    const strip = document.querySelector<HTMLElement>('.diagram-top');
    if (!strip) return;
    if (!watch.ro) {
      watch.read(strip);
      return;
    }
    watch.ro.observe(strip);
    return () => watch.ro?.unobserve(strip);
  }, [watch]);
  return watch.bottom;
}

/** Fits the view when the set of nodes changes (a broker added, a consumer joined). */
function AutoFit({ nodeIds, onFitted, stripBottom }: { nodeIds: string; onFitted(): void; stripBottom: { readonly current: number } }) {
  const initialized = useNodesInitialized();
  const { fitView } = useReactFlow();
  const fitted = useRef('');
  useEffect(() => {
    if (!initialized || fitted.current === nodeIds) return;
    fitted.current = nodeIds;
    // The padding keeps nodes clear of the palette strip (left), the strip of the quorum's line
    // and the legend (top: one row unless the diagram is narrow, when it wraps) and the
    // diagram tools (bottom).
    const top = Math.max(56, stripBottom.current > 0 ? stripBottom.current + 16 : 0);
    void fitView({ padding: { top: `${top}px`, right: '16px', bottom: '56px', left: '96px' }, maxZoom: 1.1, duration: 0 }).then(onFitted);
  }, [initialized, nodeIds, fitView, onFitted, stripBottom]);
  return null;
}

/**
 * Zoomed in far enough to read replica rows, with hysteresis (in at ZOOM_ROWS_AT, out below
 * ZOOM_CARDS_BELOW) so a zoom near the line does not flip the picture back and forth; only
 * this boolean re-renders the diagram, not every zoom step. False until the first fit (the
 * view starts at zoom 1 before it is fitted).
 */
function useZoomedIn(fitted: boolean): boolean {
  const last = useRef(false);
  const selector = useCallback((s: ReactFlowState) => {
    const z = s.transform[2];
    return last.current ? z >= ZOOM_CARDS_BELOW : z >= ZOOM_ROWS_AT;
  }, []);
  const zoomedIn = useStore(selector);
  last.current = zoomedIn;
  return fitted && zoomedIn;
}

/**
 * Brings a partition found by the search into view, centred, once the layout of what is
 * shown has settled (selecting it may have opened its broker's rows, and zooming in opens
 * every broker's). It centres again after each new layout until the user moves the view.
 */
function CentreOnFound({ settledKey, zoomedIn }: { settledKey: string | null; zoomedIn: boolean }) {
  const centreOn = useUiStore((s) => s.centreOn);
  const { setCenter, getZoom, getInternalNode } = useReactFlow();
  useEffect(() => {
    if (!centreOn || settledKey === null) return;
    const snapshot = useClusterStore.getState().snapshot;
    const p = snapshot?.partitions.find((x) => x.topic === centreOn.topic && x.partition === centreOn.partition);
    if (!p) return;
    const broker = p.leader >= 0 ? p.leader : p.replicas[0]!;
    const key = `${p.topic}-${p.partition}`;
    const node = getInternalNode(flowId.encode(nodeId.broker(broker)));
    const nodeEl = document.querySelector<HTMLElement>(`[data-testid="broker-${broker}"]`);
    const row = document.querySelector<HTMLElement>(`[data-testid="replica-${key}-b${broker}"]`) ?? document.querySelector<HTMLElement>(`[data-testid="topic-row-${p.topic}-b${broker}"]`);
    if (!node || !nodeEl) return;
    const zoom = getZoom();
    const at = node.internals.positionAbsolute;
    const width = node.measured.width ?? 264;
    let y = at.y + (node.measured.height ?? 100) / 2;
    if (row) {
      const r = row.getBoundingClientRect();
      const n = nodeEl.getBoundingClientRect();
      y = at.y + (r.top - n.top + r.height / 2) / zoom;
    }
    // Zoomed out, close enough to read the rows of the found partition's broker (a selection
    // opens them) but not so close that every broker opens its rows.
    void setCenter(at.x + width / 2, y, { zoom: zoomedIn ? zoom : Math.max(zoom, ZOOM_CARDS_BELOW - 0.01), duration: 0 });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- zoomedIn is read, not a reason to centre again
  }, [centreOn, settledKey, setCenter, getZoom, getInternalNode]);
  return null;
}

/** A right-click target: a replica row names a partition, anything else its node (`id` as xyflow has it). */
function selectionAt(target: EventTarget | null, id: string): Selection | null {
  const row = target instanceof Element ? target.closest<HTMLElement>('[data-partition]') : null;
  const key = row?.dataset.partition;
  const owner = selectionForNode(flowId.decode(id));
  if (key && owner?.kind === 'broker') {
    const dash = key.lastIndexOf('-');
    return { kind: 'partition', topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)), broker: owner.id };
  }
  return owner;
}

/** A palette item pressed, or dropped at a canvas position (on a group, if groupId). */
function usePaletteHandlers() {
  const { screenToFlowPosition, getNodes } = useReactFlow<FlowNode, FlowEdge>();
  const apply = useCallback((item: PaletteItem, at: { x: number; y: number } | null, groupId: string | null) => {
    const snapshot = useClusterStore.getState().snapshot;
    if (!snapshot) return;
    const outcome = paletteOutcome(item, snapshot, at, groupId);
    const ui = useUiStore.getState();
    if (outcome.kind === 'perform') {
      if (outcome.place) placeNode(outcome.place.nodeId, outcome.place.at);
      getWorkerClient()?.perform(outcome.action);
    } else if (outcome.kind === 'dialog') {
      ui.openDialog(outcome.dialog);
    } else {
      ui.toast(outcome.message, 'error');
    }
  }, []);
  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(PALETTE_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      const item = e.dataTransfer.getData(PALETTE_MIME);
      if (!isPaletteItem(item)) return;
      e.preventDefault();
      const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // A consumer dropped on a group's container (or on one of its members) joins that group.
      const hit = getNodes().find(
        (n) => n.type === 'consumerGroup' && at.x >= n.position.x && at.y >= n.position.y && at.x <= n.position.x + (n.width ?? 0) && at.y <= n.position.y + (n.height ?? 0),
      );
      const groupId = hit && hit.type === 'consumerGroup' ? hit.data.groupId : null;
      apply(item, { x: Math.round(at.x), y: Math.round(at.y) }, groupId);
    },
    [apply, screenToFlowPosition, getNodes],
  );
  const onPress = useCallback((item: PaletteItem) => apply(item, null, null), [apply]);
  return { onDragOver, onDrop, onPress };
}

export function Diagram() {
  // Moving edges repeat a CSS animation; keep its events out of React's dispatch (animation-events.ts).
  useEffect(() => muteEdgeAnimationEvents(window), []);
  // ELK's worker loads its module while the first frames arrive, ready for the first layout.
  useEffect(() => elk.prestart(), []);
  const palette = usePaletteHandlers();
  const connecting = useConnection((c) => c.inProgress);
  useEdgeDeleteKey();
  // The cluster's frames are drawn at a deferred priority: React renders the new diagram in
  // slices that yield to input and painting (a frame of a 1,000-partition cluster is a long
  // render), and a newer frame that arrives meanwhile replaces the one in progress.
  const snapshot = useDeferredValue(useClusterStore((s) => s.snapshot));
  const rateSamples = useDeferredValue(useClusterStore((s) => s.rateSamples));
  const layout = useUiStore((s) => s.layout);
  const selection = useUiStore((s) => s.selection);
  // Selecting a node ends an edge's selection (Delete then removes the node, not the edge).
  useEffect(() => {
    if (selection) useEdgeStore.getState().selectEdge(null);
  }, [selection]);
  const [measured, setMeasured] = useState<Record<string, Size>>({});
  // The automatic layout's positions under the user's own (auto-layout.ts).
  const auto = useAutoLayoutStore((s) => s.positions);
  const fitSeq = useAutoLayoutStore((s) => s.fitSeq);
  const placed = useMemo(() => ({ ...auto, ...layout }), [auto, layout]);
  const [fitted, setFitted] = useState(false);
  const stripBottom = useStripBottom();
  const onFitted = useCallback(() => setFitted(true), []);
  const zoomedIn = useZoomedIn(fitted);
  const topicFilter = useUiStore((s) => s.topicFilter);
  const collapsedTopics = useUiStore((s) => s.collapsedTopics);
  const view = useMemo<DiagramView>(() => ({ zoomedIn, topicFilter, collapsedTopics }), [zoomedIn, topicFilter, collapsedTopics]);

  // Last frame's broker nodes, handed back by toFlowElements where they did not change.
  const flowCache = useRef<FlowCache | null>(null);
  const elements = useMemo(
    () =>
      snapshot
        ? toFlowElements(snapshot, placed, { selection, rates: ratesOf(rateSamples), view, reuse: (flowCache.current ??= createFlowCache()) })
        : { nodes: [] as FlowNode[], edges: [] as FlowEdge[] },
    [snapshot, placed, selection, rateSamples, view],
  );
  const { settled, appliedKey } = useAutoLayout(elements.nodes, elements.edges, measured, layout);
  // Regenerated nodes must carry xyflow's measurements, or it would hide and re-measure them;
  // unchanged ones keep last frame's object, so xyflow and React skip them.
  const stableNodes = useStabiliser<FlowNode>();
  const measuredCache = useRef(new Map<string, MeasuredNode>());
  const nodes = useMemo(() => stableNodes(withMeasured(measuredCache.current, elements.nodes, measured)), [stableNodes, elements.nodes, measured]);
  // Bundles between brokers go to one SVG layer (edge-layer.ts), the rest to xyflow; each
  // list keeps last frame's array while its own edges draw the same.
  const split = useMemo(() => splitEdges(elements.edges), [elements.edges]);
  const stableEdges = useStabiliser<FlowEdge>();
  const edges = useMemo(
    () => stableEdges(split.flow.map((e) => ({ ...e, markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 } })), sameEdge),
    [stableEdges, split.flow],
  );
  const stableLayer = useStabiliser<FlowEdge>();
  const layerEdges = useMemo(() => stableLayer(split.layer, sameEdge), [stableLayer, split.layer]);
  // Where the brokers are: a new object only when one moved or was resized (not when a card's numbers changed).
  const lastBoxes = useRef<NodeBoxes | null>(null);
  const boxes = useMemo(() => {
    const next = nodeBoxes(nodes);
    return lastBoxes.current?.key === next.key ? lastBoxes.current : (lastBoxes.current = next);
  }, [nodes]);
  // What the view is fitted to: the nodes, and how many replicas each broker holds (a new
  // topic makes brokers taller and could push the groups out of sight), whatever their detail.
  // A large cluster zoomed in has thousands of rows and edges: draw only what is on screen.
  const large = useMemo(() => elements.nodes.some((n) => n.type === 'broker' && n.data.replicaCount > ROWS_ALWAYS_MAX), [elements.nodes]);
  const nodeIds = useMemo(
    () => elements.nodes.map((n) => (n.type === 'broker' ? `${n.id}:${n.data.replicaCount}` : n.id)).join('|'),
    [elements.nodes],
  );
  // ...and again when the automatic layout moved things for a new shape of the cluster.
  const fitKey = `${nodeIds}#${fitSeq}`;

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    let next: Record<string, Size> | null = null;
    for (const c of changes) {
      if (c.type === 'dimensions' && c.dimensions) {
        next ??= {};
        next[c.id] = c.dimensions;
      } else if (c.type === 'position' && c.position) {
        // The layout is keyed by real node ids (the scenario's `layout`), not xyflow's.
        useUiStore.getState().moveNode(flowId.decode(c.id), c.position);
      }
    }
    if (next) {
      const add = next;
      setMeasured((m) => ({ ...m, ...add }));
    }
  }, []);

  const onNodeDragStart = useCallback(() => setDragging(true), []);
  const onNodeDragStop = useCallback(() => {
    getWorkerClient()?.setLayout(useUiStore.getState().layout);
    setDragging(false);
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
    <div
      className="diagram"
      data-testid="diagram"
      aria-label="Cluster diagram"
      role="region"
      // 'settled' once the automatic layout has placed what is shown (tests wait for it).
      data-layout={settled ? 'settled' : 'pending'}
      // Where ELK ran the layout shown: 'worker' in a browser (elk-layout.ts), 'page' after a fallback.
      data-layout-engine={settled ? (elk.engine() ?? undefined) : undefined}
      data-zoomed-in={zoomedIn ? 'true' : 'false'}
      data-connecting={connecting ? 'true' : 'false'}
    >
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onNodeDragStart={onNodeDragStart}
        onNodeDragStop={onNodeDragStop}
        onNodeContextMenu={onNodeContextMenu}
        onDragOver={palette.onDragOver}
        onDrop={palette.onDrop}
        onPaneClick={onPaneClick}
        onEdgeClick={onEdgeClick}
        onEdgeContextMenu={onEdgeContextMenu}
        // Edges are drawn from a producer's or consumer's connector (build/connect.ts).
        isValidConnection={isValidConnection}
        onConnect={onConnect}
        connectionRadius={24}
        onMoveStart={onMoveStart}
        nodesConnectable
        elementsSelectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        // Space is play/pause (the command registry); xyflow would swallow it for panning.
        panActivationKeyCode={null}
        onError={onFlowError}
        onlyRenderVisibleElements={large}
        // Low enough that the fitted view holds a 50-broker grid of cards whole at 1280x720
        // (at 0.2 it clipped the last column).
        minZoom={0.1}
        maxZoom={2}
      >
        <Background gap={24} size={1} color="#d9dee7" />
        <EdgeLayer edges={layerEdges} boxes={boxes} />
        <Controls showInteractive={false} position="bottom-right" />
        <AutoFit nodeIds={fitKey} onFitted={onFitted} stripBottom={stripBottom} />
        <CentreOnFound settledKey={settled ? appliedKey : null} zoomedIn={zoomedIn} />
        <DiagramFind />
        <DiagramTools />
        <Palette onPress={palette.onPress} />
        <ConnectHint />
        {/* One strip along the top: the controller quorum's line, then the legend; it wraps only on a narrow diagram. */}
        <Panel position="top-right" className="diagram-top">
          <QuorumPanel />
          <div className="legend" aria-label="Legend" role="group">
            {(['leader', 'in-sync', 'out-of-sync', 'offline'] as const).map((r) => (
              <span key={r} className={`role-pill role-${r}`}>
                <span aria-hidden="true">{ROLE_LABEL[r].icon}</span> {ROLE_LABEL[r].text}
              </span>
            ))}
            <span className="legend-note">
              <Abbr term="LEO" /> · <Abbr term="HW" /> · <Abbr term="start" />
            </span>
          </div>
        </Panel>
      </ReactFlow>
      {!snapshot && <div className="diagram-empty">Starting the cluster…</div>}
      {snapshot && snapshot.brokers.length === 0 && (
        <div className="diagram-empty empty-canvas-hint" data-testid="empty-canvas-hint">
          An empty cluster: drag a Broker from the palette (left) to start, then a Topic, a Producer and a Consumer, and draw edges from their + connectors.
        </div>
      )}
      <EdgeMenu />
    </div>
  );
}
