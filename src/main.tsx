/**
 * Entry: starts the cluster worker, loads the scenario (from a share link in the URL
 * fragment, else the default one) and renders the app. The main thread never runs the
 * cluster: it only sends commands and renders snapshots.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import './ui/styles.css';
import { WorkerClient, setWorkerClient } from './state/worker-client';
import { useClusterStore } from './state/cluster-store';
import { defaultScenario } from './scenario/default-scenario';
import { decodeScenarioFragment, parseLinkMoment, scenarioParam } from './scenario/url';
import { useUiStore } from './state/ui-store';
import { restoreScenarioOrThrow } from './scenario/restore';
import type { Scenario } from './scenario/types';
import { startStorageUi } from './state/storage-store';

const worker = new Worker(new URL('./worker/cluster.worker.ts', import.meta.url), { type: 'module' });
const client = new WorkerClient(worker);
setWorkerClient(client);

/**
 * Every load path goes through restore, the built-in default too. A share link is untrusted
 * input: if it does not open, the default cluster opens and the message says why.
 */
async function initialScenario(): Promise<Scenario> {
  if (scenarioParam(location.hash) === null) return restoreScenarioOrThrow(defaultScenario);
  const decoded = await decodeScenarioFragment(location.hash);
  if (decoded.ok) return decoded.scenario;
  useClusterStore.getState().reportError(`This link could not be opened: ${decoded.error.message} Showing the default cluster instead.`);
  return restoreScenarioOrThrow(defaultScenario);
}

// The saved playground (IndexedDB, in the worker) wins over the default; a share link
// starts a new run that replaces it (src/storage/worker-persistence.ts).
startStorageUi();
const fromLink = scenarioParam(location.hash) !== null;
// A link may name a moment and a selection (&t=, &select=): it opens paused there. They
// apply once the link's own run is installed (not the saved playground, if the user keeps it).
const moment = fromLink ? parseLinkMoment(location.hash) : null;
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
void initialScenario().then((scenario) => {
  client.send({ type: 'storage', op: 'open', fallback: scenario, play: moment?.t == null, fresh: fromLink });
  // The link's run is now the saved playground: a reload must continue it, not start it over.
  if (fromLink) history.replaceState(null, '', location.pathname + location.search);
});

// A link pasted into this tab changes only the fragment, which loads nothing: open it the
// way a fresh page load would (restore, and ask before replacing a saved playground).
window.addEventListener('hashchange', () => {
  if (scenarioParam(location.hash) !== null) location.reload();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
