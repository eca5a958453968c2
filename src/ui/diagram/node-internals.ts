/**
 * One re-measure for all the nodes whose handles moved in a turn.
 *
 * xyflow's `updateNodeInternals(id)` schedules an animation frame of its own
 * for every call, and in each of those frames it measures the node and updates
 * its store, so the next frame's reads force the page's layout again. Opening a
 * 50-broker link, every broker node asked on mount: 50 frames of measuring, a
 * main-thread task near a second long. Here the ids asked for within one turn
 * go to xyflow as one call (it takes an array), so they are measured together.
 *
 * A failure of the call (xyflow's `querySelector` on a hostile id) must still
 * reach the diagram's error boundary, as it did when each node called from its
 * own effect: the flush runs outside React, so the error is handed to every
 * node of the batch, which throws it from its next render.
 */
import { useCallback, useEffect, useState } from 'react';
import { useUpdateNodeInternals } from '@xyflow/react';

export type UpdateNodeInternals = (ids: string | string[]) => void;
type Fail = (error: unknown) => void;

interface Batch {
  update: UpdateNodeInternals;
  ids: Set<string>;
  fails: Set<Fail>;
}

// One pending batch per xyflow store (per `update` function): two diagrams on a page never mix.
const pending = new Map<UpdateNodeInternals, Batch>();

/**
 * Asks for `id` to be re-measured with every other id asked for in this turn:
 * `update` is called once, with all of them, when `schedule` runs the flush.
 * `fail` hears the call's error, if it throws.
 */
export function queueNodeInternals(
  update: UpdateNodeInternals,
  id: string,
  fail: Fail,
  schedule: (flush: () => void) => void = queueMicrotask,
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

/**
 * The batched form of xyflow's `useUpdateNodeInternals`: re-measures node `id`
 * whenever `key` changes (a key that names where the node's handles are).
 */
export function useNodeInternalsOnChange(id: string, key: string): void {
  const update = useUpdateNodeInternals() as UpdateNodeInternals;
  const [, setFailure] = useState<null>(null);
  // A state updater that throws makes the error this component's render error (on a node
  // unmounted meanwhile, React drops the update).
  const fail = useCallback((error: unknown) => {
    setFailure(() => {
      throw error;
    });
  }, []);
  useEffect(() => queueNodeInternals(update, id, fail), [id, key, update, fail]);
}
