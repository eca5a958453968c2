/**
 * What the cluster did, in plain words, newest first. Each line selects the thing it names.
 */
import { memo } from 'react';
import { useClusterStore, type LoggedEvent } from '../../state/cluster-store';
import { useUiStore } from '../../state/ui-store';
import { formatTime, phrase } from './phrase';

const Line = memo(function Line({ e }: { e: LoggedEvent }) {
  const p = phrase(e.event);
  const target = p.target;
  return (
    <li className={`event tone-${p.tone}`} data-testid="event" data-type={e.event.type}>
      <time className="event-time">{formatTime(e.event.at)}</time>
      {target ? (
        <button type="button" className="event-text link" onClick={() => useUiStore.getState().select(target)}>
          {p.text}
        </button>
      ) : (
        <span className="event-text">{p.text}</span>
      )}
    </li>
  );
});

export function EventLog() {
  const events = useClusterStore((s) => s.events);
  const open = useUiStore((s) => s.eventLogOpen);
  const toggle = useUiStore((s) => s.toggleEventLog);
  return (
    <section className={`event-log${open ? '' : ' collapsed'}`} id="event-log" aria-label="Event log" data-testid="event-log">
      <header className="panel-header">
        <h2>Events</h2>
        <span className="muted">{events.length === 0 ? 'none yet' : `${events.length} most recent`}</span>
        <span className="panel-actions">
          <button
            type="button"
            className="btn-ghost"
            onClick={() => useUiStore.getState().openDialog({ kind: 'sequenceDiagram' })}
            disabled={events.length === 0}
            aria-label="Recent events as a sequence diagram"
            title="Recent events as a sequence diagram"
            data-testid="events-sequence"
          >
            <span aria-hidden="true">⇄</span>
          </button>
          <button type="button" className="btn-ghost" onClick={toggle} aria-expanded={open} aria-controls="event-list">
            {open ? 'Hide' : 'Show'}
          </button>
        </span>
      </header>
      {open && (
        <ol id="event-list" className="event-list">
          {[...events].reverse().map((e) => (
            <Line key={e.seq} e={e} />
          ))}
        </ol>
      )}
    </section>
  );
}
