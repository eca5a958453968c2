/**
 * Recent cluster events as a Mermaid sequence diagram: who did what to whom, in order.
 * The controller fences brokers and elects leaders; members join and leave their group's
 * coordinator; everything else is a note over the thing it happened to. Pure text out, so
 * it is tested under Node and can be copied into slides or docs.
 *
 * Names come from the scenario (client ids, group ids are free text): participants get
 * generated ids and every label is stripped of what Mermaid would read as syntax.
 */
import type { ClusterEvent } from '../../kafka/snapshot';
import { formatTime, phrase } from './phrase';

type Actor = { key: string; label: string };

const CONTROLLER: Actor = { key: 'controller', label: 'Controller' };
const broker = (id: number): Actor => ({ key: `broker:${id}`, label: `Broker ${id}` });
const group = (id: string): Actor => ({ key: `group:${id}`, label: `Group ${id}` });
const consumer = (id: string): Actor => ({ key: `consumer:${id}`, label: `Consumer ${id}` });
const producer = (id: string): Actor => ({ key: `producer:${id}`, label: `Producer ${id}` });

/** Mermaid reads ; # : and line breaks as syntax in labels and messages. */
export function mermaidText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/;/g, ',')
    .replace(/#/g, ' ')
    .replace(/:/g, '∶')
    .replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›'))
    .replace(/\s+/g, ' ')
    .trim();
}

type Step = { kind: 'note'; over: Actor; text: string } | { kind: 'message'; from: Actor; to: Actor; arrow: '->>' | '-x'; text: string };

/** One event as one step of the diagram. */
function step(e: ClusterEvent): Step {
  switch (e.type) {
    case 'BrokerFenced':
      return { kind: 'message', from: CONTROLLER, to: broker(e.broker), arrow: '-x', text: 'fenced: no heartbeat within broker.session.timeout.ms' };
    case 'BrokerUnfenced':
      return { kind: 'message', from: broker(e.broker), to: CONTROLLER, arrow: '->>', text: 'heartbeat: unfenced' };
    case 'LeaderElected':
      return {
        kind: 'message',
        from: CONTROLLER,
        to: broker(e.leader),
        arrow: '->>',
        text: `lead ${e.topic}-${e.partition}, epoch ${e.leaderEpoch}, ISR [${e.isr.join(',')}] (${e.reason})`,
      };
    case 'IsrShrink':
    case 'IsrExpand':
      return { kind: 'note', over: CONTROLLER, text: phrase(e).text };
    case 'MemberJoined':
      return { kind: 'message', from: consumer(e.clientId), to: group(e.groupId), arrow: '->>', text: `JoinGroup (${e.memberId})` };
    case 'MemberLeft':
      return e.reason === 'LeaveGroup'
        ? { kind: 'message', from: consumer(e.clientId), to: group(e.groupId), arrow: '->>', text: 'LeaveGroup' }
        : { kind: 'message', from: group(e.groupId), to: consumer(e.clientId), arrow: '-x', text: `removed: ${e.reason} expired` };
    case 'ProduceFailed':
      return { kind: 'note', over: producer(e.producer), text: phrase(e).text };
    default: {
      const target = phrase(e).target;
      const over =
        target === null
          ? CONTROLLER
          : target.kind === 'broker'
            ? broker(target.id)
            : target.kind === 'partition'
              ? target.broker !== undefined
                ? broker(target.broker)
                : CONTROLLER
              : target.kind === 'group'
                ? group(target.id)
                : target.kind === 'consumer'
                  ? consumer(target.id)
                  : target.kind === 'producer'
                    ? producer(target.id)
                    : CONTROLLER;
      return { kind: 'note', over, text: phrase(e).text };
    }
  }
}

/** GroupStateChanged repeats what RebalanceStarted/Completed say: left out of the diagram. */
const SKIPPED = new Set<ClusterEvent['type']>(['GroupStateChanged']);

/** The last `limit` events (oldest first in the diagram) as Mermaid source. */
export function toMermaidSequence(events: readonly ClusterEvent[], limit = 40): string {
  const shown = events.filter((e) => !SKIPPED.has(e.type)).slice(-limit);
  const steps = shown.map((e) => ({ at: e.at, step: step(e) }));
  const ids = new Map<string, string>();
  const participants: string[] = [];
  const id = (a: Actor) => {
    let v = ids.get(a.key);
    if (v === undefined) {
      v = `p${ids.size + 1}`;
      ids.set(a.key, v);
      participants.push(`  participant ${v} as ${mermaidText(a.label)}`);
    }
    return v;
  };
  // The controller first, then brokers, groups and clients as they appear.
  if (steps.length > 0) id(CONTROLLER);
  const lines: string[] = [];
  for (const { at, step: s } of steps) {
    const text = mermaidText(`${formatTime(at)} · ${s.text}`);
    if (s.kind === 'note') lines.push(`  Note over ${id(s.over)}: ${text}`);
    else lines.push(`  ${id(s.from)}${s.arrow}${id(s.to)}: ${text}`);
  }
  return ['sequenceDiagram', ...participants, ...lines].join('\n');
}
