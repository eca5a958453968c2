/**
 * The timeline bar under the diagram: the run's virtual time with the playhead and the
 * markers of what happened (coloured by kind, a tooltip each). Drag the playhead or press
 * the track to go to a moment, press a marker to go to it, zoom with the wheel or − / +.
 * The track is a slider (role, aria-valuenow): Left / Right step 100 ms, Shift+Left /
 * Right go to the previous / next event, Home / End to the start / the end of the run.
 *
 * Every move is a seek in the worker (it pauses there; the whole UI then shows that
 * moment). While dragging, seeks go at most every 80 ms, and the playhead follows the
 * pointer at once; the worker catches up.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent, type WheelEvent } from 'react';
import { useClusterStore } from '../../state/cluster-store';
import { getWorkerClient } from '../../state/worker-client';
import { useUiStore } from '../../state/ui-store';
import { command, commandsInGroup } from '../commands';
import { MenuButton } from '../Menu';
import { runCommand } from '../command-env';
import { formatTime } from '../events/phrase';
import { KIND_LABEL, MAX_ZOOM, drawnMarkers, tickLabel, ticks, timeToX, viewWindow, xToTime } from './axis';

const DRAG_SEEK_MS = 80;

function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

export function TimelineBar() {
  const snapshot = useClusterStore((s) => s.snapshot);
  const selection = useUiStore((s) => s.selection);
  const time = snapshot?.time ?? null;
  const playing = useClusterStore((s) => s.status.playing);
  const timeline = useClusterStore((s) => s.timeline);
  const seeking = useClusterStore((s) => s.seeking);
  const [zoom, setZoom] = useState(1);
  const [dragT, setDragT] = useState<number | null>(null);
  const lastSeek = useRef(0);
  const [trackRef, width] = useWidth<HTMLDivElement>();

  const now = time ?? 0;
  const end = Math.max(timeline.end, now);
  const playhead = dragT ?? seeking?.target ?? now;
  const view = viewWindow(timeline.origin, end, zoom, playhead);
  const past = time !== null && now < end;

  const seek = useCallback((t: number) => getWorkerClient()?.seek(t), []);

  const timeAt = (clientX: number): number => {
    const rect = trackRef.current?.getBoundingClientRect();
    if (!rect) return now;
    return Math.min(end, Math.max(timeline.origin, xToTime(clientX - rect.left, view, rect.width)));
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (time === null || e.button !== 0) return;
    // A press on a marker goes to the marker (its own click handler).
    if ((e.target as HTMLElement).closest('.tl-marker')) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const t = timeAt(e.clientX);
    setDragT(t);
    lastSeek.current = performance.now();
    seek(t);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (dragT === null) return;
    const t = timeAt(e.clientX);
    setDragT(t);
    if (performance.now() - lastSeek.current >= DRAG_SEEK_MS) {
      lastSeek.current = performance.now();
      seek(t);
    }
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    if (dragT === null) return;
    const t = timeAt(e.clientX);
    setDragT(null);
    seek(t);
  };

  const onWheel = (e: WheelEvent<HTMLDivElement>) => {
    if (e.deltaY === 0) return;
    setZoom((z) => Math.min(MAX_ZOOM, Math.max(1, e.deltaY < 0 ? z * 1.5 : z / 1.5)));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (time === null) return;
    const client = getWorkerClient();
    let handled = true;
    if (e.key === 'ArrowLeft' && e.shiftKey) client?.seekMarker(-1);
    else if (e.key === 'ArrowRight' && e.shiftKey) client?.seekMarker(1);
    else if (e.key === 'ArrowLeft') client?.stepBack(100);
    else if (e.key === 'ArrowRight') client?.step(100);
    else if (e.key === 'PageDown') seek(Math.max(timeline.origin, now - 10_000));
    else if (e.key === 'PageUp') seek(Math.min(end, now + 10_000));
    else if (e.key === 'Home') seek(timeline.origin);
    else if (e.key === 'End') seek(end);
    else handled = false;
    if (handled) {
      // Not a global shortcut as well (the app's handler skips handled keys).
      e.preventDefault();
      e.stopPropagation();
    }
  };

  // Labels too close to an edge would be cut in half: leave them out.
  const tickList = width > 0 ? ticks(view, width).filter((t) => timeToX(t, view, width) > 12 && timeToX(t, view, width) < width - 16) : [];
  const step = tickList.length > 1 ? tickList[1]! - tickList[0]! : 1000;
  const marks = width > 0 ? drawnMarkers(timeline.markers, view, width) : [];
  const headX = width > 0 ? timeToX(playhead, view, width) : 0;
  const endX = width > 0 ? timeToX(end, view, width) : 0;

  return (
    <section className={`timeline-bar${past ? ' past' : ''}`} aria-label="Timeline" data-testid="timeline">
      <div className="tl-buttons" role="group" aria-label="Time travel">
        <button type="button" className="btn-ghost tl-btn" disabled={time === null} onClick={() => runCommand(command('time.previousEvent'))} title="Back to the previous event (Shift+Left on the timeline, or <)" aria-label="Previous event" data-testid="tl-prev-event">
          <span aria-hidden="true">|◀◀</span>
        </button>
        <button type="button" className="btn-ghost tl-btn" disabled={time === null || now <= timeline.origin} onClick={() => runCommand(command('time.stepBack'))} title="Step back 100 ms (Left on the timeline, or ,)" aria-label="Step back 100 ms" data-testid="tl-step-back">
          ◀
        </button>
        <button type="button" className="btn-ghost tl-btn" disabled={time === null} onClick={() => runCommand(command('time.stepForward'))} title="Step forward 100 ms (Right on the timeline, or .)" aria-label="Step forward 100 ms" data-testid="tl-step-forward">
          ▶
        </button>
        <button type="button" className="btn-ghost tl-btn" disabled={time === null} onClick={() => runCommand(command('time.nextEvent'))} title="On to the next event (Shift+Right on the timeline, or >)" aria-label="Next event" data-testid="tl-next-event">
          <span aria-hidden="true">▶▶|</span>
        </button>
        <button type="button" className="btn-ghost tl-btn" disabled={!timeline.canUndo} onClick={() => runCommand(command('time.undo'))} title="Undo the last action (Ctrl+Z)" aria-label="Undo the last action" data-testid="tl-undo">
          ↶
        </button>
        <button type="button" className="btn-ghost tl-btn" disabled={!timeline.canRedo} onClick={() => runCommand(command('time.redo'))} title="Redo (Ctrl+Shift+Z)" aria-label="Redo" data-testid="tl-redo">
          ↷
        </button>
      </div>
      <div
        className="tl-track"
        ref={trackRef}
        role="slider"
        tabIndex={0}
        aria-label="Virtual time"
        aria-valuemin={timeline.origin}
        aria-valuemax={end}
        aria-valuenow={playhead}
        aria-valuetext={`${formatTime(playhead)} of ${formatTime(end)}${past ? ', in the past' : ''}`}
        aria-disabled={time === null}
        data-testid="timeline-track"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => setDragT(null)}
        onWheel={onWheel}
        onKeyDown={onKeyDown}
      >
        <div className="tl-run" style={{ width: Math.max(0, Math.min(width, endX)) }} />
        {tickList.map((t) => (
          <span key={t} className="tl-tick" style={{ left: timeToX(t, view, width) }}>
            {tickLabel(t, step)}
          </span>
        ))}
        {marks.map((m) => (
          <button
            key={`${m.kind}-${m.at}`}
            type="button"
            tabIndex={-1}
            className={`tl-marker kind-${m.kind}`}
            style={{ left: m.x }}
            title={m.title}
            aria-label={m.title}
            data-testid="tl-marker"
            data-kind={m.kind}
            data-at={m.at}
            onClick={() => seek(m.at)}
          />
        ))}
        <div className="tl-playhead" style={{ left: headX }} aria-hidden="true" data-testid="tl-playhead" />
      </div>
      <div className="tl-side">
        <MenuButton label="Time" commands={commandsInGroup('time')} snapshot={snapshot} selection={selection} testId="menu-time" />
        <span className="tl-zoom" role="group" aria-label="Zoom">
          <button type="button" className="btn-ghost tl-btn" onClick={() => setZoom((z) => Math.max(1, z / 2))} disabled={zoom <= 1} aria-label="Zoom the timeline out" title="Zoom the timeline out (or the mouse wheel)" data-testid="tl-zoom-out">
            −
          </button>
          <button type="button" className="btn-ghost tl-btn" onClick={() => setZoom((z) => Math.min(MAX_ZOOM, z * 2))} disabled={zoom >= MAX_ZOOM} aria-label="Zoom the timeline in" title="Zoom the timeline in (or the mouse wheel)" data-testid="tl-zoom-in">
            +
          </button>
        </span>
      </div>
      <div className="tl-status" aria-live="polite" data-testid="tl-status">
        <span className="tl-clock" data-testid="tl-clock">
          {formatTime(playhead)} / {formatTime(end)}
        </span>
        {seeking ? (
          <span>
            Replaying to {formatTime(seeking.target)}… {Math.round((seeking.reached / Math.max(1, seeking.target)) * 100)}%
          </span>
        ) : past ? (
          <span>
            Looking at {formatTime(now)}{playing ? '' : ', paused'}. An action taken here replaces what came after it (undo brings it back).
          </span>
        ) : (
          <span className="tl-legend">
            {(['action', 'broker', 'leader', 'isr', 'group', 'loss'] as const).map((k) => (
              <span key={k} className={`tl-key kind-${k}`}>
                {KIND_LABEL[k]}
              </span>
            ))}
            {timeline.omitted > 0 && <span className="muted"> · {timeline.omitted} later events not marked</span>}
          </span>
        )}
      </div>
    </section>
  );
}
