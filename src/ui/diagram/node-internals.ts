/**
 * One re-measure for all the nodes whose handles moved in a frame.
 *
 * xyflow's `updateNodeInternals(id)` schedules an animation frame of its own
 * for every call, and in each of those frames it measures the node and updates
 * its store, so the next frame's reads force the page's layout again. Batching
 * the ids of one microtask turn was not enough: React runs each sync commit in a
 * microtask of its own, and xyflow's store updates commit node by node, so
 * opening a 50-broker link still asked 56 times in one frame (56 forced layouts
 * and 56 re-renders of the diagram: a main-thread task of a second). Here every
 * id asked for before the next animation frame is measured in that frame, in
 * one pass (one layout, one store update), by the store's own
 * `updateNodeInternals` (not the hook's, which would wait one frame more).
 *
 * A failure of the call must still reach the diagram's error boundary, as it
 * did when each node called from its own effect: the flush runs outside React,
 * so the error is handed to every node of the batch, which throws it from its
 * next render.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useStoreApi } from '@xyflow/react';

export type UpdateNodeInternals = (ids: string | string[]) => void;
type Fail = (error: unknown) => void;

interface Batch {
  update: UpdateNodeInternals;
  ids: Set<string>;
  fails: Set<Fail>;
}

// One pending batch per xyflow store (per `update` function): two diagrams on a page never mix.
const pending = new Map<UpdateNodeInternals, Batch>();

/** Before the next frame is painted, after every commit queued before it (microtasks where there are no frames). */
const nextFrame = (flush: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => flush());
  else queueMicrotask(flush);
};

/**
 * Asks for `id` to be re-measured with every other id asked for before the
 * batch is flushed: `update` is called once, with all of them, when `schedule`
 * runs the flush (by default in the next animation frame).
 * `fail` hears the call's error, if it throws.
 */
export function queueNodeInternals(
  update: UpdateNodeInternals,
  id: string,
  fail: Fail,
  schedule: (flush: () => void) => void = nextFrame,
): void {
  let batch = pending.get(update);
  if (batch === undefined) {
    const created: Batch = { update, ids: new Set(), fails: new Set() };
    pending.set(update, created);
    schedule(() => flush(created));
    batch = created;
  }
  batch.ids.add(id);
  batch.fails.add(fail);
}

function flush(batch: Batch): void {
  if (pending.get(batch.update) === batch) pending.delete(batch.update);
  try {
    batch.update([...batch.ids]);
  } catch (error) {
    for (const fail of batch.fails) fail(error);
  }
}

/** The store's measure of the nodes `ids` now (those still on the page), as xyflow's hook does one frame later. */
function measureNow(store: Pick<ReturnType<typeof useStoreApi>, 'getState'>, ids: string | string[]): void {
  const { domNode, updateNodeInternals } = store.getState();
  const updates = new Map<string, { id: string; nodeElement: HTMLDivElement; force: true }>();
  for (const id of Array.isArray(ids) ? ids : [ids]) {
    const nodeElement = domNode?.querySelector<HTMLDivElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`);
    if (nodeElement) updates.set(id, { id, nodeElement, force: true });
  }
  if (updates.size > 0) updateNodeInternals(updates, { triggerFitView: false });
}

/**
 * The batched form of xyflow's `useUpdateNodeInternals`: re-measures node `id`
 * whenever `key` changes (a key that names where the node's handles are).
 */
export function useNodeInternalsOnChange(id: string, key: string): void {
  const store = useStoreApi();
  // One function per store: the batch's key (two diagrams on a page never mix).
  const update = updaterFor(store);
  const [, setFailure] = useState<null>(null);
  // A state updater that throws makes the error this component's render error (on a node
  // unmounted meanwhile, React drops the update).
  const fail = useCallback((error: unknown) => {
    setFailure(() => {
      throw error;
    });
  }, []);
  // xyflow measures a node when it mounts (its ResizeObserver, handles included): asking
  // again then measured every node twice while a link opened. Only a change is worth it.
  const seen = useRef<{ id: string; key: string } | null>(null);
  useEffect(() => {
    if (handlesMoved(seen, id, key)) queueNodeInternals(update, id, fail);
  }, [id, key, update, fail]);
}

/**
 * Whether node `id`'s handles may have moved since `last` saw it (which it then records):
 * not on the first look (the node just mounted, and xyflow measures it itself), nor when the
 * key is the one seen last (an effect run again for another reason).
 */
export function handlesMoved(last: { current: { id: string; key: string } | null }, id: string, key: string): boolean {
  const prev = last.current;
  last.current = { id, key };
  return prev !== null && (prev.id !== id || prev.key !== key);
}

/**
 * The one update function of `store`'s diagram. Keyed by the store's `getState`: xyflow's
 * `useStoreApi` (and `useUpdateNodeInternals`) hand every component an object (a function)
 * of its own, so keyed by those, every node was a batch of its own: the batching this file
 * was written for never happened until the key was the store's.
 */
const updaters = new WeakMap<object, UpdateNodeInternals>();
export function updaterFor(store: Pick<ReturnType<typeof useStoreApi>, 'getState'>): UpdateNodeInternals {
  let u = updaters.get(store.getState);
  if (u === undefined) {
    u = (ids) => measureNow(store, ids);
    updaters.set(store.getState, u);
  }
  return u;
}
