/**
 * Where ELK runs: in a worker of its own in the browser (elk.worker.ts), so a layout never
 * blocks the main thread; in this thread where there is no Worker (Node: unit tests) or the
 * worker could not run (it failed to load or died). A worker that fails is not tried again:
 * the layout it owed and every later one run in this thread instead, so the diagram is laid
 * out either way. ELK's own errors (a graph it refuses) are errors wherever it runs.
 */
import type { ElkNode } from 'elkjs/lib/elk-api';

export type ElkLayout = (graph: ElkNode) => Promise<ElkNode>;

export interface ElkLayoutRequest {
  id: number;
  graph: ElkNode;
}
export type ElkLayoutReply = { id: number; graph: ElkNode } | { id: number; error: string };

/** What the runner needs of a Worker (a fake one in tests). */
export interface ElkWorkerLike {
  onmessage: ((e: { data: ElkLayoutReply }) => void) | null;
  onerror: ((e: { message?: string; preventDefault?(): void }) => void) | null;
  onmessageerror: (() => void) | null;
  postMessage(m: ElkLayoutRequest): void;
  terminate(): void;
}

/** The worker died or never started: the layout goes to the fallback. */
class ElkWorkerFailure extends Error {}

export type ElkEngine = 'worker' | 'page';

export interface ElkRunner {
  layout: ElkLayout;
  /** Starts the worker now (it loads ELK while the page does the rest), if not started yet. */
  prestart(): void;
  /** Where the last layout ran (null: none yet): shown on the diagram (data-layout-engine). */
  engine(): ElkEngine | null;
}

/**
 * A runner that uses `makeWorker` (called once, on prestart or the first layout; null: no worker here)
 * and falls back to `inPage` (loaded on first need) for good once the worker fails.
 */
export function elkRunner(makeWorker: () => ElkWorkerLike | null, inPage: () => Promise<ElkLayout>): ElkRunner {
  let worker: ElkWorkerLike | null | undefined;
  let failed = false;
  let last: ElkEngine | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve(g: ElkNode): void; reject(e: Error): void }>();

  const fail = (why: string) => {
    if (failed) return;
    failed = true;
    try {
      worker?.terminate();
    } catch {
      // Already gone.
    }
    const err = new ElkWorkerFailure(why);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const start = (): ElkWorkerLike | null => {
    let w: ElkWorkerLike | null;
    try {
      w = makeWorker();
    } catch (e) {
      console.warn(`The layout worker could not start (${e instanceof Error ? e.message : String(e)}); laying out in the page.`);
      return null;
    }
    if (w === null) return null;
    w.onmessage = (e) => {
      const reply = e.data;
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('error' in reply) p.reject(new Error(reply.error));
      else p.resolve(reply.graph);
    };
    w.onerror = (e) => {
      e.preventDefault?.();
      fail(`the layout worker failed: ${e.message || 'it could not be loaded'}`);
    };
    w.onmessageerror = () => fail('the layout worker sent a message that could not be read');
    return w;
  };

  const inWorker = (w: ElkWorkerLike, graph: ElkNode): Promise<ElkNode> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      try {
        w.postMessage({ id, graph });
      } catch (e) {
        pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });

  const started = (): ElkWorkerLike | null => {
    if (worker === undefined) worker = start();
    return worker;
  };

  const layout: ElkLayout = async (graph) => {
    const w = started();
    if (w !== null && !failed) {
      try {
        const out = await inWorker(w, graph);
        last = 'worker';
        return out;
      } catch (e) {
        if (!(e instanceof ElkWorkerFailure)) throw e;
        console.warn(`${e.message}; laying out in the page.`);
      }
    }
    const out = await (await inPage())(graph);
    last = 'page';
    return out;
  };
  return { layout, prestart: () => void started(), engine: () => last };
}
