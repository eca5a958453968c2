/**
 * Share link and export: both ask the worker for the scenario document (every recorded
 * action plus the diagram layout) and hand it out as a URL fragment or a JSON file.
 */
import { encodeScenarioToFragment } from '../scenario/url';
import { useUiStore } from '../state/ui-store';
import { getWorkerClient } from '../state/worker-client';

export async function shareLink(): Promise<void> {
  const client = getWorkerClient();
  const ui = useUiStore.getState();
  if (!client) return;
  try {
    client.setLayout(ui.layout);
    const scenario = await client.exportScenario();
    const fragment = await encodeScenarioToFragment(scenario);
    const url = `${location.origin}${location.pathname}${fragment.startsWith('#') ? fragment : `#${fragment}`}`;
    history.replaceState(null, '', url);
    try {
      await navigator.clipboard.writeText(url);
      ui.toast('Share link copied to the clipboard (it is also in the address bar).');
    } catch {
      ui.toast('Share link is in the address bar (the clipboard was not available).');
    }
  } catch (err) {
    ui.toast(`Could not make a share link: ${err instanceof Error ? err.message : String(err)}`, 'error');
  }
}

export async function downloadScenario(): Promise<void> {
  const client = getWorkerClient();
  const ui = useUiStore.getState();
  if (!client) return;
  try {
    client.setLayout(ui.layout);
    const scenario = await client.exportScenario();
    const blob = new Blob([JSON.stringify(scenario, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${(scenario.name ?? 'kafka-playground').replace(/[^\w.-]+/g, '-')}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  } catch (err) {
    ui.toast(`Could not export: ${err instanceof Error ? err.message : String(err)}`, 'error');
  }
}
