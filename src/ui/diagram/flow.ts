/**
 * The diagram as a pure function of the snapshot: `toFlowElements(snapshot, layout)` gives
 * @xyflow/react nodes and edges. No React, no store: unit-tested with a hand-built
 * snapshot. Components only render what this decides (roles, lags, labels, positions).
 *
 * Layout, top to bottom as data flows: producers, then brokers side by side (each holding
 * its replicas, rows aligned across brokers so replication edges run level), then consumer
 * groups as containers around their members. A position saved in `layout` (dragged by the
 * user, or from the scenario) wins over the default.
 *
 * Node and edge ids go to xyflow encoded (`flowId`): it builds CSS selectors from them, and
 * entity names may hold any character. `layout` stays keyed by the real `nodeId`s.
 */
import type { Edge, Node } from '@xyflow/react';
import type {
  BrokerView,
  ClusterSnapshot,
  ConsumerView,
  GroupView,
  PartitionView,
  ProducerView,
} from '../../kafka/snapshot';
import { flowId, nodeId, type Selection } from '../../state/selection';
import type { Rates } from '../../state/rates';
import { bytesForDisplay, formatRate, rateForDisplay } from '../../state/display-precision';
import type { Layout } from '../../worker/protocol';
import type { EdgeLink } from '../build/connect';

export type ReplicaRole = 'leader' | 'in-sync' | 'out-of-sync' | 'offline';

export interface ReplicaCell {
  /** `${topic}-${partition}`, also the row's handle prefix. */
  key: string;
  topic: string;
  partition: number;
  role: ReplicaRole;
  logEndOffset: number | null;
  highWatermark: number | null;
  logStartOffset: number | null;
  /** Leader LEO − this replica's LEO (0 on the leader, null when either is unknown). */
  lag: number | null;
  /**
   * A live follower out of the ISR, behind the leader: how far it has come, as its log end
   * against the leader's (both from the leader's log start). Null otherwise.
   */
  catchUp: { leaderLogEndOffset: number; fraction: number } | null;
  leaderEpoch: number;
  /** No reachable leader for this partition (none elected, or a dead one not fenced yet). */
  partitionOffline: boolean;
  /** The leader the metadata still names while its broker is down or cut off (not fenced yet), else null. */
  unreachableLeader: number | null;
  /** A live leader with an ISR smaller than the replica set. */
  underReplicated: boolean;
  /** ISR smaller than min.insync.replicas: acks=all produce is refused. */
  underMinIsr: boolean;
  /** This broker is the partition's preferred leader (first in the replica list). */
  preferred: boolean;
  /** A reassignment in progress: this replica is being added (catching up) or removed (leaves when it completes). */
  moving: 'adding' | 'removing' | null;
  selected: boolean;
}

/** A collapsed topic's replicas on one broker, as one row. */
export interface TopicRow {
  topic: string;
  /** Handle prefix of the row (edges of the topic's partitions end here). */
  key: string;
  replicas: number;
  leaders: number;
  /** Replicas of the topic here that are out of sync or offline. */
  unhealthy: number;
}

/** A broker zoomed out: counts and a strip of its replicas coloured by role (issue 10). */
export interface BrokerCard {
  leaders: number;
  replicas: number;
  /** Partitions this broker leads whose ISR is smaller than the replica set (UnderReplicatedPartitions). */
  underReplicated: number;
  /** Partitions hosted here with no reachable leader. */
  offline: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  /** One entry per replica hosted, in partition order. */
  strip: { key: string; role: ReplicaRole }[];
}

export type BrokerNodeData = {
  broker: BrokerView;
  /** 'rows': every replica row (zoomed in, selected, or a small cluster); 'card': the compact card. */
  detail: 'rows' | 'card';
  /** Replicas hosted here that the view shows (the topic filter applied), whatever the detail. */
  replicaCount: number;
  /** Collapsed topics' rows (detail 'rows'). */
  topicRows: TopicRow[];
  card: BrokerCard | null;
  /**
   * Down or cut off, not fenced yet: virtual ms left until its broker.session.timeout.ms
   * session runs out (0: any moment, at the controller's next check); null otherwise.
   */
  fenceInMs: number | null;
  /** Down or cut off and nobody can fence it: no controller is running. */
  unfenceable: boolean;
  isController: boolean;
  replicas: ReplicaCell[];
  selected: boolean;
  messagesInPerSec: number;
};

export type ProducerNodeData = {
  producer: ProducerView;
  /** lastError, shown only while recent (it stays in the view after recovery). */
  recentError: ProducerView['lastError'];
  selected: boolean;
  /** Drawn large beside broker cards (zoomed out): COMPACT_SIZES. */
  compact: boolean;
};

export type GroupNodeData = {
  groupId: string;
  group: GroupView | null;
  width: number;
  height: number;
  /** LAG as kafka-consumer-groups --describe computes it: log end − committed offset, summed. */
  totalLag: number;
  /** The members' records-lag (high watermark − position), summed; null with no member reading. */
  recordsLag: number | null;
  selected: boolean;
  /** Drawn large beside broker cards (zoomed out): COMPACT_SIZES. */
  compact: boolean;
};

export type ConsumerNodeData = {
  consumer: ConsumerView;
  /** lastError, only while recent (a past REBALANCE_IN_PROGRESS is not news). */
  recentError: ConsumerView['lastError'];
  /** Assigned partitions, each with a target handle spread along the top edge. */
  inputs: { key: string; lag: number }[];
  /**
   * Every partition key in the cluster: the node keeps a handle for each, so an edge drawn
   * in the same frame as a new assignment finds its handle already measured.
   */
  handleKeys: string[];
  /** Records per second consumed over the last virtual second. */
  ratePerSec: number;
  selected: boolean;
  /** Drawn large beside broker cards (zoomed out), the partitions as a count: COMPACT_SIZES. */
  compact: boolean;
};

export type BrokerNode = Node<BrokerNodeData, 'broker'>;
export type ProducerNode = Node<ProducerNodeData, 'producer'>;
/** Not 'group': that is xyflow's built-in type, with its own default styles. */
export type GroupNode = Node<GroupNodeData, 'consumerGroup'>;
export type ConsumerNode = Node<ConsumerNodeData, 'consumer'>;
export type FlowNode = BrokerNode | ProducerNode | GroupNode | ConsumerNode;

export type EdgeKind = 'produce' | 'replication' | 'consumption';

export type KafkaEdgeData = {
  kind: EdgeKind;
  /** A bundle: this many partitions' edges between the same two nodes, drawn as one. */
  bundled?: number;
  label: string | null;
  /** Where the label sits: near the target end keeps replication labels in the gap between brokers. */
  labelAt: 'middle' | 'target' | 'source';
  /** Pixels to lift the label by (staggers labels that end on the same node). */
  labelLift?: number;
  tone: 'normal' | 'lagging' | 'error';
  /** Records per second over the last virtual second. */
  rate: number;
  /** What the edge stands for that the user drew and may delete (a producer's load, a subscription). */
  link?: EdgeLink;
};

export type FlowEdge = Edge<KafkaEdgeData, 'kafka'>;

export interface FlowElements {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export const SIZES = {
  brokerWidth: 264,
  /** The compact card (zoomed out): as wide as a broker, fixed height. */
  cardHeight: 150,
  brokerGap: 84,
  brokerY: 170,
  brokerHeaderHeight: 66,
  replicaRowHeight: 48,
  producerWidth: 200,
  /** A producer's height before it is measured (its error note comes and goes: not counted). */
  producerHeight: 96,
  producerGap: 40,
  consumerWidth: 184,
  consumerHeight: 92,
  consumerGap: 14,
  groupPad: 14,
  /**
   * Header (two rows, 60 px: styles.css .group-header) plus a band where consumption edges
   * end and their labels sit: two rows of them (a consumer's neighbouring labels are staggered
   * by CONSUMPTION_LABEL_LIFT) below the header, not over it.
   */
  groupHeader: 100,
  groupGap: 40,
  /** Between the brokers and the groups (the consumption edges' curves). */
  groupMarginTop: 48,
  /** Room for a one-consumer group's second header row: gen, LAG and records-lag of up to five digits each. */
  groupMinWidth: 280,
} as const;

/** Space between boxes when brokers are cards in a grid. */
export const GRID_GAP = 40;

/**
 * Columns of the card grid for n brokers: one row up to 6; then rows of at most 6 cards (a
 * group of six consumers beside cards is about six cards wide) up to 30 brokers; past that
 * about sqrt(1.2 n) columns, so the grid keeps about a laptop diagram pane's shape (~1.4 : 1);
 * always as few columns as fill the same rows (7 brokers in rows of 4 and 3, not 6 and 1). At
 * 1280 x 720 this fits 50 brokers at 0.24 (bound by the pane's height) where rows of 13 fit
 * them at 0.19 (bound by its width).
 */
export function cardColumns(n: number): number {
  if (n <= 6) return Math.max(1, n);
  const widest = Math.max(6, Math.ceil(Math.sqrt(1.2 * n)));
  return Math.ceil(n / Math.ceil(n / widest));
}

/**
 * A broker box's height before the browser measures it (the automatic layout's estimate, and
 * the grid the cards stand in until it has run): a card's, or its header and a line for each
 * row (replica rows and collapsed topics' rows; at least one).
 */
export function brokerBoxHeight(detail: 'rows' | 'card', rows: number): number {
  return detail === 'card' ? SIZES.cardHeight : SIZES.brokerHeaderHeight + Math.max(1, rows) * SIZES.replicaRowHeight;
}

/** How far a consumer's every other consumption label is lifted: a label's height (19 px) and a gap. */
export const CONSUMPTION_LABEL_LIFT = 20;

/**
 * Producers, groups and consumers drawn beside broker cards (zoomed out, issue 10): their
 * text is read at the cards' zoom (about a third on a laptop at 12 brokers), so it is drawn
 * at the cards' sizes (styles.css `.compact`), in fewer lines, so that the whole picture is
 * no taller than with the small nodes (a taller one would be drawn smaller, cards included).
 */
export const COMPACT_SIZES = {
  producerWidth: 400,
  producerHeight: 84,
  consumerWidth: 270,
  consumerHeight: 104,
  consumerGap: 16,
  groupPad: 14,
  /** The header (one line at the cards' size) plus the band where consumption edges end. */
  groupHeader: 60,
  groupMinWidth: 560,
} as const;

/** The sizes producers, groups and consumers are laid out at: compact beside broker cards. */
export function memberSizes(compact: boolean): typeof COMPACT_SIZES | typeof SIZES {
  return compact ? COMPACT_SIZES : SIZES;
}

/** Below this rate an edge shows traffic as motion; at and above, as a throughput label. */
export const MOTION_MAX_RATE = 50;
/** At and above this rate an edge is drawn with a heavy stroke (KafkaEdge). */
export const HEAVY_RATE = 50;
export const isHeavyRate = (rate: number) => rate >= HEAVY_RATE;
/**
 * More moving edges than this and none moves (issue 10). Each moving edge is a CSS animation
 * restyled and repainted every frame; at 50 brokers x 1,000 partitions some 2,000 edges
 * moved at once, which cost more main-thread time than anything else on screen and read as
 * noise. Past this many, traffic shows through the edges themselves, their labels and the
 * broker cards' bytes in and out.
 */
export const MOTION_MAX_EDGES = 150;
/** A producer error stays on its node this long (virtual ms) after it happened. */
export const ERROR_VISIBLE_MS = 10_000;

/** A consumer with more partitions than this gets no per-edge lag labels (they would overlap). */
export const EDGE_LABELS_MAX = 3;

/**
 * A consumer's last error while it is news: recent, and not the REBALANCE_IN_PROGRESS that
 * told it to rejoin a rebalance it has since finished (the inspector still lists it).
 */
export function consumerNews(c: ConsumerView, now: number): ConsumerView['lastError'] {
  const e = c.lastError;
  if (!e || now - e.at > ERROR_VISIBLE_MS || c.recovered) return null;
  if (e.error === 'REBALANCE_IN_PROGRESS' && c.status === 'stable') return null;
  return e;
}

/** Handle ids, encoded like node ids (xyflow puts them in selectors too, when connecting). */
export const handleId = {
  replica: (key: string, side: 'l' | 'r', type: 's' | 't') => enc(`${key}:${side}:${type}`),
  producerOut: 'out',
  consumerIn: (key: string) => enc(`in:${key}`),
  /** A broker's own handles (bundled edges): its centre for replication, top for produce, bottom for consumption. */
  brokerCentre: (type: 's' | 't') => `broker-centre-${type}`,
  brokerTop: 'broker-top',
  brokerBottom: 'broker-bottom',
  groupIn: 'group-in',
};

/** The row key of a collapsed topic (topic names cannot hold '@'... they can: '@' then is only a prefix). */
export const topicRowKey = (topic: string) => `@${topic}`;

/** How the diagram is looked at: zoom level of detail, topic filter, collapsed topics. */
export interface DiagramView {
  /** Zoomed in far enough to read replica rows (Diagram.tsx decides, with hysteresis). */
  zoomedIn: boolean;
  /** Only this topic's partitions are drawn (null: all). */
  topicFilter: string | null;
  /** Topics drawn as one row per broker. */
  collapsedTopics: readonly string[];
}

export const FULL_VIEW: DiagramView = { zoomedIn: true, topicFilter: null, collapsedTopics: [] };

/** A cluster whose brokers hold at most this many replicas each always shows every row (a few topics on three brokers). */
export const ROWS_ALWAYS_MAX = 20;

/**
 * Rows or card, per broker: rows when every broker is small (the default scenario), when
 * zoomed in, or when the selection is on this broker (it, or a partition it holds).
 */
export function brokerDetail(brokerId: number, hosted: readonly PartitionView[], maxReplicas: number, view: DiagramView, sel: Selection | null): 'rows' | 'card' {
  if (maxReplicas <= ROWS_ALWAYS_MAX || view.zoomedIn) return 'rows';
  if (sel?.kind === 'broker' && sel.id === brokerId) return 'rows';
  if (sel?.kind === 'partition') {
    if (sel.broker !== undefined) return sel.broker === brokerId ? 'rows' : 'card';
    return hosted.some((p) => p.topic === sel.topic && p.partition === sel.partition) ? 'rows' : 'card';
  }
  return 'card';
}

/** Parses what a person types to find a partition: `orders-2`, `orders 2`, `orders/2`. */
export function parsePartitionQuery(text: string): { topic: string; partition: number } | null {
  const m = /^\s*(.+?)[\s/:-]+(\d+)\s*$/.exec(text);
  if (!m) return null;
  return { topic: m[1]!, partition: Number(m[2]) };
}

/** The partition a search names, if the snapshot has it; else why not. */
export function findPartition(snapshot: ClusterSnapshot, text: string): { ok: true; partition: PartitionView } | { ok: false; message: string } {
  const q = parsePartitionQuery(text);
  if (!q) return { ok: false, message: `"${text.trim()}" does not name a partition: type a topic and a partition number, like orders-2.` };
  const p = snapshot.partitions.find((x) => x.topic === q.topic && x.partition === q.partition);
  if (p) return { ok: true, partition: p };
  // A topic whose name ends in -digits: the whole text may be the topic.
  const topic = snapshot.topics.find((t) => t.name === q.topic);
  if (!topic) return { ok: false, message: `There is no topic ${q.topic}.` };
  return { ok: false, message: `Topic ${q.topic} has partitions 0 to ${topic.partitions - 1}; there is no partition ${q.partition}.` };
}

const pkey = (topic: string, partition: number) => `${topic}-${partition}`;

/** A partition's key, and the keys of its replicas' rates (`rates.leo`), made once. */
interface PartitionKeys {
  key: string;
  /** `${key}@${broker}`, by broker id. */
  leo: string[];
}

/**
 * `pkey` and the replicas' rate keys, remembered (issue 10): at 50 brokers x 1,000
 * partitions the same 3,000 strings were built every frame, and looking each new one up in
 * the rates (hashing it first) was a quarter of `toFlowElements`' own time.
 */
const partitionKeys = new Map<string, PartitionKeys[]>();
function keysOf(topic: string, partition: number): PartitionKeys {
  let byPartition = partitionKeys.get(topic);
  if (byPartition === undefined) {
    if (partitionKeys.size >= 10_000) partitionKeys.clear();
    partitionKeys.set(topic, (byPartition = []));
  }
  return (byPartition[partition] ??= { key: pkey(topic, partition), leo: [] });
}
const keyOf = (topic: string, partition: number) => keysOf(topic, partition).key;
function leoKey(k: PartitionKeys, broker: number): string {
  return (k.leo[broker] ??= `${k.key}@${broker}`);
}

/** flowId.encode, remembered: the same few thousand ids are encoded every frame. */
const encoded = new Map<string, string>();
function enc(id: string): string {
  let v = encoded.get(id);
  if (v === undefined) {
    if (encoded.size >= 100_000) encoded.clear();
    v = flowId.encode(id);
    encoded.set(id, v);
  }
  return v;
}

export { formatBytes, formatCount, formatRate } from '../../state/display-precision';

function replicaRole(p: PartitionView, broker: BrokerView | undefined): ReplicaRole {
  if (!broker || broker.status !== 'up') return 'offline';
  if (p.leader === broker.id) return 'leader';
  return p.isr.includes(broker.id) ? 'in-sync' : 'out-of-sync';
}

/** A live out-of-sync follower behind its leader: its progress toward the leader's log end. */
export function catchUpOf(
  role: ReplicaRole,
  state: { logEndOffset: number } | undefined,
  leader: { logEndOffset: number; logStartOffset: number } | undefined,
): ReplicaCell['catchUp'] {
  if (role !== 'out-of-sync' || !state || !leader || state.logEndOffset >= leader.logEndOffset) return null;
  const span = leader.logEndOffset - leader.logStartOffset;
  const done = state.logEndOffset - leader.logStartOffset;
  return { leaderLogEndOffset: leader.logEndOffset, fraction: span <= 0 ? 0 : Math.min(1, Math.max(0, done / span)) };
}

function minIsr(snapshot: ClusterSnapshot, topic: string): number {
  const v = snapshot.topics.find((t) => t.name === topic)?.config['min.insync.replicas'];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : 1;
  return Number.isFinite(n) ? n : 1;
}

function isSelectedPartition(sel: Selection | null, p: PartitionView, broker: number): boolean {
  if (sel?.kind === 'topic') return sel.name === p.topic;
  if (sel?.kind !== 'partition' || sel.topic !== p.topic || sel.partition !== p.partition) return false;
  return sel.broker === undefined || sel.broker === broker;
}

/**
 * What `toFlowElements` keeps from one call to the next (`opts.reuse`): last call's broker
 * nodes. A broker whose node would come out the same (compared field by field, cheaply: its
 * view, counts, strip, rows) gets last call's object back, and within a node that did change,
 * its strip and replica rows are last call's arrays and cells where those did not. xyflow and
 * the memoised node components compare by reference, so they skip what did not change
 * without a deep comparison of 50 brokers' data every frame (issue 10).
 */
export interface FlowCache {
  brokers: Map<number, BrokerNode>;
}

export function createFlowCache(): FlowCache {
  return { brokers: new Map() };
}

function sameCatchUp(a: ReplicaCell['catchUp'], b: ReplicaCell['catchUp']): boolean {
  return a === b || (a !== null && b !== null && a.leaderLogEndOffset === b.leaderLogEndOffset && a.fraction === b.fraction);
}

/** Same fields: a replica row drawn the same. */
export function sameReplicaCell(a: ReplicaCell, b: ReplicaCell): boolean {
  for (const k in a) {
    const key = k as keyof ReplicaCell;
    if (key === 'catchUp' ? !sameCatchUp(a.catchUp, b.catchUp) : a[key] !== b[key]) return false;
  }
  return true;
}

/** `next`, or `prev` when every element is the same (by `same`); else `next` holding `prev`'s equal elements. */
function keepSame<T>(prev: readonly T[] | undefined, next: T[], same: (a: T, b: T) => boolean): T[] {
  if (prev === undefined) return next;
  let all = prev.length === next.length;
  for (let i = 0; i < next.length; i++) {
    const old = prev[i];
    if (old !== undefined && same(old, next[i]!)) next[i] = old;
    else all = false;
  }
  return all ? (prev as T[]) : next;
}

const sameStripCell = (a: BrokerCard['strip'][number], b: BrokerCard['strip'][number]) => a.key === b.key && a.role === b.role;
const sameTopicRow = (a: TopicRow, b: TopicRow) =>
  a.topic === b.topic && a.key === b.key && a.replicas === b.replicas && a.leaders === b.leaders && a.unhealthy === b.unhealthy;

function sameCard(a: BrokerCard | null, b: BrokerCard | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.strip === b.strip &&
    a.leaders === b.leaders &&
    a.replicas === b.replicas &&
    a.underReplicated === b.underReplicated &&
    a.offline === b.offline &&
    a.bytesInPerSec === b.bytesInPerSec &&
    a.bytesOutPerSec === b.bytesOutPerSec
  );
}

/** A broker node drawn the same (its arrays already swapped for the previous ones where equal, `keepSame`). */
function sameBrokerNode(a: BrokerNode, b: BrokerNode): boolean {
  const x = a.data;
  const y = b.data;
  return (
    a.id === b.id &&
    a.position.x === b.position.x &&
    a.position.y === b.position.y &&
    x.broker === y.broker &&
    x.detail === y.detail &&
    x.replicaCount === y.replicaCount &&
    x.topicRows === y.topicRows &&
    x.replicas === y.replicas &&
    sameCard(x.card, y.card) &&
    x.fenceInMs === y.fenceInMs &&
    x.unfenceable === y.unfenceable &&
    x.isController === y.isController &&
    x.selected === y.selected &&
    x.messagesInPerSec === y.messagesInPerSec
  );
}

export function toFlowElements(
  snapshot: ClusterSnapshot,
  layout: Layout = {},
  opts: { selection?: Selection | null; rates?: Rates; view?: DiagramView; reuse?: FlowCache } = {},
): FlowElements {
  const reuse = opts.reuse ?? null;
  const brokerNodes = new Map<number, BrokerNode>();
  const sel = opts.selection ?? null;
  const rates = opts.rates ?? { leo: {}, position: {} };
  const view = opts.view ?? FULL_VIEW;
  const collapsed = new Set(view.collapsedTopics);
  const nodes: FlowNode[] = [];
  const edgeById = new Map<string, FlowEdge>();
  /**
   * Adds an edge; one with the same id (a bundle, a collapsed topic) merges into it. Every
   * edge handed in is built here for this call alone, so a merge updates the first in place:
   * at 50 brokers x 1,000 partitions some 2,000 replicas merge into a thousand bundles a
   * frame, and copying them was a third of this function's time (issue 10).
   */
  const addEdge = (e: FlowEdge): FlowEdge => {
    const had = edgeById.get(e.id);
    if (!had) {
      edgeById.set(e.id, e);
      return e;
    }
    const b = e.data!;
    mergeInto(had, b.rate, b.tone, b.bundled ?? 1);
    return had;
  };
  const mergeInto = (had: FlowEdge, rate: number, tone: KafkaEdgeData['tone'], bundled: number) => {
    const a = had.data!;
    const sum = a.rate + rate;
    a.tone = a.tone === 'error' || tone === 'error' ? 'error' : a.tone === 'lagging' || tone === 'lagging' ? 'lagging' : 'normal';
    a.rate = sum;
    a.bundled = (a.bundled ?? 1) + bundled;
    a.label = a.kind === 'produce' ? rateText(sum) : null;
    had.animated = motion(sum);
  };
  /**
   * Bundles by their two ends (broker pair; broker and group): at 50 brokers x 1,000
   * partitions some 3,000 replicas and positions fold into a few hundred bundles a frame, and
   * building each one's ids and edge only to merge it was most of this function's time.
   */
  const bundles = new Map<string | number, Map<string | number, FlowEdge>>();
  const bundle = (a: string | number, b: string | number): FlowEdge | undefined => bundles.get(a)?.get(b);
  const remember = (a: string | number, b: string | number, e: FlowEdge) => {
    let m = bundles.get(a);
    if (!m) bundles.set(a, (m = new Map()));
    m.set(b, e);
  };
  const pos = (id: string, fallback: { x: number; y: number }) => layout[id] ?? fallback;
  const motion = (rate: number) => rate > 0 && rate < MOTION_MAX_RATE;
  const rateText = (rate: number) => (rate >= MOTION_MAX_RATE ? `${formatRate(rate)}/s` : null);

  const partitions = snapshot.partitions
    .filter((p) => view.topicFilter === null || p.topic === view.topicFilter)
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  const brokers = [...snapshot.brokers].sort((a, b) => a.id - b.id);
  const brokerById = new Map(brokers.map((b) => [b.id, b]));
  const partitionByKey = new Map(partitions.map((p) => [keyOf(p.topic, p.partition), p]));

  // ---- brokers and their replicas ----
  let maxRows = 0;
  const brokerPos = new Map<number, { x: number; y: number }>();
  /** Each consumer's centre on the canvas (a group's members are placed relative to it). */
  const consumerCenterX = new Map<string, number>();
  const hostedBy = new Map<number, PartitionView[]>(brokers.map((b) => [b.id, []]));
  for (const p of partitions) for (const r of p.replicas) hostedBy.get(r)?.push(p);
  const maxReplicas = Math.max(0, ...[...hostedBy.values()].map((h) => h.length));
  const detailOf = new Map<number, 'rows' | 'card'>();
  for (const b of brokers) detailOf.set(b.id, brokerDetail(b.id, hostedBy.get(b.id) ?? [], maxReplicas, view, sel));
  /** Where a partition's edges end on a broker in rows: its row, or its collapsed topic's row. */
  const rowKey = (p: PartitionView) => (collapsed.has(p.topic) ? topicRowKey(p.topic) : keyOf(p.topic, p.partition));
  // Until the automatic layout has run (or should it fail), cards stand in the grid it will
  // put them in (cardColumns), each row as tall as its tallest broker: a big cluster opens
  // as the picture it becomes, not as one long row drawn tiny. gridY[r] is where grid row r
  // starts, final once the brokers of the rows above are made (they come in index order).
  // Producers and groups beside cards are drawn compact (memberSizes).
  const cardGrid = brokers.some((b) => detailOf.get(b.id) === 'card');
  const cols = cardGrid ? cardColumns(brokers.length) : brokers.length;
  const gridY: number[] = [SIZES.brokerY];
  brokers.forEach((b, i) => {
    const hosted = hostedBy.get(b.id) ?? [];
    const detail = detailOf.get(b.id)!;
    const replicas: ReplicaCell[] = [];
    const topicRows: TopicRow[] = [];
    const strip: BrokerCard['strip'] = [];
    let leaders = 0;
    let underReplicated = 0;
    let offline = 0;
    for (const p of hosted) {
      const role = replicaRole(p, b);
      const partitionOffline = p.offline ?? p.leader < 0;
      if (role === 'leader') leaders++;
      if (role === 'leader' && (p.underReplicated ?? false)) underReplicated++;
      if (partitionOffline) offline++;
      if (detail === 'card') {
        strip.push({ key: keyOf(p.topic, p.partition), role });
        continue;
      }
      if (collapsed.has(p.topic)) {
        let row = topicRows.find((t) => t.topic === p.topic);
        if (!row) topicRows.push((row = { topic: p.topic, key: topicRowKey(p.topic), replicas: 0, leaders: 0, unhealthy: 0 }));
        row.replicas++;
        if (role === 'leader') row.leaders++;
        if (role === 'out-of-sync' || role === 'offline') row.unhealthy++;
        continue;
      }
      const state = p.replicaStates.find((r) => r.broker === b.id);
      const leaderState = p.replicaStates.find((r) => r.broker === p.leader);
      replicas.push({
        key: keyOf(p.topic, p.partition),
        topic: p.topic,
        partition: p.partition,
        role,
        logEndOffset: state?.logEndOffset ?? null,
        highWatermark: state?.highWatermark ?? null,
        logStartOffset: state?.logStartOffset ?? null,
        lag: state && leaderState ? Math.max(0, leaderState.logEndOffset - state.logEndOffset) : null,
        catchUp: catchUpOf(role, state, leaderState),
        leaderEpoch: p.leaderEpoch,
        partitionOffline,
        unreachableLeader: p.leader >= 0 && p.leaderAlive === false ? p.leader : null,
        underReplicated: p.underReplicated ?? false,
        underMinIsr: p.underMinIsr ?? p.isr.length < minIsr(snapshot, p.topic),
        preferred: p.replicas[0] === b.id,
        moving: p.addingReplicas?.includes(b.id) ? 'adding' : p.removingReplicas?.includes(b.id) ? 'removing' : null,
        selected: isSelectedPartition(sel, p, b.id),
      });
    }
    maxRows = Math.max(maxRows, detail === 'card' ? 0 : replicas.length + topicRows.length);
    const gridRow = Math.floor(i / cols);
    if (cardGrid) gridY[gridRow + 1] = Math.max(gridY[gridRow + 1] ?? 0, gridY[gridRow]! + brokerBoxHeight(detail, replicas.length + topicRows.length) + GRID_GAP);
    const id = nodeId.broker(b.id);
    const position = pos(
      id,
      cardGrid
        ? { x: (i % cols) * (SIZES.brokerWidth + GRID_GAP), y: gridY[gridRow]! }
        : { x: i * (SIZES.brokerWidth + SIZES.brokerGap), y: SIZES.brokerY },
    );
    brokerPos.set(b.id, position);
    const m = snapshot.metrics.brokers[b.id];
    const before = reuse?.brokers.get(b.id);
    const made: BrokerNode = {
      id: enc(id),
      type: 'broker',
      position,
      // Edges into group members are lifted above plain nodes by xyflow; brokers stay on top.
      zIndex: 10,
      width: SIZES.brokerWidth,
      data: {
        broker: b,
        detail,
        replicaCount: hosted.length,
        topicRows: keepSame(before?.data.topicRows, topicRows, sameTopicRow),
        card:
          detail === 'card'
            ? {
                leaders,
                replicas: hosted.length,
                underReplicated,
                offline,
                // As drawn (formatBytes): a card whose figures did not change on screen keeps its data.
                bytesInPerSec: bytesForDisplay(m?.BytesInPerSec ?? 0),
                bytesOutPerSec: bytesForDisplay(m?.BytesOutPerSec ?? 0),
                strip: keepSame(before?.data.card?.strip, strip, sameStripCell),
              }
            : null,
        fenceInMs: b.status !== 'up' && b.fenceAt != null ? Math.max(0, b.fenceAt - snapshot.time) : null,
        unfenceable: b.status !== 'up' && !b.fenced && snapshot.controller < 0,
        isController: snapshot.controller === b.id,
        replicas: keepSame(before?.data.replicas, replicas, sameReplicaCell),
        selected: sel?.kind === 'broker' && sel.id === b.id,
        // As drawn (formatRate): a broker whose rate did not change on screen keeps its data.
        messagesInPerSec: rateForDisplay(snapshot.metrics.brokers[b.id]?.MessagesInPerSec ?? 0),
      },
    };
    const node = before !== undefined && sameBrokerNode(before, made) ? before : made;
    brokerNodes.set(b.id, node);
    nodes.push(node);
  });
  if (reuse) reuse.brokers = brokerNodes;
  /** Beside cards, producers and groups are drawn compact (COMPACT_SIZES). */
  const member = memberSizes(cardGrid);

  // ---- producers ----
  snapshot.producers.forEach((p, i) => {
    const recent = p.lastError && !p.recovered && snapshot.time - p.lastError.at <= ERROR_VISIBLE_MS ? p.lastError : null;
    nodes.push({
      id: enc(nodeId.producer(p.id)),
      type: 'producer',
      zIndex: 10,
      // Left of broker 1, so produce edges run down and right into the replica rows.
      position: pos(nodeId.producer(p.id), { x: -120 + i * (member.producerWidth + SIZES.producerGap), y: 0 }),
      width: member.producerWidth,
      data: { producer: p, recentError: recent, selected: sel?.kind === 'producer' && sel.id === p.id, compact: cardGrid },
    });
  });

  // ---- consumer groups (containers) and their members ----
  const groupIds: string[] = [];
  for (const g of snapshot.groups) if (!groupIds.includes(g.groupId)) groupIds.push(g.groupId);
  for (const c of snapshot.consumers) if (!groupIds.includes(c.groupId)) groupIds.push(c.groupId);
  // Consumers keep a handle for every row an edge may end at (partitions led from a broker in rows).
  const allKeys = [...new Set(partitions.filter((p) => detailOf.get(p.leader) !== 'card').map(rowKey))];
  const groupY = cardGrid
    ? gridY[gridY.length - 1]! - GRID_GAP + SIZES.groupMarginTop
    : SIZES.brokerY + SIZES.brokerHeaderHeight + maxRows * SIZES.replicaRowHeight + SIZES.groupMarginTop;
  let groupX = 0;
  for (const groupId of groupIds) {
    const group = snapshot.groups.find((g) => g.groupId === groupId) ?? null;
    const members = snapshot.consumers.filter((c) => c.groupId === groupId);
    const slots = Math.max(1, members.length);
    const width = Math.max(member.groupMinWidth, member.groupPad * 2 + slots * member.consumerWidth + (slots - 1) * member.consumerGap);
    const height = member.groupHeader + member.consumerHeight + member.groupPad;
    const gid = nodeId.group(groupId);
    const totalLag = (group?.offsets ?? []).reduce((n, o) => n + (o.lag ?? 0), 0);
    const reading = members.filter((c) => c.status !== 'closed' && c.status !== 'crashed' && c.positions.length > 0);
    const recordsLag = reading.length === 0 ? null : reading.reduce((n, c) => n + c.positions.reduce((m, x) => m + x.lag, 0), 0);
    nodes.push({
      id: enc(gid),
      type: 'consumerGroup',
      position: pos(gid, { x: groupX, y: groupY }),
      width,
      height,
      style: { width, height },
      data: { groupId, group, width, height, totalLag, recordsLag, selected: sel?.kind === 'group' && sel.id === groupId, compact: cardGrid },
    });
    groupX += width + SIZES.groupGap;
    const groupPos = nodes[nodes.length - 1]!.position;
    members.forEach((c, j) => {
      const cid = nodeId.consumer(c.id);
      const position = pos(cid, {
        x: member.groupPad + j * (member.consumerWidth + member.consumerGap),
        y: member.groupHeader,
      });
      consumerCenterX.set(c.id, groupPos.x + position.x + member.consumerWidth / 2);
      nodes.push({
        id: enc(cid),
        type: 'consumer',
        parentId: enc(gid),
        extent: 'parent',
        position,
        width: member.consumerWidth,
        height: member.consumerHeight,
        data: {
          consumer: c,
          recentError: consumerNews(c, snapshot.time),
          inputs: c.positions.map((x) => ({ key: keyOf(x.topic, x.partition), lag: x.lag })),
          handleKeys: allKeys,
          ratePerSec: c.positions.reduce((n, x) => n + (rates.position[`${c.id}|${keyOf(x.topic, x.partition)}`] ?? 0), 0),
          selected: sel?.kind === 'consumer' && sel.id === c.id,
          compact: cardGrid,
        },
      });
    });
  }

  const isCard = (broker: number) => detailOf.get(broker) === 'card';

  // ---- produce edges: producer → the partition's leader replica (its broker, when a card) ----
  for (const p of snapshot.producers) {
    const keys = new Set(p.targets.map((t) => keyOf(t.topic, t.partition)));
    const recentError = p.lastError && !p.recovered && snapshot.time - p.lastError.at <= ERROR_VISIBLE_MS ? p.lastError : null;
    const failingKey = recentError ? keyOf(recentError.topic, recentError.partition) : null;
    if (failingKey !== null) keys.add(failingKey);
    const loadLabelled = new Set<string>();
    for (const key of [...keys].sort()) {
      const part = partitionByKey.get(key);
      if (!part || part.leader < 0 || !brokerById.has(part.leader)) continue;
      const load = p.loads.find((l) => l.topic === part.topic);
      const topicPartitions = snapshot.topics.find((t) => t.name === part.topic)?.partitions ?? 1;
      const rate = load ? load.ratePerSec / Math.max(1, topicPartitions) : 0;
      const failing = failingKey === key;
      const card = isCard(part.leader);
      const quietLoad = !failing && load !== undefined && rateText(rate) === null && !loadLabelled.has(part.topic);
      if (quietLoad) loadLabelled.add(part.topic);
      // Into a card: one edge per producer and broker; the rest of its partitions merge into it
      // without an edge (and its ids) built only to be merged (issue 10: a thousand a frame).
      const had = card ? bundle(p.id, part.leader) : undefined;
      if (had) {
        mergeInto(had, rate, failing ? 'error' : 'normal', 1);
        continue;
      }
      const end = card ? `broker ${part.leader}` : rowKey(part);
      const link: EdgeLink | undefined = load ? { kind: 'load', producer: p.id, topic: part.topic } : undefined;
      const made = addEdge({
        id: enc(`produce:${p.id}->${end}`),
        type: 'kafka',
        source: enc(nodeId.producer(p.id)),
        sourceHandle: handleId.producerOut,
        target: enc(nodeId.broker(part.leader)),
        targetHandle: card ? handleId.brokerTop : handleId.replica(end, 'l', 't'),
        animated: motion(rate),
        data: {
          kind: 'produce',
          // The error itself is written on the producer's node; the edge only turns red.
          // A steady load below the motion threshold still says its rate (a drawn edge starts at
          // 10/s), once per topic, just under the producer where no broker covers it.
          label: failing ? null : (rateText(rate) ?? (quietLoad ? `load ${formatRate(load!.ratePerSec)}/s → ${part.topic}` : null)),
          labelAt: quietLoad ? 'source' : 'middle',
          ...(quietLoad ? { labelLift: -18 * p.loads.findIndex((l) => l.topic === part.topic) } : {}),
          tone: failing ? 'error' : 'normal',
          rate,
          ...(link ? { link } : {}),
        },
      });
      if (card) remember(p.id, part.leader, made);
    }
  }

  // ---- replication edges: leader replica → each live follower replica; bundled per pair of brokers when either is a card ----
  for (const p of partitions) {
    if (p.leader < 0) continue;
    const leaderBroker = brokerById.get(p.leader);
    const leaderPos = brokerPos.get(p.leader);
    if (!leaderBroker || leaderBroker.status === 'down' || !leaderPos) continue;
    const keys = keysOf(p.topic, p.partition);
    const key = keys.key;
    const leaderLeo = p.replicaStates.find((r) => r.broker === p.leader)?.logEndOffset;
    for (const f of p.replicas) {
      if (f === p.leader) continue;
      const fb = brokerById.get(f);
      const fPos = brokerPos.get(f);
      if (!fb || fb.status !== 'up' || !fPos) continue;
      const leo = p.replicaStates.find((r) => r.broker === f)?.logEndOffset;
      const lag = leaderLeo !== undefined && leo !== undefined ? Math.max(0, leaderLeo - leo) : null;
      const rate = rates.leo[leoKey(keys, f)] ?? 0;
      const inSync = p.isr.includes(f);
      if (isCard(p.leader) || isCard(f)) {
        // One line per pair of brokers, whichever way it replicates, centre to centre under the cards.
        const [a, b] = p.leader < f ? [p.leader, f] : [f, p.leader];
        const tone = inSync ? 'normal' : 'lagging';
        const had = bundle(a, b);
        if (had) {
          mergeInto(had, rate, tone, 1);
          continue;
        }
        const made = addEdge({
          id: enc(`repl:${a}~${b}`),
          type: 'kafka',
          source: enc(nodeId.broker(a)),
          sourceHandle: handleId.brokerCentre('s'),
          target: enc(nodeId.broker(b)),
          targetHandle: handleId.brokerCentre('t'),
          animated: false,
          data: { kind: 'replication', bundled: 1, label: null, labelAt: 'middle', tone, rate },
        });
        remember(a, b, made);
        continue;
      }
      const rightward = fPos.x >= leaderPos.x;
      const row = rowKey(p);
      const rowsCollapsed = row !== key;
      addEdge({
        id: enc(`repl:${row}:${p.leader}->${f}`),
        type: 'kafka',
        source: enc(nodeId.broker(p.leader)),
        sourceHandle: handleId.replica(row, rightward ? 'r' : 'l', 's'),
        target: enc(nodeId.broker(f)),
        targetHandle: handleId.replica(row, rightward ? 'l' : 'r', 't'),
        animated: motion(rate),
        data: {
          kind: 'replication',
          // Lag only: labels sit in the narrow gap between brokers; heavy traffic shows as a
          // thick stroke here and as msg/s on the brokers.
          // How far the follower's log end is behind the leader's (not a consumer lag).
          label: lag === null || rowsCollapsed ? null : `LEO −${lag}`,
          labelAt: 'target',
          tone: inSync ? 'normal' : 'lagging',
          rate,
        },
      });
    }
  }

  // ---- consumption edges: the replica a consumer reads from (the leader, or a follower in its
  // rack, KIP-392) → the consumer that owns the partition (→ its group, bundled, from a card) ----
  for (const c of snapshot.consumers) {
    if (c.status === 'closed' || c.status === 'crashed') continue;
    c.positions.forEach((pos, index) => {
      const key = keyOf(pos.topic, pos.partition);
      const part = partitionByKey.get(key);
      if (!part || part.leader < 0 || !brokerById.has(part.leader)) return;
      // A follower serving this consumer (its preferred read replica), while it is up.
      const follower = pos.readReplica !== undefined && pos.readReplica !== part.leader && brokerById.get(pos.readReplica)?.status === 'up' ? pos.readReplica : null;
      const from = follower ?? part.leader;
      const rate = rates.position[`${c.id}|${key}`] ?? 0;
      if (isCard(from)) {
        const tone = pos.lag > 1000 ? 'lagging' : 'normal';
        const had = bundle(from, `group ${c.groupId}`);
        if (had) {
          mergeInto(had, rate, tone, 1);
          return;
        }
        const made = addEdge({
          id: enc(`consume:${from}->group ${c.groupId}`),
          type: 'kafka',
          source: enc(nodeId.broker(from)),
          sourceHandle: handleId.brokerBottom,
          target: enc(nodeId.group(c.groupId)),
          targetHandle: handleId.groupIn,
          animated: motion(rate),
          data: { kind: 'consumption', bundled: 1, label: null, labelAt: 'target', tone, rate },
        });
        remember(from, `group ${c.groupId}`, made);
        return;
      }
      // Leave the replica's row on the side facing the consumer, so the edge does not loop
      // around the broker (or off the screen) to reach a consumer on its left.
      const fromX = brokerPos.get(from)?.x ?? 0;
      const consumerX = consumerCenterX.get(c.id) ?? Infinity;
      const side = consumerX < fromX + SIZES.brokerWidth / 2 ? 'l' : 'r';
      const row = rowKey(part);
      const rack = follower !== null ? brokerById.get(follower)?.rack : null;
      const lagLabel = c.positions.length > EDGE_LABELS_MAX || row !== key ? null : `records-lag ${pos.lag}`;
      addEdge({
        id: enc(follower !== null ? `consume:${row}@${follower}->${c.id}` : `consume:${row}->${c.id}`),
        type: 'kafka',
        source: enc(nodeId.broker(from)),
        sourceHandle: handleId.replica(row, side, 's'),
        target: enc(nodeId.consumer(c.id)),
        targetHandle: handleId.consumerIn(row),
        animated: motion(rate),
        data: {
          kind: 'consumption',
          // Lag only (several labels share the consumer's top edge); its rate is on the node.
          // Past a few partitions the labels would overlap: the node shows the max lag instead.
          // records-lag: from the consumer's position (the group badge also shows LAG, from commits).
          // A follower read says so (KIP-392), with the rack that made the leader choose it.
          label:
            follower !== null && lagLabel !== null
              ? `reads from follower${rack ? ` (rack ${rack})` : ''} · ${lagLabel}`
              : lagLabel,
          // Near the consumer: a mid-edge label can fall behind a broker the edge passes.
          labelAt: 'target',
          labelLift: (index % 2) * CONSUMPTION_LABEL_LIFT,
          tone: pos.lag > 1000 ? 'lagging' : 'normal',
          rate,
          link: { kind: 'subscription', consumer: c.id, topic: pos.topic },
        },
      });
    });
  }

  let edges = [...edgeById.values()];
  let moving = 0;
  for (const e of edges) if (e.animated) moving++;
  if (moving > MOTION_MAX_EDGES) edges = edges.map((e) => (e.animated ? { ...e, animated: false } : e));
  return { nodes, edges };
}
