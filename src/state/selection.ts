/**
 * What the user has selected: a reference to a thing in the cluster by its name, never a
 * copy of its state (the state comes from the latest snapshot, so it is always current).
 */
export type Selection =
  | { kind: 'broker'; id: number }
  | { kind: 'partition'; topic: string; partition: number; broker?: number }
  | { kind: 'topic'; name: string }
  | { kind: 'producer'; id: string }
  | { kind: 'consumer'; id: string }
  | { kind: 'group'; id: string };

export type SelectionKind = Selection['kind'];

export function sameSelection(a: Selection | null, b: Selection | null): boolean {
  if (a === null || b === null) return a === b;
  return selectionKey(a) === selectionKey(b);
}

/** A stable string for a selection (test ids, React keys, equality). */
export function selectionKey(s: Selection): string {
  switch (s.kind) {
    case 'broker':
      return `broker:${s.id}`;
    case 'partition':
      return `partition:${s.topic}-${s.partition}${s.broker === undefined ? '' : `@${s.broker}`}`;
    case 'topic':
      return `topic:${s.name}`;
    case 'producer':
      return `producer:${s.id}`;
    case 'consumer':
      return `consumer:${s.id}`;
    case 'group':
      return `group:${s.id}`;
  }
}

/** Diagram node ids; the scenario's `layout` is keyed by these too. */
export const nodeId = {
  broker: (id: number) => `broker-${id}`,
  producer: (id: string) => `producer-${id}`,
  consumer: (id: string) => `consumer-${id}`,
  group: (id: string) => `group-${id}`,
};

/** The selection a diagram node stands for. */
export function selectionForNode(id: string): Selection | null {
  const m = /^(broker|producer|consumer|group)-(.+)$/.exec(id);
  if (!m) return null;
  const [, kind, rest] = m as unknown as [string, string, string];
  switch (kind) {
    case 'broker':
      return { kind: 'broker', id: Number(rest) };
    case 'producer':
      return { kind: 'producer', id: rest };
    case 'consumer':
      return { kind: 'consumer', id: rest };
    default:
      return { kind: 'group', id: rest };
  }
}
