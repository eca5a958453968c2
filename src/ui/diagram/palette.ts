/**
 * The palette: things a user drags onto the diagram (or presses) to add them. What a drop
 * does is decided here, without React, from the snapshot and where it landed: a broker is
 * added at once where it was dropped; a producer, consumer or topic opens its form (a
 * consumer dropped on a group joins that group).
 */
import type { ClusterSnapshot } from '../../kafka/snapshot';
import { nodeId } from '../../state/selection';
import type { ActionRequest } from '../../worker/protocol';
import { nextBrokerId, nextRack, type DialogRequest } from '../commands';

export const PALETTE_ITEMS = ['broker', 'producer', 'consumer', 'topic'] as const;
export type PaletteItem = (typeof PALETTE_ITEMS)[number];

/** The drag data type: only palette drags are accepted by the diagram. */
export const PALETTE_MIME = 'application/x-kafka-playground-palette';

export const PALETTE_LABEL: Record<PaletteItem, { text: string; icon: string; hint: string }> = {
  broker: { text: 'Broker', icon: '⬢', hint: 'Add a broker (drag it onto the diagram, or press)' },
  producer: { text: 'Producer', icon: '▶', hint: 'Add a producer (drag it onto the diagram, or press)' },
  consumer: { text: 'Consumer', icon: '◀', hint: 'Add a consumer (drop it on a group to join that group, or press)' },
  topic: { text: 'Topic', icon: '≡', hint: 'Create a topic (drag it onto the diagram, or press)' },
};

export type PaletteOutcome =
  | { kind: 'perform'; action: ActionRequest; place: { nodeId: string; at: { x: number; y: number } } | null }
  | { kind: 'dialog'; dialog: DialogRequest }
  | { kind: 'refused'; message: string };

export function isPaletteItem(v: string): v is PaletteItem {
  return (PALETTE_ITEMS as readonly string[]).includes(v);
}

/**
 * What dropping (at: a canvas position) or pressing (at: null) a palette item does.
 * groupId: the consumer group the drop landed on, if any.
 */
export function paletteOutcome(
  item: PaletteItem,
  s: ClusterSnapshot,
  at: { x: number; y: number } | null,
  groupId: string | null,
): PaletteOutcome {
  switch (item) {
    case 'broker': {
      const id = nextBrokerId(s);
      return { kind: 'perform', action: { op: 'addBroker', id, rack: nextRack(s) }, place: at ? { nodeId: nodeId.broker(id), at } : null };
    }
    case 'producer':
      return { kind: 'dialog', dialog: at ? { kind: 'addProducer', at } : { kind: 'addProducer' } };
    case 'consumer': {
      if (s.topics.length === 0) return { kind: 'refused', message: 'Create a topic first: a consumer needs a topic to subscribe to.' };
      return { kind: 'dialog', dialog: groupId !== null ? { kind: 'addConsumer', groupId } : { kind: 'addConsumer' } };
    }
    case 'topic':
      return { kind: 'dialog', dialog: { kind: 'createTopic' } };
  }
}
