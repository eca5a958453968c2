/**
 * Puts a node at a canvas position and saves the layout (into the scenario, via the worker).
 * Used for nodes dropped from the palette: the position is set before the node exists, so
 * it appears where it was dropped.
 */
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient } from '../../state/worker-client';

export function placeNode(id: string, at: { x: number; y: number }): void {
  useUiStore.getState().moveNode(id, at);
  getWorkerClient()?.setLayout(useUiStore.getState().layout);
}
