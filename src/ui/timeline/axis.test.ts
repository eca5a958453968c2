import { describe, expect, it } from 'vitest';
import type { TimelineMarker } from '../../worker/protocol';
import { actionText, drawnMarkers, markerTitle, tickLabel, ticks, timeToX, viewWindow, xToTime } from './axis';

describe('timeline axis', () => {
  it('shows the whole run at zoom 1, a window around the playhead when zoomed, kept inside the run', () => {
    expect(viewWindow(0, 60_000, 1, 30_000)).toEqual({ start: 0, end: 60_000 });
    expect(viewWindow(0, 60_000, 4, 30_000)).toEqual({ start: 22_500, end: 37_500 });
    expect(viewWindow(0, 60_000, 4, 1000)).toEqual({ start: 0, end: 15_000 });
    expect(viewWindow(0, 60_000, 4, 59_000)).toEqual({ start: 45_000, end: 60_000 });
    // A run shorter than a second still has a one-second axis.
    expect(viewWindow(0, 10, 1, 5)).toEqual({ start: 0, end: 1000 });
  });

  it('maps time to pixels and back, clamped to the track', () => {
    const view = { start: 1000, end: 3000 };
    expect(timeToX(2000, view, 400)).toBe(200);
    expect(xToTime(200, view, 400)).toBe(2000);
    expect(xToTime(-50, view, 400)).toBe(1000);
    expect(xToTime(900, view, 400)).toBe(3000);
  });

  it('ticks at round steps at least 70 px apart, labelled as people read time', () => {
    const t = ticks({ start: 0, end: 30 * 60_000 }, 700);
    // 70 px of 700 is 3 minutes of 30: the next round step is 5 minutes.
    expect(t[1]! - t[0]!).toBe(300_000);
    expect(tickLabel(65_000, 5000)).toBe('1:05');
    expect(tickLabel(42_000, 1000)).toBe('42 s');
    expect(tickLabel(1500, 500)).toBe('1.5 s');
    expect(tickLabel(3_725_000, 60_000)).toBe('1:02:05');
  });

  it('draws one marker per kind per few pixels, its tooltip counting the rest', () => {
    const markers: TimelineMarker[] = [
      { at: 1000, kind: 'isr', event: { at: 1000, type: 'IsrShrink', topic: 't', partition: 0, broker: 2, isr: [1, 3] } },
      { at: 1001, kind: 'isr', event: { at: 1001, type: 'IsrShrink', topic: 't', partition: 1, broker: 2, isr: [1, 3] } },
      { at: 1001, kind: 'action', action: { at: 1001, op: 'killBroker', broker: 2 } },
      { at: 9000, kind: 'isr', event: { at: 9000, type: 'IsrExpand', topic: 't', partition: 0, broker: 2, isr: [1, 2, 3] } },
    ];
    const drawn = drawnMarkers(markers, { start: 0, end: 10_000 }, 500);
    expect(drawn.map((d) => [d.kind, d.at, d.count])).toEqual([
      ['isr', 1000, 2],
      ['action', 1001, 1],
      ['isr', 9000, 1],
    ]);
    expect(drawn[0]!.title).toBe('1.000 s · t-0: broker 2 left the ISR; ISR [1,3] (and 1 more here)');
    expect(drawn[1]!.title).toBe('1.001 s · Kill broker 2');
    expect(markerTitle({ at: 5, kind: 'loss' })).toBe('0.005 s · Records lost');
    expect(actionText({ at: 0, op: 'startLoad', producer: 'p', topic: 'o', ratePerSec: 20 })).toBe('p starts 20 records/s to o');
  });
});
