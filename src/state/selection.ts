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

/**
 * Ids as @xyflow/react gets them. Entity names are arbitrary strings (a client id may hold
 * `"`, `\\` or a line break), and xyflow builds CSS selectors from node ids
 * (`.react-flow__node[data-id="…"]`): such a name made `querySelector` throw and blanked the
 * app. Every character outside a small safe set becomes `%` and its four hex digits (UTF-16
 * code unit, so even a lone surrogate round-trips), `%` included: injective and reversible,
 * and the identity on ordinary names (`broker-1`, `consumer-billing-1` stay as they are).
 * Layout keys, selections and `select=` keep the real names (`nodeId`); only what is handed
 * to xyflow is encoded, and mapped back when xyflow hands an id back.
 */
export const flowId = {
  encode(id: string): string {
    return id.replace(/[^A-Za-z0-9_.:>@\-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  },
  decode(id: string): string {
    return id.replace(/%([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  },
};

/** The selection a diagram node stands for. */
export function selectionForNode(id: string): Selection | null {
  const m = /^(broker|producer|consumer|group)-([\s\S]+)$/.exec(id);
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
