/**
 * The diagram's own tools, bottom-left of the canvas: Tidy (lay everything out again,
 * forgetting the positions the user chose) and Export as a PNG or SVG image.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Panel, useReactFlow } from '@xyflow/react';
import { useUiStore } from '../../state/ui-store';
import { downloadDataUrl, renderDiagram, type ImageFormat } from './export-image';
import type { FlowEdge, FlowNode } from './flow';
import { tidyLayout } from './useAutoLayout';
import './diagram-tools.css';

function ExportMenu() {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const rf = useReactFlow<FlowNode, FlowEdge>();
  useEffect(() => {
    if (!open) return;
    wrap.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    const close = (e: MouseEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const exportAs = async (format: ImageFormat) => {
    setOpen(false);
    button.current?.focus();
    const viewport = document.querySelector<HTMLElement>('.diagram .react-flow__viewport');
    const nodes = rf.getNodes();
    if (!viewport || nodes.length === 0) {
      useUiStore.getState().toast('There is no diagram to export yet.', 'error');
      return;
    }
    setBusy(true);
    try {
      const url = await renderDiagram(viewport, rf.getNodesBounds(nodes), format);
      await downloadDataUrl(url, `kafka-playground-diagram.${format}`);
    } catch (err) {
      useUiStore.getState().toast(`The diagram could not be exported: ${err instanceof Error ? err.message : String(err)}`, 'error');
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const items = [...(wrap.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      button.current?.focus();
    }
  };

  return (
    <div className="menu diagram-export" ref={wrap}>
      <button
        ref={button}
        type="button"
        className="btn"
        aria-haspopup="menu"
        aria-expanded={open}
        // Busy, not disabled: a disabled button would drop the focus it is given back.
        aria-busy={busy}
        data-testid="diagram-export"
        onClick={() => !busy && setOpen((o) => !o)}
      >
        {busy ? 'Exporting…' : 'Export'} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className="menu-popup up" role="menu" aria-label="Export the diagram" onKeyDown={onKeyDown}>
          <div className="menu-items">
            <button type="button" role="menuitem" data-testid="diagram-export-png" onClick={() => void exportAs('png')}>
              Diagram as PNG image
            </button>
            <button type="button" role="menuitem" data-testid="diagram-export-svg" onClick={() => void exportAs('svg')}>
              Diagram as SVG image
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

export function DiagramTools() {
  return (
    <Panel position="bottom-left" className="diagram-tools" aria-label="Diagram tools">
      <button
        type="button"
        className="btn"
        data-testid="diagram-tidy"
        title="Lay out the whole diagram again, forgetting where nodes were dragged"
        onClick={tidyLayout}
      >
        <span aria-hidden="true">⊞</span> Tidy
      </button>
      <ExportMenu />
    </Panel>
  );
}
