/**
 * Share link, export and import of the scenario document. Share and export: both ask the worker for the scenario document (every recorded
 * action plus the diagram layout) and hand it out as a URL fragment or a JSON file.
 */
import { defaultScenario } from '../scenario/default-scenario';
import { loadLesson } from '../scenario/lessons';
import { parseJsonText } from '../scenario/json';
import { restoreScenario, restoreScenarioOrThrow } from '../scenario/restore';
import type { Scenario } from '../scenario/types';
import { encodeScenarioToFragment, momentParams, type LinkSelection } from '../scenario/url';
import { useClusterStore } from '../state/cluster-store';
import type { Selection } from '../state/selection';
import { useUiStore } from '../state/ui-store';
import { getWorkerClient } from '../state/worker-client';

/** The run as a scenario document: every recorded action and the diagram as it is now. */
async function currentScenario(): Promise<Scenario | null> {
  const client = getWorkerClient();
  if (!client) return null;
  client.setLayout(useUiStore.getState().layout);
  return client.exportScenario();
}

export async function shareLink(): Promise<void> {
  const ui = useUiStore.getState();
  try {
    const scenario = await currentScenario();
    if (!scenario) return;
    // The moment on screen and the selection travel with the run (&t=, &select=).
    const fragment = (await encodeScenarioToFragment(scenario)) + momentParams(useClusterStore.getState().snapshot?.time ?? null, linkSelection(ui.selection));
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

/** The selection as a link names it (a partition without the replica's broker). */
function linkSelection(s: Selection | null): LinkSelection | null {
  if (!s) return null;
  return s.kind === 'partition' ? { kind: 'partition', topic: s.topic, partition: s.partition } : s;
}

export async function downloadScenario(): Promise<void> {
  const ui = useUiStore.getState();
  try {
    const scenario = await currentScenario();
    if (!scenario) return;
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

/** Every load path goes through restoreScenario: a file is untrusted input like a link. */
export function importScenarioFile(): void {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = 'application/json,.json';
  input.onchange = async () => {
    const file = input.files?.[0];
    const ui = useUiStore.getState();
    if (!file) return;
    try {
      const json = parseJsonText(await file.text());
      if (!json.ok) throw new Error(json.error.message);
      const restored = restoreScenario(json.value);
      if (!restored.ok) throw new Error(restored.error.message);
      const scenario = restored.scenario;
      ui.select(null);
      getWorkerClient()?.load(scenario, true);
      history.replaceState(null, '', location.pathname);
      ui.toast(`Opened ${file.name}.`);
    } catch (err) {
      ui.toast(`${file.name} is not a scenario this playground can open: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  };
  input.click();
}

export function restartWithDefault(): void {
  useUiStore.getState().select(null);
  history.replaceState(null, '', location.pathname);
  getWorkerClient()?.load(restoreScenarioOrThrow(defaultScenario), true);
}

/** A built-in lesson replaces the run, like an imported file (the lesson's text shows in the inspector). */
export function openLesson(id: string): void {
  const ui = useUiStore.getState();
  const restored = loadLesson(id);
  if (!restored.ok) {
    ui.toast(restored.error.message, 'error');
    return;
  }
  ui.select(null);
  history.replaceState(null, '', location.pathname);
  getWorkerClient()?.load(restored.scenario, true);
  ui.toast(`Opened the lesson “${restored.scenario.name ?? id}”.`);
}
