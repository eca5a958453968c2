/**
 * The charts panel over the diagram: the metrics list (Kafka's metric names, each with a
 * one-line meaning, each opening its chart), or the charts of one group, partition, broker
 * or metric. The charts follow the timeline: the worker sends the watched lines' samples
 * up to the playhead (a seek back cuts them there, a fork replaces them).
 */
import { useEffect, useMemo } from 'react';
import { useClusterStore } from '../../state/cluster-store';
import { useSeriesStore } from '../../state/series-store';
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient } from '../../state/worker-client';
import { METRIC_KEYS, trendPerSec } from '../../kafka/lag';
import { buildChart, DRAIN_WINDOW_MS, type ChartTarget, type PanelSpec } from './chart-defs';
import { drainSeries, formatDuration, lastValue } from './derive';
import { METRIC_CATALOG } from './metric-catalog';
import { UPlotChart } from './UPlotChart';

const CHART_WIDTH = 388;
const CHART_HEIGHT = 120;

export function ChartsPanel() {
  const charts = useUiStore((s) => s.charts);
  if (!charts) return null;
  return (
    <aside className="charts-panel" aria-label="Charts" data-testid="charts-panel">
      {charts.view === 'metrics' ? <MetricsList /> : <Charts target={charts.target} />}
    </aside>
  );
}

function Header({ title, back }: { title: string; back: boolean }) {
  const open = useUiStore((s) => s.openCharts);
  const selection = useUiStore((s) => s.selection);
  return (
    <header className="charts-head">
      {back && (
        <button type="button" className="btn-ghost" onClick={() => open({ view: 'metrics' })} data-testid="charts-back">
          ← Metrics
        </button>
      )}
      <h2 data-testid="charts-title">{title}</h2>
      <button
        type="button"
        className="btn-ghost"
        aria-label={selection ? 'Close charts (back to the selection)' : 'Close charts'}
        onClick={() => open(null)}
        data-testid="charts-close"
      >
        ✕
      </button>
    </header>
  );
}

function MetricsList() {
  const open = useUiStore((s) => s.openCharts);
  return (
    <>
      <Header title="Metrics" back={false} />
      <p className="muted small">Kafka’s metric names. Each opens a chart over virtual time that follows the timeline.</p>
      <ul className="metric-list" data-testid="metric-list">
        {METRIC_CATALOG.map((m) => (
          <li key={m.name} data-testid={`metric-${m.name}`}>
            <button type="button" className="link metric-name" onClick={() => open({ view: 'chart', target: { kind: 'metric', name: m.name } })}>
              {m.name}
            </button>
            <span className="muted small"> {m.source}</span>
            <div className="metric-meaning">{m.meaning}</div>
          </li>
        ))}
      </ul>
    </>
  );
}

function Charts({ target }: { target: ChartTarget }) {
  const snapshot = useClusterStore((s) => s.snapshot);
  const spec = useMemo(() => (snapshot ? buildChart(target, snapshot) : null), [snapshot, target]);
  const queriesKey = spec ? JSON.stringify(spec.queries) : '';
  useEffect(() => {
    const client = getWorkerClient();
    if (!client || !spec) return;
    client.watchSeries(spec.queries);
    return () => client.watchSeries(null);
    // Watch again only when the lines asked for change, not on every snapshot.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queriesKey]);
  const times = useSeriesStore((s) => s.times);
  const values = useSeriesStore((s) => s.values);
  const xs = useMemo(() => times.map((t) => t / 1000), [times]);
  if (!spec) {
    return (
      <>
        <Header title="Charts" back={target.kind === 'metric'} />
        <p className="muted">Nothing to chart: {describe(target)} does not exist at this moment.</p>
      </>
    );
  }
  return (
    <>
      <Header title={spec.title} back={target.kind === 'metric'} />
      {target.kind === 'group' && <GroupSummary groupId={target.id} times={times} values={values} />}
      {times.length === 0 && <p className="muted" data-testid="charts-empty">No samples yet: one is taken every virtual second.</p>}
      {spec.panels.map((p) => (
        <Panel key={p.id} panel={p} times={times} xs={xs} values={values} />
      ))}
    </>
  );
}

function describe(t: ChartTarget): string {
  switch (t.kind) {
    case 'group':
      return `group ${t.id}`;
    case 'partition':
      return `partition ${t.topic}-${t.partition}`;
    case 'broker':
      return `broker ${t.id}`;
    case 'metric':
      return `the metric ${t.name}`;
  }
}

function Panel({ panel, times, xs, values }: { panel: PanelSpec; times: number[]; xs: number[]; values: Record<string, number[]> }) {
  // Recomputed when samples arrive, not on every snapshot (the panel spec is rebuilt with each).
  const shape = `${panel.id}|${panel.lines.map((l) => l.label).join('|')}`;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const lines = useMemo(() => panel.lines.map((l) => l.compute(times, values)), [shape, times, values]);
  const data = useMemo(() => [xs, ...lines], [xs, lines]);
  const last = lines.map((l) => lastValue(l));
  let min = Infinity;
  for (const l of lines) for (const v of l) if (Number.isFinite(v) && v < min) min = v;
  return (
    <section className="chart" data-testid={`chart-${panel.id}`} data-last={JSON.stringify(last)} data-min={Number.isFinite(min) ? min : ''} data-points={times.length}>
      <h3>
        {panel.title}
        {panel.metric && <code className="metric-tag">{panel.metric}</code>}
      </h3>
      <UPlotChart labels={panel.lines.map((l) => l.label)} unit={panel.unit} data={data} width={CHART_WIDTH} height={CHART_HEIGHT} />
    </section>
  );
}

/** Now, in words: the lag, its age, its trend and when it drains at the current rate. */
function GroupSummary({ groupId, times, values }: { groupId: string; times: number[]; values: Record<string, number[]> }) {
  const lag = values[METRIC_KEYS.groupLag(groupId)] ?? [];
  const lagMs = values[METRIC_KEYS.groupLagMs(groupId)] ?? [];
  const committed = values[METRIC_KEYS.groupCommitted(groupId)] ?? [];
  const nowLag = lastValue(lag);
  const nowMs = lastValue(lagMs);
  const trend = trendPerSec(times, lag, DRAIN_WINDOW_MS);
  const drain = lastValue(drainSeries(times, lag, committed, DRAIN_WINDOW_MS));
  return (
    <dl className="fields charts-summary" data-testid="group-lag-summary">
      <dt>Lag</dt>
      <dd data-testid="summary-lag" data-value={nowLag ?? ''}>
        {nowLag === null ? '–' : `${nowLag} records`}
      </dd>
      <dt>Lag in time</dt>
      <dd data-testid="summary-lag-ms" data-value={nowMs ?? ''}>
        {nowMs === null ? '–' : `${(nowMs / 1000).toFixed(1)} s (oldest unconsumed record)`}
      </dd>
      <dt>Trend</dt>
      <dd data-testid="summary-trend" data-value={trend}>
        {times.length < 2 ? '–' : `${trend > 0 ? '+' : ''}${trend.toFixed(1)} records/s (${trend > 0 ? 'growing' : trend < 0 ? 'shrinking' : 'steady'})`}
      </dd>
      <dt>Drains in</dt>
      <dd data-testid="summary-drain" data-value={drain === null ? '' : String(drain)}>
        {formatDuration(drain)}
      </dd>
    </dl>
  );
}
