/**
 * The palette strip on the diagram's left edge. Each item can be dragged onto the canvas
 * (the diagram's drop handler decides what happens, see palette.ts) or pressed, which does
 * the same without a position, so the keyboard reaches every item.
 */
import { Panel } from '@xyflow/react';
import type { DragEvent } from 'react';
import { useClusterStore } from '../../state/cluster-store';
import { PALETTE_ITEMS, PALETTE_LABEL, PALETTE_MIME, type PaletteItem } from './palette';

export function Palette({ onPress }: { onPress(item: PaletteItem): void }) {
  const ready = useClusterStore((s) => s.snapshot !== null);
  const onDragStart = (e: DragEvent<HTMLButtonElement>, item: PaletteItem) => {
    e.dataTransfer.setData(PALETTE_MIME, item);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <Panel position="top-left" className="palette" aria-label="Palette">
      <span className="palette-title" aria-hidden="true">
        Add
      </span>
      {PALETTE_ITEMS.map((item) => {
        const l = PALETTE_LABEL[item];
        return (
          <button
            key={item}
            type="button"
            className={`palette-item palette-${item}`}
            draggable={ready}
            disabled={!ready}
            onDragStart={(e) => onDragStart(e, item)}
            onClick={() => onPress(item)}
            aria-label={l.hint}
            title={l.hint}
            data-testid={`palette-${item}`}
          >
            <span className="palette-icon" aria-hidden="true">
              {l.icon}
            </span>
            {l.text}
          </button>
        );
      })}
    </Panel>
  );
}
