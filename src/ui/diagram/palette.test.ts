import { describe, expect, it } from 'vitest';
import { fixtureSnapshot } from '../test/fixture';
import { isPaletteItem, paletteOutcome } from './palette';

describe('palette', () => {
  it('adds a broker at once, with the next id and the least used rack, where it was dropped', () => {
    const s = fixtureSnapshot();
    const nextId = Math.max(...s.brokers.map((b) => b.id)) + 1;
    const out = paletteOutcome('broker', s, { x: 40, y: 500 }, null);
    expect(out).toMatchObject({ kind: 'perform', action: { op: 'addBroker', id: nextId }, place: { nodeId: `broker-${nextId}`, at: { x: 40, y: 500 } } });
    // Pressed, not dropped: the broker takes its default place.
    expect(paletteOutcome('broker', s, null, null)).toMatchObject({ kind: 'perform', place: null });
  });

  it('opens the producer form with the drop position, and the consumer form with the group dropped on', () => {
    const s = fixtureSnapshot();
    expect(paletteOutcome('producer', s, { x: 1, y: 2 }, null)).toEqual({ kind: 'dialog', dialog: { kind: 'addProducer', at: { x: 1, y: 2 } } });
    expect(paletteOutcome('consumer', s, { x: 1, y: 2 }, 'billing')).toEqual({ kind: 'dialog', dialog: { kind: 'addConsumer', groupId: 'billing' } });
    expect(paletteOutcome('consumer', s, { x: 1, y: 2 }, null)).toEqual({ kind: 'dialog', dialog: { kind: 'addConsumer' } });
    expect(paletteOutcome('topic', s, null, null)).toEqual({ kind: 'dialog', dialog: { kind: 'createTopic' } });
  });

  it('refuses a consumer while there is no topic, saying why', () => {
    const s = { ...fixtureSnapshot(), topics: [] };
    const out = paletteOutcome('consumer', s, null, null);
    expect(out.kind).toBe('refused');
    expect(out.kind === 'refused' && out.message).toMatch(/topic/);
  });

  it('accepts only its own items from a drag', () => {
    expect(isPaletteItem('broker')).toBe(true);
    expect(isPaletteItem('text/plain')).toBe(false);
  });
});
