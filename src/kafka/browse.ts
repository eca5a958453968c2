/**
 * The message browser's read: a page of a topic's records across its partitions, as a
 * consumer would see them (the leader's log, below the high watermark), from the newest,
 * the oldest, an offset or a timestamp, filtered by key, value text and header.
 *
 * A read only looks: it never changes a log, the clock, the scheduler or the PRNG, and it
 * keeps nothing between calls (the caller carries `resume`). It stays cheap on large logs:
 * each partition is walked lazily, batch by batch, from its start position (binary search
 * to the segment and batch), and the partitions are merged by timestamp, so a page costs
 * about `limit` records plus one batch per partition; a filter that matches little stops
 * after `scanBudget` records examined (each partition its share) and says where to resume.
 * Such a page holds what was found, merged by timestamp; the next page may hold records
 * older (or, forward, newer) than some already shown, never one shown twice or skipped.
 *
 * Paging: forward reads (oldest, offset, timestamp) resume at the next offset not yet
 * shown of each partition; backward reads (newest) resume below the oldest offset shown.
 * Every record is shown once across pages: `resume` is exact per partition.
 */
import type { UnifiedLog } from './log/unified-log';
import { batchBaseOffset, batchIsControl, batchNextOffset, forEachRecord, readHeaders } from './log/record-batch';

export type BrowseStart =
  | { from: 'newest' }
  | { from: 'oldest' }
  | { from: 'offset'; offset: number }
  | { from: 'timestamp'; timestamp: number };

export interface BrowseFilter {
  /** Text the key contains (case-insensitive). */
  key?: string;
  /** Text the value contains (case-insensitive). */
  value?: string;
  /** A header with this name (exact, as Kafka header keys are compared)… */
  headerKey?: string;
  /** …whose value contains this text (case-insensitive); absent: any value. */
  headerValue?: string;
}

export interface BrowseRequest {
  topic: string;
  /** Which partitions; absent or empty: all of them. */
  partitions?: number[];
  start: BrowseStart;
  /** Most records in the page (1…MAX_BROWSE_LIMIT). */
  limit?: number;
  filter?: BrowseFilter;
  /** Where to go on (a previous page's `resume`): partition → offset. */
  resume?: Record<number, number>;
  /** Most records examined for this page (a filter that matches little stops there). */
  scanBudget?: number;
}

export interface BrowsedRecord {
  partition: number;
  offset: number;
  timestamp: number;
  /** null: a null key; text decoded as UTF-8 (bytes that are not UTF-8 become U+FFFD). */
  key: string | null;
  /** null: a tombstone. Cut to VALUE_PREVIEW_BYTES (see valueTruncated). */
  value: string | null;
  /** The value's full size in bytes (-1: null). */
  valueBytes: number;
  valueTruncated: boolean;
  headers: [string, string | null][];
}

export interface BrowsePartitionInfo {
  partition: number;
  /** The broker read (the leader), or -1 when the partition has no leader: nothing to read. */
  leader: number;
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
}

export interface BrowseResult {
  topic: string;
  /** The virtual time of the read (the moment shown). */
  now: number;
  direction: 'forward' | 'backward';
  /** In reading order: forward by ascending timestamp, backward newest first. */
  records: BrowsedRecord[];
  partitions: BrowsePartitionInfo[];
  /** Per partition, where the next page starts. */
  resume: Record<number, number>;
  /** Nothing more to read in this direction (up to the HW, or down to the log start). */
  exhausted: boolean;
  /** Records examined (matching or not). */
  scanned: number;
  /** The page stopped because scanBudget records were examined. */
  budgetHit: boolean;
}

export const DEFAULT_BROWSE_LIMIT = 100;
export const MAX_BROWSE_LIMIT = 1000;
export const DEFAULT_SCAN_BUDGET = 50_000;
/** Values longer than this are cut for display (the full size is given). */
export const VALUE_PREVIEW_BYTES = 16 * 1024;
const KEY_PREVIEW_BYTES = 1024;
const HEADER_PREVIEW_BYTES = 1024;

/** What the browser needs of a cluster: each partition's leader log, if any. */
export interface BrowseSource {
  now: number;
  /** null: no such topic. */
  partitionCount(topic: string): number | null;
  /** The leader's broker id and log, or null when the partition has no running leader. */
  leaderLog(topic: string, partition: number): { broker: number; log: UnifiedLog } | null;
}

const decoder = new TextDecoder('utf-8');

function text(b: Uint8Array, start: number, length: number, max: number): string {
  return decoder.decode(b.subarray(start, start + Math.min(length, max)));
}

interface Candidate {
  offset: number;
  timestamp: number;
  record: BrowsedRecord;
}

interface Budget {
  left: number;
  scanned: number;
}

/** Compiled filter: lower-cased needles. */
interface Matcher {
  key: string | null;
  value: string | null;
  headerKey: string | null;
  headerValue: string | null;
}

function compile(f: BrowseFilter | undefined): Matcher {
  const norm = (s: string | undefined) => (s === undefined || s === '' ? null : s.toLowerCase());
  return {
    key: norm(f?.key),
    value: norm(f?.value),
    headerKey: f?.headerKey === undefined || f.headerKey === '' ? null : f.headerKey,
    headerValue: norm(f?.headerValue),
  };
}

/**
 * One partition's records in reading order, a batch at a time, only those that match.
 * Forward: offsets in [lo, hi) ascending; backward: descending.
 */
class PartitionCursor {
  private buf: Candidate[] = [];
  private at = 0;
  /** Forward: every offset below it was examined. Backward: every offset at or above it (and below hi). */
  private edge: number;
  private seg: number;
  private batch: number;
  private ended = false;

  constructor(
    readonly partition: number,
    private readonly log: UnifiedLog,
    private readonly forward: boolean,
    private readonly lo: number,
    private readonly hi: number,
    private readonly match: Matcher,
  ) {
    const segs = log.segments;
    if (lo >= hi || segs.length === 0) {
      this.ended = true;
      this.edge = forward ? hi : lo;
      this.seg = 0;
      this.batch = 0;
      return;
    }
    this.edge = forward ? lo : hi;
    const target = forward ? lo : hi - 1;
    let s = 0;
    for (let l = 0, h = segs.length - 1; l <= h; ) {
      const mid = (l + h) >> 1;
      if (segs[mid]!.baseOffset <= target) (s = mid), (l = mid + 1);
      else h = mid - 1;
    }
    this.seg = s;
    const seg = segs[s]!;
    const i = seg.findBatchIndex(target);
    // Backward from an offset past this segment's batches: start at its last batch.
    this.batch = forward ? i : Math.min(i, seg.count - 1);
  }

  /** Where this partition's next page starts. */
  get resume(): number {
    const head = this.buf[this.at];
    if (head) return this.forward ? head.offset : head.offset + 1;
    return this.edge;
  }

  get exhausted(): boolean {
    return this.at >= this.buf.length && (this.ended || (this.forward ? this.edge >= this.hi : this.edge <= this.lo));
  }

  /** The next matching record, or null at the end or when the budget ran out. */
  head(budget: Budget): Candidate | null {
    while (this.at >= this.buf.length) {
      if (this.ended || budget.left <= 0) return null;
      this.loadNextBatch(budget);
    }
    return this.buf[this.at]!;
  }

  take(): void {
    this.at++;
  }

  private nextBatch(): Uint8Array | null {
    const segs = this.log.segments;
    while (this.seg >= 0 && this.seg < segs.length) {
      const seg = segs[this.seg]!;
      if (this.batch >= 0 && this.batch < seg.count) {
        const b = seg.batchAt(this.batch);
        this.batch += this.forward ? 1 : -1;
        return b;
      }
      this.seg += this.forward ? 1 : -1;
      if (this.seg >= 0 && this.seg < segs.length) this.batch = this.forward ? 0 : segs[this.seg]!.count - 1;
    }
    return null;
  }

  private loadNextBatch(budget: Budget): void {
    this.buf = [];
    this.at = 0;
    const b = this.nextBatch();
    if (!b || (this.forward ? batchBaseOffset(b) >= this.hi : batchNextOffset(b) <= this.lo)) {
      this.ended = true;
      this.edge = this.forward ? this.hi : this.lo;
      return;
    }
    const m = this.match;
    const out: Candidate[] = [];
    const partition = this.partition;
    const lo = this.lo;
    const hi = this.hi;
    let examined = 0;
    // Transaction markers are never handed to a consumer (a read_uncommitted one reads the rest).
    const control = batchIsControl(b);
    forEachRecord(b, (offset, timestamp, batch, ks, kl, vs, vl, hs, hc) => {
      if (control || offset < lo || offset >= hi) return;
      examined++;
      let keyText: string | null = null;
      if (m.key !== null) {
        if (kl < 0) return;
        keyText = decoder.decode(batch.subarray(ks, ks + kl));
        if (!keyText.toLowerCase().includes(m.key)) return;
      }
      if (m.value !== null) {
        if (vl < 0) return;
        if (!decoder.decode(batch.subarray(vs, vs + vl)).toLowerCase().includes(m.value)) return;
      }
      let headers: [string, string | null][] | null = null;
      if (m.headerKey !== null) {
        if (hc <= 0) return;
        const hs2 = readHeaders(batch, hs, hc);
        const hit = hs2.some(
          (h) => h.key === m.headerKey && (m.headerValue === null || (h.value !== null && decoder.decode(h.value).toLowerCase().includes(m.headerValue))),
        );
        if (!hit) return;
        headers = hs2.map((h) => [h.key, h.value === null ? null : text(h.value, 0, h.value.length, HEADER_PREVIEW_BYTES)]);
      }
      if (headers === null) {
        headers = hc > 0 ? readHeaders(batch, hs, hc).map((h) => [h.key, h.value === null ? null : text(h.value, 0, h.value.length, HEADER_PREVIEW_BYTES)]) : [];
      }
      const record: BrowsedRecord = {
        partition,
        offset,
        timestamp,
        key: kl < 0 ? null : keyText !== null && keyText.length <= KEY_PREVIEW_BYTES ? keyText : text(batch, ks, kl, KEY_PREVIEW_BYTES),
        value: vl < 0 ? null : text(batch, vs, vl, VALUE_PREVIEW_BYTES),
        valueBytes: vl < 0 ? -1 : vl,
        valueTruncated: vl > VALUE_PREVIEW_BYTES,
        headers,
      };
      out.push({ offset, timestamp, record });
    });
    budget.left -= examined;
    budget.scanned += examined;
    if (!this.forward) out.reverse();
    this.buf = out;
    // Examined the whole batch within [lo, hi).
    this.edge = this.forward ? Math.min(batchNextOffset(b), hi) : Math.max(batchBaseOffset(b), lo);
  }
}

function clampInt(v: unknown, lo: number, hi: number, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.floor(v))) : dflt;
}

/** Reads one page; throws with a clear message on an unknown topic or partition. */
export function browseRecords(source: BrowseSource, req: BrowseRequest): BrowseResult {
  const count = source.partitionCount(req.topic);
  if (count === null) throw new Error(`There is no topic named "${req.topic}" at this moment.`);
  const wanted = req.partitions && req.partitions.length > 0 ? [...new Set(req.partitions)].sort((a, b) => a - b) : Array.from({ length: count }, (_, i) => i);
  for (const p of wanted) {
    if (!Number.isInteger(p) || p < 0 || p >= count) throw new Error(`Topic ${req.topic} has no partition ${String(p)} (it has ${count}).`);
  }
  const limit = clampInt(req.limit, 1, MAX_BROWSE_LIMIT, DEFAULT_BROWSE_LIMIT);
  const totalBudget = clampInt(req.scanBudget, 1, Number.MAX_SAFE_INTEGER, DEFAULT_SCAN_BUDGET);
  const forward = req.start.from !== 'newest';
  const match = compile(req.filter);
  const infos: BrowsePartitionInfo[] = [];
  const cursors: PartitionCursor[] = [];
  for (const p of wanted) {
    const leader = source.leaderLog(req.topic, p);
    if (!leader) {
      infos.push({ partition: p, leader: -1, logStartOffset: 0, highWatermark: 0, logEndOffset: 0 });
      continue;
    }
    const log = leader.log;
    const start = log.logStartOffset;
    const hw = log.highWatermark;
    infos.push({ partition: p, leader: leader.broker, logStartOffset: start, highWatermark: hw, logEndOffset: log.logEndOffset });
    const resume = req.resume?.[p];
    let lo = start;
    let hi = hw;
    if (forward) {
      if (resume !== undefined) lo = Math.max(start, resume);
      else if (req.start.from === 'offset') lo = Math.max(start, Math.floor(req.start.offset));
      else if (req.start.from === 'timestamp') lo = log.offsetForTimestamp(req.start.timestamp) ?? hw;
    } else if (resume !== undefined) hi = Math.min(hw, resume);
    cursors.push(new PartitionCursor(p, log, forward, lo, Math.max(lo, hi), match));
  }
  // Each partition may examine its share of the budget: one that matches nothing cannot
  // use it all up before the others are read.
  const share = Math.max(1, Math.ceil(totalBudget / Math.max(1, cursors.length)));
  const budgets = cursors.map((): Budget => ({ left: share, scanned: 0 }));
  const records: BrowsedRecord[] = [];
  while (records.length < limit) {
    let best = -1;
    let bestHead: Candidate | null = null;
    for (let i = 0; i < cursors.length; i++) {
      const c = cursors[i]!;
      const h = c.head(budgets[i]!);
      if (!h) continue;
      if (
        !bestHead ||
        (forward ? h.timestamp < bestHead.timestamp : h.timestamp > bestHead.timestamp) ||
        (h.timestamp === bestHead.timestamp && (forward ? c.partition < cursors[best]!.partition : c.partition > cursors[best]!.partition))
      ) {
        best = i;
        bestHead = h;
      }
    }
    if (!bestHead) break;
    records.push(bestHead.record);
    cursors[best]!.take();
  }
  // A partition left unread for want of budget: the page is what was found; resume goes on from there.
  const budgetHit = cursors.some((c, i) => !c.exhausted && budgets[i]!.left <= 0 && c.head(budgets[i]!) === null);
  const scanned = budgets.reduce((n, b) => n + b.scanned, 0);
  const resume: Record<number, number> = {};
  for (const c of cursors) resume[c.partition] = c.resume;
  return {
    topic: req.topic,
    now: source.now,
    direction: forward ? 'forward' : 'backward',
    records,
    partitions: infos,
    resume,
    exhausted: cursors.every((c) => c.exhausted),
    scanned,
    budgetHit,
  };
}
