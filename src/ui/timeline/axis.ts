/**
 * The timeline bar's geometry, pure (tested under Node): which span of virtual time is in
 * view at a zoom level, where a time lands in pixels and back, tick marks at round
 * intervals, and markers thinned to at most one per kind per few pixels, so a long run
 * with thousands of ISR changes still draws as a light bar.
 */
import type { TimelineMarker } from '../../worker/protocol';
import type { MarkerKind } from '../../worker/time-machine';
import type { TimelineAction } from '../../scenario/types';
import { phrase } from '../events/phrase';

export interface View {
  start: number;
  end: number;
}

export const MAX_ZOOM = 256;

/**
 * The span in view: the whole run at zoom 1, 1/zoom of it otherwise, around the playhead
 * (kept inside the run). A run shorter than a second still gets a one-second axis.
 */
export function viewWindow(origin: number, end: number, zoom: number, playhead: number): View {
  const full = Math.max(1000, end - origin);
  const span = Math.max(100, full / Math.min(Math.max(1, zoom), MAX_ZOOM));
  if (span >= full) return { start: origin, end: origin + full };
  let start = playhead - span / 2;
  start = Math.min(Math.max(origin, start), origin + full - span);
  return { start, end: start + span };
}

export function timeToX(t: number, view: View, width: number): number {
  return ((t - view.start) / (view.end - view.start)) * width;
}

export function xToTime(x: number, view: View, width: number): number {
  if (width <= 0) return view.start;
  return Math.round(view.start + (Math.min(Math.max(x, 0), width) / width) * (view.end - view.start));
}

/** Round tick intervals (ms). */
const STEPS = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000];

/** Ticks about every `minPx` pixels at least. */
export function ticks(view: View, width: number, minPx = 70): number[] {
  const span = view.end - view.start;
  const step = STEPS.find((s) => (s / span) * width >= minPx) ?? STEPS[STEPS.length - 1]!;
  const out: number[] = [];
  for (let t = Math.ceil(view.start / step) * step; t <= view.end; t += step) out.push(t);
  return out;
}

/** Axis label: "42 s", "1:05", "1:00:00"; tenths under 10 s steps where useful. */
export function tickLabel(ms: number, step: number): string {
  const s = ms / 1000;
  if (s < 60) return step < 1000 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m}:${String(rest).padStart(2, '0')}`;
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
}

export interface DrawnMarker {
  x: number;
  kind: MarkerKind;
  at: number;
  /** How many markers of this kind the mark stands for. */
  count: number;
  title: string;
}

/** Markers in view, one per kind per `px` pixels (the first; its tooltip counts the rest). */
export function drawnMarkers(markers: readonly TimelineMarker[], view: View, width: number, px = 4): DrawnMarker[] {
  const out: DrawnMarker[] = [];
  const last = new Map<MarkerKind, DrawnMarker>();
  for (const m of markers) {
    if (m.at < view.start || m.at > view.end) continue;
    const x = timeToX(m.at, view, width);
    const prev = last.get(m.kind);
    if (prev && x - prev.x < px) {
      prev.count++;
      continue;
    }
    const d: DrawnMarker = { x, kind: m.kind, at: m.at, count: 1, title: markerTitle(m) };
    out.push(d);
    last.set(m.kind, d);
  }
  for (const d of out) if (d.count > 1) d.title += ` (and ${d.count - 1} more here)`;
  return out;
}

export const KIND_LABEL: Record<MarkerKind, string> = {
  action: 'Action',
  broker: 'Broker',
  leader: 'Leader election',
  isr: 'ISR change',
  group: 'Rebalance',
  loss: 'Records lost',
};

export function markerTitle(m: TimelineMarker): string {
  const when = `${(m.at / 1000).toFixed(3)} s`;
  if (m.action) return `${when} · ${actionText(m.action)}`;
  if (m.event) return `${when} · ${phrase(m.event).text}`;
  return `${when} · ${KIND_LABEL[m.kind]}`;
}

/** A timeline action in a few words (tooltips). */
export function actionText(a: TimelineAction): string {
  switch (a.op) {
    case 'killBroker':
      return `Kill broker ${a.broker}`;
    case 'restartBroker':
      return `Restart broker ${a.broker}`;
    case 'isolateBroker':
      return `Isolate broker ${a.broker}`;
    case 'healBroker':
      return `Heal broker ${a.broker}'s network`;
    case 'killController':
      return `Kill controller ${a.controller}`;
    case 'restartController':
      return `Restart controller ${a.controller}`;
    case 'isolateController':
      return `Isolate controller ${a.controller}`;
    case 'healController':
      return `Heal controller ${a.controller}'s network`;
    case 'slowBroker':
      return a.delayMs > 0 ? `Slow broker ${a.broker} by ${a.delayMs} ms` : `Broker ${a.broker} back to normal speed`;
    case 'addBroker':
      return `Add broker ${a.id}`;
    case 'removeBroker':
      return `Remove broker ${a.broker}`;
    case 'subscribe':
      return a.topics.length > 0 ? `${a.consumer} subscribes to ${a.topics.join(', ')}` : `${a.consumer} unsubscribes`;
    case 'changeGroup':
      return `${a.consumer} is recreated with group.id ${a.groupId}`;
    case 'produce':
      return `${a.producer} produces ${a.key ? `key ${a.key} ` : ''}to ${a.topic}`;
    case 'startLoad':
      return `${a.producer} starts ${a.ratePerSec} records/s to ${a.topic}`;
    case 'stopLoad':
      return `${a.producer} stops its load${a.topic ? ` to ${a.topic}` : ''}`;
    case 'addConsumer':
      return `Consumer ${a.id} joins ${a.groupId}`;
    case 'removeConsumer':
      return `${a.graceful === false ? 'Crash' : 'Close'} consumer ${a.id}`;
    case 'restartConsumer':
      return `Restart consumer ${a.id}`;
    case 'createTopic':
      return `Create topic ${a.name}`;
    case 'deleteTopic':
      return `Delete topic ${a.name}`;
    case 'alterConfig':
      return `Change configs of ${a.entity} ${a.name}`;
    case 'addProducer':
      return `Add producer ${a.id}`;
    case 'removeProducer':
      return `Remove producer ${a.id}`;
    case 'setProcessingTime':
      return `${a.consumer} takes ${a.msPerRecord} ms per record`;
    case 'resetOffsets':
      return `Reset offsets of ${a.group} on ${a.topic}`;
    case 'electLeaders':
      return `${a.type === 'unclean' ? 'Unclean' : 'Preferred'} leader election for ${a.topic}-${a.partition}`;
    case 'powerCut':
      return 'Power cut: every machine restarts from its disk';
    case 'addPartitions':
      return `Add partitions: ${a.topic} to ${a.partitions}`;
    case 'reassignPartitions':
      return a.replicas === null
        ? `Cancel reassignment of ${a.topic}-${a.partition}`
        : `Reassign ${a.topic}-${a.partition} to [${a.replicas.join(',')}]${a.throttleBytesPerSec !== undefined ? ` (throttle ${a.throttleBytesPerSec} B/s)` : ''}`;
    case 'beginTransaction':
      return `${a.producer} begins a transaction`;
    case 'commitTransaction':
      return `${a.producer} commits its transaction`;
    case 'abortTransaction':
      return `${a.producer} aborts its transaction`;
    case 'sendOffsetsToTransaction':
      return `${a.producer} sends ${a.group}'s offsets to its transaction`;
    default: {
      const never: never = a;
      return (never as { op: string }).op;
    }
  }
}
