/**
 * The banner of a link opened at its moment (`&t=`): while the run is replayed to that
 * moment it shows the progress; then it says which moment this is, paused, with Play to
 * go on. It leaves when the run plays (from here or anywhere else) or is dismissed.
 */
import { useEffect } from 'react';
import { useClusterStore } from '../../state/cluster-store';
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient } from '../../state/worker-client';

/** "42.3 s", or "2 min 5.0 s" past a minute: how people say a moment. */
export function momentLabel(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${(s - m * 60).toFixed(1)} s`;
}

export function SharedMomentBanner() {
  const moment = useUiStore((s) => s.sharedMoment);
  const seeking = useClusterStore((s) => s.seeking);
  const playing = useClusterStore((s) => s.status.playing);
  const time = useClusterStore((s) => s.snapshot?.time ?? null);
  const arrived = moment !== null && seeking === null && time === moment.t;
  useEffect(() => {
    // Playing from anywhere (space, the toolbar) ends the "shared moment" state.
    if (moment && arrived && playing) useUiStore.getState().setSharedMoment(null);
  }, [moment, arrived, playing]);
  if (!moment) return null;
  const dismiss = () => useUiStore.getState().setSharedMoment(null);
  const label = momentLabel(moment.t);
  const what = moment.name ? `Shared scenario “${moment.name}”` : 'Shared scenario';
  return (
    <div className="shared-moment" role="status" data-testid="shared-moment">
      {arrived ? (
        <>
          <span>
            <strong>{what}</strong> at {label}, paused.
          </span>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="shared-moment-play"
            onClick={() => {
              dismiss();
              getWorkerClient()?.play();
            }}
          >
            ▶ Play
          </button>
        </>
      ) : (
        <span>
          Opening the shared scenario at {label}…{' '}
          {seeking && seeking.target > 0 && (
            <span data-testid="shared-moment-progress">{Math.floor((seeking.reached / seeking.target) * 100)} %</span>
          )}
          {seeking && <progress max={seeking.target} value={seeking.reached} aria-label="Replaying to the shared moment" />}
        </span>
      )}
      <button type="button" className="btn-ghost" onClick={dismiss} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
