/**
 * The forms of building by drawing (issue 12): *New* (an empty cluster or a template) and the
 * settings of a producer, a consumer or the brokers, each ending in timeline actions.
 */
import { useState } from 'react';
import { configValueChoices } from '../../kafka/config';
import type { ClusterSnapshot } from '../../kafka/snapshot';
import { restoreScenario } from '../../scenario/restore';
import { useClusterStore } from '../../state/cluster-store';
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient } from '../../state/worker-client';
import type { DialogRequest } from '../commands';
import { Modal, Row } from '../dialogs/Dialogs';
import { downloadScenario, shareLink } from '../share';
import { FORM_KEYS, configFormChanges, defaultText, type ConfigFormEntity } from './config-form';
import { TEMPLATES } from './templates';

/** Starts a template in place of the current run (the New dialog's submit). */
export function startTemplate(id: string): string | null {
  const t = TEMPLATES.find((x) => x.id === id);
  if (!t) return `There is no template ${id}.`;
  const r = restoreScenario(t.scenario);
  if (!r.ok) return r.error.message;
  const ui = useUiStore.getState();
  ui.select(null);
  ui.setLayout({});
  history.replaceState(null, '', location.pathname);
  getWorkerClient()?.load(r.scenario, true);
  ui.toast(`New: ${t.title}.`);
  return null;
}

export function NewScenarioDialog() {
  const close = useUiStore((s) => s.closeDialog);
  const time = useClusterStore((s) => s.snapshot?.time ?? 0);
  const canUndo = useClusterStore((s) => s.timeline.canUndo);
  const [choice, setChoice] = useState<string>(TEMPLATES[0]!.id);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      title="New cluster"
      testId="dialog-new"
      submitLabel="Start it (replaces the current run)"
      error={error}
      onSubmit={() => {
        const problem = startTemplate(choice);
        if (problem) return setError(problem);
        close();
      }}
    >
      <div className="template-list" role="radiogroup" aria-label="Start from">
        {TEMPLATES.map((t) => (
          <label key={t.id} className="template-option" data-testid={`template-${t.id}`}>
            <input type="radio" name="template" value={t.id} checked={choice === t.id} onChange={() => setChoice(t.id)} />
            <strong>{t.title}</strong>
            <span className="template-purpose">{t.purpose}</span>
          </label>
        ))}
      </div>
      <p className="form-hint">No topics and no clients: drag them from the palette, then draw edges from a producer's or consumer's + connector to a topic's row.</p>
      <div className="form-warning" data-testid="new-warning">
        The current run ({(time / 1000).toFixed(1)} s{canUndo ? ', with actions you took' : ''}) is replaced and not kept: the playground saves one run. To keep it,{' '}
        <button type="button" className="btn btn-link" onClick={() => void downloadScenario()} data-testid="new-export-first">
          export it
        </button>{' '}
        or{' '}
        <button type="button" className="btn btn-link" onClick={() => void shareLink()} data-testid="new-share-first">
          copy its share link
        </button>{' '}
        first.
      </div>
    </Modal>
  );
}

const ENTITY_NOTE: Record<ConfigFormEntity, string> = {
  producer:
    'Applied to the running producer at once, recorded as alterConfig. In Kafka a producer\'s settings are fixed when it is created: the application closes it and creates a new one with them.',
  consumer:
    'Applied to the running consumer at once, recorded as alterConfig. In Kafka a consumer\'s settings are fixed when it is created: the application closes it and creates a new one (which rejoins its group).',
  broker:
    'Cluster-wide, as kafka-configs --alter --entity-type brokers --entity-default sets them (a dynamic default for every broker), recorded as alterConfig. An emptied field deletes the setting: Kafka\'s default applies again.',
};

/** A form over the settings of a producer, a consumer, or the brokers. */
function ConfigForm({ entity, name, overrides, title }: { entity: ConfigFormEntity; name: string; overrides: Record<string, string | number | boolean | null>; title: string }) {
  const close = useUiStore((st) => st.closeDialog);
  const [fields, setFields] = useState<Record<string, string>>(() =>
    Object.fromEntries(FORM_KEYS[entity].map((k) => [k, overrides[k] === undefined || overrides[k] === null ? '' : String(overrides[k])])),
  );
  const [error, setError] = useState<string | null>(null);
  const set = (k: string, v: string) => {
    setFields((f) => ({ ...f, [k]: v }));
    setError(null);
  };
  return (
    <Modal
      title={title}
      testId={`dialog-config-${entity}`}
      submitLabel="Apply"
      error={error}
      wide
      onSubmit={() => {
        const r = configFormChanges(entity, overrides, fields);
        if (r.error) return setError(r.error);
        if (Object.keys(r.config).length > 0) {
          getWorkerClient()?.perform({ op: 'alterConfig', entity: entity === 'broker' ? 'broker' : 'client', name, config: r.config });
          useUiStore.getState().toast(`Changed ${Object.keys(r.config).join(', ')} of ${entity === 'broker' ? 'the brokers' : name}.`);
        }
        close();
      }}
    >
      <p className="form-hint">{ENTITY_NOTE[entity]} An empty field is Kafka&apos;s default, shown beside it.</p>
      <div className="form-grid">
        {FORM_KEYS[entity].map((k) => {
          const choices = k === 'acks' ? ['0', '1', 'all'] : configValueChoices(k);
          const value = fields[k] ?? '';
          const fallback = defaultText(entity, k);
          const hint = k === 'compression.type' ? 'kept and reported: batches are written uncompressed here' : undefined;
          return (
            <Row key={k} label={k} hint={hint}>
              {choices ? (
                <select value={value} onChange={(e) => set(k, e.target.value)} data-testid={`config-${k}`}>
                  <option value="">default ({fallback})</option>
                  {choices.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : (
                <input value={value} placeholder={`default: ${fallback}`} onChange={(e) => set(k, e.target.value)} data-testid={`config-${k}`} />
              )}
            </Row>
          );
        })}
      </div>
    </Modal>
  );
}

export function ClientConfigDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'clientConfig' }> }) {
  const p = s.producers.find((x) => x.id === req.client);
  if (p) return <ConfigForm entity="producer" name={p.id} overrides={p.config ?? {}} title={`Settings of producer ${p.id}`} />;
  const c = s.consumers.find((x) => x.id === req.client);
  if (c) return <ConfigForm entity="consumer" name={c.id} overrides={c.config ?? {}} title={`Settings of consumer ${c.id}`} />;
  return (
    <Modal title="Settings" testId="dialog-config-missing" submitLabel="Close" error={null} onSubmit={() => useUiStore.getState().closeDialog()}>
      <p>There is no client {req.client} any more.</p>
    </Modal>
  );
}

export function BrokerConfigDialog({ s }: { s: ClusterSnapshot }) {
  return <ConfigForm entity="broker" name="" overrides={s.brokerConfig ?? {}} title="Broker settings (every broker)" />;
}
