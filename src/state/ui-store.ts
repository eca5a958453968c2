/**
 * UI-only state: selection, open dialog and context menu, diagram layout, panel settings.
 * Nothing here changes the run, except that the layout is saved into exported scenarios.
 */
import { create } from 'zustand';
import type { Layout } from '../worker/protocol';
import type { Selection } from './selection';
import type { DialogRequest } from '../ui/commands';
import type { ChartTarget } from '../ui/charts/chart-defs';

/** The charts panel: the metrics list, or one target's charts (null: closed). */
export type ChartsView = { view: 'metrics' } | { view: 'chart'; target: ChartTarget };

export interface ContextMenuState {
  x: number;
  y: number;
  target: Selection;
}

export interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'error';
  /** A button on the toast that selects something (the partition a record went to). */
  show?: { label: string; selection: Selection };
}

/** A record to point at in its partition's log (the outcome of a produce). */
export interface RecordHighlight {
  topic: string;
  partition: number;
  offset: number;
}

/** What the Produce dialog remembers for the next record. */
export interface ProduceMemory {
  producer: string;
  topic: string;
  partition: string;
  key: string;
}

/** A shared link opened at a moment (its `&t=`): the banner that says so, until Play or dismiss. */
export interface SharedMoment {
  t: number;
  name: string | null;
}

export interface UiState {
  selection: Selection | null;
  dialog: DialogRequest | null;
  contextMenu: ContextMenuState | null;
  layout: Layout;
  eventLogOpen: boolean;
  toasts: Toast[];
  sharedMoment: SharedMoment | null;
  setSharedMoment(m: SharedMoment | null): void;
  /** The "Reset the playground?" confirmation is open (from the status chip or a failed panel). */
  resetOpen: boolean;
  /** Counts confirmed resets: a failed panel tries to draw again after one. */
  resetSeq: number;
  select(s: Selection | null): void;
  openDialog(d: DialogRequest): void;
  closeDialog(): void;
  openContextMenu(m: ContextMenuState): void;
  closeContextMenu(): void;
  setLayout(layout: Layout): void;
  moveNode(id: string, pos: { x: number; y: number }): void;
  toggleEventLog(): void;
  /** The Kafka command line (src/ui/terminal), a panel at the bottom. */
  terminalOpen: boolean;
  setTerminalOpen(open: boolean): void;
  toast(text: string, tone?: Toast['tone'], show?: Toast['show']): void;
  highlight: RecordHighlight | null;
  setHighlight(h: RecordHighlight | null): void;
  lastProduce: ProduceMemory | null;
  rememberProduce(m: ProduceMemory): void;
  dismissToast(id: number): void;
  openReset(): void;
  closeReset(): void;
  resetConfirmed(): void;
  charts: ChartsView | null;
  openCharts(v: ChartsView | null): void;
  /** The diagram shows only this topic (null: every topic). */
  topicFilter: string | null;
  setTopicFilter(topic: string | null): void;
  /** Topics the diagram draws as one row per broker. */
  collapsedTopics: string[];
  toggleCollapsedTopic(topic: string): void;
  /** A partition found by the diagram's search, to bring into view (Diagram.tsx centres it, then clears this). */
  centreOn: { topic: string; partition: number; seq: number } | null;
  requestCentre(topic: string, partition: number): void;
  clearCentre(): void;
}

let toastSeq = 0;

export const useUiStore = create<UiState>()((set) => ({
  selection: null,
  dialog: null,
  contextMenu: null,
  layout: {},
  eventLogOpen: true,
  toasts: [],
  sharedMoment: null,
  setSharedMoment: (sharedMoment) => set({ sharedMoment }),
  resetOpen: false,
  resetSeq: 0,
  // Selecting something shows it in the inspector, where the charts were.
  select: (selection) => set({ selection, contextMenu: null, charts: null }),
  openDialog: (dialog) => set({ dialog, contextMenu: null }),
  closeDialog: () => set({ dialog: null }),
  openContextMenu: (contextMenu) => set({ contextMenu }),
  closeContextMenu: () => set({ contextMenu: null }),
  setLayout: (layout) => set({ layout }),
  moveNode: (id, pos) => set((s) => ({ layout: { ...s.layout, [id]: { x: Math.round(pos.x), y: Math.round(pos.y) } } })),
  toggleEventLog: () => set((s) => ({ eventLogOpen: !s.eventLogOpen })),
  terminalOpen: false,
  setTerminalOpen: (terminalOpen) => set({ terminalOpen }),
  toast: (text, tone = 'info', show) =>
    set((s) => ({ toasts: s.toasts.concat(show ? { id: ++toastSeq, text, tone, show } : { id: ++toastSeq, text, tone }).slice(-3) })),
  highlight: null,
  setHighlight: (highlight) => set({ highlight }),
  lastProduce: null,
  rememberProduce: (lastProduce) => set({ lastProduce }),
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  openReset: () => set({ resetOpen: true, contextMenu: null }),
  closeReset: () => set({ resetOpen: false }),
  resetConfirmed: () => set((s) => ({ resetOpen: false, resetSeq: s.resetSeq + 1 })),
  charts: null,
  openCharts: (charts) => set({ charts }),
  topicFilter: null,
  setTopicFilter: (topicFilter) => set({ topicFilter }),
  collapsedTopics: [],
  toggleCollapsedTopic: (topic) =>
    set((s) => ({ collapsedTopics: s.collapsedTopics.includes(topic) ? s.collapsedTopics.filter((t) => t !== topic) : s.collapsedTopics.concat(topic).sort() })),
  centreOn: null,
  requestCentre: (topic, partition) => set((s) => ({ centreOn: { topic, partition, seq: (s.centreOn?.seq ?? 0) + 1 } })),
  clearCentre: () => set({ centreOn: null }),
}));
