/**
 * What a person sees of persistence: a status chip (saved when, how much, of what quota,
 * and "Reset playground…"), a note after a reopen (what was restored, what unsaved tail was
 * lost), banners when saving stops (quota, another tab took over, unreadable data), and the
 * overlay of a second tab ("open in another tab", with "Take over here").
 */
import { useEffect, useState, type ReactNode } from 'react';
import { defaultScenario } from '../../scenario/default-scenario';
import { restoreScenarioOrThrow } from '../../scenario/restore';
import { useClusterStore } from '../../state/cluster-store';
import { refreshEstimate, useStorageStore } from '../../state/storage-store';
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient } from '../../state/worker-client';
import type { StorageCommand } from '../../storage/status';
import './storage.css';

function send(cmd: StorageCommand): void {
  getWorkerClient()?.send({ type: 'storage', ...cmd });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);
const count = (n: number) => n.toLocaleString('en-US');
const records = (n: number) => `${count(n)} record${n === 1 ? '' : 's'}`;

function ago(wallMs: number, now: number): string {
  const s = Math.max(0, Math.round((now - wallMs) / 1000));
  if (s < 2) return 'just now';
  if (s < 90) return `${s} s ago`;
  return `${Math.round(s / 60)} min ago`;
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** Deletes everything saved and starts the default cluster again (the storage worker's reset). */
export function resetPlayground(): void {
  send({ op: 'reset', scenario: restoreScenarioOrThrow(defaultScenario) });
}

/** The confirmation before a reset; opened from the status chip, a storage banner or a failed panel. */
export function ResetDialog() {
  const open = useUiStore((s) => s.resetOpen);
  if (!open) return null;
  const onClose = () => useUiStore.getState().closeReset();
  return (
    <div className="modal-backdrop" role="presentation" onClick={onClose}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="reset-title" onClick={(e) => e.stopPropagation()} data-testid="storage-reset-dialog">
        <h2 id="reset-title">Reset the playground?</h2>
        <p>
          This deletes everything this browser saved of the playground: every topic and record, consumer offsets, the
          timeline and the diagram layout. The default cluster starts again. This cannot be undone; export the scenario
          first if you want to keep it.
        </p>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-danger"
            data-testid="storage-reset-confirm"
            onClick={() => {
              resetPlayground();
              useUiStore.getState().resetConfirmed();
            }}
          >
            Delete and start over
          </button>
        </div>
      </div>
    </div>
  );
}

function StatusChip({ onReset }: { onReset: () => void }) {
  const status = useStorageStore((s) => s.status);
  const estimate = useStorageStore((s) => s.estimate);
  const persisted = useStorageStore((s) => s.persisted);
  const now = useNow(1000);
  useEffect(() => {
    void refreshEstimate();
    const t = setInterval(() => void refreshEstimate(), 5000);
    return () => clearInterval(t);
  }, []);
  let text: string;
  let tone = 'ok';
  switch (status.state) {
    case 'saving':
      text = `Saved ${ago(status.savedAtWallMs, now)} · logs ${formatBytes(status.logBytes)}`;
      break;
    case 'opening':
    case 'confirm-replace':
      text = 'Opening saved playground…';
      tone = 'muted';
      break;
    case 'quota':
      text = 'Not saving: storage full';
      tone = 'bad';
      break;
    case 'lost':
    case 'other-tab':
      text = 'Not saving: open in another tab';
      tone = 'bad';
      break;
    default:
      text = 'Not saving';
      tone = 'bad';
  }
  const title = [
    estimate ? `This site uses ${formatBytes(estimate.usage)} of the ${formatBytes(estimate.quota)} the browser allows.` : 'The browser does not say how much storage it allows.',
    persisted === true ? 'Storage is persistent: the browser will not evict it under pressure.' : persisted === false ? 'Storage is best-effort: the browser may evict it when the disk is short.' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`storage-chip tone-${tone}`} data-testid="storage-status" data-state={status.state} data-time-ms={status.state === 'saving' ? status.timeMs : undefined} title={title}>
      <span className="storage-dot" aria-hidden="true" />
      <span>{text}</span>
      {estimate && (
        <span className="storage-quota" data-testid="storage-estimate">
          {formatBytes(estimate.usage)} of {formatBytes(estimate.quota)} used
        </span>
      )}
      {status.state !== 'other-tab' && status.state !== 'lost' && (
        <button type="button" className="btn-ghost" onClick={onReset} data-testid="storage-reset">
          Reset playground…
        </button>
      )}
    </div>
  );
}

function Restored() {
  const restored = useStorageStore((s) => s.restored);
  const loss = useStorageStore((s) => s.loss);
  const dismiss = useStorageStore((s) => s.dismissRestored);
  if (!restored) return null;
  const lost = loss && (loss.lostRecords > 0 || loss.lostMs > 0) ? loss : null;
  return (
    <div
      className="storage-banner tone-info"
      role="status"
      data-testid="storage-restored"
      data-time-ms={restored.timeMs}
      data-records={restored.records}
      data-lost-records={loss?.lostRecords ?? 0}
      data-lost-ms={loss?.lostMs ?? 0}
      data-cut-offsets={restored.cutOffsets}
      data-exact={restored.exact ? 'true' : 'false'}
    >
      <div>
        {restored.exact ? (
          <>
            <strong>Resumed exactly where you left it</strong>: {seconds(restored.timeMs)} of virtual time, {records(restored.records)} in{' '}
            {restored.logs} replica logs, with requests in flight, groups, counters and the event history as they were.{' '}
          </>
        ) : (
          <>
            <strong>Restored the playground where it was saved</strong>: {seconds(restored.timeMs)} of virtual time, {records(restored.records)} in{' '}
            {restored.logs} replica logs; the brokers restarted from their disks
            {restored.notExactBecause ? ` (the exact moment could not be read: ${restored.notExactBecause})` : ''}.{' '}
          </>
        )}
        {lost ? (
          <span data-testid="storage-lost">
            The last {seconds(lost.lostMs)} before the page closed ({records(lost.lostRecords)}) had not been saved yet and
            {lost.lostRecords === 1 ? ' was' : ' were'} lost; every log is a consistent prefix of what it was.
          </span>
        ) : (
          <span>Nothing unsaved was lost.</span>
        )}
        {restored.cutOffsets > 0 && (
          <span data-testid="storage-cut">
            {' '}
            {count(restored.cutOffsets)} offsets after a damaged batch were dropped: {restored.problems.join(' ')}
          </span>
        )}
      </div>
      <button type="button" className="btn-ghost" onClick={dismiss} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}

/**
 * The configs "Keep only the last minute" applies, as an operator would: retention.ms bounds
 * what is kept, and segment.ms makes segments roll so whole old segments can be deleted
 * (retention never deletes the active segment while it keeps receiving records). Old
 * segments go at the brokers' next retention check (log.retention.check.interval.ms, a
 * static broker setting: every 5 minutes of virtual time by default).
 */
export const SHORT_RETENTION_TOPIC_CONFIG = { 'retention.ms': 60000, 'segment.ms': 10000 } as const;

function applyShortRetention(topics: string[]): void {
  const client = getWorkerClient();
  if (!client) return;
  for (const name of topics) client.perform({ op: 'alterConfig', entity: 'topic', name, config: { ...SHORT_RETENTION_TOPIC_CONFIG } });
}

/** Quota: lower retention for every topic, or one click per topic to free its logs (the next save drops them), then "Try again". */
function FreeSpace() {
  // Select the snapshot's own array (a fresh one per call would re-render forever).
  const snapshotTopics = useClusterStore((s) => s.snapshot?.topics);
  const topics = (snapshotTopics ?? []).map((t) => t.name);
  if (topics.length === 0) return null;
  return (
    <div className="storage-free">
      Free space:{' '}
      <button type="button" className="btn" data-testid="storage-short-retention" onClick={() => applyShortRetention(topics)}>
        Keep only the last minute (retention.ms=60000, at the next retention check)
      </button>
      {topics.map((name) => (
        <button key={name} type="button" className="btn" data-testid={`storage-delete-topic-${name}`} onClick={() => getWorkerClient()?.perform({ op: 'deleteTopic', name })}>
          Delete topic {name}
        </button>
      ))}
    </div>
  );
}

/** Another tab owns the database: say so, and offer to take it over. */
function TakeOverBanner({ testId, title, children }: { testId: string; title: string; children: ReactNode }) {
  return (
    <div className="storage-banner tone-bad" role="alert" data-testid={testId}>
      <div>
        <strong>{title}</strong> {children}
      </div>
      <button type="button" className="btn" onClick={() => send({ op: 'takeOver' })} data-testid="storage-take-over">
        Take over here
      </button>
    </div>
  );
}

function Problem({ onReset }: { onReset: () => void }) {
  const status = useStorageStore((s) => s.status);
  switch (status.state) {
    case 'quota':
      return (
        <div className="storage-banner tone-bad" role="alert" data-testid="storage-quota">
          <div>
            <strong>Storage is full.</strong> {status.message} Free space by deleting topics you no longer need, lowering
            their retention (retention.ms, retention.bytes), or resetting the playground; then try again.
            <FreeSpace />
          </div>
          <button type="button" className="btn" onClick={() => send({ op: 'retry' })} data-testid="storage-retry">
            Try again
          </button>
          <button type="button" className="btn" onClick={onReset}>
            Reset…
          </button>
        </div>
      );
    case 'other-tab':
      if (!status.runningHere) return null; // the overlay says it
      return (
        <TakeOverBanner testId="storage-other-tab-banner" title="The playground is open in another tab.">
          This link runs here in memory only: nothing of it is saved. Taking over continues the saved playground here
          instead.
        </TakeOverBanner>
      );
    case 'lost':
      return (
        <TakeOverBanner testId="storage-lost-ownership" title="Opened in another tab.">
          {status.message}
        </TakeOverBanner>
      );
    case 'unreadable':
      return (
        <div className="storage-banner tone-bad" role="alert" data-testid="storage-unreadable">
          <div>
            <strong>The saved playground cannot be opened.</strong> {status.message} The default cluster runs instead, and
            nothing is saved until the old data is deleted.
          </div>
          <button type="button" className="btn" onClick={onReset} data-testid="storage-unreadable-reset">
            Delete saved data…
          </button>
        </div>
      );
    case 'unavailable':
    case 'error':
      return (
        <div className="storage-banner tone-bad" role="alert" data-testid="storage-error">
          <div>{status.message}</div>
          {status.state === 'error' && (
            <button type="button" className="btn" onClick={() => send({ op: 'retry' })}>
              Try again
            </button>
          )}
        </div>
      );
    default:
      return null;
  }
}

function OtherTab() {
  return (
    <div className="modal-backdrop storage-other-tab" role="presentation">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="other-tab-title" data-testid="storage-other-tab">
        <h2 id="other-tab-title">The playground is open in another tab</h2>
        <p>
          Only one tab at a time runs and saves the playground, so two tabs never overwrite each other. Continue there, or
          take over here: the other tab stops saving, and this one continues from what was saved.
        </p>
        <div className="modal-actions">
          <button type="button" className="btn btn-primary" onClick={() => send({ op: 'takeOver' })} data-testid="storage-take-over" autoFocus>
            Take over here
          </button>
        </div>
      </div>
    </div>
  );
}

function ConfirmReplace() {
  const status = useStorageStore((s) => s.status);
  if (status.state !== 'confirm-replace') return null;
  const saved = status.saved;
  return (
    <div className="modal-backdrop storage-other-tab" role="presentation">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="replace-title" data-testid="storage-confirm-replace">
        <h2 id="replace-title">Open this link?</h2>
        <p>
          The link opens a new playground. This browser has a saved one{saved.name ? ` (“${saved.name}”)` : ''}: {seconds(saved.timeMs)} of virtual time and{' '}
          {records(saved.records)}. Opening the link replaces it.
        </p>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={() => send({ op: 'replace', accept: false })} data-testid="storage-keep" autoFocus>
            Keep my playground
          </button>
          <button type="button" className="btn btn-danger" onClick={() => send({ op: 'replace', accept: true })} data-testid="storage-replace">
            Open the link and replace it
          </button>
        </div>
      </div>
    </div>
  );
}

export function StorageNotices() {
  const blocking = useStorageStore((s) => s.status.state === 'other-tab' && !s.status.runningHere);
  const openReset = () => useUiStore.getState().openReset();
  return (
    <>
      <div className="storage-banners">
        <Problem onReset={openReset} />
        <Restored />
      </div>
      <StatusChip onReset={openReset} />
      {blocking && <OtherTab />}
      <ConfirmReplace />
    </>
  );
}
