/**
 * Building by drawing (issue 12): what an edge drawn on the diagram means, and what deleting
 * one does. No React: the diagram hands xyflow's connection here (node and handle ids as
 * xyflow has them, encoded) and performs what comes back.
 *
 * - producer → topic: the producer sends there (a steady load at EDGE_LOAD_RATE records/s;
 *   *Start steady load…* changes the rate);
 * - consumer → topic: KafkaConsumer.subscribe with the topic added (the group rebalances);
 * - consumer → group: group.id is fixed for a KafkaConsumer's life, so the application
 *   closes the consumer and creates it again in that group (`changeGroup`).
 * Anything else is refused while dragging, with a hint that says what would work.
 *
 * A topic is a drop target wherever it is drawn: each of its replica rows (and a collapsed
 * topic's row) carries a target handle named after the topic.
 */
import type { ClusterSnapshot } from '../../kafka/snapshot';
import { flowId, selectionForNode } from '../../state/selection';
import type { ActionRequest } from '../../worker/protocol';

/** Records per second a drawn producer → topic edge starts with. */
export const EDGE_LOAD_RATE = 10;

/** Handle ids of the drawing layer (encoded where they carry a name). */
export const connectHandle = {
  /** The connector a producer or consumer is dragged from. */
  source: 'connect',
  /** A topic's drop target on one of its rows: a replica row (`orders-0`) or a collapsed topic's row (`@orders`). */
  row: (rowKey: string) => flowId.encode(`drop-topic:${rowKey}`),
  /** Any drop target of the topic (tests). */
  topic: (topic: string) => flowId.encode(`drop-topic:@${topic}`),
  /** A whole node as a drop target (a group joins; a producer or consumer is refused with a hint). */
  node: 'drop-node',
};

export interface DrawnConnection {
  source: string | null;
  sourceHandle?: string | null;
  target: string | null;
  targetHandle?: string | null;
}

type End =
  | { kind: 'producer'; id: string }
  | { kind: 'consumer'; id: string }
  | { kind: 'group'; id: string }
  | { kind: 'topic'; name: string }
  | { kind: 'broker'; id: number }
  | { kind: 'unknown' };

function endOf(node: string | null, handle: string | null | undefined): End {
  if (handle) {
    const h = flowId.decode(handle);
    if (h.startsWith('drop-topic:')) {
      const key = h.slice('drop-topic:'.length);
      // A replica row's key is `${topic}-${partition}`; topic names cannot hold '@'.
      return { kind: 'topic', name: key.startsWith('@') ? key.slice(1) : key.slice(0, key.lastIndexOf('-')) };
    }
  }
  const sel = node === null ? null : selectionForNode(flowId.decode(node));
  if (!sel) return { kind: 'unknown' };
  if (sel.kind === 'producer' || sel.kind === 'consumer' || sel.kind === 'group') return { kind: sel.kind, id: sel.id };
  if (sel.kind === 'broker') return { kind: 'broker', id: sel.id };
  return { kind: 'unknown' };
}

export type ConnectOutcome =
  | { ok: true; action: ActionRequest; message: string }
  | { ok: false; hint: string };

/** What a drawn edge does, or why it is refused (the hint shown while dragging). */
export function connectionOutcome(s: ClusterSnapshot, c: DrawnConnection): ConnectOutcome {
  const from = endOf(c.source, c.sourceHandle);
  const to = endOf(c.target, c.targetHandle);
  if (from.kind === 'producer') {
    const p = s.producers.find((x) => x.id === from.id);
    if (!p) return { ok: false, hint: `There is no producer ${from.id} any more.` };
    if (to.kind === 'topic') {
      if (!s.topics.some((t) => t.name === to.name)) return { ok: false, hint: `Topic ${to.name} does not exist any more.` };
      if (p.loads.some((l) => l.topic === to.name)) return { ok: false, hint: `${p.id} already sends to ${to.name}: change its rate with Start steady load….` };
      return {
        ok: true,
        action: { op: 'startLoad', producer: p.id, topic: to.name, ratePerSec: EDGE_LOAD_RATE },
        message: `${p.id} sends ${EDGE_LOAD_RATE} records/s to ${to.name} (change the rate with Start steady load…).`,
      };
    }
    if (to.kind === 'group') return { ok: false, hint: 'A producer writes to a topic, not to a consumer group: drop it on a partition row of a topic.' };
    if (to.kind === 'consumer') return { ok: false, hint: 'A producer never talks to a consumer: it writes to a topic. Drop it on a partition row.' };
    if (to.kind === 'producer') return { ok: false, hint: 'Producers do not connect to each other: drop it on a partition row of a topic.' };
    return { ok: false, hint: 'Drop on a partition row of a topic to make the producer send there.' };
  }
  if (from.kind === 'consumer') {
    const cv = s.consumers.find((x) => x.id === from.id);
    if (!cv) return { ok: false, hint: `There is no consumer ${from.id} any more.` };
    if (cv.status === 'closed' || cv.status === 'crashed') return { ok: false, hint: `Consumer ${cv.id} is ${cv.status}: restart it first.` };
    if (to.kind === 'topic') {
      if (!s.topics.some((t) => t.name === to.name)) return { ok: false, hint: `Topic ${to.name} does not exist any more.` };
      if (cv.subscription.includes(to.name)) return { ok: false, hint: `${cv.id} already subscribes to ${to.name}.` };
      const topics = [...cv.subscription, to.name].sort();
      return {
        ok: true,
        action: { op: 'subscribe', consumer: cv.id, topics },
        message: `${cv.id} subscribes to ${topics.join(', ')}: group ${cv.groupId} rebalances.`,
      };
    }
    if (to.kind === 'group') {
      if (to.id === cv.groupId) return { ok: false, hint: `${cv.id} is already in group ${cv.groupId}.` };
      if (cv.subscription.length === 0) return { ok: false, hint: `${cv.id} subscribes to no topic: draw an edge to a topic first.` };
      return {
        ok: true,
        action: { op: 'changeGroup', consumer: cv.id, groupId: to.id },
        message: `group.id is fixed for a consumer's life: ${cv.id} is closed and created again with group.id ${to.id}.`,
      };
    }
    if (to.kind === 'producer') return { ok: false, hint: 'A consumer reads from topics, never from a producer: drop it on a partition row of a topic.' };
    if (to.kind === 'consumer') return { ok: false, hint: "Consumers do not connect to each other: drop it on a group's box to join that group." };
    return { ok: false, hint: "Drop on a partition row of a topic to subscribe, or on a group's box to join it." };
  }
  return { ok: false, hint: 'Draw from the connector of a producer or a consumer.' };
}

/** A drawn edge's meaning, carried on the diagram's produce and consumption edges. */
export type EdgeLink = { kind: 'load'; producer: string; topic: string } | { kind: 'subscription'; consumer: string; topic: string };

/** What deleting an edge does: stop the load, or unsubscribe from the topic. */
export function edgeDeletion(s: ClusterSnapshot, link: EdgeLink): { action: ActionRequest; message: string } | { refused: string } {
  if (link.kind === 'load') {
    const p = s.producers.find((x) => x.id === link.producer);
    if (!p || !p.loads.some((l) => l.topic === link.topic)) return { refused: `${link.producer} has no steady load to ${link.topic} to stop.` };
    return { action: { op: 'stopLoad', producer: p.id, topic: link.topic }, message: `${p.id} stops sending to ${link.topic}.` };
  }
  const c = s.consumers.find((x) => x.id === link.consumer);
  if (!c || !c.subscription.includes(link.topic)) return { refused: `${link.consumer} does not subscribe to ${link.topic}.` };
  const topics = c.subscription.filter((t) => t !== link.topic);
  return {
    action: { op: 'subscribe', consumer: c.id, topics },
    message: topics.length > 0 ? `${c.id} now subscribes to ${topics.join(', ')}.` : `${c.id} subscribes to nothing now: it keeps no partition.`,
  };
}

export function edgeLinkLabel(link: EdgeLink): string {
  return link.kind === 'load' ? `Stop ${link.producer} sending to ${link.topic}` : `Unsubscribe ${link.consumer} from ${link.topic}`;
}
