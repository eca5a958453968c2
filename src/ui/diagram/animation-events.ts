/**
 * Issue 10 (a main thread that never stutters): a moving edge (`animated` in @xyflow/react)
 * is a CSS animation that repeats every half second, and each repeat fires an
 * `animationiteration` DOM event. React listens for that event type at its root, so every
 * repeat of every moving edge ran React's event dispatch (a walk up the fibre tree looking
 * for onAnimationIteration handlers, which this app never sets). At 50 brokers x 1,000
 * partitions that was about 600 events a second and a tenth of the main thread's CPU time.
 *
 * `muteEdgeAnimationEvents` stops the animation events of diagram edges at the window, in
 * the capture phase, before they reach React's root listener. Nothing in the app reacts to
 * them; events from anything else pass through untouched.
 */
export const EDGE_ANIMATION_EVENTS = ['animationstart', 'animationiteration', 'animationend', 'animationcancel'] as const;

/** True for an animation event fired by a diagram edge (an element inside `.react-flow__edge`). */
export function isDiagramEdgeEvent(e: Event): boolean {
  const t = e.target as { closest?: (selector: string) => unknown } | null;
  return typeof t?.closest === 'function' && t.closest('.react-flow__edge') !== null;
}

/** Installs the filter on `win`; returns the function that removes it. */
export function muteEdgeAnimationEvents(win: EventTarget, isEdge: (e: Event) => boolean = isDiagramEdgeEvent): () => void {
  const stop = (e: Event) => {
    if (isEdge(e)) e.stopImmediatePropagation();
  };
  for (const type of EDGE_ANIMATION_EVENTS) win.addEventListener(type, stop, { capture: true });
  return () => {
    for (const type of EDGE_ANIMATION_EVENTS) win.removeEventListener(type, stop, { capture: true });
  };
}
