/**
 * A lesson's *Try this* suggestions in the lesson panel: each a label, an explanation and a
 * button that applies its actions as user actions, through the same path as the toolbar's
 * (the worker records them into the timeline). `from: "start"` opens the lesson again and
 * applies them at its first moment; `from: "now"` applies them where the run is.
 */
import { LESSONS, loadLesson } from '../../scenario/lessons';
import type { LessonTryThis as TryThis, Scenario } from '../../scenario/types';
import { useClusterStore } from '../../state/cluster-store';
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient, type WorkerClient } from '../../state/worker-client';
import { Markdown } from '../markdown/Markdown';

/** The lesson's own document: a built-in lesson by its title, else what this page last loaded. */
function lessonDocument(client: WorkerClient, name: string | null): Scenario | null {
  const builtIn = LESSONS.find((l) => l.title === name);
  if (builtIn) {
    const r = loadLesson(builtIn.id);
    if (r.ok) return r.scenario;
  }
  return client.lastLoaded;
}

export function applyTryThis(t: TryThis): void {
  const client = getWorkerClient();
  if (!client) return;
  const ui = useUiStore.getState();
  if ((t.from ?? 'start') === 'start') {
    const doc = lessonDocument(client, useClusterStore.getState().scenarioName);
    if (!doc) {
      ui.toast('This lesson cannot be opened again here: open it from the Scenario menu, then try again.', 'error');
      return;
    }
    client.load(doc, false);
    for (const a of t.actions) client.perform(a);
    client.play();
    ui.toast(`Try this: ${t.label}. The lesson starts again with the change.`);
    return;
  }
  for (const a of t.actions) client.perform(a);
  ui.toast(`Try this: ${t.label}. Applied now.`);
}

export function LessonTryThis() {
  const tryThis = useClusterStore((s) => s.tryThis);
  if (tryThis.length === 0) return null;
  return (
    <section className="lesson-try-this" aria-label="Try this" data-testid="lesson-try-this">
      <h3>Try this</h3>
      <ul>
        {tryThis.map((t, i) => (
          <li key={`${t.label}-${i}`} data-testid={`try-this-${i}`}>
            <div className="try-this-label">{t.label}</div>
            <Markdown text={t.explanation} />
            <button type="button" className="btn" data-testid={`try-this-apply-${i}`} onClick={() => applyTryThis(t)}>
              {(t.from ?? 'start') === 'start' ? 'Try it from the start ↺' : 'Try it now ▶'}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
