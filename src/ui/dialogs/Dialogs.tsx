/**
 * Small forms with labels, one per dialog kind. Each ends in cluster actions sent to the
 * worker (recorded into the timeline). Focus goes to the first field; Escape cancels and
 * focus returns to where it was.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { ClusterSnapshot } from '../../kafka/snapshot';
import { useClusterStore } from '../../state/cluster-store';
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient } from '../../state/worker-client';
import type { ActionRequest } from '../../worker/protocol';
import { nodeId } from '../../state/selection';
import type { DialogRequest } from '../commands';
import { placeNode } from '../diagram/place';
import { BrokerConfigDialog, ClientConfigDialog, NewScenarioDialog } from '../build/BuildDialogs';
import { MermaidView } from '../events/MermaidView';
import { MessageBrowser } from '../browser/MessageBrowser';
import { toMermaidSequence } from '../events/sequence';
import { toMermaidFlowchart } from '../diagram/topology';
import { performChecked, produceWithOutcome } from '../outcomes';
import { partitionForKey, utf8 } from '../../kafka/producer/murmur2';
import { browserCliContext } from '../terminal/browser-context';
import { executeResetOffsets, planResetOffsets, type ResetPlanRow, type ResetSpec } from '../../cli-tools/consumer-groups';
import { TOPIC_DEFAULTS, invalidConfigValue } from '../../kafka/config';
import {
  ASSIGNORS,
  REMOTE_ASSIGNORS,
  EDITABLE_TOPIC_CONFIGS,
  topicConfigChanges,
  type EditableTopicConfig,
  addConsumerAction,
  createTopicAction,
  freshId,
  parseAcks,
  produceActions,
  resetTarget,
  type Acks,
  type ResetMode,
} from './forms';

function send(actions: ActionRequest[]): void {
  const client = getWorkerClient();
  for (const a of actions) client?.perform(a);
}

export function Modal({
  title,
  children,
  onSubmit,
  submitLabel,
  error,
  testId,
  wide = false,
  cancelLabel = 'Cancel',
}: {
  title: string;
  children: ReactNode;
  onSubmit(): void;
  submitLabel: string;
  error: string | null;
  testId: string;
  wide?: boolean;
  cancelLabel?: string;
}) {
  const close = useUiStore((s) => s.closeDialog);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    // A dialog without fields (the sequence diagram) takes focus itself, so Escape reaches it.
    (ref.current?.querySelector<HTMLElement>('input, select, textarea') ?? ref.current)?.focus();
    // Escape closes even when focus has left the dialog (a click on a picture inside it).
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        close();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, [close]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <form
        ref={ref}
        className={`modal${wide ? ' wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${testId}-title`}
        data-testid={testId}
        tabIndex={-1}
        onSubmit={submit}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            e.preventDefault();
            close();
          }
        }}
      >
        <h2 id={`${testId}-title`}>{title}</h2>
        {children}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={close}>
            {cancelLabel}
          </button>
          <button type="submit" className="btn btn-primary" data-testid={`${testId}-submit`}>
            {submitLabel}
          </button>
        </div>
      </form>
    </div>
  );
}

export function Row({ label, children, hint }: { label: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <label className="form-row">
      <span className="form-label">{label}</span>
      {children}
      {hint && <span className="form-hint">{hint}</span>}
    </label>
  );
}

/** acks as a choice, each value with what it waits for. */
function AcksSelect({ value, onChange, testId }: { value: Acks; onChange(a: Acks): void; testId: string }) {
  return (
    <select value={String(value)} onChange={(e) => onChange(parseAcks(e.target.value))} data-testid={testId}>
      <option value="0">0: do not wait</option>
      <option value="1">1: the leader has it</option>
      <option value="all">all: every in-sync replica has it</option>
    </select>
  );
}

/** A choice among names (producers, topics). */
function Choice({ value, onChange, options }: { value: string; onChange(v: string): void; options: string[] }) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)}>
      {options.map((o) => (
        <option key={o}>{o}</option>
      ))}
    </select>
  );
}

const AcksHint = ({ producer }: { producer: string }) => (
  <>
    acks is a producer setting, not a per-record one: changing it alters <strong>{producer}</strong>'s config (recorded as
    alterConfig) for all its later sends, the steady load included.
  </>
);

function ProduceDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'produce' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  // The last record's producer, topic, partition and key come back for the next one, unless
  // the dialog was opened for another producer or partition.
  const last = useUiStore.getState().lastProduce;
  const lastFits = last !== null && s.producers.some((p) => p.id === last.producer) && s.topics.some((t) => t.name === last.topic);
  const [producer, setProducer] = useState(req.producer ?? (lastFits ? last.producer : s.producers[0]?.id ?? ''));
  const current = s.producers.find((p) => p.id === producer)?.acks ?? 'all';
  const [topic, setTopic] = useState(req.topic ?? (lastFits ? last.topic : s.topics[0]?.name ?? ''));
  const [partition, setPartition] = useState(
    req.partition !== undefined ? String(req.partition) : lastFits && req.topic === undefined ? last.partition : '',
  );
  const [key, setKey] = useState(lastFits ? last.key : '');
  const [value, setValue] = useState('');
  const [tombstone, setTombstone] = useState(false);
  const [headers, setHeaders] = useState('');
  const [acks, setAcks] = useState<Acks>(current);
  const [error, setError] = useState<string | null>(null);
  const partitions = s.topics.find((t) => t.name === topic)?.partitions ?? 0;
  return (
    <Modal
      title="Produce a record"
      testId="dialog-produce"
      submitLabel="Produce"
      error={error}
      onSubmit={() => {
        const r = produceActions({ producer, topic, partition, key, value, tombstone, headers, acks }, current);
        if (r.error) return setError(r.error);
        for (const a of r.actions) {
          if (a.op === 'produce') void produceWithOutcome(a);
          else send([a]);
        }
        useUiStore.getState().rememberProduce({ producer, topic, partition, key });
        close();
      }}
    >
      <div className="form-grid">
        <Row label="Producer">
          <Choice
            value={producer}
            onChange={(id) => (setProducer(id), setAcks(s.producers.find((p) => p.id === id)?.acks ?? 'all'))}
            options={s.producers.map((p) => p.id)}
          />
        </Row>
        <Row label="Topic">
          <Choice value={topic} onChange={(t) => (setTopic(t), setPartition(''))} options={s.topics.map((t) => t.name)} />
        </Row>
        <Row label="Partition">
          <select value={partition} onChange={(e) => setPartition(e.target.value)}>
            <option value="">by key (murmur2)</option>
            {Array.from({ length: partitions }, (_, i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </Row>
        <Row label="Key">
          <input value={key} onChange={(e) => setKey(e.target.value)} placeholder="empty: no key" data-testid="produce-key" />
        </Row>
      </div>
      <Row label="Value">
        <textarea
          rows={2}
          value={value}
          disabled={tombstone}
          onChange={(e) => setValue(e.target.value)}
          data-testid="produce-value"
        />
      </Row>
      <label className="check">
        <input type="checkbox" checked={tombstone} onChange={(e) => setTombstone(e.target.checked)} /> Tombstone (null value)
      </label>
      <Row label="Headers" hint="one name=value per line">
        <textarea rows={2} value={headers} onChange={(e) => setHeaders(e.target.value)} data-testid="produce-headers" />
      </Row>
      <Row label={`acks (producer ${producer} now uses acks=${current})`} hint={<AcksHint producer={producer} />}>
        <AcksSelect value={acks} onChange={setAcks} testId="produce-acks" />
      </Row>
    </Modal>
  );
}

function SetAcksDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'setAcks' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  const [producer, setProducer] = useState(req.producer ?? s.producers[0]?.id ?? '');
  const current = s.producers.find((p) => p.id === producer)?.acks ?? 'all';
  const [acks, setAcks] = useState<Acks>(current);
  return (
    <Modal
      title="Set acks"
      testId="dialog-acks"
      submitLabel="Apply"
      error={null}
      onSubmit={() => {
        send([{ op: 'alterConfig', entity: 'client', name: producer, config: { acks } }]);
        close();
      }}
    >
      <Row label="Producer">
        <Choice value={producer} onChange={setProducer} options={s.producers.map((p) => p.id)} />
      </Row>
      <Row label="acks" hint={<AcksHint producer={producer} />}>
        <AcksSelect value={acks} onChange={setAcks} testId="acks-select" />
      </Row>
    </Modal>
  );
}

function StartLoadDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'startLoad' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  const [producer, setProducer] = useState(req.producer ?? s.producers[0]?.id ?? '');
  const [topic, setTopic] = useState(req.topic ?? s.topics[0]?.name ?? '');
  const [rate, setRate] = useState(100);
  const [keys, setKeys] = useState(50);
  const [valueBytes, setValueBytes] = useState(100);
  return (
    <Modal
      title="Start a steady load"
      testId="dialog-load"
      submitLabel="Start"
      error={rate > 0 ? null : 'The rate must be above 0.'}
      onSubmit={() => {
        if (!(rate > 0)) return;
        send([{ op: 'startLoad', producer, topic, ratePerSec: rate, keys, valueBytes }]);
        close();
      }}
    >
      <div className="form-grid">
        <Row label="Producer">
          <Choice value={producer} onChange={setProducer} options={s.producers.map((p) => p.id)} />
        </Row>
        <Row label="Topic">
          <Choice value={topic} onChange={setTopic} options={s.topics.map((t) => t.name)} />
        </Row>
        <Row label="Records per second">
          <input type="number" min={1} max={100000} value={rate} onChange={(e) => setRate(Number(e.target.value))} />
        </Row>
        <Row label="Distinct keys" hint="0: no keys">
          <input type="number" min={0} value={keys} onChange={(e) => setKeys(Number(e.target.value))} />
        </Row>
        <Row label="Value size (bytes)">
          <input type="number" min={0} value={valueBytes} onChange={(e) => setValueBytes(Number(e.target.value))} />
        </Row>
      </div>
    </Modal>
  );
}

function AddProducerDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'addProducer' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  const [id, setId] = useState(freshId('producer', s.producers.map((p) => p.id)));
  const [acks, setAcks] = useState<Acks>('all');
  const [idempotent, setIdempotent] = useState(true);
  const taken = s.producers.some((p) => p.id === id.trim());
  return (
    <Modal
      title="Add a producer"
      testId="dialog-add-producer"
      submitLabel="Add"
      error={taken ? `A producer ${id} exists already.` : null}
      onSubmit={() => {
        if (taken || !id.trim()) return;
        if (req.at) placeNode(nodeId.producer(id.trim()), req.at);
        send([{ op: 'addProducer', id: id.trim(), config: { acks, 'enable.idempotence': idempotent } }]);
        close();
      }}
    >
      <Row label="Client id">
        <input value={id} onChange={(e) => setId(e.target.value)} />
      </Row>
      <Row label="acks">
        <AcksSelect value={acks} onChange={setAcks} testId="add-producer-acks" />
      </Row>
      <label className="check">
        <input type="checkbox" checked={idempotent} onChange={(e) => setIdempotent(e.target.checked)} /> enable.idempotence
      </label>
    </Modal>
  );
}

function CreateTopicDialog({ s }: { s: ClusterSnapshot }) {
  const close = useUiStore((st) => st.closeDialog);
  const live = s.brokers.filter((b) => b.status === 'up').length;
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState(3);
  const [rf, setRf] = useState(Math.min(3, Math.max(1, live)));
  const [minIsr, setMinIsr] = useState(Math.min(2, Math.max(1, live - 1)));
  const [cleanup, setCleanup] = useState<CleanupPolicy>('delete');
  const [retention, setRetention] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      title="Create a topic"
      testId="dialog-create-topic"
      submitLabel="Create"
      error={error}
      onSubmit={() => {
        const r = createTopicAction({ name, partitions, replicationFactor: rf, minInsyncReplicas: minIsr, cleanupPolicy: cleanup, retentionMs: retention });
        if (!r.action) return setError(r.error);
        send([r.action]);
        close();
      }}
    >
      <div className="form-grid">
        <Row label="Name">
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="payments" data-testid="topic-name" />
        </Row>
        <Row label="Partitions">
          <input type="number" min={1} max={64} value={partitions} onChange={(e) => setPartitions(Number(e.target.value))} />
        </Row>
        <Row label="Replication factor" hint={`${live} broker${live === 1 ? '' : 's'} up`}>
          <input type="number" min={1} max={16} value={rf} onChange={(e) => setRf(Number(e.target.value))} />
        </Row>
        <Row label="min.insync.replicas">
          <input type="number" min={1} max={16} value={minIsr} onChange={(e) => setMinIsr(Number(e.target.value))} />
        </Row>
        <Row label="cleanup.policy">
          <select value={cleanup} onChange={(e) => setCleanup(e.target.value as CleanupPolicy)}>
            {CLEANUP_POLICIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </Row>
        <Row label="retention.ms" hint="empty: the default (7 days)">
          <input type="number" min={1} value={retention} onChange={(e) => setRetention(e.target.value)} />
        </Row>
      </div>
    </Modal>
  );
}

/** The recent events as a sequence diagram (Mermaid), with its source to copy. */
function SequenceDialog() {
  const events = useClusterStore((st) => st.events);
  // The diagram is a picture of the moment it was opened: it does not redraw under the reader.
  const [source] = useState(() => toMermaidSequence(events.map((e) => e.event), SEQUENCE_EVENTS));
  return (
    <MermaidDialog
      title={`The last ${SEQUENCE_EVENTS} events as a sequence diagram`}
      testId="dialog-sequence"
      source={source}
      label="Sequence diagram of the recent cluster events"
    />
  );
}

/** The cluster's topology (brokers, topics, clients, groups) as a Mermaid flowchart. */
function TopologyDialog({ s }: { s: ClusterSnapshot }) {
  // A picture of the moment it was opened, like the sequence diagram.
  const [source] = useState(() => toMermaidFlowchart(s));
  return <MermaidDialog title="The topology as a flowchart" testId="dialog-topology" source={source} label="Flowchart of the cluster's topology" />;
}

/** A Mermaid drawing with its source to copy into any Markdown that renders Mermaid. */
function MermaidDialog({ title, testId, source, label }: { title: string; testId: string; source: string; label: string }) {
  const toast = useUiStore((st) => st.toast);
  const close = useUiStore((st) => st.closeDialog);
  return (
    <Modal
      title={title}
      testId={testId}
      submitLabel="Copy Mermaid source"
      cancelLabel="Close"
      wide
      error={null}
      onSubmit={() => {
        navigator.clipboard.writeText(source).then(
          () => toast('Mermaid source copied: paste it into any Markdown that renders Mermaid.'),
          () => toast('The clipboard is not available here; the source is below.', 'error'),
        );
        close();
      }}
    >
      <MermaidView source={source} label={label} />
      <details>
        <summary>Mermaid source</summary>
        <pre className="mermaid-source" data-testid="mermaid-source">
          {source}
        </pre>
      </details>
    </Modal>
  );
}

const SEQUENCE_EVENTS = 40;

const CLEANUP_POLICIES = ['delete', 'compact', 'delete,compact'] as const;
type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];

/** What each topic config does, in a few words (its default shows in the field). */
const TOPIC_CONFIG_HINTS: Record<EditableTopicConfig, string> = {
  'cleanup.policy': 'delete old segments, keep the latest record per key, or both',
  'retention.ms': 'delete segments older than this (-1: keep forever)',
  'retention.bytes': 'delete the oldest segments past this size per partition (-1: no limit)',
  'segment.ms': 'roll a new segment after this long (retention deletes whole segments)',
  'segment.bytes': 'roll a new segment at this size',
  'min.insync.replicas': 'acks=all writes need this many in-sync replicas',
  'unclean.leader.election.enable': 'let an out-of-sync replica lead, losing what it lacks',
  'delete.retention.ms': 'how long compaction keeps a tombstone',
  'min.cleanable.dirty.ratio': 'compact once this share of the log is dirty',
  'min.compaction.lag.ms': 'never compact records younger than this',
};

function TopicConfigDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'topicConfig' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  const overrides = s.topics.find((t) => t.name === req.topic)?.config ?? {};
  const [fields, setFields] = useState<Partial<Record<EditableTopicConfig, string>>>(() =>
    Object.fromEntries(EDITABLE_TOPIC_CONFIGS.map((k) => [k, overrides[k] === undefined || overrides[k] === null ? '' : String(overrides[k])])),
  );
  const [error, setError] = useState<string | null>(null);
  const set = (k: EditableTopicConfig, v: string) => (setFields((f) => ({ ...f, [k]: v })), setError(null));
  return (
    <Modal
      title={`Configs of topic ${req.topic}`}
      testId="dialog-topic-config"
      submitLabel="Apply"
      error={error}
      onSubmit={() => {
        const r = topicConfigChanges(overrides, fields, invalidConfigValue);
        if (r.error) return setError(r.error);
        if (Object.keys(r.config).length > 0) send([{ op: 'alterConfig', entity: 'topic', name: req.topic, config: r.config }]);
        close();
      }}
    >
      <p className="form-hint">An empty field uses the default. Changes are recorded as alterConfig, as kafka-configs --alter sends them.</p>
      <div className="form-grid">
        {EDITABLE_TOPIC_CONFIGS.map((k) => {
          const fallback = String(TOPIC_DEFAULTS[k]);
          const value = fields[k] ?? '';
          return (
            <Row key={k} label={k} hint={TOPIC_CONFIG_HINTS[k]}>
              {k === 'cleanup.policy' || k === 'unclean.leader.election.enable' ? (
                <select value={value} onChange={(e) => set(k, e.target.value)} data-testid={`topic-config-${k}`}>
                  <option value="">default ({fallback})</option>
                  {(k === 'cleanup.policy' ? CLEANUP_POLICIES : ['true', 'false']).map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              ) : (
                <input inputMode="numeric" value={value} placeholder={`default: ${fallback}`} onChange={(e) => set(k, e.target.value)} data-testid={`topic-config-${k}`} />
              )}
            </Row>
          );
        })}
      </div>
    </Modal>
  );
}

function DeleteTopicDialog({ req }: { req: Extract<DialogRequest, { kind: 'deleteTopic' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  return (
    <Modal
      title={`Delete topic ${req.topic}?`}
      testId="dialog-delete-topic"
      submitLabel="Delete topic"
      error={null}
      onSubmit={() => {
        send([{ op: 'deleteTopic', name: req.topic }]);
        close();
      }}
    >
      <p>
        Every replica of every partition of <strong>{req.topic}</strong> is deleted, with its records; consumers subscribed to it
        lose those partitions at the next rebalance. This is recorded in the scenario like any action.
      </p>
    </Modal>
  );
}

function SlowBrokerDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'slowBroker' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  const current = s.brokers.find((b) => b.id === req.broker)?.slowMs ?? 0;
  const [delay, setDelay] = useState(current > 0 ? current : 500);
  return (
    <Modal
      title={`Slow broker ${req.broker}`}
      testId="dialog-slow"
      submitLabel="Apply"
      error={delay >= 0 ? null : 'The delay is 0 or more.'}
      onSubmit={() => {
        if (delay < 0) return;
        send([{ op: 'slowBroker', broker: req.broker, delayMs: delay }]);
        close();
      }}
    >
      <Row label="Extra network delay (ms)" hint="0 brings it back to normal. Followers lagging longer than replica.lag.time.max.ms leave the ISR.">
        <input type="number" min={0} value={delay} onChange={(e) => setDelay(Number(e.target.value))} />
      </Row>
    </Modal>
  );
}

function AddConsumerDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'addConsumer' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  const groups = [...new Set([...s.groups.map((g) => g.groupId), ...s.consumers.map((c) => c.groupId)])];
  const [groupId, setGroupId] = useState(req.groupId ?? groups[0] ?? 'my-group');
  const taken = s.consumers.map((c) => c.id);
  const [id, setId] = useState(freshId(groupId, taken));
  const [idTouched, setIdTouched] = useState(false);
  const [topics, setTopics] = useState<string[]>(req.topic ? [req.topic] : s.topics[0] ? [s.topics[0].name] : []);
  const group = s.groups.find((g) => g.groupId === groupId);
  const existingProtocol = group?.type ?? s.consumers.find((c) => c.groupId === groupId && c.status !== 'closed' && c.status !== 'crashed')?.groupProtocol ?? 'classic';
  const [protocol, setProtocol] = useState<'classic' | 'consumer'>(existingProtocol);
  const [remoteAssignor, setRemoteAssignor] = useState<string>(group?.type === 'consumer' && group.assignor ? group.assignor : 'uniform');
  const [assignor, setAssignor] = useState<string>((group?.type !== 'consumer' ? group?.assignor : null) ?? s.consumers.find((c) => c.groupId === groupId && c.groupProtocol !== 'consumer')?.assignor ?? 'range');
  const [reset, setReset] = useState<'earliest' | 'latest'>('earliest');
  const [instanceId, setInstanceId] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      title="Add a consumer"
      testId="dialog-add-consumer"
      submitLabel="Add consumer"
      error={error}
      onSubmit={() => {
        if (taken.includes(id.trim())) return setError(`A consumer ${id} exists already.`);
        const r = addConsumerAction({ id, groupId, topics, assignor, autoOffsetReset: reset, groupInstanceId: instanceId, groupProtocol: protocol, remoteAssignor });
        if (!r.action) return setError(r.error);
        send([r.action]);
        close();
      }}
    >
      <div className="form-grid">
        <Row label="Group">
          <input
            value={groupId}
            list="known-groups"
            onChange={(e) => {
              setGroupId(e.target.value);
              if (!idTouched) setId(freshId(e.target.value || 'consumer', taken));
            }}
            data-testid="consumer-group"
          />
          <datalist id="known-groups">
            {groups.map((g) => (
              <option key={g} value={g} />
            ))}
          </datalist>
        </Row>
        <Row label="Client id">
          <input value={id} onChange={(e) => (setId(e.target.value), setIdTouched(true))} data-testid="consumer-id" />
        </Row>
        <Row label="group.protocol" hint="classic: JoinGroup/SyncGroup, the group leader assigns. consumer (KIP-848): the broker assigns, members reconcile one by one">
          <select value={protocol} onChange={(e) => setProtocol(e.target.value as 'classic' | 'consumer')} data-testid="consumer-group-protocol">
            <option>classic</option>
            <option>consumer</option>
          </select>
        </Row>
        {protocol === 'consumer' ? (
          <Row label="Assignor" hint="group.remote.assignor: the broker's assignor">
            <select value={remoteAssignor} onChange={(e) => setRemoteAssignor(e.target.value)} data-testid="consumer-remote-assignor">
              {REMOTE_ASSIGNORS.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </Row>
        ) : (
          <Row label="Assignor" hint="partition.assignment.strategy">
            <select value={assignor} onChange={(e) => setAssignor(e.target.value)}>
              {ASSIGNORS.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </Row>
        )}
        <Row label="auto.offset.reset">
          <select value={reset} onChange={(e) => setReset(e.target.value as 'earliest' | 'latest')}>
            <option>earliest</option>
            <option>latest</option>
          </select>
        </Row>
        <Row label="group.instance.id" hint="empty: a dynamic member. Set: a static member, whose restart within session.timeout.ms causes no rebalance">
          <input value={instanceId} onChange={(e) => setInstanceId(e.target.value)} placeholder={`${id}-static`} data-testid="consumer-instance-id" />
        </Row>
      </div>
      <fieldset className="topics">
        <legend>Topics</legend>
        {s.topics.map((t) => (
          <label key={t.name} className="check">
            <input
              type="checkbox"
              checked={topics.includes(t.name)}
              onChange={(e) => setTopics(e.target.checked ? [...topics, t.name] : topics.filter((x) => x !== t.name))}
            />{' '}
            {t.name}
          </label>
        ))}
      </fieldset>
    </Modal>
  );
}

function ProcessingTimeDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'processingTime' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  const [ms, setMs] = useState(s.consumers.find((c) => c.id === req.consumer)?.msPerRecord ?? 0);
  return (
    <Modal
      title={`Processing time of ${req.consumer}`}
      testId="dialog-processing"
      submitLabel="Apply"
      error={ms >= 0 ? null : 'The time is 0 or more.'}
      onSubmit={() => {
        if (ms < 0) return;
        send([{ op: 'setProcessingTime', consumer: req.consumer, msPerRecord: ms }]);
        close();
      }}
    >
      <Row label="Milliseconds per record" hint="A slow consumer builds lag; past max.poll.interval.ms it is removed from the group.">
        <input type="number" min={0} step="any" value={ms} onChange={(e) => setMs(Number(e.target.value))} />
      </Row>
    </Modal>
  );
}

/** CreatePartitions: the count only grows; keyed records hash over the new count. */
function CreatePartitionsDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'addPartitions' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  const current = s.topics.find((t) => t.name === req.topic)?.partitions ?? 0;
  const [count, setCount] = useState(String(current * 2 || 1));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const n = Number(count);
  const valid = Number.isInteger(n) && n > current;
  // Where a few sample keys go before and after (murmur2(key) % partitions, as the producer hashes them).
  const samples = ['user-1', 'user-2', 'user-3', 'user-4', 'user-5', 'user-6'];
  return (
    <Modal
      title={`Add partitions to ${req.topic}`}
      testId="dialog-add-partitions"
      submitLabel={busy ? 'Adding…' : 'Add partitions'}
      error={error}
      onSubmit={() => {
        if (busy) return;
        if (!Number.isInteger(n) || n < 1) return setError('The partition count is a whole number, 1 or more.');
        if (n < current) return setError(`Topic currently has ${current} partitions, which is higher than the requested ${n}.`);
        if (n === current) return setError(`Topic already has ${current} partitions.`);
        setBusy(true);
        setError(null);
        void performChecked({ op: 'addPartitions', topic: req.topic, partitions: n }).then((refused) => {
          setBusy(false);
          if (refused) setError(`Refused with ${refused.error}: ${refused.message}`);
          else close();
        });
      }}
    >
      <Row label="Partitions" hint={`${req.topic} has ${current}. The count can only grow (Kafka cannot remove partitions).`}>
        <input type="number" value={count} onChange={(e) => setCount(e.target.value)} data-testid="add-partitions-count" />
      </Row>
      <p className="form-hint">
        Keyed records go to murmur2(key) % partitions, so after this many keys land on another partition: records of one key are
        then split across two partitions and their order across them is lost. Consumer groups rebalance to take the new
        partitions.
      </p>
      {valid && current > 0 && (
        <table className="plan-table" data-testid="add-partitions-keys">
          <thead>
            <tr>
              <th>Key</th>
              <th>Partition now</th>
              <th>After</th>
            </tr>
          </thead>
          <tbody>
            {samples.map((k) => {
              const before = partitionForKey(utf8(k), current);
              const after = partitionForKey(utf8(k), n);
              return (
                <tr key={k} className={before !== after ? 'moved' : undefined}>
                  <td>{k}</td>
                  <td>{before}</td>
                  <td>{after !== before ? <strong>{after}</strong> : after}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Modal>
  );
}

/** Reassign one partition's replicas, optionally throttled (kafka-reassign-partitions --execute --throttle). */
function ReassignDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'reassign' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  const p = s.partitions.find((x) => x.topic === req.topic && x.partition === req.partition);
  const current = p ? p.replicas.filter((id) => !(p.addingReplicas ?? []).includes(id)) : [];
  const [chosen, setChosen] = useState<number[]>(current);
  const [leader, setLeader] = useState<number>(current[0] ?? s.brokers[0]?.id ?? 0);
  const [throttle, setThrottle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const target = chosen.includes(leader) ? [leader, ...chosen.filter((id) => id !== leader).sort((a, b) => a - b)] : [...chosen].sort((a, b) => a - b);
  return (
    <Modal
      title={`Reassign ${req.topic}-${req.partition}`}
      testId="dialog-reassign"
      submitLabel={busy ? 'Starting…' : 'Start reassignment'}
      error={error}
      onSubmit={() => {
        if (busy) return;
        if (target.length === 0) return setError('Choose at least one broker.');
        let t: number | undefined;
        if (throttle.trim() !== '') {
          t = Number(throttle);
          if (!Number.isInteger(t) || t < 1) return setError('The throttle is a whole number of bytes per second, 1 or more (empty: no throttle).');
        }
        setBusy(true);
        setError(null);
        const action: ActionRequest = { op: 'reassignPartitions', topic: req.topic, partition: req.partition, replicas: target, ...(t !== undefined ? { throttleBytesPerSec: t } : {}) };
        void performChecked(action).then((refused) => {
          setBusy(false);
          if (refused) setError(`Refused with ${refused.error}: ${refused.message}`);
          else close();
        });
      }}
    >
      <p className="form-hint">
        Now on brokers [{current.join(',')}]. New replicas fetch the whole log from the leader, join the ISR when caught up; then
        the controller drops the removed replicas (they delete their logs) and moves leadership if the leader was removed.
      </p>
      <fieldset className="topics" data-testid="reassign-brokers">
        <legend>Target brokers</legend>
        {s.brokers.map((b) => (
          <label key={b.id} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(b.id)}
              onChange={(e) => setChosen(e.target.checked ? [...chosen, b.id] : chosen.filter((x) => x !== b.id))}
              data-testid={`reassign-broker-${b.id}`}
            />{' '}
            broker {b.id}
            {b.status !== 'up' ? ` (${b.status})` : ''}
          </label>
        ))}
      </fieldset>
      <div className="form-grid">
        <Row label="Preferred leader" hint="The first replica of the list.">
          <select value={String(leader)} onChange={(e) => setLeader(Number(e.target.value))} data-testid="reassign-leader">
            {chosen.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </Row>
        <Row label="Throttle (bytes/s)" hint="Empty: no throttle. Sets leader/follower.replication.throttled.rate and the topic's throttled replicas, as --throttle does; kafka-reassign-partitions --verify removes them.">
          <input type="number" min={1} value={throttle} onChange={(e) => setThrottle(e.target.value)} placeholder="no throttle" data-testid="reassign-throttle" />
        </Row>
      </div>
      <p className="form-hint" data-testid="reassign-target">
        Target replicas: [{target.join(',')}]
      </p>
    </Modal>
  );
}

function ResetOffsetsDialog({ s, req }: { s: ClusterSnapshot; req: Extract<DialogRequest, { kind: 'resetOffsets' }> }) {
  const close = useUiStore((st) => st.closeDialog);
  const group = s.groups.find((g) => g.groupId === req.group);
  const subscribed = [...new Set((group?.offsets ?? []).map((o) => o.topic))];
  const topicChoices = subscribed.length > 0 ? subscribed : s.topics.map((t) => t.name);
  const [topic, setTopic] = useState(req.topic ?? topicChoices[0] ?? '');
  const [mode, setMode] = useState<ResetMode | 'shift'>('earliest');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<{ rows: ResetPlanRow[]; warnings: string } | null>(null);
  const active = (group?.members.length ?? 0) > 0;
  const edit = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setPreview(null);
    setError(null);
  };
  const spec = (): ResetSpec | string => {
    if (mode === 'shift') {
      const n = Number(value);
      return value.trim() !== '' && Number.isInteger(n) ? { kind: 'shift-by', by: n } : 'Enter a whole number (negative goes back).';
    }
    const r = resetTarget(mode, value);
    if (r.to === null) return r.error ?? 'Enter a whole number, 0 or more.';
    if (r.to === 'earliest') return { kind: 'to-earliest' };
    if (r.to === 'latest') return { kind: 'to-latest' };
    if (typeof r.to === 'number') return { kind: 'to-offset', offset: r.to };
    return { kind: 'to-datetime', timestamp: r.to.timestamp };
  };
  // The same code as kafka-consumer-groups --reset-offsets: --dry-run first, then --execute.
  const plan = async (sp: ResetSpec) => {
    const ctx = browserCliContext();
    let warnings = '';
    const snap = ctx.snapshot() ?? s;
    const r = await planResetOffsets(ctx, snap, req.group, [{ topic }], sp, (w) => (warnings += w));
    return { r, warnings, ctx };
  };
  return (
    <Modal
      title={`Reset offsets of ${req.group}`}
      testId="dialog-reset"
      wide
      submitLabel={busy ? (preview ? 'Executing…' : 'Previewing…') : preview ? 'Execute' : 'Preview (dry run)'}
      error={error}
      onSubmit={() => {
        if (busy) return;
        const sp = spec();
        if (typeof sp === 'string') return setError(sp);
        setBusy(true);
        setError(null);
        void plan(sp).then(async ({ r, warnings, ctx }) => {
          if ('error' in r) {
            setBusy(false);
            setPreview(null);
            // The broker's error name beside the tool's words (the group still has members).
            return setError(r.kind === 'inactive' ? `Refused with NON_EMPTY_GROUP: ${r.error}` : `Error: ${r.error}`);
          }
          if (!preview) {
            setBusy(false);
            return setPreview({ rows: r.rows, warnings: warnings.trim() });
          }
          const refused = await executeResetOffsets(ctx, req.group, r.rows, sp);
          setBusy(false);
          if (refused) setError(`Error: ${refused}`);
          else close();
        });
      }}
    >
      {active && (
        <p className="form-hint">
          Kafka resets only the offsets of a group with no active members: close or crash its consumers first, or the
          reset is refused.
        </p>
      )}
      <div className="form-grid">
        <Row label="Topic">
          <Choice value={topic} onChange={edit(setTopic)} options={topicChoices} />
        </Row>
        <Row label="To">
          <select value={mode} onChange={(e) => edit(setMode)(e.target.value as ResetMode | 'shift')} data-testid="reset-mode">
            <option value="earliest">earliest (--to-earliest)</option>
            <option value="latest">latest (--to-latest)</option>
            <option value="offset">an offset (--to-offset)</option>
            <option value="shift">shift by (--shift-by)</option>
            <option value="timestamp">a timestamp, virtual ms (--to-datetime)</option>
          </select>
        </Row>
        {(mode === 'offset' || mode === 'timestamp' || mode === 'shift') && (
          <Row label={mode === 'offset' ? 'Offset' : mode === 'shift' ? 'Shift by' : 'Timestamp (ms)'}>
            <input type="number" min={mode === 'shift' ? undefined : 0} value={value} onChange={(e) => edit(setValue)(e.target.value)} data-testid="reset-value" />
          </Row>
        )}
      </div>
      {preview && (
        <div data-testid="reset-preview">
          <p className="form-hint">
            What <code>kafka-consumer-groups --reset-offsets --dry-run</code> prints (nothing is changed yet); Execute commits it.
          </p>
          {preview.warnings && <pre className="plan-warnings">{preview.warnings}</pre>}
          <table className="plan-table">
            <thead>
              <tr>
                <th>GROUP</th>
                <th>TOPIC</th>
                <th>PARTITION</th>
                <th>CURRENT-OFFSET</th>
                <th>NEW-OFFSET</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((r) => (
                <tr key={`${r.topic}-${r.partition}`}>
                  <td>{r.group}</td>
                  <td>{r.topic}</td>
                  <td>{r.partition}</td>
                  <td>{r.current ?? '-'}</td>
                  <td>
                    <strong>{r.offset}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Modal>
  );
}

export function Dialogs() {
  const req = useUiStore((s) => s.dialog);
  const s = useClusterStore((st) => st.snapshot);
  if (!req || !s) return null;
  // Keyed by kind so each opening starts from fresh defaults.
  switch (req.kind) {
    case 'produce':
      return <ProduceDialog key="produce" s={s} req={req} />;
    case 'setAcks':
      return <SetAcksDialog key="acks" s={s} req={req} />;
    case 'startLoad':
      return <StartLoadDialog key="load" s={s} req={req} />;
    case 'addProducer':
      return <AddProducerDialog key="addProducer" s={s} req={req} />;
    case 'createTopic':
      return <CreateTopicDialog key="createTopic" s={s} />;
    case 'slowBroker':
      return <SlowBrokerDialog key="slow" s={s} req={req} />;
    case 'addConsumer':
      return <AddConsumerDialog key="addConsumer" s={s} req={req} />;
    case 'processingTime':
      return <ProcessingTimeDialog key="processing" s={s} req={req} />;
    case 'resetOffsets':
      return <ResetOffsetsDialog key="reset" s={s} req={req} />;
    case 'sequenceDiagram':
      return <SequenceDialog key="sequence" />;
    case 'messages':
      return <MessageBrowser key={`messages:${req.topic}:${req.partition ?? 'all'}`} topic={req.topic} partition={req.partition} />;
    case 'topologyFlowchart':
      return <TopologyDialog key="topology" s={s} />;
    case 'topicConfig':
      return <TopicConfigDialog key={`topicConfig:${req.topic}`} s={s} req={req} />;
    case 'deleteTopic':
      return <DeleteTopicDialog key={`deleteTopic:${req.topic}`} req={req} />;
    case 'addPartitions':
      return <CreatePartitionsDialog key={`addPartitions:${req.topic}`} s={s} req={req} />;
    case 'reassign':
      return <ReassignDialog key={`reassign:${req.topic}-${req.partition}`} s={s} req={req} />;
    case 'newScenario':
      return <NewScenarioDialog key="new" />;
    case 'clientConfig':
      return <ClientConfigDialog key={`clientConfig:${req.client}`} s={s} req={req} />;
    case 'brokerConfig':
      return <BrokerConfigDialog key="brokerConfig" s={s} />;
  }
}
