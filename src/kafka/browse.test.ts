/**
 * The message browser's read (browse.ts) through a real cluster: start positions, paging
 * across partitions, filters, the high watermark, the scan budget, and that reading leaves
 * the run exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../scenario/types';
import { browseRecords, VALUE_PREVIEW_BYTES, type BrowseRequest, type BrowsedRecord } from './browse';
import { Cluster } from './cluster';
import { threeRacks } from './test-support/three-racks';

function scenario(timeline: TimelineAction[], partitions = 3, acks: string = 'all'): Scenario {
  return {
    version: 1,
    seed: 7,
    cluster: threeRacks(),
    topics: [{ name: 'orders', partitions, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [{ kind: 'producer', id: 'p', config: { acks, 'linger.ms': 0 } }],
    timeline,
  };
}

/** n keyed records, 10 ms apart; every 3rd has a JSON value, every 5th a header. */
function records(n: number, at = 100): TimelineAction[] {
  return Array.from({ length: n }, (_, i) => ({
    at: at + i * 10,
    op: 'produce' as const,
    producer: 'p',
    topic: 'orders',
    key: `user-${i}`,
    value: i % 3 === 0 ? JSON.stringify({ id: i, kind: 'order' }) : `plain ${i}`,
    ...(i % 5 === 0 ? { headers: { source: i % 10 === 0 ? 'web' : 'mobile' } } : {}),
  }));
}

const id = (r: BrowsedRecord) => `${r.partition}:${r.offset}`;

/** Every record a consumer could read, by reading each partition's leader log. */
function allCommitted(c: Cluster): Set<string> {
  const out = new Set<string>();
  for (const p of c.snapshot().partitions) {
    const log = c.readLog('orders', p.partition, { fromOffset: 0, limit: 5000 })!;
    for (const r of log.records) if (r.offset < log.highWatermark) out.add(`${p.partition}:${r.offset}`);
  }
  return out;
}

function pageAll(c: Cluster, req: BrowseRequest): BrowsedRecord[][] {
  const pages: BrowsedRecord[][] = [];
  let resume: Record<number, number> | undefined;
  for (let i = 0; i < 100; i++) {
    const r = c.browse(resume ? { ...req, resume } : req);
    pages.push(r.records);
    if (r.exhausted) return pages;
    resume = r.resume;
  }
  throw new Error('paging did not end');
}

describe('browsing a topic', () => {
  const c = new Cluster(scenario(records(60)));
  c.runUntil(3000);
  const all = allCommitted(c);

  it('reads every committed record once, oldest first, across pages and partitions', () => {
    expect(all.size).toBe(60);
    const pages = pageAll(c, { topic: 'orders', start: { from: 'oldest' }, limit: 7 });
    const flat = pages.flat();
    expect(flat.map(id).sort()).toEqual([...all].sort());
    expect(new Set(flat.map((r) => r.partition)).size).toBe(3);
    for (let i = 1; i < flat.length; i++) expect(flat[i]!.timestamp).toBeGreaterThanOrEqual(flat[i - 1]!.timestamp);
    expect(pages[0]!).toHaveLength(7);
  });

  it('reads newest first and pages backwards to the log start', () => {
    const pages = pageAll(c, { topic: 'orders', start: { from: 'newest' }, limit: 11 });
    const flat = pages.flat();
    expect(flat.map(id).sort()).toEqual([...all].sort());
    for (let i = 1; i < flat.length; i++) expect(flat[i]!.timestamp).toBeLessThanOrEqual(flat[i - 1]!.timestamp);
    expect(flat[0]!.key).toBe('user-59');
  });

  it('starts at an offset in each partition, and at a timestamp', () => {
    const r = c.browse({ topic: 'orders', start: { from: 'offset', offset: 5 }, limit: 1000 });
    expect(r.records.length).toBeGreaterThan(0);
    expect(r.records.every((x) => x.offset >= 5)).toBe(true);
    for (const p of r.partitions) expect(r.records.filter((x) => x.partition === p.partition)).toHaveLength(Math.max(0, p.highWatermark - 5));
    const t = c.browse({ topic: 'orders', start: { from: 'oldest' }, limit: 1000 }).records;
    const cut = t[30]!.timestamp;
    const since = c.browse({ topic: 'orders', start: { from: 'timestamp', timestamp: cut }, limit: 1000 }).records;
    expect(since.map(id).sort()).toEqual(t.filter((x) => x.timestamp >= cut).map(id).sort());
    expect(since[0]!.timestamp).toBe(cut);
  });

  it('reads only the partitions asked for', () => {
    const r = c.browse({ topic: 'orders', partitions: [1], start: { from: 'oldest' }, limit: 1000 });
    expect(r.records.every((x) => x.partition === 1)).toBe(true);
    expect(r.records.length).toBe(r.partitions[0]!.highWatermark);
    expect(r.partitions.map((p) => p.partition)).toEqual([1]);
  });

  it('filters by key, value text and header (case-insensitive text)', () => {
    const byKey = c.browse({ topic: 'orders', start: { from: 'oldest' }, limit: 1000, filter: { key: 'USER-1' } }).records;
    expect(byKey.map((r) => r.key).sort()).toEqual(['user-1', ...Array.from({ length: 10 }, (_, i) => `user-1${i}`)].sort());
    const json = c.browse({ topic: 'orders', start: { from: 'oldest' }, limit: 1000, filter: { value: '"kind":"order"' } }).records;
    expect(json).toHaveLength(20);
    const web = c.browse({ topic: 'orders', start: { from: 'oldest' }, limit: 1000, filter: { headerKey: 'source', headerValue: 'WEB' } }).records;
    expect(web.map((r) => r.key).sort()).toEqual(['user-0', 'user-10', 'user-20', 'user-30', 'user-40', 'user-50']);
    expect(web[0]!.headers).toEqual([['source', 'web']]);
    const anySource = c.browse({ topic: 'orders', start: { from: 'newest' }, limit: 1000, filter: { headerKey: 'source' } }).records;
    expect(anySource).toHaveLength(12);
    const none = c.browse({ topic: 'orders', start: { from: 'oldest' }, limit: 1000, filter: { headerKey: 'Source' } }).records;
    expect(none).toHaveLength(0);
    const both = c.browse({ topic: 'orders', start: { from: 'oldest' }, limit: 1000, filter: { key: 'user-3', value: 'plain' } }).records;
    expect(both.map((r) => r.key).sort()).toEqual(['user-31', 'user-32', 'user-34', 'user-35', 'user-37', 'user-38']);
  });

  it('stops at the scan budget when a filter matches little, and resumes exactly', () => {
    const first = c.browse({ topic: 'orders', start: { from: 'oldest' }, limit: 10, filter: { key: 'user-59' }, scanBudget: 5 });
    expect(first.budgetHit).toBe(true);
    expect(first.exhausted).toBe(false);
    expect(first.scanned).toBeGreaterThanOrEqual(5);
    let resume = first.resume;
    const found: BrowsedRecord[] = [...first.records];
    for (let i = 0; i < 100; i++) {
      const r = c.browse({ topic: 'orders', start: { from: 'oldest' }, limit: 10, filter: { key: 'user-59' }, scanBudget: 5, resume });
      found.push(...r.records);
      if (r.exhausted) break;
      resume = r.resume;
    }
    expect(found.map((r) => r.key)).toEqual(['user-59']);
  });

  it('shares the budget among partitions: one that matches nothing does not starve the page', () => {
    // user-59's partition is read with its share; the other two find nothing in theirs.
    const r = c.browse({ topic: 'orders', start: { from: 'newest' }, limit: 10, filter: { key: 'user-59' }, scanBudget: 30 });
    expect(r.budgetHit).toBe(true);
    expect(r.records.map((x) => x.key)).toEqual(['user-59']);
    expect(r.scanned).toBeLessThanOrEqual(30 + 3 * 10);
  });

  it('names an unknown topic or partition', () => {
    expect(() => c.browse({ topic: 'nope', start: { from: 'oldest' } })).toThrow(/no topic named "nope"/);
    expect(() => c.browse({ topic: 'orders', partitions: [3], start: { from: 'oldest' } })).toThrow(/has no partition 3 \(it has 3\)/);
  });
});

describe('what a consumer would see', () => {
  it('shows only records below the high watermark, and says where the log end is', () => {
    // Two followers cut off: acks=1 writes land on the leader, the HW cannot move.
    const timeline: TimelineAction[] = [...records(6, 100)];
    const c = new Cluster(scenario(timeline, 1, '1'));
    c.runUntil(1000);
    const leader = c.snapshot().partitions[0]!.leader;
    const others = c.snapshot().partitions[0]!.replicas.filter((b) => b !== leader);
    for (const b of others) c.perform({ op: 'isolateBroker', broker: b });
    for (let i = 0; i < 4; i++) c.perform({ op: 'produce', producer: 'p', topic: 'orders', key: `late-${i}`, value: 'x' });
    c.runUntil(c.now + 500);
    const r = c.browse({ topic: 'orders', start: { from: 'newest' }, limit: 100 });
    const info = r.partitions[0]!;
    expect(info.leader).toBe(leader);
    expect(info.logEndOffset).toBe(info.highWatermark + 4);
    expect(r.records).toHaveLength(6);
    expect(r.records.some((x) => x.key?.startsWith('late-'))).toBe(false);
  });

  it('reads nothing from a partition without a leader, and says so', () => {
    const c = new Cluster(scenario(records(10), 1));
    c.runUntil(1000);
    for (const b of [1, 2, 3]) c.perform({ op: 'killBroker', broker: b });
    c.runUntil(c.now + 100);
    const r = c.browse({ topic: 'orders', start: { from: 'oldest' } });
    expect(r.partitions[0]!.leader).toBe(-1);
    expect(r.records).toHaveLength(0);
    expect(r.exhausted).toBe(true);
  });

  it('cuts huge values for display and gives their size', () => {
    const big = 'x'.repeat(VALUE_PREVIEW_BYTES * 3);
    const c = new Cluster(scenario([{ at: 100, op: 'produce', producer: 'p', topic: 'orders', key: 'k', value: big }], 1));
    c.runUntil(1000);
    const r = c.browse({ topic: 'orders', start: { from: 'oldest' } }).records[0]!;
    expect(r.valueTruncated).toBe(true);
    expect(r.valueBytes).toBe(big.length);
    expect(r.value).toHaveLength(VALUE_PREVIEW_BYTES);
    // A filter still sees the whole value.
    expect(c.browse({ topic: 'orders', start: { from: 'oldest' }, filter: { value: 'x'.repeat(VALUE_PREVIEW_BYTES + 10) } }).records).toHaveLength(1);
  });
});

describe('reading never changes the run', () => {
  it('a cluster browsed at every step ends byte-for-byte like one never browsed', () => {
    const timeline: TimelineAction[] = [
      ...records(40),
      { at: 200, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 200, keys: 10 },
      { at: 900, op: 'killBroker', broker: 2 },
      { at: 1500, op: 'restartBroker', broker: 2 },
    ];
    const a = new Cluster(scenario(timeline));
    const b = new Cluster(scenario(timeline));
    for (let t = 50; t <= 3000; t += 50) {
      a.runUntil(t);
      b.runUntil(t);
      b.browse({ topic: 'orders', start: { from: 'newest' }, limit: 50, filter: { value: 'order' } });
      b.browse({ topic: 'orders', start: { from: 'timestamp', timestamp: t - 200 }, limit: 50 });
      b.readLog('orders', 0);
    }
    expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(a.snapshot()));
    expect(JSON.stringify(b.output())).toBe(JSON.stringify(a.output()));
  });
});

describe('at the sizes users reach', () => {
  it('pages 200 partitions newest first without losing a record', () => {
    const timeline: TimelineAction[] = [{ at: 100, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 2000, keys: 500 }];
    const c = new Cluster(scenario(timeline, 200, '1'));
    c.runUntil(2000);
    const total = c.browse({ topic: 'orders', start: { from: 'oldest' }, limit: 1 }).partitions.reduce((n, p) => n + p.highWatermark - p.logStartOffset, 0);
    expect(total).toBeGreaterThan(1000);
    const seen = new Set<string>();
    let resume: Record<number, number> | undefined;
    for (;;) {
      const r = c.browse({ topic: 'orders', start: { from: 'newest' }, limit: 500, ...(resume ? { resume } : {}) });
      for (const x of r.records) seen.add(id(x));
      if (r.exhausted) break;
      resume = r.resume;
    }
    expect(seen.size).toBe(total);
  });

  it('direct use: a source with no topic', () => {
    expect(() => browseRecords({ now: 0, partitionCount: () => null, leaderLog: () => null }, { topic: 't', start: { from: 'newest' } })).toThrow(/no topic/);
  });
});
