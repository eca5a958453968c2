/**
 * A small menu button (WAI-ARIA menu pattern): arrow keys move, Escape closes and returns
 * focus, items are the registry's commands with their enabled-ness and shortcuts.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ClusterSnapshot } from '../kafka/snapshot';
import type { Selection } from '../state/selection';
import { useClusterStore } from '../state/cluster-store';
import { shortcutLabel, type Command } from './commands';
import { runCommand } from './command-env';

export function CommandMenuItems({
  commands,
  snapshot,
  selection,
  onDone,
  autoFocus,
}: {
  commands: Command[];
  snapshot: ClusterSnapshot | null;
  selection: Selection | null;
  onDone(): void;
  autoFocus?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const canUndo = useClusterStore((s) => s.timeline.canUndo);
  const canRedo = useClusterStore((s) => s.timeline.canRedo);
  useEffect(() => {
    if (autoFocus) ref.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
  }, [autoFocus]);
  const onKeyDown = (e: KeyboardEvent) => {
    const items = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button:not([disabled])') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
      next?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onDone();
    }
  };
  return (
    <div role="menu" ref={ref} onKeyDown={onKeyDown} className="menu-items">
      {commands.map((c) => {
        const label = c.label(snapshot, selection);
        const enabled = c.enabled(snapshot, selection, { canUndo, canRedo });
        return (
          <button
            key={c.id}
            type="button"
            role="menuitem"
            disabled={!enabled}
            data-testid={`menu-${c.id}`}
            aria-keyshortcuts={c.shortcut ? shortcutLabel(c.shortcut) : undefined}
            onClick={() => {
              onDone();
              runCommand(c);
            }}
          >
            <span>{label}</span>
            {c.shortcut && <kbd>{shortcutLabel(c.shortcut)}</kbd>}
          </button>
        );
      })}
    </div>
  );
}

export function MenuButton({
  label,
  commands,
  snapshot,
  selection,
  testId,
}: {
  label: string;
  commands: Command[];
  snapshot: ClusterSnapshot | null;
  selection: Selection | null;
  testId: string;
}) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  return (
    <div className="menu" ref={wrap}>
      <button
        ref={button}
        type="button"
        className="btn"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={id}
        data-testid={testId}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        {label} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className="menu-popup" id={id}>
          <CommandMenuItems
            commands={commands}
            snapshot={snapshot}
            selection={selection}
            autoFocus
            onDone={() => {
              setOpen(false);
              button.current?.focus();
            }}
          />
        </div>
      )}
    </div>
  );
}
