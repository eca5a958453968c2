/** The top bar: playback and the clock, then the registry's commands grouped in menus. */
import { useClusterStore } from '../state/cluster-store';
import { useUiStore } from '../state/ui-store';
import { SPEEDS, command, commandsInGroup } from './commands';
import { runCommand } from './command-env';
import { formatTime } from './events/phrase';
import { MenuButton } from './Menu';
import { getWorkerClient } from '../state/worker-client';
import { useEffect, useRef, type ReactNode } from 'react';

function speedLabel(s: number): string {
  return `${s}×`;
}

/** A toolbar button that runs one command of the registry. */
function CommandButton(props: {
  id: string;
  disabled: boolean;
  keys: string;
  testId: string;
  title?: string;
  ariaLabel?: string;
  pressed?: boolean;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="btn"
      disabled={props.disabled}
      onClick={() => runCommand(command(props.id))}
      aria-label={props.ariaLabel}
      aria-keyshortcuts={props.keys}
      aria-pressed={props.pressed}
      data-testid={props.testId}
      title={props.title}
    >
      {props.children}
    </button>
  );
}

export function Toolbar() {
  // The toolbar wraps onto a second row when narrow: what floats below it (the storage
  // banners, the narrow window's inspector drawer) reads its height from --toolbar-height so
  // it never covers a menu.
  const headerRef = useRef<HTMLElement>(null);
  // Read from the ResizeObserver's entry only (it runs after layout, and first right after the
  // first one): a read of the box in a layout effect forced the whole page's first layout inside
  // the app's first commit (~80 ms of one long task opening a 6 x 50 link). The property is set
  // only when the height changes: setting it on the root restyles the whole page. Until the
  // first entry, the CSS default (52px, one row) holds.
  useEffect(() => {
    const el = headerRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let last = -1;
    const ro = new ResizeObserver((entries) => {
      const e = entries[entries.length - 1]!;
      const box = e.borderBoxSize?.[0];
      const h = Math.ceil(box ? box.blockSize : e.contentRect.height);
      if (h === last) return;
      last = h;
      document.documentElement.style.setProperty('--toolbar-height', `${h}px`);
    });
    ro.observe(el, { box: 'border-box' });
    return () => ro.disconnect();
  }, []);
  const snapshot = useClusterStore((s) => s.snapshot);
  const time = useClusterStore((s) => s.snapshot?.time ?? 0);
  const status = useClusterStore((s) => s.status);
  const selection = useUiStore((s) => s.selection);
  const terminalOpen = useUiStore((s) => s.terminalOpen);
  const ready = snapshot !== null;
  const speeds: number[] = [...SPEEDS];
  if (!speeds.includes(status.speed)) speeds.push(status.speed);
  speeds.sort((a, b) => a - b);
  const menu = (label: string, group: Parameters<typeof commandsInGroup>[0], testId: string) => (
    <MenuButton label={label} commands={commandsInGroup(group)} snapshot={snapshot} selection={selection} testId={testId} />
  );
  return (
    <header className="toolbar" aria-label="Playground controls" ref={headerRef}>
      <div className="brand">
        <span className="logo" aria-hidden="true">
          ⬢
        </span>
        <span className="brand-name">Kafka playground</span>
      </div>
      <div className="toolbar-group" role="group" aria-label="Playback">
        <button
          type="button"
          className="btn btn-primary play"
          disabled={!ready}
          onClick={() => runCommand(command('playback.toggle'))}
          aria-label={status.playing ? 'Pause' : 'Play'}
          aria-keyshortcuts="Space"
          data-testid="play-pause"
          title={status.playing ? 'Pause (Space)' : 'Play (Space)'}
        >
          <span aria-hidden="true">{status.playing ? '❚❚' : '▶'}</span>
          <span>{status.playing ? 'Pause' : 'Play'}</span>
        </button>
        <CommandButton id="playback.step" disabled={!ready} keys="." testId="step" title="Step 100 ms of virtual time (.)" ariaLabel="Step 100 ms">
          Step
        </CommandButton>
        <label className="inline-label">
          Speed
          <select
            value={status.speed}
            disabled={!ready}
            onChange={(e) => getWorkerClient()?.setSpeed(Number(e.target.value))}
            data-testid="speed"
          >
            {speeds.map((s) => (
              <option key={s} value={s}>
                {speedLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <output className="clock" aria-label="Virtual time" data-testid="clock" data-ms={time}>
          {formatTime(time)}
        </output>
      </div>
      <div className="toolbar-group" role="group" aria-label="Commands">
        <CommandButton id="scenario.new" disabled={!ready} keys="N" testId="toolbar-new" title="A new cluster: empty, or from a template (N)">
          New…
        </CommandButton>
        <CommandButton id="producer.produce" disabled={!command('producer.produce').enabled(snapshot, selection)} keys="P" testId="toolbar-produce">
          Produce…
        </CommandButton>
        {menu('Producers', 'produce', 'menu-producers')}
        {menu('Cluster', 'cluster', 'menu-cluster')}
        {menu('Partition', 'partition', 'menu-partition')}
        {menu('Consumers', 'consumers', 'menu-consumers')}
        {menu('Scenario', 'scenario', 'menu-scenario')}
        <button
          type="button"
          className="btn"
          onClick={() => {
            const ui = useUiStore.getState();
            ui.openCharts(ui.charts?.view === 'metrics' ? null : { view: 'metrics' });
          }}
          data-testid="toolbar-metrics"
        >
          Metrics
        </button>
        <CommandButton id="terminal.toggle" disabled={!ready} keys="`" testId="toolbar-terminal" title="Kafka command line (`)" pressed={terminalOpen}>
          Terminal
        </CommandButton>
      </div>
    </header>
  );
}
