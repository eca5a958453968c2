/**
 * Are two source trees' runs byte-for-byte the same? `tsx bench/same-run.ts <old tree> <new tree>`
 * (a tree is a directory holding src/ and bench/, e.g. `git archive main src bench | tar -x -C /tmp/old`).
 * Runs the 3x3 and 6x50 scale workloads and the default scenario on both and compares a
 * digest of every event, every log's batches, offsets and the client views. For a change
 * meant to cost less and change nothing (the issue-10 commits say which are).
 */
import { createHash } from 'node:crypto';

async function main(): Promise<void> {
  const [oldRoot, newRoot] = process.argv.slice(2);
  if (!oldRoot || !newRoot) throw new Error('usage: tsx bench/same-run.ts <old tree> <new tree>');
  const { scaleScenario } = await import(`${newRoot}/bench/workload.ts`);
  const { defaultScenario } = await import(`${newRoot}/src/scenario/default-scenario.ts`);
  const digest = async (root: string, sc: unknown, ms: number): Promise<string> => {
    const { Cluster } = await import(`${root}/src/kafka/cluster.ts`);
    const c = new Cluster(sc);
    c.runUntil(ms);
    const h = createHash('sha1');
    h.update(JSON.stringify(c.allEvents()));
    for (const [id, b] of [...c.brokers].sort((x, y) => x[0] - y[0])) {
      for (const [k, log] of [...b.logs].sort()) {
        h.update(`${id}${k}${log.logEndOffset}/${log.highWatermark}`);
        for (const s of log.segments) for (const x of s.batchList()) h.update(x);
      }
    }
    for (const [id, x] of c.consumers) h.update(id + JSON.stringify(x.view()));
    for (const [id, x] of c.producers) h.update(id + JSON.stringify(x.view()));
    return `${h.digest('hex')} (${c.scheduler.eventsRun} events)`;
  };
  const cases: [string, unknown, number][] = [
    ['3x3', scaleScenario(3, 3, 20000, 1e9), 3000],
    ['6x50', scaleScenario(6, 50, 20000, 1e9), 2000],
    ['12x200', scaleScenario(12, 200, 20000, 1e9), 1000],
    ['default', defaultScenario, 60000],
  ];
  for (const [name, sc, ms] of cases) {
    const a = await digest(oldRoot, sc, ms);
    const b = await digest(newRoot, sc, ms);
    console.log(`${name.padEnd(8)} ${a === b ? 'same     ' : 'DIFFERENT'} ${a}${a === b ? '' : ' vs ' + b}`);
  }
}

main();
