/**
 * What became of an action the user sent: the cluster applies it at its virtual time `at`
 * and tells the outcome only through events. These helpers watch the cluster store for
 * them, so a dialog can say why its action was refused (in the dialog, not only in the
 * event log) and a produce can report its partition and offset.
 */
import type { ClusterEvent } from '../kafka/snapshot';
import type { TimelineAction } from '../scenario/types';
import { useClusterStore, type ClusterState } from '../state/cluster-store';
import { useUiStore } from '../state/ui-store';
import { getWorkerClient } from '../state/worker-client';
import type { ActionRequest } from '../worker/protocol';
import { phrase } from './events/phrase';

type Rejection = Extract<ClusterEvent, { type: 'ActionRejected' }>;
type Produced = Extract<ClusterEvent, { type: 'RecordProduced' }>;

/** The refusal of `action` among events, if any (it is stamped with the action's own time). Pure, for tests. */
export function rejectionOf(action: TimelineAction, events: readonly ClusterEvent[]): Rejection | null {
  for (const e of events) if (e.type === 'ActionRejected' && e.at === action.at && e.op === action.op) return e;
  return null;
}

/** The outcome event of a produce action among events, if it came. Pure, for tests. */
export function produceOutcomeOf(action: TimelineAction, events: readonly ClusterEvent[]): Produced | null {
  if (action.op !== 'produce') return null;
  for (const e of events) if (e.type === 'RecordProduced' && e.producer === action.producer && e.sentAt === action.at) return e;
  return null;
}

/** Runs `check` on each new store state until it returns a value (or the run is replaced). */
function watch<T>(check: (s: ClusterState) => T | undefined): Promise<T | null> {
  return new Promise((resolve) => {
    const first = check(useClusterStore.getState());
    if (first !== undefined) return resolve(first);
    const stop = useClusterStore.subscribe((s, prev) => {
      if (s.snapshot === null && prev.snapshot !== null) {
        stop();
        return resolve(null);
      }
      const r = check(s);
      if (r !== undefined) {
        stop();
        resolve(r);
      }
    });
  });
}

/**
 * Sends an action and resolves once the cluster applied it: with its refusal (Kafka's error
 * and message) or null when it was accepted.
 */
export async function performChecked(request: ActionRequest): Promise<Rejection | null> {
  const client = getWorkerClient();
  if (!client) return null;
  const action = await client.performTracked(request);
  return watch((s) => {
    if (!s.snapshot || s.snapshot.time < action.at) return undefined;
    return rejectionOf(action, s.events.map((x) => x.event));
  });
}

/**
 * Sends a produce action; when its record is acknowledged or fails, says so in a toast
 * (partition and offset, or Kafka's error name) and marks the record for the log inspector.
 */
export async function produceWithOutcome(request: Extract<ActionRequest, { op: 'produce' }>): Promise<Produced | null> {
  const client = getWorkerClient();
  if (!client) return null;
  const action = await client.performTracked(request);
  const out = await watch((s) => {
    const events = s.events.map((x) => x.event);
    const rejected = rejectionOf(action, events);
    if (rejected) return rejected;
    return produceOutcomeOf(action, events) ?? undefined;
  });
  if (!out) return null;
  // A refusal is toasted already, like every refused action (App's useRejectionToasts).
  if (out.type === 'ActionRejected') return null;
  const ui = useUiStore.getState();
  const text = phrase(out).text;
  if (out.error || out.partition < 0) ui.toast(text, 'error');
  else {
    if (out.offset !== null) ui.setHighlight({ topic: out.topic, partition: out.partition, offset: out.offset });
    ui.toast(text, 'info', { label: 'Show in log', selection: { kind: 'partition', topic: out.topic, partition: out.partition } });
  }
  return out;
}
