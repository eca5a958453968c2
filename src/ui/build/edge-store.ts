/**
 * The edge the user selected on the diagram (to delete it with Delete / Backspace) and the
 * edge's context menu. Kept apart from the node selection: an edge is not an inspector subject.
 */
import { create } from 'zustand';
import type { EdgeLink } from './connect';

export interface EdgeSelectionState {
  selected: { id: string; link: EdgeLink } | null;
  menu: { x: number; y: number; link: EdgeLink } | null;
  selectEdge(e: { id: string; link: EdgeLink } | null): void;
  openMenu(m: { x: number; y: number; link: EdgeLink } | null): void;
}

export const useEdgeStore = create<EdgeSelectionState>()((set) => ({
  selected: null,
  menu: null,
  selectEdge: (selected) => set({ selected, menu: null }),
  openMenu: (menu) => set({ menu }),
}));
