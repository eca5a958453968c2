/**
 * Entry: starts the cluster worker, opens the playground (the saved one, a share link in
 * the URL fragment, else the default scenario) and renders the app. The main thread never runs the
 * cluster: it only sends commands and renders snapshots.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { RootBoundary } from './ui/PanelBoundary';
import './ui/styles.css';
import { WorkerClient, setWorkerClient } from './state/worker-client';
import { parseLinkMoment, scenarioParam } from './scenario/url';
import { useUiStore } from './state/ui-store';
import { LinkOpener } from './state/link-open';
import { startStorageUi } from './state/storage-store';

const worker = new Worker(new URL('./worker/cluster.worker.ts', import.meta.url), { type: 'module' });
// Frames from the worker reach the store once per display frame at most, and no more often
// than the page can afford (worker-client.ts UI_FRAME_SHARE): a frame's cost is measured up to
// a task posted from its display frame, which runs once React, layout and paint are done.
const afterFrame = new MessageChannel();
const afterFrameQueue: (() => void)[] = [];
afterFrame.port1.onmessage = () => afterFrameQueue.shift()?.();
const client = new WorkerClient(worker, (flush) => requestAnimationFrame(flush), {
  now: () => performance.now(),
  afterFrame: (fn) => {
    afterFrameQueue.push(fn);
    afterFrame.port2.postMessage(0);
  },
});
setWorkerClient(client);

// The saved playground (IndexedDB, in the worker) wins over the default; a share link
// starts a new run that replaces it, after asking (src/storage/worker-persistence.ts). A bad
// link is refused with a message and touches nothing (src/state/link-open.ts).
startStorageUi();
// A link may name a moment and a selection (&t=, &select=): it opens paused there. They
// apply once the link's own run is installed (not the saved playground, if the user keeps it).
const moment = scenarioParam(location.hash) !== null ? parseLinkMoment(location.hash) : null;
for (const notice of moment?.notices ?? []) useUiStore.getState().toast(notice, 'error');
if (moment && (moment.t !== null || moment.select)) {
  client.onLoaded = (info) => {
    client.onLoaded = null;
    if (info.fromDisk) return;
    const ui = useUiStore.getState();
    if (moment.select) ui.select(moment.select);
    if (moment.t !== null) {
      client.seek(moment.t);
      ui.setSharedMoment({ t: moment.t, name: info.name });
    }
  };
}
const opener = new LinkOpener({
  hash: () => location.hash,
  clearHash: () => history.replaceState(history.state, '', location.pathname + location.search),
  reload: () => location.reload(),
  send: (cmd) => client.send(cmd),
  playLink: moment?.t == null,
});
client.onLinkRefused = (reason) => opener.linkRefusedByWorker(reason);
client.onFailure = (reason) => opener.workerFailed(reason);
void opener.start();

// A link pasted into this tab changes only the fragment, which loads nothing: a good one
// opens the way a fresh page load would (restore, and ask before replacing a saved
// playground); a bad one is refused here, without a reload.
window.addEventListener('hashchange', () => void opener.hashChanged());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RootBoundary>
      <App />
    </RootBoundary>
  </StrictMode>,
);
