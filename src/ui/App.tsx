/**
 * The app's frame: toolbar on top, diagram in the centre, inspector on the right, event
 * log at the bottom. Keyboard shortcuts come from the command registry.
 */
import { useEffect, useRef } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { useClusterStore } from '../state/cluster-store';
import { useUiStore } from '../state/ui-store';
import { commandForKey } from './commands';
import { runCommand } from './command-env';
import { ContextMenu } from './ContextMenu';
import { Diagram } from './diagram/Diagram';
import { Dialogs } from './dialogs/Dialogs';
import { EventLog } from './events/EventLog';
import { phrase } from './events/phrase';
import { Inspector } from './inspector/Inspector';
import { Toolbar } from './Toolbar';
import { TimelineBar } from './timeline/TimelineBar';
import { SharedMomentBanner } from './timeline/SharedMomentBanner';
import { ResetDialog, StorageNotices } from './storage/StorageNotices';
import { Boundary } from './PanelBoundary';
import { DrawerToggles, useDrawerClasses } from './layout/Drawers';
import { TerminalPanel } from './terminal/TerminalPanel';

/** Keys typed into a field, or with a modifier, are not shortcuts. */
function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

function useShortcuts() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || isTyping(e)) return;
      const mod = e.ctrlKey || e.metaKey;
      const ui = useUiStore.getState();
      if (e.key === 'Escape') {
        if (ui.contextMenu) ui.closeContextMenu();
        else if (!ui.dialog) ui.select(null);
        return;
      }
      if (ui.dialog) return;
      // Space on a focused button must press the button, not toggle playback.
      if (e.key === ' ' && (e.target as HTMLElement | null)?.closest('button, a, [role="menuitem"]')) return;
      // Ctrl/⌘ chords are the browser's unless a command claims one (undo, redo).
      const c = commandForKey(e.key, { mod, shift: e.shiftKey });
      if (mod && !c) return;
      if (c && runCommand(c)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** A refused action is news: say so where the user is looking, not only in the event log. */
function useRejectionToasts() {
  useEffect(
    () =>
      useClusterStore.subscribe((state, prev) => {
        if (state.events === prev.events || state.events.length === 0) return;
        const lastSeen = prev.events[prev.events.length - 1]?.seq ?? 0;
        for (const e of state.events) {
          if (e.seq <= lastSeen || e.event.type !== 'ActionRejected') continue;
          useUiStore.getState().toast(phrase(e.event).text, 'error');
        }
      }),
    [],
  );
}

function Notices() {
  const error = useClusterStore((s) => s.lastError);
  const dismissError = useClusterStore((s) => s.dismissError);
  const toasts = useUiStore((s) => s.toasts);
  const dismiss = useUiStore((s) => s.dismissToast);
  // Each toast goes after its own time (not one after another: a quick series of actions
  // would otherwise stack them over the diagram for half a minute).
  const born = useRef(new Map<number, number>());
  useEffect(() => {
    const now = performance.now();
    const seen = born.current;
    for (const id of [...seen.keys()]) if (!toasts.some((t) => t.id === id)) seen.delete(id);
    const timers = toasts.map((t) => {
      if (!seen.has(t.id)) seen.set(t.id, now);
      // A toast with a button stays longer: there is something to do with it. An error
      // (a link's bad value, a refused action) stays longer still: it names a problem to read.
      const life = t.tone === 'error' ? 20_000 : t.show ? 12_000 : 5000;
      return setTimeout(() => dismiss(t.id), Math.max(0, seen.get(t.id)! + life - now));
    });
    return () => timers.forEach(clearTimeout);
  }, [toasts, dismiss]);
  return (
    <div className="notices" aria-live="polite">
      {error && (
        <div className="notice tone-error" role="alert" data-testid="app-error">
          <span>{error.message}</span>
          <button type="button" className="btn-ghost" onClick={dismissError} aria-label="Dismiss error">
            ✕
          </button>
        </div>
      )}
      {toasts.map((t) => (
        <div key={t.id} className={`notice tone-${t.tone}`} data-testid="toast">
          <span>{t.text}</span>
          {t.show && (
            <button type="button" className="btn" onClick={() => (useUiStore.getState().select(t.show!.selection), dismiss(t.id))}>
              {t.show.label}
            </button>
          )}
          <button type="button" className="btn-ghost" onClick={() => dismiss(t.id)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}

export function App() {
  useShortcuts();
  useRejectionToasts();
  const eventLogOpen = useUiStore((s) => s.eventLogOpen);
  const drawers = useDrawerClasses();
  return (
    <ReactFlowProvider>
      {/* Each part fails alone (an error boundary each): a render error never blanks the app. */}
      <div className={`app${eventLogOpen ? '' : ' log-collapsed'}${drawers}`}>
        <Boundary name="toolbar" label="toolbar" className="toolbar">
          <Toolbar />
        </Boundary>
        <DrawerToggles />
        <main className="center">
          <h1 className="sr-only">Kafka playground</h1>
          <Boundary name="diagram" label="diagram">
            <Diagram />
          </Boundary>
          <SharedMomentBanner />
        </main>
        <Boundary name="inspector" label="inspector" className="inspector">
          <Inspector />
        </Boundary>
        <Boundary name="timeline" label="timeline" className="timeline-bar">
          <TimelineBar />
        </Boundary>
        <Boundary name="event-log" label="event log" className="event-log">
          <EventLog />
        </Boundary>
        <Boundary name="context-menu" label="context menu" floating>
          <ContextMenu />
        </Boundary>
        <Boundary name="dialogs" label="dialog" floating>
          <Dialogs />
        </Boundary>
        <Boundary name="notices" label="notices" floating>
          <Notices />
        </Boundary>
        <Boundary name="storage" label="storage status" floating>
          <StorageNotices />
        </Boundary>
        <Boundary name="terminal" label="command line" floating>
          <TerminalPanel />
        </Boundary>
        <Boundary name="reset-dialog" label="reset dialog" floating>
          <ResetDialog />
        </Boundary>
      </div>
    </ReactFlowProvider>
  );
}
