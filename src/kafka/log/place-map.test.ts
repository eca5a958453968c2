import { describe, expect, it } from 'vitest';
import { PlaceMap } from './place-map';

describe('PlaceMap: values by a batch place (buffer, start)', () => {
  it('keeps the first value a place is given, counts places, and tells buffers apart at the same start', () => {
    const a = new ArrayBuffer(64);
    const b = new ArrayBuffer(64);
    const m = new PlaceMap<string>();
    expect(m.add(a, 8, 'a8')).toBe(true);
    expect(m.add(a, 8, 'again')).toBe(false);
    expect(m.add(b, 8, 'b8')).toBe(true);
    expect(m.add(a, 16, 'a16')).toBe(true);
    expect(m.size).toBe(3);
    expect(m.get(a, 8)).toBe('a8');
    expect(m.get(b, 8)).toBe('b8');
    expect(m.has(a, 0)).toBe(false);
    expect(m.get(new ArrayBuffer(64), 8)).toBeUndefined();
    // Two views of the same bytes are one place.
    expect(m.has(new Uint8Array(a, 16, 4).buffer, new Uint8Array(a, 16, 4).byteOffset)).toBe(true);
    expect([...m.values()]).toEqual(['a8', 'a16', 'b8']);
    expect([...m.buffers()].map(([buf, starts]) => [buf === a ? 'a' : 'b', [...starts.keys()]])).toEqual([
      ['a', [8, 16]],
      ['b', [8]],
    ]);
  });
});
