/**
 * Where ELK runs (elk-layout.ts): the worker's answers reach their layouts, ELK's own errors
 * stay errors, and a worker that fails hands its layouts (and every later one) to the page.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { elkRunner, type ElkLayoutRequest, type ElkWorkerLike } from './elk-layout';

class FakeWorker implements ElkWorkerLike {
  onmessage: ElkWorkerLike['onmessage'] = null;
  onerror: ElkWorkerLike['onerror'] = null;
  onmessageerror: ElkWorkerLike['onmessageerror'] = null;
  posted: ElkLayoutRequest[] = [];
  terminated = false;
  postMessage(m: ElkLayoutRequest): void {
    this.posted.push(m);
  }
  terminate(): void {
    this.terminated = true;
  }
  /** Answers request `i` with the graph moved to x = `x`. */
  answer(i: number, x: number): void {
    const r = this.posted[i]!;
    this.onmessage!({ data: { id: r.id, graph: { ...r.graph, x } } });
  }
}

const graph = (id: string): ElkNode => ({ id, children: [] });
/** An in-page ELK that marks what it laid out. */
const inPage = () => Promise.resolve((g: ElkNode) => Promise.resolve({ ...g, x: -1 }));

describe('elkRunner', () => {
  it('sends each layout to the worker and resolves each with its own answer, in any order', async () => {
    const w = new FakeWorker();
    const page = vi.fn(inPage);
    const r = elkRunner(() => w, page);
    const a = r.layout(graph('a'));
    const b = r.layout(graph('b'));
    await vi.waitFor(() => expect(w.posted).toHaveLength(2));
    expect(w.posted.map((m) => m.graph.id)).toEqual(['a', 'b']);
    expect(new Set(w.posted.map((m) => m.id)).size).toBe(2);
    w.answer(1, 20);
    w.answer(0, 10);
    await expect(a).resolves.toMatchObject({ id: 'a', x: 10 });
    await expect(b).resolves.toMatchObject({ id: 'b', x: 20 });
    expect(r.engine()).toBe('worker');
    expect(page).not.toHaveBeenCalled();
  });

  it("rejects with ELK's own error and keeps using the worker", async () => {
    const w = new FakeWorker();
    const page = vi.fn(inPage);
    const r = elkRunner(() => w, page);
    const a = r.layout(graph('a'));
    await vi.waitFor(() => expect(w.posted).toHaveLength(1));
    w.onmessage!({ data: { id: w.posted[0]!.id, error: 'Referenced shape does not exist: x' } });
    await expect(a).rejects.toThrow('Referenced shape does not exist: x');
    expect(page).not.toHaveBeenCalled();
    const b = r.layout(graph('b'));
    await vi.waitFor(() => expect(w.posted).toHaveLength(2));
    w.answer(1, 5);
    await expect(b).resolves.toMatchObject({ id: 'b', x: 5 });
  });

  it('hands the layouts of a worker that failed to the page, and never uses that worker again', async () => {
    const w = new FakeWorker();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const page = vi.fn(inPage);
    const made = vi.fn(() => w);
    const r = elkRunner(made, page);
    const a = r.layout(graph('a'));
    await vi.waitFor(() => expect(w.posted).toHaveLength(1));
    const preventDefault = vi.fn();
    w.onerror!({ message: 'Failed to fetch a worker script', preventDefault });
    await expect(a).resolves.toMatchObject({ id: 'a', x: -1 });
    expect(preventDefault).toHaveBeenCalled();
    expect(w.terminated).toBe(true);
    expect(r.engine()).toBe('page');
    await expect(r.layout(graph('b'))).resolves.toMatchObject({ id: 'b', x: -1 });
    expect(w.posted).toHaveLength(1);
    expect(made).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toContain('Failed to fetch a worker script');
    warn.mockRestore();
  });

  it('lays out in the page where there is no worker, or one cannot be made', async () => {
    const none = elkRunner(() => null, inPage);
    expect(none.engine()).toBeNull();
    await expect(none.layout(graph('a'))).resolves.toMatchObject({ x: -1 });
    expect(none.engine()).toBe('page');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const throwing = elkRunner(() => {
      throw new Error('SecurityError');
    }, inPage);
    await expect(throwing.layout(graph('a'))).resolves.toMatchObject({ x: -1 });
    warn.mockRestore();
  });
});
