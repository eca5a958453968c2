/**
 * Every user action in one registry (excalidraw's ActionManager): the toolbar, the context
 * menu, the inspector's buttons and the keyboard all look commands up here, so a command's
 * label, shortcut and enabled-ness are the same everywhere. A command that changes the
 * cluster ends in `env.perform(action)`, which the worker records into the timeline.
 *
 * No React here: commands are plain objects over (snapshot, selection), tested under Node.
 */
import type { BrokerView, ClusterSnapshot, ConsumerView, GroupView, PartitionView, ProducerView } from '../kafka/snapshot';
import { LESSONS } from '../scenario/lessons';
import type { Selection, SelectionKind } from '../state/selection';
import { MAX_SPEED, MIN_SPEED, type ActionRequest, type PlaybackStatus } from '../worker/protocol';

/** Forms a command can open; each dialog turns its form into actions. */
export type DialogRequest =
  | { kind: 'produce'; producer?: string; topic?: string; partition?: number }
  | { kind: 'startLoad'; producer?: string; topic?: string }
  | { kind: 'setAcks'; producer?: string }
  /** at: where on the canvas the new producer goes (dropped from the palette). */
  | { kind: 'addProducer'; at?: { x: number; y: number } }
  | { kind: 'createTopic' }
  | { kind: 'topicConfig'; topic: string }
  | { kind: 'sequenceDiagram' }
  /** The message browser (src/ui/browser), on one partition or (absent) all of them. */
  | { kind: 'messages'; topic: string; partition?: number }
  | { kind: 'topologyFlowchart' }
  | { kind: 'deleteTopic'; topic: string }
  /** CreatePartitions: grow the topic's partition count. */
  | { kind: 'addPartitions'; topic: string }
  /** Reassign one partition's replicas (kafka-reassign-partitions --execute). */
  | { kind: 'reassign'; topic: string; partition: number }
  | { kind: 'slowBroker'; broker: number }
  | { kind: 'addConsumer'; groupId?: string; topic?: string }
  | { kind: 'processingTime'; consumer: string }
  | { kind: 'resetOffsets'; group: string; topic?: string }
  /** New: an empty cluster or a template, in place of the current run (build/BuildDialogs.tsx). */
  | { kind: 'newScenario' }
  /** A producer's or consumer's settings as a form (alterConfig). */
  | { kind: 'clientConfig'; client: string }
  /** The cluster-wide broker settings as a form (alterConfig on the broker default). */
  | { kind: 'brokerConfig' };

export type DialogKind = DialogRequest['kind'];

export interface CommandEnv {
  snapshot: ClusterSnapshot | null;
  selection: Selection | null;
  status: PlaybackStatus;
  perform(action: ActionRequest): void;
  openDialog(d: DialogRequest): void;
  select(s: Selection | null): void;
  playback: { play(): void; pause(): void; step(ms: number): void; setSpeed(speed: number): void };
  /** Time travel (the worker's TimeMachine): each pauses at the moment it goes to. */
  time: { seek(t: number): void; stepBack(ms: number): void; seekMarker(dir: -1 | 1): void; undo(): void; redo(): void };
  /** What undo / redo can do now (the worker says so with each snapshot). */
  history?: HistoryState;
  /** App-level, outside the cluster. */
  shareLink(): void;
  exportScenario(): void;
  importScenario(): void;
  restart(): void;
  /** Opens a built-in lesson (src/scenario/lessons) in place of the current run. */
  openLesson(id: string): void;
  /** Opens or closes the Kafka command line (the terminal panel). */
  toggleTerminal(): void;
}

export type CommandGroup = 'playback' | 'time' | 'produce' | 'cluster' | 'partition' | 'consumers' | 'scenario';

/** Whether there is an action to undo / redo. */
export interface HistoryState {
  canUndo: boolean;
  canRedo: boolean;
}

export interface Command {
  id: string;
  /** Labels may name their subject ("Kill broker 2"). */
  label(snapshot: ClusterSnapshot | null, selection: Selection | null): string;
  /**
   * A single key as KeyboardEvent.key reports it (lower case letters), or `mod+<key>` /
   * `mod+shift+<key>` for Ctrl (⌘ on a Mac) chords.
   */
  shortcut?: string;
  group: CommandGroup;
  /** Where the command is offered in the context menu and inspector. */
  contexts: SelectionKind[];
  enabled(snapshot: ClusterSnapshot | null, selection: Selection | null, history?: HistoryState): boolean;
  perform(env: CommandEnv): void;
}

// ---- subjects: what a command acts on, from the selection ---------------------------------

export function selectedBroker(s: ClusterSnapshot | null, sel: Selection | null): BrokerView | undefined {
  if (!s || sel?.kind !== 'broker') return undefined;
  return s.brokers.find((b) => b.id === sel.id);
}

export function selectedPartition(s: ClusterSnapshot | null, sel: Selection | null): PartitionView | undefined {
  if (!s || sel?.kind !== 'partition') return undefined;
  return s.partitions.find((p) => p.topic === sel.topic && p.partition === sel.partition);
}

export function selectedConsumer(s: ClusterSnapshot | null, sel: Selection | null): ConsumerView | undefined {
  if (!s || sel?.kind !== 'consumer') return undefined;
  return s.consumers.find((c) => c.id === sel.id);
}

/** A group selection, or the group of a selected consumer. */
export function selectedGroupId(s: ClusterSnapshot | null, sel: Selection | null): string | undefined {
  if (sel?.kind === 'group') return sel.id;
  return selectedConsumer(s, sel)?.groupId;
}

export function selectedGroup(s: ClusterSnapshot | null, sel: Selection | null): GroupView | undefined {
  const id = selectedGroupId(s, sel);
  return id === undefined ? undefined : s?.groups.find((g) => g.groupId === id);
}

/** The selected producer, or the only/first one (so the toolbar works with nothing selected). */
export function subjectProducer(s: ClusterSnapshot | null, sel: Selection | null): ProducerView | undefined {
  if (!s) return undefined;
  if (sel?.kind === 'producer') return s.producers.find((p) => p.id === sel.id);
  return s.producers[0];
}

/** The selected producer when it has a transactional.id, else the first transactional producer. */
export function subjectTransactionalProducer(s: ClusterSnapshot | null, sel: Selection | null): ProducerView | undefined {
  if (!s) return undefined;
  if (sel?.kind === 'producer') {
    const p = s.producers.find((x) => x.id === sel.id);
    return p?.transaction ? p : undefined;
  }
  return s.producers.find((p) => p.transaction !== undefined);
}

/** A command on a transactional producer in one of the given TransactionManager states. */
function transactionCommand(id: string, verb: string, op: 'beginTransaction' | 'commitTransaction' | 'abortTransaction', states: string[]): Command {
  return {
    id,
    label: (s, sel) => {
      const p = subjectTransactionalProducer(s, sel);
      return p ? `${verb} ${p.id}'s transaction` : `${verb} transaction`;
    },
    group: 'produce',
    contexts: ['producer'],
    enabled: (s, sel) => {
      const t = subjectTransactionalProducer(s, sel)?.transaction;
      return t !== undefined && states.includes(t.state);
    },
    perform: (env) => {
      const p = subjectTransactionalProducer(env.snapshot, env.selection);
      if (p) env.perform({ op, producer: p.id });
    },
  };
}

/** A topic selection, or the topic of a selected partition. */
export function selectedTopicName(s: ClusterSnapshot | null, sel: Selection | null): string | undefined {
  const name = sel?.kind === 'topic' ? sel.name : sel?.kind === 'partition' ? sel.topic : undefined;
  return name !== undefined && s?.topics.some((t) => t.name === name) ? name : undefined;
}

/** The topic's partitions whose preferred replica is alive and in the ISR but does not lead. */
export function preferredElectionsDue(s: ClusterSnapshot | null, topic: string | undefined): PartitionView[] {
  if (!s || topic === undefined) return [];
  const live = new Set(s.brokers.filter((b) => b.status === 'up' && !b.fenced).map((b) => b.id));
  return s.partitions.filter((p) => p.topic === topic && p.leader !== p.replicas[0] && p.isr.includes(p.replicas[0]!) && live.has(p.replicas[0]!));
}

const isLive = (c: ConsumerView) => c.status !== 'closed' && c.status !== 'crashed';

export function nextBrokerId(s: ClusterSnapshot): number {
  return s.brokers.reduce((m, b) => Math.max(m, b.id), 0) + 1;
}

/** A new broker's rack: the rack used least, so placement stays rack-aware. */
export function nextRack(s: ClusterSnapshot): string | null {
  const racks = s.brokers.map((b) => b.rack).filter((r): r is string => r !== null);
  if (racks.length === 0) return null;
  const counts = new Map<string, number>();
  for (const r of racks) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100] as const;

export function nextSpeed(speed: number, dir: 1 | -1): number {
  if (dir > 0) return SPEEDS.find((s) => s > speed + 1e-9) ?? MAX_SPEED;
  return [...SPEEDS].reverse().find((s) => s < speed - 1e-9) ?? MIN_SPEED;
}

export const STEP_MS = 100;

/** A form about the selected topic (or the topic of the selected partition). */
const topicDialog = (
  id: string,
  named: (topic: string) => string,
  unnamed: string,
  contexts: SelectionKind[],
  kind: 'topicConfig' | 'deleteTopic' | 'addPartitions',
): Command => ({
  id,
  label: (s, sel) => {
    const t = selectedTopicName(s, sel);
    return t ? named(t) : unnamed;
  },
  group: 'cluster',
  contexts,
  enabled: (s, sel) => selectedTopicName(s, sel) !== undefined,
  perform: (env) => {
    const t = selectedTopicName(env.snapshot, env.selection);
    if (t !== undefined) env.openDialog({ kind, topic: t });
  },
});

/** A leader election for the selected partition (kafka-leader-election --election-type). */
const election = (id: string, text: string, shortcut: string, type: 'preferred' | 'unclean'): Command => ({
  id,
  label: () => text,
  shortcut,
  group: 'partition',
  contexts: ['partition'],
  enabled: (s, sel) => selectedPartition(s, sel) !== undefined,
  perform: (env) => {
    const p = selectedPartition(env.snapshot, env.selection);
    if (p) env.perform({ op: 'electLeaders', topic: p.topic, partition: p.partition, type });
  },
});

/** Closing (LeaveGroup) or crashing (it just stops heartbeating) the selected consumer. */
const consumerRemoval = (id: string, verb: string, how: string, shortcut: string, graceful: boolean): Command => ({
  id,
  label: (s, sel) => {
    const c = selectedConsumer(s, sel);
    return `${verb} ${c ? c.id : 'consumer'} ${how}`;
  },
  shortcut,
  group: 'consumers',
  contexts: ['consumer'],
  enabled: (s, sel) => {
    const c = selectedConsumer(s, sel);
    return c !== undefined && isLive(c);
  },
  perform: (env) => {
    const c = selectedConsumer(env.snapshot, env.selection);
    if (c) env.perform({ op: 'removeConsumer', id: c.id, graceful });
  },
});

const brokerCommand = (
  id: string,
  verb: string,
  shortcut: string,
  when: (b: BrokerView) => boolean,
  op: 'killBroker' | 'restartBroker' | 'isolateBroker' | 'healBroker',
): Command => ({
  id,
  label: (s, sel) => {
    const b = selectedBroker(s, sel);
    return b ? `${verb} broker ${b.id}` : `${verb} broker`;
  },
  shortcut,
  group: 'cluster',
  contexts: ['broker'],
  enabled: (s, sel) => {
    const b = selectedBroker(s, sel);
    return b !== undefined && when(b);
  },
  perform: (env) => {
    const b = selectedBroker(env.snapshot, env.selection);
    if (b) env.perform({ op, broker: b.id });
  },
});

/** What Delete removes: the selected broker (removeBroker), producer (removeProducer) or live consumer (closed). */
function removable(s: ClusterSnapshot | null, sel: Selection | null): { label: string; action: ActionRequest } | null {
  if (!s || !sel) return null;
  if (sel.kind === 'broker') {
    const b = selectedBroker(s, sel);
    return b ? { label: `Remove broker ${b.id} (stop and unregister)`, action: { op: 'removeBroker', broker: b.id } } : null;
  }
  if (sel.kind === 'producer') {
    const p = s.producers.find((x) => x.id === sel.id);
    return p ? { label: `Remove producer ${p.id} (close it)`, action: { op: 'removeProducer', id: p.id } } : null;
  }
  if (sel.kind === 'consumer') {
    const c = selectedConsumer(s, sel);
    return c && isLive(c) ? { label: `Remove consumer ${c.id} (close it, leave group)`, action: { op: 'removeConsumer', id: c.id, graceful: true } } : null;
  }
  return null;
}

export const COMMANDS: readonly Command[] = [
  // ---- playback (not recorded: they drive the clock, not the cluster) ----
  {
    id: 'playback.toggle',
    label: () => 'Play / pause',
    shortcut: ' ',
    group: 'playback',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => (env.status.playing ? env.playback.pause() : env.playback.play()),
  },
  {
    id: 'playback.step',
    label: () => `Step ${STEP_MS} ms`,
    shortcut: '.',
    group: 'playback',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.playback.step(STEP_MS),
  },
  {
    id: 'playback.faster',
    label: () => 'Faster',
    shortcut: ']',
    group: 'playback',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.playback.setSpeed(nextSpeed(env.status.speed, 1)),
  },
  {
    id: 'playback.slower',
    label: () => 'Slower',
    shortcut: '[',
    group: 'playback',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.playback.setSpeed(nextSpeed(env.status.speed, -1)),
  },

  // ---- time travel (not recorded: they move the playhead; undo / redo edit the timeline) ----
  {
    id: 'time.stepBack',
    label: () => `Step back ${STEP_MS} ms`,
    shortcut: ',',
    group: 'time',
    contexts: [],
    enabled: (s) => s !== null && s.time > 0,
    perform: (env) => env.time.stepBack(STEP_MS),
  },
  {
    id: 'time.stepForward',
    label: () => `Step forward ${STEP_MS} ms`,
    group: 'time',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.playback.step(STEP_MS),
  },
  {
    id: 'time.previousEvent',
    label: () => 'Back to the previous event',
    shortcut: '<',
    group: 'time',
    contexts: [],
    enabled: (s) => s !== null && s.time > 0,
    perform: (env) => env.time.seekMarker(-1),
  },
  {
    id: 'time.nextEvent',
    label: () => 'On to the next event',
    shortcut: '>',
    group: 'time',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.time.seekMarker(1),
  },
  {
    id: 'time.undo',
    label: () => 'Undo the last action',
    shortcut: 'mod+z',
    group: 'time',
    contexts: [],
    enabled: (s, _sel, h) => s !== null && (h?.canUndo ?? false),
    perform: (env) => env.time.undo(),
  },
  {
    id: 'time.redo',
    label: () => 'Redo',
    shortcut: 'mod+shift+z',
    group: 'time',
    contexts: [],
    enabled: (s, _sel, h) => s !== null && (h?.canRedo ?? false),
    perform: (env) => env.time.redo(),
  },

  // ---- producers ----
  {
    id: 'producer.produce',
    label: () => 'Produce a record…',
    shortcut: 'p',
    group: 'produce',
    contexts: ['producer', 'partition', 'topic'],
    enabled: (s) => s !== null && s.producers.length > 0 && s.topics.length > 0,
    perform: (env) => {
      const sel = env.selection;
      const producer = subjectProducer(env.snapshot, sel)?.id;
      const req: DialogRequest = { kind: 'produce' };
      if (producer !== undefined) req.producer = producer;
      if (sel?.kind === 'partition') {
        req.topic = sel.topic;
        req.partition = sel.partition;
      } else if (sel?.kind === 'topic') req.topic = sel.name;
      env.openDialog(req);
    },
  },
  {
    id: 'producer.startLoad',
    label: () => 'Start steady load…',
    shortcut: 'l',
    group: 'produce',
    contexts: ['producer', 'topic'],
    enabled: (s) => s !== null && s.producers.length > 0 && s.topics.length > 0,
    perform: (env) => {
      const req: DialogRequest = { kind: 'startLoad' };
      const producer = subjectProducer(env.snapshot, env.selection)?.id;
      if (producer !== undefined) req.producer = producer;
      if (env.selection?.kind === 'topic') req.topic = env.selection.name;
      env.openDialog(req);
    },
  },
  {
    id: 'producer.stopLoad',
    label: (s, sel) => {
      const p = sel?.kind === 'producer' ? subjectProducer(s, sel) : undefined;
      return p ? `Stop ${p.id}'s load` : 'Stop all loads';
    },
    group: 'produce',
    contexts: ['producer'],
    enabled: (s, sel) => {
      if (!s) return false;
      const scope = sel?.kind === 'producer' ? s.producers.filter((p) => p.id === sel.id) : s.producers;
      return scope.some((p) => p.loads.length > 0);
    },
    perform: (env) => {
      const s = env.snapshot;
      if (!s) return;
      const sel = env.selection;
      const scope = sel?.kind === 'producer' ? s.producers.filter((p) => p.id === sel.id) : s.producers;
      for (const p of scope) for (const l of p.loads) env.perform({ op: 'stopLoad', producer: p.id, topic: l.topic });
    },
  },
  {
    id: 'producer.setAcks',
    label: (s, sel) => {
      const p = subjectProducer(s, sel);
      return p ? `Set acks of ${p.id} (now ${p.acks})…` : 'Set acks…';
    },
    shortcut: 'a',
    group: 'produce',
    contexts: ['producer'],
    enabled: (s) => s !== null && s.producers.length > 0,
    perform: (env) => {
      const producer = subjectProducer(env.snapshot, env.selection)?.id;
      env.openDialog(producer === undefined ? { kind: 'setAcks' } : { kind: 'setAcks', producer });
    },
  },
  {
    id: 'producer.config',
    label: (s, sel) => {
      const p = sel?.kind === 'producer' ? subjectProducer(s, sel) : undefined;
      return p ? `Settings of ${p.id}…` : 'Producer settings…';
    },
    group: 'produce',
    contexts: ['producer'],
    enabled: (s, sel) => sel?.kind === 'producer' && subjectProducer(s, sel) !== undefined,
    perform: (env) => {
      if (env.selection?.kind === 'producer') env.openDialog({ kind: 'clientConfig', client: env.selection.id });
    },
  },
  // KafkaProducer.beginTransaction / commitTransaction / abortTransaction (a producer with transactional.id).
  transactionCommand('producer.beginTransaction', 'Begin', 'beginTransaction', ['READY', 'INITIALIZING']),
  transactionCommand('producer.commitTransaction', 'Commit', 'commitTransaction', ['IN_TRANSACTION']),
  transactionCommand('producer.abortTransaction', 'Abort', 'abortTransaction', ['IN_TRANSACTION', 'ABORTABLE_ERROR']),
  {
    id: 'producer.add',
    label: () => 'Add producer…',
    group: 'produce',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.openDialog({ kind: 'addProducer' }),
  },

  // ---- cluster: topics and brokers ----
  {
    id: 'topic.create',
    label: () => 'Create topic…',
    shortcut: 't',
    group: 'cluster',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.openDialog({ kind: 'createTopic' }),
  },
  topicDialog('topic.alterConfig', (t) => `Change configs of ${t}…`, 'Change topic configs…', ['topic', 'partition'], 'topicConfig'),
  {
    id: 'topic.browse',
    label: (s, sel) => {
      const t = selectedTopicName(s, sel);
      if (!t) return 'Browse messages…';
      return sel?.kind === 'partition' ? `Browse messages in ${t}-${sel.partition}…` : `Browse messages in ${t}…`;
    },
    shortcut: 'm',
    group: 'cluster',
    contexts: ['topic', 'partition'],
    enabled: (s, sel) => selectedTopicName(s, sel) !== undefined,
    perform: (env) => {
      const t = selectedTopicName(env.snapshot, env.selection);
      if (t === undefined) return;
      const sel = env.selection;
      env.openDialog(sel?.kind === 'partition' ? { kind: 'messages', topic: t, partition: sel.partition } : { kind: 'messages', topic: t });
    },
  },
  topicDialog('topic.addPartitions', (t) => `Add partitions to ${t}…`, 'Add partitions…', ['topic', 'partition'], 'addPartitions'),
  {
    id: 'topic.electPreferred',
    label: (s, sel) => {
      const t = selectedTopicName(s, sel);
      return t ? `Preferred leader election for all of ${t}` : 'Preferred leader election for the topic';
    },
    group: 'cluster',
    contexts: ['topic'],
    enabled: (s, sel) => preferredElectionsDue(s, selectedTopicName(s, sel)).length > 0,
    perform: (env) => {
      // kafka-leader-election --election-type preferred --all-topic-partitions, for this topic.
      for (const p of preferredElectionsDue(env.snapshot, selectedTopicName(env.snapshot, env.selection))) {
        env.perform({ op: 'electLeaders', topic: p.topic, partition: p.partition, type: 'preferred' });
      }
    },
  },
  topicDialog('topic.delete', (t) => `Delete topic ${t}…`, 'Delete topic…', ['topic'], 'deleteTopic'),
  {
    id: 'broker.add',
    label: (s) => (s ? `Add broker ${nextBrokerId(s)}` : 'Add broker'),
    shortcut: 'b',
    group: 'cluster',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => {
      const s = env.snapshot;
      if (s) env.perform({ op: 'addBroker', id: nextBrokerId(s), rack: nextRack(s) });
    },
  },
  {
    // What survives when every machine loses power at once is a Kafka lesson of its own:
    // the logs on disk, the metadata log, committed offsets; nothing in memory or in flight.
    id: 'cluster.powerCut',
    label: () => 'Power cut: restart all brokers from disk',
    group: 'cluster',
    contexts: [],
    enabled: (s) => s !== null && s.brokers.some((b) => b.status !== 'down'),
    perform: (env) => env.perform({ op: 'powerCut' }),
  },
  {
    id: 'selection.remove',
    label: (s, sel) => removable(s, sel)?.label ?? 'Remove the selected broker, producer or consumer',
    shortcut: 'Delete',
    group: 'cluster',
    contexts: ['broker', 'producer', 'consumer'],
    enabled: (s, sel) => removable(s, sel) !== null,
    perform: (env) => {
      const r = removable(env.snapshot, env.selection);
      if (!r) return;
      env.perform(r.action);
      env.select(null);
    },
  },
  {
    id: 'broker.config',
    label: () => 'Broker settings (cluster-wide)…',
    group: 'cluster',
    contexts: ['broker'],
    enabled: (s) => s !== null,
    perform: (env) => env.openDialog({ kind: 'brokerConfig' }),
  },
  brokerCommand('broker.kill', 'Kill', 'k', (b) => b.status !== 'down', 'killBroker'),
  brokerCommand('broker.restart', 'Restart', 'r', (b) => b.status === 'down', 'restartBroker'),
  brokerCommand('broker.isolate', 'Isolate', 'i', (b) => b.status === 'up', 'isolateBroker'),
  brokerCommand('broker.heal', 'Heal network of', 'h', (b) => b.status === 'isolated', 'healBroker'),
  {
    id: 'broker.slow',
    label: (s, sel) => {
      const b = selectedBroker(s, sel);
      return b ? `Slow broker ${b.id}…` : 'Slow broker…';
    },
    shortcut: 's',
    group: 'cluster',
    contexts: ['broker'],
    enabled: (s, sel) => {
      const b = selectedBroker(s, sel);
      return b !== undefined && b.status !== 'down';
    },
    perform: (env) => {
      const b = selectedBroker(env.snapshot, env.selection);
      if (b) env.openDialog({ kind: 'slowBroker', broker: b.id });
    },
  },

  // ---- partitions ----
  {
    id: 'partition.killLeader',
    label: (s, sel) => {
      const p = selectedPartition(s, sel);
      return p && p.leader >= 0 ? `Kill the leader's broker (${p.leader})` : "Kill the leader's broker";
    },
    group: 'partition',
    contexts: ['partition'],
    enabled: (s, sel) => {
      const p = selectedPartition(s, sel);
      return p !== undefined && p.leader >= 0 && s!.brokers.some((b) => b.id === p.leader && b.status !== 'down');
    },
    perform: (env) => {
      const p = selectedPartition(env.snapshot, env.selection);
      if (p && p.leader >= 0) env.perform({ op: 'killBroker', broker: p.leader });
    },
  },
  election('partition.electPreferred', 'Preferred leader election', 'e', 'preferred'),
  {
    id: 'partition.reassign',
    label: (s, sel) => {
      const p = selectedPartition(s, sel);
      return p ? `Reassign ${p.topic}-${p.partition}…` : 'Reassign partition…';
    },
    group: 'partition',
    contexts: ['partition'],
    enabled: (s, sel) => selectedPartition(s, sel) !== undefined,
    perform: (env) => {
      const p = selectedPartition(env.snapshot, env.selection);
      if (p) env.openDialog({ kind: 'reassign', topic: p.topic, partition: p.partition });
    },
  },
  {
    id: 'partition.cancelReassignment',
    label: () => 'Cancel the reassignment',
    group: 'partition',
    contexts: ['partition'],
    enabled: (s, sel) => selectedPartition(s, sel)?.addingReplicas !== undefined,
    perform: (env) => {
      const p = selectedPartition(env.snapshot, env.selection);
      if (p) env.perform({ op: 'reassignPartitions', topic: p.topic, partition: p.partition, replicas: null });
    },
  },
  election('partition.electUnclean', 'Unclean leader election', 'u', 'unclean'),

  // ---- consumers ----
  {
    id: 'consumer.add',
    label: (s, sel) => {
      const g = selectedGroupId(s, sel);
      return g ? `Add consumer to ${g}…` : 'Add consumer…';
    },
    shortcut: 'c',
    group: 'consumers',
    contexts: ['group', 'consumer', 'topic'],
    enabled: (s) => s !== null && s.topics.length > 0,
    perform: (env) => {
      const req: DialogRequest = { kind: 'addConsumer' };
      const g = selectedGroupId(env.snapshot, env.selection);
      if (g !== undefined) req.groupId = g;
      if (env.selection?.kind === 'topic') req.topic = env.selection.name;
      env.openDialog(req);
    },
  },
  {
    id: 'consumer.config',
    label: (s, sel) => {
      const c = selectedConsumer(s, sel);
      return c ? `Settings of ${c.id}…` : 'Consumer settings…';
    },
    group: 'consumers',
    contexts: ['consumer'],
    enabled: (s, sel) => {
      const c = selectedConsumer(s, sel);
      return c !== undefined && isLive(c);
    },
    perform: (env) => {
      const c = selectedConsumer(env.snapshot, env.selection);
      if (c) env.openDialog({ kind: 'clientConfig', client: c.id });
    },
  },
  consumerRemoval('consumer.close', 'Close', '(leave group)', 'x', true),
  consumerRemoval('consumer.crash', 'Crash', '(no LeaveGroup)', 'z', false),
  {
    id: 'consumer.restart',
    label: (s, sel) => {
      const c = selectedConsumer(s, sel);
      return c ? `Restart ${c.id}${c.groupInstanceId ? ` (static: ${c.groupInstanceId})` : ''}` : 'Restart consumer';
    },
    group: 'consumers',
    contexts: ['consumer'],
    enabled: (s, sel) => {
      const c = selectedConsumer(s, sel);
      return c !== undefined && !isLive(c);
    },
    perform: (env) => {
      const c = selectedConsumer(env.snapshot, env.selection);
      if (c) env.perform({ op: 'restartConsumer', id: c.id });
    },
  },
  {
    id: 'consumer.processingTime',
    label: () => 'Set processing time…',
    group: 'consumers',
    contexts: ['consumer'],
    enabled: (s, sel) => {
      const c = selectedConsumer(s, sel);
      return c !== undefined && isLive(c);
    },
    perform: (env) => {
      const c = selectedConsumer(env.snapshot, env.selection);
      if (c) env.openDialog({ kind: 'processingTime', consumer: c.id });
    },
  },
  {
    id: 'group.resetOffsets',
    label: (s, sel) => {
      const g = selectedGroupId(s, sel);
      return g ? `Reset offsets of ${g}…` : 'Reset offsets…';
    },
    shortcut: 'o',
    group: 'consumers',
    contexts: ['group', 'consumer'],
    enabled: (s, sel) => selectedGroup(s, sel) !== undefined,
    perform: (env) => {
      const g = selectedGroupId(env.snapshot, env.selection);
      if (g !== undefined) env.openDialog({ kind: 'resetOffsets', group: g });
    },
  },

  // ---- the scenario document ----
  {
    id: 'terminal.toggle',
    label: () => 'Kafka command line (terminal)',
    shortcut: '`',
    group: 'scenario',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.toggleTerminal(),
  },
  {
    id: 'events.sequenceDiagram',
    label: () => 'Recent events as a sequence diagram',
    group: 'scenario',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.openDialog({ kind: 'sequenceDiagram' }),
  },
  {
    id: 'scenario.topologyFlowchart',
    label: () => 'Topology as a Mermaid flowchart',
    group: 'scenario',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.openDialog({ kind: 'topologyFlowchart' }),
  },
  {
    id: 'scenario.new',
    label: () => 'New: empty cluster or template…',
    shortcut: 'n',
    group: 'scenario',
    contexts: [],
    // The form is drawn over a running cluster (Dialogs needs a snapshot); a broken run has Reset.
    enabled: (s) => s !== null,
    perform: (env) => env.openDialog({ kind: 'newScenario' }),
  },
  {
    id: 'scenario.share',
    label: () => 'Copy share link',
    group: 'scenario',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.shareLink(),
  },
  {
    id: 'scenario.export',
    label: () => 'Export scenario (JSON)',
    group: 'scenario',
    contexts: [],
    enabled: (s) => s !== null,
    perform: (env) => env.exportScenario(),
  },
  {
    id: 'scenario.import',
    label: () => 'Open scenario file…',
    group: 'scenario',
    contexts: [],
    // Opening a file must work even if the current run is broken.
    enabled: () => true,
    perform: (env) => env.importScenario(),
  },
  {
    id: 'scenario.restart',
    label: () => 'Start over with the default cluster',
    group: 'scenario',
    contexts: [],
    enabled: () => true,
    perform: (env) => env.restart(),
  },
  ...LESSONS.map(
    (l): Command => ({
      id: `lesson.${l.id}`,
      label: () => `Lesson: ${l.title}`,
      group: 'scenario',
      contexts: [],
      enabled: () => true,
      perform: (env) => env.openLesson(l.id),
    }),
  ),
];

const byId = new Map(COMMANDS.map((c) => [c.id, c]));

export function command(id: string): Command {
  const c = byId.get(id);
  if (!c) throw new Error(`Unknown command ${id}`);
  return c;
}

/** Commands offered for a selection (context menu, inspector). */
export function commandsFor(kind: SelectionKind): Command[] {
  return COMMANDS.filter((c) => c.contexts.includes(kind));
}

export function commandsInGroup(group: CommandGroup): Command[] {
  return COMMANDS.filter((c) => c.group === group);
}

/** The command for a key press; `mod` (Ctrl or ⌘) and `shift` only matter for chords. */
export function commandForKey(key: string, mods: { mod?: boolean; shift?: boolean } = {}): Command | undefined {
  // Backspace removes as Delete does (a Mac keyboard's delete key is Backspace).
  const k = key.length === 1 ? key.toLowerCase() : key === 'Backspace' ? 'Delete' : key;
  const wanted = mods.mod ? `mod+${mods.shift ? 'shift+' : ''}${k}` : k;
  return COMMANDS.find((c) => c.shortcut === wanted);
}

/** Runs a command if it is enabled; returns whether it ran. */
export function run(c: Command, env: CommandEnv): boolean {
  if (!c.enabled(env.snapshot, env.selection, env.history)) return false;
  c.perform(env);
  return true;
}

/** Shortcut as shown to people. */
export function shortcutLabel(key: string): string {
  if (key === ' ') return 'Space';
  if (key.length > 1 && !key.startsWith('mod+')) return key;
  if (key.startsWith('mod+')) return `Ctrl+${key.slice(4).split('+').map((k) => k.toUpperCase()).join('+').replace('SHIFT', 'Shift')}`;
  return key.toUpperCase();
}
