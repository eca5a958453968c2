/**
 * The diagram's node components. They render the data `toFlowElements` computed and never
 * look at the snapshot themselves. Selection goes through real buttons, so every thing on
 * the diagram is reachable with the keyboard and has an accessible name.
 */
import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { useNodeInternalsOnChange } from './node-internals';
import { useUiStore } from '../../state/ui-store';
import { connectHandle } from '../build/connect';
import { formatTime } from '../events/phrase';
import { Abbr } from '../glossary';
import {
  EDGE_LABELS_MAX,
  handleId,
  formatBytes,
  formatCount,
  formatRate,
  type BrokerNode,
  type ConsumerNode,
  type GroupNode,
  type ProducerNode,
  type ReplicaCell,
  type ReplicaRole,
  type TopicRow,
  type BrokerCard,
} from './flow';

const select = useUiStore.getState().select;
const toggleCollapsed = (topic: string) => useUiStore.getState().toggleCollapsedTopic(topic);

/** Role text and icon: the role must read without colour too. */
export const ROLE_LABEL: Record<ReplicaRole, { icon: string; text: string }> = {
  leader: { icon: '★', text: 'leader' },
  'in-sync': { icon: '✓', text: 'in sync' },
  'out-of-sync': { icon: '!', text: 'out of sync' },
  offline: { icon: '✕', text: 'offline' },
};

/** Where a drawn edge can end (build/connect.ts): inert until a connection is being drawn (CSS). */
function DropTarget({ id, label }: { id: string; label: string }) {
  return <Handle id={id} type="target" position={Position.Left} isConnectableStart={false} className="drop-target" aria-label={label} />;
}

/** The connector a producer or consumer is dragged from to draw an edge. */
function Connector({ title, testId }: { title: string; testId: string }) {
  return (
    <Handle id={connectHandle.source} type="source" position={Position.Right} isConnectableEnd={false} className="connect-handle" title={title} data-testid={testId}>
      <span aria-hidden="true">+</span>
    </Handle>
  );
}

function Hidden({ id, type, position }: { id: string; type: 'source' | 'target'; position: Position }) {
  return <Handle id={id} type={type} position={position} isConnectable={false} className="hidden-handle" />;
}

/** Same fields, same row: a row whose numbers did not move is not rendered again. */
function sameCell(a: { r: ReplicaCell; broker: number }, b: { r: ReplicaCell; broker: number }): boolean {
  if (a.broker !== b.broker) return false;
  for (const k of Object.keys(a.r) as (keyof ReplicaCell)[]) if (a.r[k] !== b.r[k]) return false;
  return true;
}

const ReplicaRow = memo(function ReplicaRow({ r, broker }: { r: ReplicaCell; broker: number }) {
  const role = ROLE_LABEL[r.role];
  return (
    <div
      className={`replica role-${r.role}${r.selected ? ' is-selected' : ''}`}
      data-testid={`replica-${r.key}-b${broker}`}
      data-role={r.role}
      data-partition={r.key}
      data-leo={r.logEndOffset ?? ''}
      data-hw={r.highWatermark ?? ''}
      data-epoch={r.leaderEpoch}
    >
      <Hidden id={handleId.replica(r.key, 'l', 't')} type="target" position={Position.Left} />
      <Hidden id={handleId.replica(r.key, 'l', 's')} type="source" position={Position.Left} />
      <Hidden id={handleId.replica(r.key, 'r', 't')} type="target" position={Position.Right} />
      <Hidden id={handleId.replica(r.key, 'r', 's')} type="source" position={Position.Right} />
      <DropTarget id={connectHandle.row(r.key)} label={`Topic ${r.topic}`} />
      <button
        type="button"
        className="replica-button"
        aria-label={`Partition ${r.key} on broker ${broker}: ${role.text}${r.catchUp ? `, catching up to the leader's log end ${r.catchUp.leaderLogEndOffset}` : ''}, log end ${r.logEndOffset ?? 'unknown'}, high watermark ${r.highWatermark ?? 'unknown'}`}
        onClick={() => select({ kind: 'partition', topic: r.topic, partition: r.partition, broker })}
      >
        <span className="replica-line">
          <span className="replica-key">{r.key}</span>
          <span
            className={`role-pill role-${r.role}`}
            title={
              r.catchUp
                ? `Out of sync, catching up: fetching from the leader at the network's bandwidth; log end ${r.logEndOffset} of the leader's ${r.catchUp.leaderLogEndOffset}. It rejoins the ISR once it reaches the leader's log end.`
                : undefined
            }
          >
            <span aria-hidden="true">{role.icon}</span> {r.catchUp ? `catching up ${Math.floor(r.catchUp.fraction * 100)}%` : role.text}
          </span>
          {r.partitionOffline && (
            <span
              className="warn-pill bad-pill"
              data-testid={`offline-${r.key}-b${broker}`}
              title={
                r.unreachableLeader !== null
                  ? `Offline: its leader, broker ${r.unreachableLeader}, is unreachable; the controller elects another once it fences the broker (broker.session.timeout.ms)`
                  : 'Offline: no live in-sync replica to lead it'
              }
            >
              offline
            </span>
          )}
          {r.moving && (
            <span
              className={`warn-pill move-pill move-${r.moving}`}
              data-testid={`reassign-${r.key}-b${broker}`}
              title={
                r.moving === 'adding'
                  ? 'Reassignment in progress: this new replica fetches the log from the leader (throttled if a throttle is set) and joins the ISR when caught up'
                  : 'Reassignment in progress: this replica is removed (its log deleted) once every new replica is in the ISR'
              }
            >
              {r.moving === 'adding' ? '+ adding' : '− removing'}
            </span>
          )}
          {!r.partitionOffline && r.role === 'leader' && r.underMinIsr && (
            <span className="warn-pill" data-testid={`under-min-isr-${r.key}-b${broker}`} title="Under min ISR: ISR below min.insync.replicas, acks=all writes fail with NOT_ENOUGH_REPLICAS">
              <span aria-hidden="true">⚠</span> ISR &lt; min
            </span>
          )}
          {!r.partitionOffline && r.role === 'leader' && r.underReplicated && !r.underMinIsr && (
            <span className="warn-pill" data-testid={`under-replicated-${r.key}-b${broker}`} title="Under-replicated: the ISR is smaller than the replica set">
              under-replicated
            </span>
          )}
        </span>
        <span className="replica-offsets">
          <span>
            <Abbr term="LEO" /> {r.logEndOffset ?? '–'}
          </span>
          <span>
            <Abbr term="HW" /> {r.highWatermark ?? '–'}
          </span>
          <span>
            <Abbr term="start" /> {r.logStartOffset ?? '–'}
          </span>
          {r.role === 'leader' && (
            <span>
              <Abbr term="ep">epoch</Abbr> {r.leaderEpoch}
            </span>
          )}
          {r.role !== 'leader' && r.lag !== null && r.lag > 0 && (
            <span className="lag" title="Records behind the leader's log end offset">
              −{r.lag}
            </span>
          )}
        </span>
        {r.catchUp && (
          <span
            className="catch-up-bar"
            data-testid={`catchup-${r.key}-b${broker}`}
            data-fraction={r.catchUp.fraction.toFixed(3)}
            aria-hidden="true"
          >
            <span style={{ width: `${(r.catchUp.fraction * 100).toFixed(1)}%` }} />
          </span>
        )}
      </button>
    </div>
  );
}, sameCell);

/** A collapsed topic's replicas on a broker: one row, a button that expands it again. */
const TopicRowView = memo(function TopicRowView({ t, broker }: { t: TopicRow; broker: number }) {
  return (
    <div className={`replica topic-row${t.unhealthy > 0 ? ' has-unhealthy' : ''}`} data-testid={`topic-row-${t.topic}-b${broker}`} data-topic={t.topic}>
      <Hidden id={handleId.replica(t.key, 'l', 't')} type="target" position={Position.Left} />
      <Hidden id={handleId.replica(t.key, 'l', 's')} type="source" position={Position.Left} />
      <Hidden id={handleId.replica(t.key, 'r', 't')} type="target" position={Position.Right} />
      <Hidden id={handleId.replica(t.key, 'r', 's')} type="source" position={Position.Right} />
      <DropTarget id={connectHandle.row(t.key)} label={`Topic ${t.topic}`} />
      <button
        type="button"
        className="replica-button"
        aria-label={`Topic ${t.topic} collapsed on broker ${broker}: ${t.replicas} replicas, ${t.leaders} leaders; expand`}
        onClick={() => toggleCollapsed(t.topic)}
      >
        <span className="replica-line">
          <span className="replica-key">
            <span aria-hidden="true">▸ </span>
            {t.topic}
          </span>
          <span className="role-pill plain">{t.replicas} replicas</span>
          <span className="role-pill role-leader">★ {t.leaders}</span>
          {t.unhealthy > 0 && <span className="warn-pill">{t.unhealthy} not in sync</span>}
        </span>
      </button>
    </div>
  );
});

const STRIP_ROLE: Record<ReplicaRole, string> = { leader: 'L', 'in-sync': 'I', 'out-of-sync': 'O', offline: 'X' };

/** The strip's geometry, in CSS px: squares of STRIP_CELL with STRIP_GAP between, STRIP_COLUMNS a row (the card's width). */
const STRIP_CELL = 8;
const STRIP_GAP = 2;
const STRIP_COLUMNS = 24;
/** The strip's colours, as the role pills' (styles.css --leader, --bad). */
const STRIP_COLOUR: Record<ReplicaRole, string> = { leader: '#2f5fd0', 'in-sync': '#3f9d5a', 'out-of-sync': '#e0a100', offline: '#c3252e' };

/**
 * The card's strip: one square per replica, coloured by role, drawn on one canvas (drawn
 * again only when a role changes). At 50 x 1,000 the strips were 3,000 spans, over a third of
 * the page's elements, laid out and painted again in every long task; then one SVG image a
 * card, which the browser decoded and rasterised on the main thread as the cards appeared
 * (PaintImage, ~35 ms of the 50 x 1,000 link's longest opening task). A canvas is filled
 * with rectangles once and only composited after. Hovering a square names its replica (the
 * canvas's title follows the pointer).
 */
const Strip = memo(
  function Strip({ strip }: { strip: BrokerCard['strip']; signature: string }) {
    const ref = useRef<HTMLCanvasElement>(null);
    const rows = Math.max(1, Math.ceil(strip.length / STRIP_COLUMNS));
    const width = STRIP_COLUMNS * (STRIP_CELL + STRIP_GAP) - STRIP_GAP;
    const height = rows * (STRIP_CELL + STRIP_GAP) - STRIP_GAP;
    // Before the browser paints (no frame with an empty strip).
    useLayoutEffect(() => {
      const canvas = ref.current;
      if (!canvas) return;
      drawStrip(canvas, strip, width, height);
    }, [strip, width, height]);
    const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
      const r = e.currentTarget.getBoundingClientRect();
      // The strip may be drawn scaled (the diagram's zoom): map the pointer back to CSS px.
      const x = ((e.clientX - r.left) / r.width) * width;
      const y = ((e.clientY - r.top) / r.height) * height;
      const i = Math.floor(y / (STRIP_CELL + STRIP_GAP)) * STRIP_COLUMNS + Math.floor(x / (STRIP_CELL + STRIP_GAP));
      const cell = i >= 0 && i < strip.length ? strip[i] : undefined;
      e.currentTarget.title = cell ? `${cell.key}: ${ROLE_LABEL[cell.role].text}` : '';
    };
    return (
      <canvas
        ref={ref}
        className="card-strip"
        aria-hidden="true"
        data-testid="card-strip"
        data-cells={strip.length}
        style={{ width, height }}
        onPointerMove={onPointerMove}
      />
    );
  },
  (a, b) => a.strip === b.strip || a.signature === b.signature,
);

/** Fills `canvas` (width x height CSS px, at the screen's pixel ratio) with the strip's squares. */
function drawStrip(canvas: HTMLCanvasElement, strip: BrokerCard['strip'], width: number, height: number): void {
  const ratio = Math.min(3, Math.max(1, Math.ceil(window.devicePixelRatio || 1)));
  if (canvas.width !== width * ratio) canvas.width = width * ratio;
  if (canvas.height !== height * ratio) canvas.height = height * ratio;
  const g = canvas.getContext('2d');
  if (!g) return;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  let colour = '';
  for (let i = 0; i < strip.length; i++) {
    const c = STRIP_COLOUR[strip[i]!.role];
    if (c !== colour) g.fillStyle = colour = c;
    g.fillRect((i % STRIP_COLUMNS) * (STRIP_CELL + STRIP_GAP), Math.floor(i / STRIP_COLUMNS) * (STRIP_CELL + STRIP_GAP), STRIP_CELL, STRIP_CELL);
  }
}

/** A broker zoomed out: counts, bytes in and out, and its partitions as a strip. */
function BrokerCardView({ card, broker }: { card: BrokerCard; broker: number }) {
  // toFlowElements hands back last frame's strip while no role in it changed: no signature to build then.
  const signature = useMemo(() => card.strip.map((x) => x.key + STRIP_ROLE[x.role]).join(','), [card.strip]);
  return (
    <div className="broker-card" data-testid={`broker-card-${broker}`}>
      <div className="card-counts">
        <span className="card-count" data-testid={`card-leaders-${broker}`} title="Partitions this broker leads (LeaderCount)">
          <span className="card-num">{card.leaders}</span> <span className="card-label">leaders</span>
        </span>
        <span className="card-count" data-testid={`card-replicas-${broker}`} title="Replicas this broker holds (PartitionCount)">
          <span className="card-num">{card.replicas}</span> <span className="card-label">replicas</span>
        </span>
        <span className={`card-count${card.underReplicated > 0 ? ' warn' : ''}`} data-testid={`card-urp-${broker}`} title="Partitions it leads with an ISR smaller than the replica set (UnderReplicatedPartitions)">
          <span className="card-num">{card.underReplicated}</span> <span className="card-label">URP</span>
        </span>
        <span className={`card-count${card.offline > 0 ? ' bad' : ''}`} data-testid={`card-offline-${broker}`} title="Partitions held here with no reachable leader">
          <span className="card-num">{card.offline}</span> <span className="card-label">offline</span>
        </span>
      </div>
      <div className="card-bytes">
        <span title="BytesInPerSec">in {formatBytes(card.bytesInPerSec)}</span>
        <span title="BytesOutPerSec">out {formatBytes(card.bytesOutPerSec)}</span>
      </div>
      <Strip strip={card.strip} signature={signature} />
    </div>
  );
}

export const BrokerNodeView = memo(function BrokerNodeView({ id, data }: NodeProps<BrokerNode>) {
  const { broker, isController, replicas, selected, messagesInPerSec, fenceInMs, unfenceable, detail, card, topicRows } = data;
  const handleKey = `${detail}|${topicRows.map((t) => t.key).join(',')}|${replicas.map((r) => r.key).join(',')}`;
  // Handles live inside replica rows: when the rows change, xyflow must re-measure them.
  useNodeInternalsOnChange(id, handleKey);
  const statusText = broker.status === 'up' ? (broker.fenced ? 'fenced' : 'up') : broker.status;
  return (
    <div
      className={`node broker detail-${detail} status-${broker.status}${broker.fenced ? ' fenced' : ''}${selected ? ' is-selected' : ''}`}
      data-testid={`broker-${broker.id}`}
      data-status={broker.status}
      data-detail={detail}
    >
      {/* Bundled edges (zoomed out) end on the broker itself. */}
      <Handle id={handleId.brokerCentre('s')} type="source" position={Position.Top} isConnectable={false} className="hidden-handle centre-handle" />
      <Handle id={handleId.brokerCentre('t')} type="target" position={Position.Top} isConnectable={false} className="hidden-handle centre-handle" />
      <Handle id={handleId.brokerTop} type="target" position={Position.Top} isConnectable={false} className="hidden-handle" />
      <Handle id={handleId.brokerBottom} type="source" position={Position.Bottom} isConnectable={false} className="hidden-handle" />
      <button
        type="button"
        className="node-header"
        aria-label={`Broker ${broker.id}, ${statusText}${isController ? ', active controller' : ''}`}
        onClick={() => select({ kind: 'broker', id: broker.id })}
      >
        <span className="node-title">
          <span className="node-kind" aria-hidden="true">⬢</span> Broker {broker.id}
        </span>
        <span className="badges">
          {isController && (
            <span className="badge controller" data-testid={`controller-badge-${broker.id}`}>
              controller
            </span>
          )}
          {broker.status === 'down' && <span className="badge down">down</span>}
          {broker.status === 'isolated' && <span className="badge isolated">isolated</span>}
          {broker.fenced && broker.status === 'up' && <span className="badge fenced">fenced</span>}
          {broker.fenced && broker.status !== 'up' && <span className="badge fenced">fenced</span>}
          {fenceInMs !== null && (
            <span
              className="badge fence-countdown"
              data-testid={`fence-countdown-${broker.id}`}
              title={`No heartbeat reaches the controller: it fences this broker broker.session.timeout.ms (${broker.sessionTimeoutMs ?? 9000} ms) after the last one, then moves its leaderships`}
            >
              {fenceInMs > 0 ? `fenced in ${(fenceInMs / 1000).toFixed(1)} s` : 'fencing…'} · broker.session.timeout.ms
            </span>
          )}
          {unfenceable && (
            <span className="badge fence-countdown" title="No controller is running, so nobody fences this broker: its partitions keep naming it as leader">
              not fenced: no controller
            </span>
          )}
          {broker.slowMs > 0 && <span className="badge slow">slow +{broker.slowMs} ms</span>}
        </span>
        <span className="node-sub">
          {broker.rack ? `rack ${broker.rack} · ` : ''}
          {broker.status === 'down' ? 'process stopped, disk kept' : `${formatRate(messagesInPerSec)} msg/s in`}
        </span>
      </button>
      {detail === 'card' && card ? (
        <BrokerCardView card={card} broker={broker.id} />
      ) : (
        <div className="replicas">
          {replicas.length === 0 && topicRows.length === 0 && <div className="empty">no replicas</div>}
          {topicRows.map((t) => (
            <TopicRowView key={t.key} t={t} broker={broker.id} />
          ))}
          {replicas.map((r) => (
            <ReplicaRow key={r.key} r={r} broker={broker.id} />
          ))}
        </div>
      )}
    </div>
  );
});

export const ProducerNodeView = memo(function ProducerNodeView({ data }: NodeProps<ProducerNode>) {
  const { producer: p, recentError, selected, compact } = data;
  return (
    <div
      className={`node producer${compact ? ' compact' : ''}${recentError ? ' has-error' : ''}${selected ? ' is-selected' : ''}`}
      data-testid={`producer-${p.id}`}
    >
      <button
        type="button"
        className="node-header"
        aria-label={`Producer ${p.id}, acks ${p.acks}${recentError ? `, error ${recentError.error}` : ''}`}
        onClick={() => select({ kind: 'producer', id: p.id })}
      >
        <span className="node-title">
          <span className="node-kind" aria-hidden="true">▶</span> {p.id}
        </span>
        <span className="badges">
          <span className="badge acks" data-testid={`producer-acks-${p.id}`}>
            acks={p.acks}
          </span>
          {p.idempotent && !p.transaction && <span className="badge plain">idempotent</span>}
          {p.transaction && (
            <span className="badge plain" data-testid={`producer-txn-${p.id}`} title={`transactional.id ${p.transaction.transactionalId}, epoch ${p.transaction.producerEpoch}`}>
              {p.transaction.state === 'IN_TRANSACTION' ? 'in transaction' : p.transaction.state === 'FATAL_ERROR' && p.transaction.error === 'PRODUCER_FENCED' ? 'fenced' : p.transaction.state.toLowerCase().replace(/_/g, ' ')}
            </span>
          )}
        </span>
        <span className="node-sub">
          {p.loads.length > 0 ? p.loads.map((l) => `${l.ratePerSec}/s → ${l.topic}`).join(', ') : 'no steady load'}
          {/* Beside broker cards: one line (COMPACT_SIZES). */}
          {compact && ` · acked ${formatCount(p.acked)}${p.failed > 0 ? ` · ${formatCount(p.failed)} failed` : ''}`}
        </span>
        {!compact && (
          <span className="node-sub">
            acked {p.acked} of {p.sent}
            {p.failed > 0 ? ` · ${p.failed} failed` : ''}
          </span>
        )}
      </button>
      {recentError && (
        <div className="node-error" role="status" data-testid={`producer-error-${p.id}`}>
          <strong>{recentError.error}</strong>
          <span>
            {recentError.topic}-{recentError.partition} at {formatTime(recentError.at)}
          </span>
        </div>
      )}
      <Handle id={handleId.producerOut} type="source" position={Position.Bottom} isConnectable={false} className="hidden-handle" />
      <DropTarget id={connectHandle.node} label={`Producer ${p.id}`} />
      <Connector title="Drag onto a topic's partition row: this producer sends there" testId={`connect-producer-${p.id}`} />
    </div>
  );
});

export const GroupNodeView = memo(function GroupNodeView({ data }: NodeProps<GroupNode>) {
  const { groupId, group, width, height, totalLag, recordsLag, selected, compact } = data;
  return (
    <div
      className={`node group${compact ? ' compact' : ''}${selected ? ' is-selected' : ''} state-${group?.state ?? 'Empty'}`}
      style={{ width, height }}
      data-testid={`group-${groupId}`}
    >
      <Handle id={handleId.groupIn} type="target" position={Position.Top} isConnectable={false} className="hidden-handle" />
      <DropTarget id={connectHandle.node} label={`Group ${groupId}`} />
      <button
        type="button"
        className="group-header"
        aria-label={`Consumer group ${groupId}, ${group?.state ?? 'no state'}, ${group?.type === 'consumer' ? `consumer protocol, group epoch ${group.groupEpoch ?? 0}` : `generation ${group?.generation ?? 0}`}`}
        onClick={() => select({ kind: 'group', id: groupId })}
      >
        {/* Two rows, neither wrapping: who and in what state; then its generation and lags (a long name is cut, never a badge). */}
        <span className="group-header-row">
          <span className="node-title" title={`group ${groupId}`}>
            <span className="node-kind" aria-hidden="true">◎</span> group {groupId}
          </span>
          <span className={`badge gstate gstate-${group?.state ?? 'Empty'}`} data-testid={`group-state-${groupId}`}>
            {group?.state ?? 'unknown'}
          </span>
          {group?.type === 'consumer' && (
            <span className="badge protocol-consumer" title="group.protocol=consumer (KIP-848)" data-testid={`group-protocol-${groupId}`}>
              consumer
            </span>
          )}
        </span>
        <span className="group-header-row">
          {group?.type === 'consumer' ? (
            <span className="badge plain" title="group epoch / target assignment epoch" data-testid={`group-generation-${groupId}`}>
              epoch {group.groupEpoch ?? 0}
            </span>
          ) : (
            <span className="badge plain" data-testid={`group-generation-${groupId}`}>
              gen {group?.generation ?? 0}
            </span>
          )}
          <span
            className="badge plain"
            title="LAG as kafka-consumer-groups --describe computes it: log end offset − committed offset, summed over partitions. Auto-commit runs every auto.commit.interval.ms, so it trails what the consumers have read."
            data-testid={`group-lag-${groupId}`}
          >
            LAG {totalLag}
          </span>
          {recordsLag !== null && (
            <span
              className="badge plain"
              title="records-lag (consumer metric): high watermark − the consumers' positions, summed: what they have not read yet"
              data-testid={`group-records-lag-${groupId}`}
            >
              records-lag {recordsLag}
            </span>
          )}
        </span>
      </button>
    </div>
  );
});

export const ConsumerNodeView = memo(function ConsumerNodeView({ id, data }: NodeProps<ConsumerNode>) {
  const { consumer: c, recentError, inputs, handleKeys, ratePerSec, selected, compact } = data;
  // Handles move when the assignment changes: xyflow must re-measure them.
  const dead = c.status === 'closed' || c.status === 'crashed';
  const handleKey = `${inputs.map((i) => i.key).join(',')}|${handleKeys.join(',')}|${dead}`;
  useNodeInternalsOnChange(id, handleKey);
  return (
    <div
      className={`node consumer${compact ? ' compact' : ''} status-${c.status}${selected ? ' is-selected' : ''}`}
      data-testid={`consumer-${c.id}`}
    >
      {handleKeys.map((key) => {
        // A collapsed topic's row key (@topic) sits where the topic's first partition would.
        const i = key.startsWith('@') ? inputs.findIndex((x) => x.key.startsWith(`${key.slice(1)}-`)) : inputs.findIndex((x) => x.key === key);
        return (
          <Handle
            key={key}
            id={handleId.consumerIn(key)}
            type="target"
            position={Position.Top}
            isConnectable={false}
            className="hidden-handle"
            style={{ left: i < 0 ? '50%' : `${((i + 1) / (inputs.length + 1)) * 100}%` }}
          />
        );
      })}
      <DropTarget id={connectHandle.node} label={`Consumer ${c.id}`} />
      {!dead && <Connector title="Drag onto a topic's partition row to subscribe, or onto another group's box to join it" testId={`connect-consumer-${c.id}`} />}
      <button
        type="button"
        className="node-header"
        aria-label={`Consumer ${c.id}, ${c.status}`}
        onClick={() => select({ kind: 'consumer', id: c.id })}
      >
        <span className="node-title">
          <span className="node-kind" aria-hidden="true">◀</span> {c.id}
        </span>
        <span className={`badge cstatus cstatus-${c.status}`}>{c.status}</span>
        {c.config?.['isolation.level'] === 'read_committed' && (
          <span className="badge plain" data-testid={`consumer-isolation-${c.id}`} title="isolation.level=read_committed: reads up to the last stable offset, skips aborted transactions">
            read_committed
          </span>
        )}
        <span className="node-sub consumer-parts" title={compact && inputs.length > 0 ? inputs.map((i) => i.key).join(', ') : undefined}>
          {/* Beside broker cards the list would be too long to read: how many, named in the title. */}
          {dead ? 'not consuming' : inputs.length === 0 ? 'no partitions' : compact ? `${inputs.length} partition${inputs.length === 1 ? '' : 's'}` : inputs.map((i) => i.key).join(', ')}
        </span>
        {compact ? (
          <span className="node-sub" title={`consumed ${c.consumed}; records-lag: high watermark − position, summed over its partitions`}>
            {formatRate(ratePerSec)}/s · records-lag {formatCount(inputs.reduce((n, i) => n + i.lag, 0))}
          </span>
        ) : (
        <span className="node-sub">
          consumed {c.consumed}
          {ratePerSec >= 1 ? ` · ${formatRate(ratePerSec)}/s` : ''}
          {inputs.length > EDGE_LABELS_MAX ? ` · records-lag-max ${inputs.reduce((m, i) => Math.max(m, i.lag), 0)}` : ''}
          {c.msPerRecord > 0 ? ` · ${c.msPerRecord} ms/rec` : ''}
        </span>
        )}
        {recentError && (
          <span className="node-sub error-text" title={`${recentError.error} at ${formatTime(recentError.at)}`}>
            <span aria-hidden="true">⚠ </span>
            {recentError.error}
          </span>
        )}
      </button>
    </div>
  );
});

export const nodeTypes = {
  broker: BrokerNodeView,
  producer: ProducerNodeView,
  consumerGroup: GroupNodeView,
  consumer: ConsumerNodeView,
};
