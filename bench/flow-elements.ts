/**
 * `toFlowElements` alone at scale, in CPU time (issue 10): runs a scale workload in Node,
 * keeps `frames` snapshots `stepMs` of virtual time apart (as the UI receives them: delta
 * applied), then times `toFlowElements` over them in order, `rounds` times, with process CPU
 * time (the machine is shared: wall time lies). Zoomed out (cards) unless `in` is given.
 * `npx tsx bench/flow-elements.ts 50 1000 [stepMs] [frames] [rounds] [in]`. Prints figures; asserts nothing.
 */
import { UiFeed, warmScaleCluster } from './ui-feed';
import type { Rates } from '../src/state/rates';
import * as flow from '../src/ui/diagram/flow';
import type { ClusterSnapshot } from '../src/kafka/snapshot';

const [b = '50', p = '1000', step = '100', n = '20', r = '10', zoom = 'out'] = process.argv.slice(2);
const c = warmScaleCluster(Number(b), Number(p));
const feed = new UiFeed();
const frames: { snapshot: ClusterSnapshot; rates: Rates }[] = [];
for (let i = 0; i <= Number(n); i++) {
  c.runUntil(2000 + i * Number(step));
  const snapshot = feed.receive(feed.send(c.snapshot()));
  frames.push({ snapshot, rates: feed.rates() });
}
const view: flow.DiagramView = { zoomedIn: zoom === 'in', topicFilter: null, collapsedTopics: [] };
// A reuse cache, when this tree's toFlowElements takes one (opts.reuse).
const makeCache = (flow as Record<string, unknown>).createFlowCache as (() => unknown) | undefined;
let cpu = 0;
let calls = 0;
for (let round = 0; round < Number(r); round++) {
  const reuse = makeCache?.();
  for (const f of frames) {
    const t0 = process.cpuUsage();
    flow.toFlowElements(f.snapshot, {}, { selection: null, rates: f.rates, view, ...(reuse ? { reuse } : {}) } as never);
    const d = process.cpuUsage(t0);
    if (round > 0) {
      cpu += (d.user + d.system) / 1000;
      calls++;
    }
  }
}
console.log(`${b}x${p} zoomed ${zoom}, frames ${step} ms apart: toFlowElements ${(cpu / calls).toFixed(2)} ms CPU per frame (${calls} calls${makeCache ? ', reuse cache' : ''})`);
