/**
 * A check page, not part of the app: runs a scenario headless in a Web Worker, in the
 * browser, and shows the runner's output document, so a test can compare it byte for byte
 * with the same scenario run in Node (scenario.md, "Determinism").
 */
const out = document.getElementById('output')!;
const worker = new Worker(new URL('./determinism.worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (e: MessageEvent<{ ok: boolean; text: string }>) => {
  out.textContent = e.data.text;
  out.dataset.state = e.data.ok ? 'done' : 'error';
};
worker.postMessage({ fragment: location.hash });
