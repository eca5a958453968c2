/**
 * One uPlot chart. uPlot (and its stylesheet) is loaded by dynamic import the first time
 * a chart is shown, so the app's first load does not carry it.
 */
import { useEffect, useRef, useState } from 'react';
import type uPlotType from 'uplot';

type UPlotCtor = typeof uPlotType;
let loading: Promise<UPlotCtor> | null = null;

/** uPlot, loaded once on first use. */
export function loadUPlot(): Promise<UPlotCtor> {
  loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);
  return loading;
}

const REDRAW_MS = 250;

export const LINE_COLORS = ['#2f5fd0', '#c3252e', '#17804d', '#a65c00', '#7c3aed', '#0e7490', '#be185d', '#4b5563'];

export function UPlotChart({ labels, unit, data, width, height }: { labels: string[]; unit: string; data: number[][]; width: number; height: number }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlotType | null>(null);
  const [ctor, setCtor] = useState<UPlotCtor | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const latest = useRef(data);
  const shape = `${labels.join('\u0000')}|${unit}|${width}|${height}`;

  useEffect(() => {
    let live = true;
    loadUPlot().then(
      (c) => live && setCtor(() => c),
      (e: unknown) => live && setFailed(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!ctor || !host.current) return;
    const opts: uPlotType.Options = {
      width,
      height,
      legend: { show: true, live: false },
      cursor: { show: true, drag: { x: false, y: false } },
      // Counts and rates start at 0; a flat 0 line gets a small range, not uPlot's 0..100.
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { label: 'virtual time (s)', size: 34, labelSize: 14, font: '11px system-ui', labelFont: '11px system-ui' },
        { label: unit, size: 52, labelSize: 14, space: 22, font: '11px system-ui', labelFont: '11px system-ui' },
      ],
      series: [{ label: 't' }, ...labels.map((label, i) => ({ label, stroke: LINE_COLORS[i % LINE_COLORS.length]!, width: 1.5, spanGaps: false, points: { show: false } }))],
    };
    const u = new ctor(opts, toAligned(latest.current), host.current);
    plot.current = u;
    return () => {
      u.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its shape changes; data changes go through setData.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ctor, shape]);

  // New samples arrive with the snapshots (up to 30 a second while playing fast): redraw
  // at most every REDRAW_MS, with the latest data, so the charts never starve the page.
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    latest.current = data;
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      plot.current?.setData(toAligned(latest.current));
    }, REDRAW_MS);
  }, [data]);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  if (failed) return <p className="bad">The chart library could not be loaded: {failed}</p>;
  return <div ref={host} className="uplot-host" data-testid="uplot-host" data-ready={ctor ? 'yes' : 'no'} style={{ minHeight: height }} />;
}

/** uPlot wants null for gaps. */
function toAligned(data: number[][]): uPlotType.AlignedData {
  return data.map((col) => col.map((v) => (Number.isFinite(v) ? v : null))) as unknown as uPlotType.AlignedData;
}
