/**
 * The right-hand panel: whatever is selected, described from the latest snapshot, with the
 * registry's commands for it. With nothing selected, the cluster's overview.
 */
import type { ReactNode } from 'react';
import type { ClusterSnapshot, PartitionView } from '../../kafka/snapshot';
import { useClusterStore } from '../../state/cluster-store';
import type { Selection } from '../../state/selection';
import { useUiStore } from '../../state/ui-store';
import { formatTime } from '../events/phrase';
import { ROLE_LABEL } from '../diagram/nodes';
import { Abbr } from '../glossary';
import { CommandButtons } from './CommandButtons';
import { CONSUMER_COLUMNS, DESCRIBE_COLUMNS, dash, describeGroup } from './describe';
import { PartitionLog } from './PartitionLog';
import { Markdown } from '../markdown/Markdown';
import { LessonChapters } from './LessonChapters';
import type { ChartTarget } from '../charts/chart-defs';
import { ChartsPanel } from '../charts/ChartsPanel';
import { LessonTryThis } from './LessonTryThis';

const select = (s: Selection | null) => useUiStore.getState().select(s);

function Field({ label, children, testId }: { label: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

/** Opens the charts of this group, partition or broker over virtual time. */
function ChartButton({ target, label }: { target: ChartTarget; label: string }) {
  return (
    <button type="button" className="btn chart-open" onClick={() => useUiStore.getState().openCharts({ view: 'chart', target })} data-testid="open-charts">
      {label}
    </button>
  );
}

function Link({ to, children }: { to: Selection; children: ReactNode }) {
  return (
    <button type="button" className="link" onClick={() => select(to)}>
      {children}
    </button>
  );
}

const ids = (xs: number[]) => `[${xs.join(', ')}]`;

/** Why a broker is not reachable, and when (or whether) the controller fences it. */
function fencingText(s: ClusterSnapshot, id: number): string | null {
  const b = s.brokers.find((x) => x.id === id);
  if (!b || b.status === 'up') return null;
  const what = b.status === 'down' ? 'down' : 'cut off';
  if (b.fenced) return `${what}, fenced`;
  if (b.fenceAt != null) {
    const left = Math.max(0, b.fenceAt - s.time);
    return `${what}, not fenced yet: fenced ${left > 0 ? `in ${(left / 1000).toFixed(1)} s` : 'at the next check'} (broker.session.timeout.ms)`;
  }
  return `${what}, not fenced: no controller is running`;
}

/** A partition's leader as a link, saying so when that broker cannot be reached. */
function LeaderText({ s, p }: { s: ClusterSnapshot; p: PartitionView }) {
  if (p.leader < 0) return <span className="bad">none (offline)</span>;
  const why = p.leaderAlive === false ? fencingText(s, p.leader) : null;
  return (
    <>
      <Link to={{ kind: 'broker', id: p.leader }}>broker {p.leader}</Link>
      {why && <span className="bad"> · unreachable ({why}): offline</span>}
    </>
  );
}

/** Under-replicated, under min ISR or offline, as words. */
function healthText(p: PartitionView): string | null {
  if (p.offline) return 'offline: no reachable leader';
  if (p.underMinIsr) return `under min ISR: ISR ${p.isr.length} < min.insync.replicas ${p.minIsr ?? '?'}, acks=all fails`;
  if (p.underReplicated) return `under-replicated: ISR ${p.isr.length} of ${p.replicas.length} replicas`;
  return null;
}

function roleOf(p: PartitionView, broker: number, s: ClusterSnapshot) {
  const b = s.brokers.find((x) => x.id === broker);
  if (!b || b.status !== 'up') return 'offline' as const;
  if (p.leader === broker) return 'leader' as const;
  return p.isr.includes(broker) ? ('in-sync' as const) : ('out-of-sync' as const);
}

function PartitionInspector({ s, sel }: { s: ClusterSnapshot; sel: Extract<Selection, { kind: 'partition' }> }) {
  const p = s.partitions.find((x) => x.topic === sel.topic && x.partition === sel.partition);
  if (!p) return <p className="muted">Partition {sel.topic}-{sel.partition} does not exist.</p>;
  const key = `${p.topic}-${p.partition}`;
  return (
    <section aria-label={`Partition ${key}`} data-testid="inspector-partition">
      <h2>
        Partition {key}
      </h2>
      <dl className="fields">
        <Field label="Leader" testId="partition-leader">
          <LeaderText s={s} p={p} />
        </Field>
        {healthText(p) && (
          <Field label="State" testId="partition-state">
            <span className="bad">{healthText(p)}</span>
          </Field>
        )}
        <Field label="Leader epoch" testId="partition-epoch">
          {p.leaderEpoch}
        </Field>
        <Field label="Replicas">{ids(p.replicas)}</Field>
        {p.addingReplicas !== undefined && (
          <Field label="Reassignment" testId="partition-reassignment">
            in progress: adding {ids(p.addingReplicas)}, removing {ids(p.removingReplicas ?? [])}
          </Field>
        )}
        <Field label={<Abbr term="ISR">ISR (in-sync replicas)</Abbr>} testId="partition-isr">
          {ids(p.isr)}
        </Field>
        <Field label="High watermark" testId="partition-hw">
          {p.highWatermark}
        </Field>
        {p.lastStableOffset !== undefined && (
          <Field label="Last stable offset" testId="partition-lso">
            {p.lastStableOffset}
            {p.lastStableOffset < p.highWatermark ? <span className="warn"> · held by an open transaction: read_committed consumers wait here</span> : null}
          </Field>
        )}
        <Field label="Log start offset">{p.logStartOffset}</Field>
      </dl>
      <CommandButtons snapshot={s} selection={sel} />
      <ChartButton target={{ kind: 'partition', topic: p.topic, partition: p.partition }} label="Charts: ISR size, records in, lag per group" />
      <h3>Replicas</h3>
      <ReplicaTable s={s} first="Broker" rows={p.replicas.map((b) => ({ p, broker: b, label: `broker ${b}` }))} />
      <div className="log-head">
        <h3>Log</h3>
        <label className="inline-label">
          Replica{' '}
          <select
            value={sel.broker ?? ''}
            onChange={(e) =>
              select({
                kind: 'partition',
                topic: p.topic,
                partition: p.partition,
                ...(e.target.value === '' ? {} : { broker: Number(e.target.value) }),
              })
            }
          >
            <option value="">the leader's</option>
            {p.replicas.map((b) => (
              <option key={b} value={b}>
                broker {b}'s
              </option>
            ))}
          </select>
        </label>
      </div>
      <PartitionLog topic={p.topic} partition={p.partition} {...(sel.broker === undefined ? {} : { broker: sel.broker })} />
    </section>
  );
}

function BrokerInspector({ s, sel }: { s: ClusterSnapshot; sel: Extract<Selection, { kind: 'broker' }> }) {
  const b = s.brokers.find((x) => x.id === sel.id);
  if (!b) return <p className="muted">Broker {sel.id} does not exist.</p>;
  const m = s.metrics.brokers[b.id];
  const hosted = s.partitions.filter((p) => p.replicas.includes(b.id));
  return (
    <section aria-label={`Broker ${b.id}`} data-testid="inspector-broker">
      <h2>Broker {b.id}</h2>
      <dl className="fields">
        <Field label="Status" testId="broker-status">
          <span className={b.status === 'up' ? 'good' : 'bad'}>{b.status}</span>
          {b.fenced ? ' · fenced by the controller' : ''}
        </Field>
        {b.status !== 'up' && !b.fenced && (
          <Field label="Fencing" testId="broker-fencing">
            {b.fenceAt != null ? (
              <span className="bad">
                {b.fenceAt > s.time ? `in ${((b.fenceAt - s.time) / 1000).toFixed(1)} s` : 'at the controller’s next check'}: the
                controller fences a broker whose heartbeats stop for broker.session.timeout.ms ({b.sessionTimeoutMs ?? 9000} ms); until
                then its partitions keep naming it as leader and are offline
              </span>
            ) : (
              <span className="bad">never while no controller runs: its partitions keep naming it as leader</span>
            )}
          </Field>
        )}
        <Field label="Rack">{b.rack ?? '–'}</Field>
        <Field label="Controller">{s.controller === b.id ? 'yes (active)' : 'no'}</Field>
        {b.slowMs > 0 && <Field label="Network delay">+{b.slowMs} ms</Field>}
        {m && (
          <>
            <Field label="Leaders">{m.LeaderCount}</Field>
            <Field label="Under-replicated">{m.UnderReplicatedPartitions}</Field>
            <Field label="Under min ISR">{m.UnderMinIsrPartitionCount}</Field>
            <Field label="Messages in">{Math.round(m.MessagesInPerSec)}/s</Field>
          </>
        )}
      </dl>
      <CommandButtons snapshot={s} selection={sel} />
      <ChartButton target={{ kind: 'broker', id: b.id }} label="Charts: messages in, bytes, under-replicated" />
      <h3>Replicas</h3>
      <ReplicaTable s={s} first="Partition" rows={hosted.map((p) => ({ p, broker: b.id, label: `${p.topic}-${p.partition}` }))} />
    </section>
  );
}

/** A client's metrics under Kafka's names (as JMX or the client's metrics() shows them). */
function Metrics({ values, units, testId }: { values: Record<string, number | null> | undefined; units: Record<string, string>; testId: string }) {
  if (!values) return null;
  const show = (v: number | null, unit: string | undefined) => {
    if (v === null) return '–';
    const n = Number.isInteger(v) ? String(v) : v.toFixed(1);
    return unit === '/s' ? `${n}/s` : unit ? `${n} ${unit}` : n;
  };
  return (
    <>
      <h3>Metrics</h3>
      <dl className="fields metrics" data-testid={testId}>
        {Object.entries(values).map(([name, v]) => (
          <Field key={name} label={name}>
            {show(v, units[name])}
          </Field>
        ))}
      </dl>
    </>
  );
}

/** Replicas as a table, one row each; the first column links to that replica's log. */
function ReplicaTable({ s, first, rows }: { s: ClusterSnapshot; first: string; rows: { p: PartitionView; broker: number; label: string }[] }) {
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">{first}</th>
          <th scope="col">Role</th>
          <th scope="col">
            <Abbr term="LEO" />
          </th>
          <th scope="col">
            <Abbr term="HW" />
          </th>
          <th scope="col">
            <Abbr term="start">Log start</Abbr>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ p, broker, label }) => {
          const r = p.replicaStates.find((x) => x.broker === broker);
          const role = roleOf(p, broker, s);
          return (
            <tr key={`${p.topic}-${p.partition}@${broker}`}>
              <td>
                <Link to={{ kind: 'partition', topic: p.topic, partition: p.partition, broker }}>{label}</Link>
              </td>
              <td>
                <span className={`role-pill role-${role}`}>
                  <span aria-hidden="true">{ROLE_LABEL[role].icon}</span> {ROLE_LABEL[role].text}
                </span>
              </td>
              <td className="num">{r?.logEndOffset ?? '–'}</td>
              <td className="num">{r?.highWatermark ?? '–'}</td>
              <td className="num">{r?.logStartOffset ?? '–'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Optional per-record results, shown when the cluster includes them in the view. */
type RecentResult = { at: number; topic: string; partition: number; key: string | null; offset: number | null; error: string | null };

function ProducerInspector({ s, sel }: { s: ClusterSnapshot; sel: Extract<Selection, { kind: 'producer' }> }) {
  const p = s.producers.find((x) => x.id === sel.id);
  if (!p) return <p className="muted">Producer {sel.id} does not exist.</p>;
  const recent = (p as { recent?: RecentResult[] }).recent ?? [];
  return (
    <section aria-label={`Producer ${p.id}`} data-testid="inspector-producer">
      <h2>Producer {p.id}</h2>
      <dl className="fields">
        <Field label="acks" testId="producer-acks">
          {String(p.acks)}
        </Field>
        <Field label="Idempotent">{p.idempotent ? `yes (producer id ${p.producerId})` : 'no'}</Field>
        {p.transaction && (
          <>
            <Field label="transactional.id">{p.transaction.transactionalId}</Field>
            <Field label="Transaction" testId="producer-txn-state">
              <span className={p.transaction.state === 'FATAL_ERROR' || p.transaction.state === 'ABORTABLE_ERROR' ? 'bad' : p.transaction.state === 'IN_TRANSACTION' ? 'warn' : undefined}>
                {p.transaction.state}
              </span>
              {p.transaction.producerEpoch >= 0 ? ` · epoch ${p.transaction.producerEpoch}` : ''}
              {p.transaction.error ? ` · ${p.transaction.error}` : ''}
            </Field>
            {p.transaction.partitions.length > 0 && (
              <Field label="In the transaction">{p.transaction.partitions.map((x) => `${x.topic}-${x.partition}`).join(', ')}</Field>
            )}
          </>
        )}
        <Field label="Sent">{p.sent}</Field>
        <Field label="Acknowledged">{p.acked}</Field>
        <Field label="Failed">{p.failed}</Field>
        <Field label="Retries">{p.retries}</Field>
        <Field label="In flight">{p.inFlight}</Field>
        <Field label="Steady load">
          {p.loads.length === 0 ? 'none' : p.loads.map((l) => `${l.ratePerSec}/s to ${l.topic}`).join(', ')}
        </Field>
        <Field label="Last error" testId="producer-last-error">
          {p.lastError ? (
            <span className="bad">
              {p.lastError.error} on {p.lastError.topic}-{p.lastError.partition} at {formatTime(p.lastError.at)}
            </span>
          ) : null}
          {p.lastError && p.recovered ? <span className="good"> · recovered: that partition acknowledges again</span> : null}
          {p.lastError ? null : 'none'}
        </Field>
      </dl>
      <CommandButtons snapshot={s} selection={sel} />
      <Metrics
        testId="producer-metrics"
        values={s.metrics.producers[p.id]}
        units={{ 'record-send-rate': '/s', 'record-error-rate': '/s', 'record-retry-rate': '/s', 'request-latency-avg': 'ms' }}
      />
      {recent.length > 0 && (
        <>
          <h3>Recent results</h3>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Sent at</th>
                <th scope="col">Partition</th>
                <th scope="col">Key</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {[...recent].reverse().map((r, i) => (
                <tr key={i}>
                  <td className="num">{formatTime(r.at)}</td>
                  <td>
                    {r.topic}-{r.partition}
                  </td>
                  <td className="mono">{r.key ?? 'null'}</td>
                  <td className={r.error ? 'bad' : undefined}>{r.error ?? (r.offset === null ? 'sent (acks=0)' : `offset ${r.offset}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function GroupTable({ s, groupId }: { s: ClusterSnapshot; groupId: string }) {
  const g = s.groups.find((x) => x.groupId === groupId);
  if (!g) return <p className="muted">The coordinator has no group {groupId} yet.</p>;
  const rows = describeGroup(g, s.consumers);
  return (
    <>
      <div className="table-scroll">
        <table className="data-table describe" data-testid="group-describe">
          <caption className="sr-only">kafka-consumer-groups --describe --group {groupId}, then each owner's position and records-lag</caption>
          <thead>
            <tr>
              {DESCRIBE_COLUMNS.map((c) => (
                <th key={c} scope="col" title={c}>
                  {/* One word per line: the columns fit the panel and every header stays whole. */}
                  {c.split('-').map((part, i, all) => (
                    <span key={i} className="th-part">
                      {part}
                      {i < all.length - 1 ? '-' : ''}
                    </span>
                  ))}
                </th>
              ))}
              {CONSUMER_COLUMNS.map((c, i) => (
                <th key={c.name} scope="col" title={c.title} className={`consumer-col${i === 0 ? ' first' : ''}`}>
                  {c.name.split('-').map((part, j, all) => (
                    <span key={j} className="th-part">
                      {part}
                      {j < all.length - 1 ? '-' : ''}
                    </span>
                  ))}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.topic === null ? `idle-${r.consumerId}` : `${r.topic}-${r.partition}`}
                data-testid={r.topic === null ? `describe-idle-${r.clientId}` : `describe-row-${r.topic}-${r.partition}`}
              >
                <td>{r.group}</td>
                <td>{dash(r.topic)}</td>
                <td className="num">{dash(r.partition)}</td>
                <td className="num">{dash(r.currentOffset)}</td>
                <td className="num">{dash(r.logEndOffset)}</td>
                <td className="num" data-testid="lag">
                  {dash(r.lag)}
                </td>
                <td className="ellipsis" title={r.consumerId ?? undefined}>
                  {dash(r.consumerId)}
                </td>
                <td>{dash(r.clientId)}</td>
                <td className="num consumer-col first" data-testid="records-lag" title={r.position === null ? undefined : `position ${r.position}`}>
                  {dash(r.recordsLag)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="hint">
        LAG is log end offset − committed offset, as the tool computes it: consumers commit every auto.commit.interval.ms
        (5 s by default), so a consumer that keeps up still shows up to 5 s of records, and a slow one that just committed can
        show less. RECORDS-LAG (shaded, not printed by the tool) comes from the consumer itself: high watermark − its position,
        what it has not read yet.
      </p>
    </>
  );
}

function GroupInspector({ s, sel }: { s: ClusterSnapshot; sel: Extract<Selection, { kind: 'group' }> }) {
  const g = s.groups.find((x) => x.groupId === sel.id);
  const members = s.consumers.filter((c) => c.groupId === sel.id);
  return (
    <section aria-label={`Group ${sel.id}`} data-testid="inspector-group">
      <h2>
        Group {sel.id} <ProtocolBadge type={g?.type ?? 'classic'} />
      </h2>
      <dl className="fields">
        <Field label="State" testId="group-state">
          {g?.state ?? '–'}
        </Field>
        {g?.type === 'consumer' ? (
          <>
            <Field label="Group epoch" testId="group-epoch">
              {g.groupEpoch ?? '–'}
            </Field>
            <Field label="Target assignment epoch" testId="group-target-epoch">
              {g.targetAssignmentEpoch ?? '–'}
            </Field>
          </>
        ) : (
          <Field label="Generation" testId="group-generation">
            {g?.generation ?? '–'}
          </Field>
        )}
        <Field label="Assignor">{g?.assignor ?? '–'}</Field>
        <Field label="Coordinator">{g && g.coordinator >= 0 ? `broker ${g.coordinator}` : '–'}</Field>
        <Field label="Members">
          {members.length === 0
            ? 'none'
            : members.map((c, i) => (
                <span key={c.id}>
                  {i > 0 ? ', ' : ''}
                  <Link to={{ kind: 'consumer', id: c.id }}>{c.id}</Link>
                </span>
              ))}
        </Field>
      </dl>
      <CommandButtons snapshot={s} selection={sel} />
      <ChartButton target={{ kind: 'group', id: sel.id }} label="Charts: lag, lag in time, time to drain" />
      {g?.type === 'consumer' && <ModernMembersTable g={g} />}
      <h3>kafka-consumer-groups --describe</h3>
      <GroupTable s={s} groupId={sel.id} />
    </section>
  );
}

/** The group's protocol: classic (JoinGroup/SyncGroup) or consumer (KIP-848, ConsumerGroupHeartbeat). */
function ProtocolBadge({ type }: { type: 'classic' | 'consumer' }) {
  return (
    <span
      className={`badge protocol-${type}`}
      data-testid="group-protocol"
      title={type === 'consumer' ? 'group.protocol=consumer (KIP-848): the broker assigns, members reconcile one by one, no stop-the-world' : 'group.protocol=classic: JoinGroup/SyncGroup, the leader assigns, a rebalance involves every member'}
    >
      {type}
    </span>
  );
}

const tpList = (tps: readonly { topic: string; partition: number }[] | undefined) => (tps && tps.length > 0 ? tps.map((tp) => `${tp.topic}-${tp.partition}`).join(', ') : '–');

/** kafka-consumer-groups --describe --members --verbose for a consumer group: epochs and the reconciliation under way. */
function ModernMembersTable({ g }: { g: ClusterSnapshot['groups'][number] }) {
  return (
    <>
      <h3>Members (ConsumerGroupHeartbeat)</h3>
      <div className="table-scroll">
        <table className="data-table" data-testid="group-members-epochs">
          <caption className="sr-only">Each member's epoch, reconciliation state, assigned partitions, and partitions pending revocation or assignment</caption>
          <thead>
            <tr>
              <th scope="col">CLIENT-ID</th>
              <th scope="col" title="The member epoch: the group epoch the member has reconciled to">EPOCH</th>
              <th scope="col" title="CurrentAssignmentBuilder state">STATE</th>
              <th scope="col">ASSIGNED</th>
              <th scope="col" title="The member must revoke these before it moves to the next epoch">REVOKING</th>
              <th scope="col" title="Target partitions still owned by another member (unreleased)">PENDING</th>
            </tr>
          </thead>
          <tbody>
            {g.members.map((m) => (
              <tr key={m.memberId} data-testid={`member-epoch-row-${m.clientId}`}>
                <td title={m.memberId}>{m.clientId}</td>
                <td className="num" data-testid="member-epoch">
                  {m.memberEpoch ?? '–'}
                </td>
                <td data-testid="member-state">{m.memberState ?? '–'}</td>
                <td data-testid="member-assigned">{tpList(m.assignment)}</td>
                <td data-testid="member-revoking">{tpList(m.pendingRevocation)}</td>
                <td data-testid="member-pending">{tpList(m.pendingAssignment)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="hint">
        The consumer protocol rebalances member by member: the group epoch is bumped, the broker's assignor computes a target
        assignment, and each member moves towards it on its own heartbeats. A partition goes to its new owner only after the old
        owner revoked it; members that keep their partitions never stop consuming.
      </p>
    </>
  );
}

function ConsumerInspector({ s, sel }: { s: ClusterSnapshot; sel: Extract<Selection, { kind: 'consumer' }> }) {
  const c = s.consumers.find((x) => x.id === sel.id);
  if (!c) return <p className="muted">Consumer {sel.id} does not exist.</p>;
  return (
    <section aria-label={`Consumer ${c.id}`} data-testid="inspector-consumer">
      <h2>Consumer {c.id}</h2>
      <dl className="fields">
        <Field label="Group">
          <Link to={{ kind: 'group', id: c.groupId }}>{c.groupId}</Link>
        </Field>
        <Field label="Status">{c.status}</Field>
        <Field label="Member id">{c.memberId ?? '–'}</Field>
        <Field label="Assignor">{c.groupProtocol === 'consumer' ? `${c.assignor} (group.remote.assignor, on the broker)` : c.assignor}</Field>
        <Field label="Group protocol" testId="consumer-protocol">
          {c.groupProtocol ?? 'classic'}
          {c.groupProtocol === 'consumer' && ` · member epoch ${c.memberEpoch ?? 0}`}
        </Field>
        <Field label="Consumed">{c.consumed}</Field>
        <Field label="Processing">{c.msPerRecord} ms per record</Field>
        {c.lastError && (
          <Field label="Last error">
            <span className="bad">
              {c.lastError.error} at {formatTime(c.lastError.at)}
            </span>
            {c.recovered && <span className="good"> · recovered: fetching again</span>}
          </Field>
        )}
      </dl>
      <CommandButtons snapshot={s} selection={sel} />
      <Metrics
        testId="consumer-metrics"
        values={s.metrics.consumers[c.id]}
        units={{ 'records-consumed-rate': '/s', 'rebalance-latency-avg': 'ms', 'rebalance-latency-max': 'ms', 'last-rebalance-seconds-ago': 's' }}
      />
      <h3>Positions</h3>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Partition</th>
            <th scope="col">Position</th>
            <th scope="col" title="records-lag: high watermark − position (what this consumer has not read)">records-lag</th>
          </tr>
        </thead>
        <tbody>
          {c.positions.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">
                nothing assigned
              </td>
            </tr>
          )}
          {c.positions.map((p) => (
            <tr key={`${p.topic}-${p.partition}`}>
              <td>
                <Link to={{ kind: 'partition', topic: p.topic, partition: p.partition }}>
                  {p.topic}-{p.partition}
                </Link>
              </td>
              <td className="num">{p.position}</td>
              <td className="num">{p.lag}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function TopicInspector({ s, sel }: { s: ClusterSnapshot; sel: Extract<Selection, { kind: 'topic' }> }) {
  const t = s.topics.find((x) => x.name === sel.name);
  if (!t) return <p className="muted">Topic {sel.name} does not exist.</p>;
  return (
    <section aria-label={`Topic ${t.name}`} data-testid="inspector-topic">
      <h2>Topic {t.name}</h2>
      <dl className="fields">
        <Field label="Partitions">{t.partitions}</Field>
        <Field label="Replication">{t.replicationFactor}</Field>
        {Object.entries(t.config).map(([k, v]) => (
          <Field key={k} label={k}>
            {String(v)}
          </Field>
        ))}
      </dl>
      <CommandButtons snapshot={s} selection={sel} />
      <h3>Partitions</h3>
      <ul className="plain-list">
        {s.partitions
          .filter((p) => p.topic === t.name)
          .map((p) => (
            <li key={p.partition}>
              <Link to={{ kind: 'partition', topic: p.topic, partition: p.partition }}>
                {p.topic}-{p.partition}
              </Link>{' '}
              leader {p.leader < 0 ? 'none' : p.leaderAlive === false ? `${p.leader} (unreachable)` : p.leader}, <Abbr term="ISR" /> {ids(p.isr)}, <Abbr term="HW" /> {p.highWatermark}
              {healthText(p) && <span className="bad"> · {healthText(p)}</span>}
            </li>
          ))}
      </ul>
    </section>
  );
}

function Overview({ s }: { s: ClusterSnapshot }) {
  const c = s.metrics.controller;
  const name = useClusterStore((st) => st.scenarioName);
  const description = useClusterStore((st) => st.scenarioDescription);
  return (
    <section aria-label="Cluster overview" data-testid="inspector-overview">
      <h2>{name ?? 'Cluster'}</h2>
      <LessonChapters />
      {description && <Markdown text={description} skipHeading={name ?? undefined} />}
      <LessonTryThis />
      <p className="hint">Select a broker, a partition row, a producer, a group or a consumer to inspect it. Right-click one for its actions.</p>
      <h3>Cluster</h3>
      <dl className="fields">
        <Field label="Controller">
          {s.controller < 0 ? 'none' : s.brokers.some((b) => b.id === s.controller) ? <Link to={{ kind: 'broker', id: s.controller }}>broker {s.controller}</Link> : `controller ${s.controller}`}
          {s.quorum ? ` (epoch ${s.quorum.epoch}, metadata offset ${s.quorum.highWatermark})` : ''}
        </Field>
        <Field label="Brokers">
          {s.brokers.map((b) => `${b.id} ${b.status}`).join(', ')}
        </Field>
        <Field label="Offline partitions" testId="summary-offline">
          {s.health?.offlinePartitions ?? c.OfflinePartitionsCount}
        </Field>
        <Field label="Under-replicated partitions" testId="summary-urp">
          {s.health?.underReplicatedPartitions ?? 0}
        </Field>
        <Field label="Under min ISR partitions" testId="summary-under-min-isr">
          {s.health?.underMinIsrPartitions ?? 0}
        </Field>
        <Field label="Leader elections">{c.LeaderElections}</Field>
        <Field label="Unclean elections">{c.UncleanLeaderElections}</Field>
        <Field label="ISR shrinks / expands">
          {c.IsrShrinks} / {c.IsrExpands}
        </Field>
      </dl>
      <h3>Topics</h3>
      <ul className="plain-list">
        {s.topics.map((t) => (
          <li key={t.name}>
            <Link to={{ kind: 'topic', name: t.name }}>{t.name}</Link> · {t.partitions} partitions · RF {t.replicationFactor}
          </li>
        ))}
      </ul>
      <h3>Groups</h3>
      <ul className="plain-list">
        {s.groups.map((g) => (
          <li key={g.groupId}>
            <Link to={{ kind: 'group', id: g.groupId }}>{g.groupId}</Link> · {g.state} ·{' '}
            {g.type === 'consumer' ? `consumer protocol · epoch ${g.groupEpoch ?? g.generation}` : `generation ${g.generation}`}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Inspector() {
  const s = useClusterStore((st) => st.snapshot);
  const sel = useUiStore((st) => st.selection);
  const charts = useUiStore((st) => st.charts);
  if (charts) {
    // The charts take the inspector's place (the diagram and the timeline stay in view).
    return (
      <aside className="inspector" id="inspector" aria-label="Inspector" data-testid="inspector">
        <ChartsPanel />
      </aside>
    );
  }
  let body: ReactNode;
  if (!s) body = <p className="muted">Waiting for the cluster…</p>;
  else if (!sel) body = <Overview s={s} />;
  else {
    switch (sel.kind) {
      case 'broker':
        body = <BrokerInspector s={s} sel={sel} />;
        break;
      case 'partition':
        body = <PartitionInspector s={s} sel={sel} />;
        break;
      case 'producer':
        body = <ProducerInspector s={s} sel={sel} />;
        break;
      case 'group':
        body = <GroupInspector s={s} sel={sel} />;
        break;
      case 'consumer':
        body = <ConsumerInspector s={s} sel={sel} />;
        break;
      case 'topic':
        body = <TopicInspector s={s} sel={sel} />;
        break;
    }
  }
  return (
    <aside className="inspector" id="inspector" aria-label="Inspector" data-testid="inspector">
      {sel && (
        <button type="button" className="btn-ghost close-selection" onClick={() => select(null)} aria-label="Clear selection">
          ✕
        </button>
      )}
      {body}
    </aside>
  );
}
