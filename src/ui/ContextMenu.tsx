/** Right-click menu on a diagram node: the registry's commands for what was clicked. */
import { useEffect, useRef } from 'react';
import { useClusterStore } from '../state/cluster-store';
import { useUiStore } from '../state/ui-store';
import { commandsFor } from './commands';
import { CommandMenuItems } from './Menu';

export function ContextMenu() {
  const menu = useUiStore((s) => s.contextMenu);
  const close = useUiStore((s) => s.closeContextMenu);
  const snapshot = useClusterStore((s) => s.snapshot);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!menu) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) close();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [menu, close]);
  if (!menu) return null;
  const commands = commandsFor(menu.target.kind);
  // Keep it on screen near the right and bottom edges.
  const left = Math.min(menu.x, window.innerWidth - 280);
  const top = Math.min(menu.y, window.innerHeight - (commands.length * 34 + 50));
  return (
    <div className="context-menu menu-popup" ref={ref} style={{ left, top }} data-testid="context-menu" aria-label="Actions">
      {commands.length === 0 ? (
        <p className="muted">No actions here.</p>
      ) : (
        <CommandMenuItems commands={commands} snapshot={snapshot} selection={menu.target} onDone={close} autoFocus />
      )}
    </div>
  );
}
