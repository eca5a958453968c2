/**
 * ELK's layered layout off the main thread: the module (1.6 MB of compiled Java) is
 * evaluated here, and every layout runs here, so neither blocks a frame. Opening a 6 x 50
 * link spent up to ~450 ms of one main-thread task in ELK (its first evaluation and layout
 * ran as one microtask); the page now only posts the graph and reads the positions back.
 *
 * Protocol (elk-layout.ts): { id, graph } in; { id, graph } or { id, error } out.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkLayoutReply, ElkLayoutRequest } from './elk-layout';

const elk = new ELK();
const scope = self as unknown as { onmessage: ((e: MessageEvent<ElkLayoutRequest>) => void) | null; postMessage(m: ElkLayoutReply): void };

// Set after ELK is built: its bundle installs a dispatcher of its own on a worker's onmessage
// (for its own worker protocol), which this replaces.
scope.onmessage = (e) => {
  const { id, graph } = e.data;
  elk.layout(graph).then(
    (laidOut) => scope.postMessage({ id, graph: laidOut }),
    (err: unknown) => scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
  );
};
