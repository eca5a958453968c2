/**
 * Finding one's way in a large diagram (issue 10): search for a partition (selects it and
 * centres its leader's row), show one topic only, collapse a topic into one row per broker.
 * Sits beside the diagram tools, bottom left.
 */
import { useState, type FormEvent } from 'react';
import { Panel } from '@xyflow/react';
import { useClusterStore } from '../../state/cluster-store';
import { useUiStore } from '../../state/ui-store';
import { findPartition } from './flow';

export function DiagramFind() {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const topics = useClusterStore((s) => s.snapshot?.topics.map((t) => t.name).join('\u0000') ?? '');
  const names = topics === '' ? [] : topics.split('\u0000').sort();
  const topicFilter = useUiStore((s) => s.topicFilter);
  const collapsed = useUiStore((s) => s.collapsedTopics);

  const onFind = (e: FormEvent) => {
    e.preventDefault();
    const snapshot = useClusterStore.getState().snapshot;
    if (!snapshot || text.trim() === '') return;
    const found = findPartition(snapshot, text);
    if (!found.ok) {
      setError(found.message);
      return;
    }
    setError(null);
    const { topic, partition } = found.partition;
    const ui = useUiStore.getState();
    // What hides it is undone: another topic's filter, its topic collapsed.
    if (ui.topicFilter !== null && ui.topicFilter !== topic) ui.setTopicFilter(null);
    if (ui.collapsedTopics.includes(topic)) ui.toggleCollapsedTopic(topic);
    ui.select({ kind: 'partition', topic, partition });
    ui.requestCentre(topic, partition);
  };

  return (
    <Panel position="bottom-left" className="diagram-find" aria-label="Find and filter">
      <form onSubmit={onFind} className="find-form" role="search">
        <input
          type="search"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
          placeholder="Find partition, e.g. orders-2"
          aria-label="Find a partition"
          aria-invalid={error !== null}
          aria-describedby={error ? 'find-error' : undefined}
          data-testid="find-partition"
        />
      </form>
      {names.length > 0 && (
        <select
          aria-label="Show topic"
          data-testid="topic-filter"
          value={topicFilter ?? ''}
          onChange={(e) => useUiStore.getState().setTopicFilter(e.target.value === '' ? null : e.target.value)}
        >
          <option value="">All topics</option>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      )}
      {names.length > 0 && (
        <details className="collapse-menu">
          <summary data-testid="collapse-topics">Collapse{collapsed.length > 0 ? ` (${collapsed.length})` : ''}</summary>
          <div className="collapse-list" role="group" aria-label="Collapse topics">
            {names.map((n) => (
              <label key={n}>
                <input
                  type="checkbox"
                  checked={collapsed.includes(n)}
                  onChange={() => useUiStore.getState().toggleCollapsedTopic(n)}
                  data-testid={`collapse-topic-${n}`}
                />{' '}
                {n}
              </label>
            ))}
          </div>
        </details>
      )}
      {error && (
        <div className="find-error" id="find-error" role="alert" data-testid="find-error">
          {error}
        </div>
      )}
    </Panel>
  );
}
