import { describe, expect, it } from 'vitest';
import { EDGE_ANIMATION_EVENTS, isDiagramEdgeEvent, muteEdgeAnimationEvents } from './animation-events';

/** An event whose target answers `closest` like a DOM element inside (or outside) an edge. */
function eventFrom(type: string, insideEdge: boolean): Event {
  const e = new Event(type, { bubbles: true });
  Object.defineProperty(e, 'target', { value: { closest: (s: string) => (insideEdge && s === '.react-flow__edge' ? {} : null) } });
  return e;
}

describe('muteEdgeAnimationEvents (issue 10: edge animations do not run React event dispatch)', () => {
  it('stops animation events of diagram edges before later listeners, lets others through, and uninstalls', () => {
    const win = new EventTarget();
    const seen: string[] = [];
    const uninstall = muteEdgeAnimationEvents(win, (e) => (e as Event & { fromEdge?: boolean }).fromEdge === true);
    for (const type of EDGE_ANIMATION_EVENTS) win.addEventListener(type, () => seen.push(type));
    const fire = (type: string, fromEdge: boolean) => win.dispatchEvent(Object.assign(new Event(type), { fromEdge }));
    fire('animationiteration', true);
    fire('animationstart', true);
    expect(seen).toEqual([]);
    fire('animationiteration', false);
    expect(seen).toEqual(['animationiteration']);
    uninstall();
    fire('animationiteration', true);
    expect(seen).toEqual(['animationiteration', 'animationiteration']);
  });

  it('recognises an edge by the element the event comes from', () => {
    expect(isDiagramEdgeEvent(eventFrom('animationiteration', true))).toBe(true);
    expect(isDiagramEdgeEvent(eventFrom('animationiteration', false))).toBe(false);
    expect(isDiagramEdgeEvent(new Event('animationiteration'))).toBe(false);
  });
});
