import { it } from 'vitest';
import { restoreScenario } from '/work/wt-8b/src/scenario/restore';
import { Cluster } from '/work/wt-8b/src/kafka/cluster';
import { parseJsonText } from '/work/wt-8b/src/scenario/json';
import spec from '/work/wt-8b/src/scenario/fixtures/spec-example.json';
it('proto', () => {
  for (const k of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf', '__defineGetter__']) {
    for (const where of ['cluster', 'topic', 'producer', 'consumer', 'layout', 'headers', 'root']) {
      const d = structuredClone(spec) as any;
      const text = JSON.stringify(d);
      let t = text;
      const ins = `"${k}": 1, `;
      if (where === 'cluster') t = text.replace('"config":{', '"config":{' + ins);
      if (where === 'topic') t = text.replace('"config":{"min.insync', '"config":{' + ins + '"min.insync');
      if (where === 'producer') t = text.replace('"config":{"acks"', '"config":{' + ins + '"acks"');
      if (where === 'consumer') t = text.replace('"config":{"auto.offset', '"config":{' + ins + '"auto.offset');
      if (where === 'layout') t = text.replace('"layout":{', `"layout":{"${k}": {"x":1,"y":2}, `);
      if (where === 'headers') t = text.replace('"value":"paid"', `"value":"paid","headers":{"${k}":"h"}`);
      if (where === 'root') t = text.replace('"seed":42', `"seed":42,"${k}":1`);
      const j = parseJsonText(t);
      if (!j.ok) { console.log(k, where, 'JSON', j.error.message); continue; }
      const r = restoreScenario(j.value);
      if (!r.ok) { console.log(k, where, 'REFUSED', r.error.message); continue; }
      try {
        const c = new Cluster(r.scenario, { recordConsumed: true });
        c.runUntil(3000);
        const ev = c.output().events.filter((e: any) => e.type === 'ConfigIgnored' || e.type === 'ActionRejected');
        const sc = c.scenario() as any;
        const kept = JSON.stringify(sc).includes(`"${k}"`);
        console.log(k, where, 'RAN', JSON.stringify(ev), 'kept', kept);
      } catch (e) { console.log(k, where, 'THREW', (e as Error).message); }
    }
  }
}, 300000);
