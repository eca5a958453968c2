/**
 * `npx tsx bench/browse.ts`: the message browser's read (src/kafka/browse.ts) on a large log.
 * 12 brokers, 200 partitions, 20,000 records/s for BROWSE_SECONDS (default 20) virtual
 * seconds: about 400,000 records. Prints the median wall ms of one page (and the records
 * examined) for each start position, a filter that matches little (stops at the scan
 * budget), and paging. Asserts nothing: a page must stay far under a frame budget of work
 * in the worker however long the log grows (it costs about `limit` records plus one batch
 * per partition, not the log).
 */
import { Cluster } from '../src/kafka/cluster';
import type { BrowseRequest, BrowseResult } from '../src/kafka/browse';
import { scaleScenario } from './workload';

const seconds = Number(process.env.BROWSE_SECONDS ?? 20);
const partitions = Number(process.env.BROWSE_PARTITIONS ?? 200);
const c = new Cluster(scaleScenario(12, partitions, 20_000, seconds * 1000));
const t0 = performance.now();
c.runUntil(seconds * 1000 + 2000);
const records = c.snapshot().partitions.reduce((n, p) => n + p.highWatermark - p.logStartOffset, 0);
console.log(`cluster: ${partitions} partitions, ${records} committed records (built in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

function time(name: string, req: BrowseRequest, runs = 7): BrowseResult {
  const ms: number[] = [];
  let last!: BrowseResult;
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    last = c.browse(req);
    ms.push(performance.now() - a);
  }
  ms.sort((x, y) => x - y);
  console.log(
    `${name.padEnd(44)} ${ms[runs >> 1]!.toFixed(2).padStart(8)} ms  ${String(last.records.length).padStart(5)} records  ${String(last.scanned).padStart(7)} examined${last.budgetHit ? '  (scan budget hit)' : ''}`,
  );
  return last;
}

const midTs = (seconds * 1000) / 2;
time('newest 100, all partitions', { topic: 'bench', start: { from: 'newest' }, limit: 100 });
time('newest 1000, all partitions', { topic: 'bench', start: { from: 'newest' }, limit: 1000 });
time('oldest 100, all partitions', { topic: 'bench', start: { from: 'oldest' }, limit: 100 });
time('offset 1000, all partitions, 100', { topic: 'bench', start: { from: 'offset', offset: 1000 }, limit: 100 });
time(`timestamp ${midTs} ms, all partitions, 100`, { topic: 'bench', start: { from: 'timestamp', timestamp: midTs }, limit: 100 });
time('newest 100, one partition', { topic: 'bench', partitions: [7], start: { from: 'newest' }, limit: 100 });
time('key filter (one key of many), newest 100', { topic: 'bench', start: { from: 'newest' }, limit: 100, filter: { key: 'key-17' } });
time('value filter matching nothing (full budget)', { topic: 'bench', start: { from: 'newest' }, limit: 100, filter: { value: 'no such text' } }, 3);
let page = c.browse({ topic: 'bench', start: { from: 'newest' }, limit: 500 });
const a = performance.now();
for (let i = 0; i < 20; i++) page = c.browse({ topic: 'bench', start: { from: 'newest' }, limit: 500, resume: page.resume });
console.log(`${'20 pages of 500 backwards (each)'.padEnd(44)} ${((performance.now() - a) / 20).toFixed(2).padStart(8)} ms`);
