/**
 * Storage as the UI knows it: the worker's storage status, what a reopen restored, how much
 * of the run since the last save was lost, and the browser's storage estimate.
 *
 * The lost tail: the worker saves at most every ~100 ms, so closing the tab (or a crash)
 * loses what happened since the last flush. The main thread writes a small marker to
 * localStorage at most every ~200 ms (the latest snapshot's time and its log end offsets);
 * on reopen, the marker left by the previous page is compared with what the database
 * restored. localStorage writes are synchronous, so the marker is as fresh as the page was.
 */
import { create } from 'zustand';
import type { ClusterSnapshot } from '../kafka/snapshot';
import type { RestoreReport, StorageEvent, StorageState } from '../storage/status';
import { useClusterStore } from './cluster-store';
import { getWorkerClient } from './worker-client';

export const TAIL_MARKER_KEY = 'kafka-playground:tail';
const MARKER_INTERVAL_MS = 200;

export interface TailMarker {
  /** Virtual time of the latest snapshot shown. */
  timeMs: number;
  /** Σ over partitions of the highest replica log end offset. */
  records: number;
  wallMs: number;
}

export interface TailLoss {
  /** Virtual ms between the last save and the last thing shown. */
  lostMs: number;
  /** Records (offsets) shown before closing that the save did not have. */
  lostRecords: number;
}

export interface StorageUiState {
  status: StorageState;
  restored: RestoreReport | null;
  loss: TailLoss | null;
  /** navigator.storage.estimate(), refreshed while the page is open. */
  estimate: { usage: number; quota: number } | null;
  /** navigator.storage.persist() granted. */
  persisted: boolean | null;
  /** The marker the previous page left (read once, before this page writes its own). */
  previousMarker: TailMarker | null;
  receive(ev: StorageEvent): void;
  dismissRestored(): void;
  setEstimate(e: { usage: number; quota: number } | null): void;
  setPersisted(p: boolean | null): void;
}

export function recordsOf(snapshot: ClusterSnapshot): number {
  let n = 0;
  for (const p of snapshot.partitions) {
    let best = 0;
    for (const r of p.replicaStates) if (r.logEndOffset > best) best = r.logEndOffset;
    n += best;
  }
  return n;
}

/** What the reopen lost: the marker's run minus what was restored (never negative). */
export function tailLoss(marker: TailMarker | null, restored: RestoreReport): TailLoss | null {
  if (!marker) return null;
  const lostMs = Math.max(0, marker.timeMs - restored.timeMs);
  const lostRecords = Math.max(0, marker.records - restored.records);
  return { lostMs, lostRecords };
}

export const useStorageStore = create<StorageUiState>()((set, get) => ({
  status: { state: 'opening' },
  restored: null,
  loss: null,
  estimate: null,
  persisted: null,
  previousMarker: null,
  receive: (ev) => {
    if (ev.restored) set({ status: ev.status, restored: ev.restored, loss: tailLoss(get().previousMarker, ev.restored) });
    else set({ status: ev.status });
  },
  dismissRestored: () => set({ restored: null, loss: null }),
  setEstimate: (estimate) => set({ estimate }),
  setPersisted: (persisted) => set({ persisted }),
}));

function readMarker(): TailMarker | null {
  try {
    const raw = localStorage.getItem(TAIL_MARKER_KEY);
    if (!raw) return null;
    const m = JSON.parse(raw) as Partial<TailMarker>;
    return typeof m.timeMs === 'number' && typeof m.records === 'number' ? { timeMs: m.timeMs, records: m.records, wallMs: m.wallMs ?? 0 } : null;
  } catch {
    return null;
  }
}

/** Only the tab that saves writes the marker (another tab's run must not overwrite it). */
const writesMarker = (s: StorageState) => s.state === 'saving' || s.state === 'quota' || s.state === 'error';

/** Main thread, once at start: read the previous marker, then keep ours fresh; ask for persistent storage. */
export function startStorageUi(): void {
  useStorageStore.setState({ previousMarker: readMarker() });
  let last = 0;
  let pending: ReturnType<typeof setTimeout> | null = null;
  const write = () => {
    pending = null;
    const snap = useClusterStore.getState().snapshot;
    // Until the worker reports (restored, or saving afresh) the status is 'opening': the
    // previous page's marker stays untouched until the loss has been computed from it.
    if (!snap || !writesMarker(useStorageStore.getState().status)) return;
    last = Date.now();
    try {
      localStorage.setItem(TAIL_MARKER_KEY, JSON.stringify({ timeMs: snap.time, records: recordsOf(snap), wallMs: last } satisfies TailMarker));
    } catch {
      /* localStorage full or disabled: the loss report is best effort */
    }
  };
  useClusterStore.subscribe((s, prev) => {
    if (s.snapshot === prev.snapshot || pending !== null) return;
    pending = setTimeout(write, Math.max(0, last + MARKER_INTERVAL_MS - Date.now()));
  });
  // Leaving (tab hidden, reload, close): ask for a save now. Best effort: a killed page runs
  // none of this, which is why every flush is atomic and the lost tail is reported instead.
  const flushSoon = () => getWorkerClient()?.send({ type: 'storage', op: 'flush' });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushSoon();
  });
  window.addEventListener('pagehide', flushSoon);
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  if (storage?.persist) {
    void storage
      .persisted()
      .then((p) => (p ? true : storage.persist()))
      .then((p) => useStorageStore.getState().setPersisted(p))
      .catch(() => useStorageStore.getState().setPersisted(null));
  }
}

/** navigator.storage.estimate(), or null where the browser has none. */
export async function refreshEstimate(): Promise<void> {
  try {
    const e = await navigator.storage?.estimate?.();
    useStorageStore.getState().setEstimate(e ? { usage: e.usage ?? 0, quota: e.quota ?? 0 } : null);
  } catch {
    useStorageStore.getState().setEstimate(null);
  }
}
