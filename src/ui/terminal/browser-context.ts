/**
 * The command-line tools' view of the cluster in the browser: snapshots and events from the
 * cluster store, logs and actions through the worker client. An action is performed like a
 * dialog's (recorded on the timeline, forking the run at a past moment), and its outcome is
 * the cluster's ActionRejected event at that action's time, if any.
 */
import type { ClusterEvent, ClusterSnapshot } from '../../kafka/snapshot';
import type { ActionOutcome, CliContext } from '../../cli-tools/context';
import { useClusterStore } from '../../state/cluster-store';
import { getWorkerClient } from '../../state/worker-client';

function onSnapshot(listener: (s: ClusterSnapshot) => void): () => void {
  return useClusterStore.subscribe((state, prev) => {
    if (state.snapshot && state.snapshot !== prev.snapshot) listener(state.snapshot);
  });
}

export function browserCliContext(): CliContext {
  return {
    snapshot: () => useClusterStore.getState().snapshot,
    async perform(request) {
      const client = getWorkerClient();
      if (!client) throw new Error('The cluster worker is not running.');
      const seen: ClusterEvent[] = [];
      let atTime: number | null = null;
      let latest = -1;
      let resolveApplied: () => void = () => undefined;
      const applied = new Promise<void>((r) => (resolveApplied = r));
      const stop = onSnapshot((s) => {
        seen.push(...s.events);
        latest = Math.max(latest, s.time);
        if (atTime !== null && s.time >= atTime) resolveApplied();
      });
      try {
        const action = await client.performTracked(request);
        atTime = action.at;
        // The snapshot that covers the action's time may have come before the reply.
        if (latest >= action.at) resolveApplied();
        await applied;
        const r = seen.find((e) => e.type === 'ActionRejected' && e.at === action.at && e.op === action.op);
        const rejected: ActionOutcome['rejected'] = r && r.type === 'ActionRejected' ? { error: r.error, message: r.message } : null;
        return { action, rejected };
      } finally {
        stop();
      }
    },
    async readLog(topic, partition, fromOffset, limit) {
      const client = getWorkerClient();
      if (!client) return null;
      const opts: { fromOffset?: number; limit?: number } = {};
      if (fromOffset !== undefined) opts.fromOffset = fromOffset;
      if (limit !== undefined) opts.limit = limit;
      return client.requestLog(topic, partition, opts);
    },
    nextSnapshot(signal) {
      return new Promise((resolve) => {
        if (signal.aborted) return resolve(null);
        const from = useClusterStore.getState().snapshot?.time ?? -1;
        const stop = onSnapshot((s) => {
          if (s.time > from) finish(s);
        });
        const onAbort = () => finish(null);
        function finish(v: ClusterSnapshot | null) {
          stop();
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        }
        signal.addEventListener('abort', onAbort);
      });
    },
    subscribe(listener) {
      return onSnapshot((s) => {
        for (const e of s.events) listener(e);
      });
    },
    randomInt: (bound) => Math.floor(Math.random() * bound),
  };
}
