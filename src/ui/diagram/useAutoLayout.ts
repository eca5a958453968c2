/**
 * Runs the automatic layout (auto-layout.ts) for the live diagram and keeps its result: the
 * positions of nodes the user has not placed. It runs again when the cluster's shape
 * changes (nodes added or removed, brokers taller, groups wider), when a node is first
 * measured, after a drag ends or a node is dropped from the palette (others move clear of
 * it), and on Tidy, which also forgets the user's own positions.
 *
 * The positions live in a small store of their own so the diagram can read them before it
 * builds its elements and this hook, which needs those elements, can write them after.
 */
import { useEffect, useMemo, useRef } from 'react';
import { create } from 'zustand';
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient } from '../../state/worker-client';
import type { Layout } from '../../worker/protocol';
import { autoLayout, fitShape, layoutInputOf, layoutKey } from './auto-layout';
import type { FlowEdge, FlowNode } from './flow';

interface AutoLayoutState {
  /** ELK's positions (pinned ones included, as the user left them). */
  positions: Layout;
  /** Bumped when a layout should be brought into view (the cluster changed shape, Tidy). */
  fitSeq: number;
  /** Bumped by Tidy. */
  tidySeq: number;
  /** Bumped when a drag ends: the dropped node is a new pin. */
  dropSeq: number;
  /** The key (layoutKey) of the layout applied last: when it is the current one, the layout is settled. */
  appliedKey: string;
  dragging: boolean;
}

export const useAutoLayoutStore = create<AutoLayoutState>()(() => ({
  positions: {},
  fitSeq: 0,
  tidySeq: 0,
  dropSeq: 0,
  appliedKey: '',
  dragging: false,
}));

/** Forgets every position the user chose (here and in the scenario) and lays everything out again. */
export function tidyLayout(): void {
  useUiStore.getState().setLayout({});
  getWorkerClient()?.setLayout({}, { replace: true });
  useAutoLayoutStore.setState((s) => ({ tidySeq: s.tidySeq + 1 }));
}

export function setDragging(dragging: boolean): void {
  useAutoLayoutStore.setState((s) => (dragging ? { dragging } : { dragging, dropSeq: s.dropSeq + 1 }));
}

type Size = { width: number; height: number };

/** Runs the layout when due; says whether the positions shown are the layout of what is shown. */
export function useAutoLayout(
  nodes: FlowNode[],
  edges: FlowEdge[],
  measured: Record<string, Size>,
  userLayout: Layout,
): { settled: boolean; appliedKey: string } {
  const input = useMemo(() => layoutInputOf(nodes, edges, measured, userLayout), [nodes, edges, measured, userLayout]);
  const key = layoutKey(input, measured);
  // The shape alone (no pins, no level of detail): a change here is worth re-fitting the
  // view; a drag is not, nor brokers opening their rows as the user zooms in (a fit would
  // zoom out again).
  const shape = fitShape(input, measured);
  const latest = useRef(input);
  latest.current = input;
  const lastShape = useRef('');
  const lastTidy = useRef(0);

  const tidySeq = useAutoLayoutStore((s) => s.tidySeq);
  const dropSeq = useAutoLayoutStore((s) => s.dropSeq);
  const dragging = useAutoLayoutStore((s) => s.dragging);

  useEffect(() => {
    // While a node is dragged its pin changes every frame: wait for the drop.
    if (dragging) return;
    let cancelled = false;
    const fit = shape !== lastShape.current || tidySeq !== lastTidy.current;
    autoLayout(latest.current).then(
      (positions) => {
        if (cancelled) return;
        lastShape.current = shape;
        lastTidy.current = tidySeq;
        useAutoLayoutStore.setState((s) => ({ positions, appliedKey: key, fitSeq: fit ? s.fitSeq + 1 : s.fitSeq }));
      },
      (err: unknown) => {
        if (cancelled) return;
        // The estimated layout stays; say why it was not improved.
        useUiStore.getState().toast(`Automatic layout failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key, shape, tidySeq, dropSeq, dragging]);
  const appliedKey = useAutoLayoutStore((s) => s.appliedKey);
  return { settled: appliedKey === key, appliedKey };
}
