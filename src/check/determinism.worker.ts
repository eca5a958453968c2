/** Worker side of the determinism check page: decode the link, run it, print the document. */
import { Cluster } from '../kafka/cluster';
import { decodeScenarioFragment } from '../scenario/url';

self.onmessage = async (e: MessageEvent<{ fragment: string }>) => {
  const fragment = e.data.fragment;
  const until = Number(new URLSearchParams(fragment.replace(/^#/, '')).get('until') ?? '10000');
  const r = await decodeScenarioFragment(fragment);
  if (!r.ok) {
    self.postMessage({ ok: false, text: r.error.message });
    return;
  }
  const cluster = new Cluster(r.scenario, { recordConsumed: true });
  cluster.runUntil(until);
  self.postMessage({ ok: true, text: JSON.stringify(cluster.output()) });
};
