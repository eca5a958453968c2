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
import { decodeScenarioFragment } from './scenario/url';
import { restoreScenario } from './scenario/restore';
import type { Scenario } from './scenario/types';

const worker = new Worker(new URL('./worker/cluster.worker.ts', import.meta.url), { type: 'module' });
const client = new WorkerClient(worker);
setWorkerClient(client);

/** A share link is untrusted input: any failure leaves the default cluster open and says why. */
async function initialScenario(): Promise<Scenario> {
  if (!location.hash.startsWith('#scenario=')) return defaultScenario;
  try {
    const decoded: unknown = await decodeScenarioFragment(location.hash);
    return restoreScenario(decoded);
  } catch (err) {
    useClusterStore
      .getState()
      .reportError(`This link's scenario could not be opened (${err instanceof Error ? err.message : String(err)}). Showing the default cluster.`);
    return defaultScenario;
  }
}

void initialScenario().then((scenario) => client.load(scenario, true));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
