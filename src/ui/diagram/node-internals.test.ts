import { describe, expect, it } from 'vitest';
import { handlesMoved, queueNodeInternals, type UpdateNodeInternals } from './node-internals';

/** A schedule the test runs by hand, so a "turn" ends when the test says. */
function manualSchedule() {
  const queued: (() => void)[] = [];
  return {
    schedule: (flush: () => void) => void queued.push(flush),
    runAll: () => queued.splice(0).forEach((f) => f()),
    get size() {
      return queued.length;
    },
  };
}

describe('queueNodeInternals', () => {
  it('re-measures every node asked for in a turn with one call, each id once', () => {
    const calls: string[][] = [];
    const update: UpdateNodeInternals = (ids) => void calls.push(([] as string[]).concat(ids));
    const turn = manualSchedule();
    const fail = () => expect.unreachable('no failure');
    for (const id of ['broker-1', 'broker-2', 'broker-1', 'consumer-a']) queueNodeInternals(update, id, fail, turn.schedule);
    expect(turn.size).toBe(1);
    expect(calls).toEqual([]);
    turn.runAll();
    expect(calls).toEqual([['broker-1', 'broker-2', 'consumer-a']]);

    // The next turn is a batch of its own.
    queueNodeInternals(update, 'broker-3', fail, turn.schedule);
    turn.runAll();
    expect(calls).toEqual([['broker-1', 'broker-2', 'consumer-a'], ['broker-3']]);
  });

  it('keeps two diagrams (two xyflow stores) apart', () => {
    const a: string[][] = [];
    const b: string[][] = [];
    const turn = manualSchedule();
    const fail = () => expect.unreachable('no failure');
    const updateA = (ids: string | string[]) => void a.push(([] as string[]).concat(ids));
    const updateB = (ids: string | string[]) => void b.push(([] as string[]).concat(ids));
    queueNodeInternals(updateA, 'broker-1', fail, turn.schedule);
    queueNodeInternals(updateB, 'broker-2', fail, turn.schedule);
    queueNodeInternals(updateA, 'broker-3', fail, turn.schedule);
    turn.runAll();
    expect(a).toEqual([['broker-1', 'broker-3']]);
    expect(b).toEqual([['broker-2']]);
  });

  it("hands the call's error to every node of the batch, and the next turn starts clean", () => {
    const turn = manualSchedule();
    const heard: [string, unknown][] = [];
    const error = new DOMException("'.react-flow__node[data-id=\"a\"b\"]' is not a valid selector.", 'SyntaxError');
    let throwing = true;
    const calls: string[][] = [];
    const update: UpdateNodeInternals = (ids) => {
      if (throwing) throw error;
      calls.push(([] as string[]).concat(ids));
    };
    queueNodeInternals(update, 'broker-1', (e) => heard.push(['broker-1', e]), turn.schedule);
    queueNodeInternals(update, 'consumer-a"b', (e) => heard.push(['consumer', e]), turn.schedule);
    expect(() => turn.runAll()).not.toThrow();
    expect(heard).toEqual([
      ['broker-1', error],
      ['consumer', error],
    ]);

    throwing = false;
    queueNodeInternals(update, 'broker-2', (e) => heard.push(['broker-2', e]), turn.schedule);
    turn.runAll();
    expect(calls).toEqual([['broker-2']]);
    expect(heard).toHaveLength(2);
  });

  it('by default flushes in the next animation frame, with every id asked for before it, whatever the microtask turns between', async () => {
    // React runs each sync commit in a microtask of its own: the nodes of one opening ask in many turns.
    const frames: FrameRequestCallback[] = [];
    const raf = globalThis.requestAnimationFrame;
    globalThis.requestAnimationFrame = (cb) => frames.push(cb);
    try {
      const calls: string[][] = [];
      const update: UpdateNodeInternals = (ids) => void calls.push(([] as string[]).concat(ids));
      queueNodeInternals(update, 'a', () => {});
      await Promise.resolve();
      queueNodeInternals(update, 'b', () => {});
      await Promise.resolve();
      queueMicrotask(() => queueNodeInternals(update, 'c', () => {}));
      await Promise.resolve();
      expect(calls).toEqual([]);
      expect(frames).toHaveLength(1);
      frames.splice(0).forEach((f) => f(0));
      expect(calls).toEqual([['a', 'b', 'c']]);
      // Asked after the frame: the next frame's batch.
      queueNodeInternals(update, 'a', () => {});
      expect(frames).toHaveLength(1);
      frames.splice(0).forEach((f) => f(0));
      expect(calls).toEqual([['a', 'b', 'c'], ['a']]);
    } finally {
      globalThis.requestAnimationFrame = raf;
    }
  });

  it('flushes in a microtask where there are no animation frames', async () => {
    expect(typeof globalThis.requestAnimationFrame).toBe('undefined');
    const calls: string[][] = [];
    const update: UpdateNodeInternals = (ids) => void calls.push(([] as string[]).concat(ids));
    queueNodeInternals(update, 'a', () => {});
    queueNodeInternals(update, 'b', () => {});
    expect(calls).toEqual([]);
    await Promise.resolve();
    expect(calls).toEqual([['a', 'b']]);
  });
});

describe('handlesMoved', () => {
  it('is false when a node first mounts (xyflow measures it then), true when its key or id changes after', () => {
    const seen = { current: null as { id: string; key: string } | null };
    expect(handlesMoved(seen, 'broker-1', 'rows|a,b')).toBe(false);
    // The effect run again with the same key (a new `update` or `fail`): nothing moved.
    expect(handlesMoved(seen, 'broker-1', 'rows|a,b')).toBe(false);
    expect(handlesMoved(seen, 'broker-1', 'rows|a,b,c')).toBe(true);
    expect(handlesMoved(seen, 'broker-1', 'rows|a,b,c')).toBe(false);
    expect(handlesMoved(seen, 'broker-2', 'rows|a,b,c')).toBe(true);
    // A node mounted anew (another component instance, say after being off screen) starts again.
    expect(handlesMoved({ current: null }, 'broker-1', 'rows|a,b,c')).toBe(false);
  });
});
