/**
 * Narrow windows (below 1200 px): the inspector and the event log leave the grid and become
 * drawers over the diagram, opened by toggle buttons at the top right (and the inspector by
 * selecting something), closed by the same buttons or Escape. One drawer at a time, so the
 * diagram always keeps most of the window. Wide windows are untouched.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import { useUiStore } from '../../state/ui-store';
import './drawers.css';

/** Below this width the side panels are drawers (the wide layout needs it: 420 px inspector). */
export const NARROW_QUERY = '(max-width: 1199px)';

export type Drawer = 'inspector' | 'log';

interface DrawerState {
  narrow: boolean;
  open: Drawer | null;
  toggle(d: Drawer): void;
  close(): void;
}

const initialNarrow = typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia(NARROW_QUERY).matches;

export const useDrawerStore = create<DrawerState>()((set) => ({
  narrow: initialNarrow,
  open: null,
  toggle: (d) => set((s) => ({ open: s.open === d ? null : d })),
  close: () => set({ open: null }),
}));

/** The classes the app's frame takes: `narrow`, and which drawer is open. */
export function useDrawerClasses(): string {
  const narrow = useDrawerStore((s) => s.narrow);
  const open = useDrawerStore((s) => s.open);
  return narrow ? ` narrow${open ? ` drawer-${open}` : ''}` : '';
}

function useNarrowWatch() {
  useEffect(() => {
    const mq = window.matchMedia(NARROW_QUERY);
    const apply = () => useDrawerStore.setState((s) => ({ narrow: mq.matches, open: mq.matches ? s.open : null }));
    apply();
    mq.addEventListener('change', apply);
    return () => mq.removeEventListener('change', apply);
  }, []);
  // Selecting something on a narrow screen shows what was selected.
  useEffect(
    () =>
      useUiStore.subscribe((state, prev) => {
        if (state.selection && state.selection !== prev.selection && useDrawerStore.getState().narrow) {
          useDrawerStore.setState({ open: 'inspector' });
        }
      }),
    [],
  );
  // Escape closes a drawer first (before it would clear the selection).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const d = useDrawerStore.getState();
      if (e.key !== 'Escape' || e.defaultPrevented || !d.narrow || !d.open || useUiStore.getState().dialog) return;
      e.preventDefault();
      d.close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

export function DrawerToggles() {
  useNarrowWatch();
  const narrow = useDrawerStore((s) => s.narrow);
  const open = useDrawerStore((s) => s.open);
  const toggle = useDrawerStore((s) => s.toggle);
  return (
    <div className="drawer-toggles" role="group" aria-label="Panels" hidden={!narrow}>
      <button
        type="button"
        className={`btn${open === 'inspector' ? ' btn-primary' : ''}`}
        aria-expanded={open === 'inspector'}
        aria-controls="inspector"
        data-testid="drawer-inspector"
        onClick={() => toggle('inspector')}
      >
        Inspector
      </button>
      <button
        type="button"
        className={`btn${open === 'log' ? ' btn-primary' : ''}`}
        aria-expanded={open === 'log'}
        aria-controls="event-log"
        data-testid="drawer-log"
        onClick={() => toggle('log')}
      >
        Events
      </button>
    </div>
  );
}
