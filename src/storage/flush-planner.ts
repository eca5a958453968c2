/**
 * Turns a running cluster into the next flush: the manifest of this instant, plus only the
 * bytes the store does not have yet.
 *
 * Batches are stored once per partition, not once per replica. A record batch is an
 * immutable byte array that every replica holding it shares (a follower appends its
 * leader's bytes by reference, a time-travel copy shares the logs' batches), so a batch's
 * bytes (its buffer and offset: BatchPlaces) are its identity: the planner remembers where
 * each stored batch lives (chunk id and byte offset) and a replica log is written as the
 * list of chunk ranges that hold its batches. A batch the store does not have yet goes into
 * this flush's chunk for its partition, whichever replica meets it first; the others name the
 * same bytes. A diverged or compacted replica holds other batches (other bytes), so it gets
 * chunk bytes of its own.
 *
 * Per replica log it remembers what the last committed flush stored (the log object, its
 * `rewrites` counter, the flushed log end offset and its ranges). Then:
 * - same log, same `rewrites`, grown: the new batches are placed and appended to its ranges;
 * - `rewrites` moved (truncation, retention, compaction) or a new log object: its ranges
 *   are derived again from where its batches are stored; only batches nobody stored are written;
 * - a chunk no log names any more is deleted in the same flush (a sweep over the ranges:
 *   truncation, retention, compaction, a deleted topic or a moved replica all end there).
 * A partition's small chunks (below MERGE_BELOW_BYTES) are merged by size tier (sizes
 * within a factor of 8): once a tier has MAX_OPEN_CHUNKS chunks they become one chunk of
 * the next tier, keeping only the batches some log still names. A long run does not leave
 * thousands of tiny records to read back, and a byte is rewritten once per tier (a few
 * times), not once per merge.
 *
 * The cursors and the chunk table only move when the store says the flush committed
 * (`commit`), so a failed or refused write loses nothing: the next plan starts from the
 * last committed state (chunks planned by a failed flush are never named again).
 */
import { writeClusterImage } from '../kafka/checkpoint';
import type { Cluster } from '../kafka/cluster';
import { durableLogs, exportDurableMeta, logInfo, logInfoLight, type LogInfo, type LogKey } from '../kafka/durable';
import { batchBaseOffset } from '../kafka/log/record-batch';
import type { UnifiedLog } from '../kafka/log/unified-log';
import type { Scenario } from '../scenario/types';
import { momentExternals } from './moment';
import { logKeyString, type ChunkWrite, type FlushPlan, type LoadedImage, type Manifest, type ManifestLog } from './types';

/**
 * The most bytes a flush puts in one chunk of a partition (a larger batch is a chunk of its
 * own). Each large chunk is one Blob built on the worker's thread, and in Chromium a Blob
 * costs that thread a few ms on top of its bytes (it is registered with the browser
 * process): in a worker, 24 MB of 40 KB batches (a flush at 200,000 records/s) took 87-112 ms
 * as 24 Blobs of 1 MiB and 56-60 ms as 3 of 8 MiB (median of 15 alternated rounds, twice).
 * A chunk is deleted once no log names any of it, so a partition may keep up to this much
 * more than its logs name (retention and compaction free space a chunk at a time).
 */
export const CHUNK_TARGET_BYTES = 8 << 20;
export const MAX_OPEN_CHUNKS = 8;
/**
 * Chunks from this size up are never merged: a flush at high load writes chunks of
 * hundreds of KB, and merging them would write every byte twice for little gain in reads.
 */
export const MERGE_BELOW_BYTES = 128 << 10;

/** A chunk of one partition's batches: stored, or planned by a flush not yet committed. */
interface Chunk {
  id: number;
  tp: string;
  size: number;
  /** 'pending' until the flush that writes it commits; 'gone' once deleted or abandoned. */
  state: 'pending' | 'stored' | 'gone';
  /** The plan that writes it. */
  plan: number;
  /** Its batches and their byte offsets, kept while it is small enough to be merged; null once sealed. */
  batches: Uint8Array[] | null;
  starts: number[] | null;
}

/** A range of a chunk named by a log (whole batches). */
interface Extent {
  chunk: Chunk;
  start: number;
  len: number;
}

/**
 * Where each stored batch lives: the id of the chunk that holds it and its byte offset there.
 * Kept by the batch's buffer, then its byte offset in it: a batch is an immutable exact-size
 * view, so a buffer, an offset and a length name its bytes (a slab of record-batch.ts holds a
 * few hundred batches side by side; a chunk read back holds all of its batches in one
 * buffer). An entry goes when its buffer does.
 *
 * Per buffer, an open-addressing table in typed arrays: no object per batch. The places are
 * as many as the batches the run keeps (600,000 a minute at 6 x 50), and the cluster's heap
 * is little else: a Map of Extent objects per buffer cost 100 bytes and two objects a batch,
 * as much heap as the batches' own views, and a major collection marks every one. Before
 * that, a WeakMap keyed by the batches themselves held an ephemeron entry per batch: V8's
 * collector walks such tables whole, and plans took 150-450 ms on average after 5 virtual
 * minutes at 6 x 50 with moments (single ones 1-12 s), against 25-30 ms.
 *
 * A chunk id is only meaningful while the planner's chunk table names it: the owner resets
 * the places when it drops its table (ids may then be reused by a restored store).
 */
export class BatchPlaces {
  private readonly byBuffer = new WeakMap<ArrayBufferLike, PlaceTable>();
  /** The chunk id and start of the place the last `find` found. */
  chunk = 0;
  start = 0;

  /** Finds where the batch with b's bytes is stored (a view of the same buffer, offset and length): into chunk and start. */
  find(b: Uint8Array): boolean {
    const t = this.byBuffer.get(b.buffer);
    if (t === undefined) return false;
    const i = t.slot(b.byteOffset);
    if (t.keys[i] === 0 || t.lens[i] !== b.length) return false;
    this.chunk = t.chunks[i]!;
    this.start = t.starts[i]!;
    return true;
  }

  set(b: Uint8Array, chunk: number, start: number): void {
    let t = this.byBuffer.get(b.buffer);
    if (t === undefined) this.byBuffer.set(b.buffer, (t = new PlaceTable()));
    t.set(b.byteOffset, b.length, chunk, start);
  }
}

/** One buffer's places, by byte offset: linear probing, the key stored as offset + 1 (0 is empty). */
class PlaceTable {
  bits = 4;
  keys = new Int32Array(1 << this.bits);
  lens = new Int32Array(1 << this.bits);
  starts = new Int32Array(1 << this.bits);
  /** Chunk ids grow for as long as the run saves: past 2^31 in a long enough one. */
  chunks = new Float64Array(1 << this.bits);
  size = 0;

  /** The slot holding byteOffset, or the empty one where it would go. */
  slot(byteOffset: number): number {
    const key = byteOffset + 1;
    const mask = this.keys.length - 1;
    let i = Math.imul(key, 0x9e3779b1) >>> (32 - this.bits);
    for (;;) {
      const k = this.keys[i]!;
      if (k === key || k === 0) return i;
      i = (i + 1) & mask;
    }
  }

  set(byteOffset: number, len: number, chunk: number, start: number): void {
    let i = this.slot(byteOffset);
    if (this.keys[i] === 0) {
      // At most three quarters full, so a probe ends soon.
      if ((this.size + 1) * 4 > this.keys.length * 3) {
        this.grow();
        i = this.slot(byteOffset);
      }
      this.keys[i] = byteOffset + 1;
      this.size++;
    }
    this.lens[i] = len;
    this.chunks[i] = chunk;
    this.starts[i] = start;
  }

  private grow(): void {
    const { keys, lens, chunks, starts } = this;
    this.bits++;
    const n = 1 << this.bits;
    this.keys = new Int32Array(n);
    this.lens = new Int32Array(n);
    this.starts = new Int32Array(n);
    this.chunks = new Float64Array(n);
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === 0) continue;
      const i = this.slot(keys[j]! - 1);
      this.keys[i] = keys[j]!;
      this.lens[i] = lens[j]!;
      this.chunks[i] = chunks[j]!;
      this.starts[i] = starts[j]!;
    }
  }
}

interface Cursor {
  key: LogKey;
  log: UnifiedLog;
  rewrites: number;
  /** Log end offset covered by the stored ranges. */
  leo: number;
  refs: Extent[];
  cleaner: { firstDirtyOffset: number; tombstoneHorizons: [number, number][] };
}

export interface PlannedFlush {
  plan: FlushPlan;
  /** Call once the store committed the plan. */
  commit(): void;
}

export class FlushPlanner {
  private cursors = new Map<string, Cursor>();
  /**
   * Which log a log object is: each object its own, except that a copy made by a checkpoint
   * hand-over (`follow`) is the log it copies (same moment, same bytes: what is stored for
   * one is stored for the other).
   */
  private logIds = new WeakMap<UnifiedLog, number>();
  private nextLogId = 1;
  /** The stored chunks, by id. */
  private chunks = new Map<number, Chunk>();
  private nextChunk = 1;
  /** Where a batch is stored (valid while its chunk is stored, or pending in the current plan). */
  private where = new BatchPlaces();
  private planSeq = 0;
  /**
   * Chunks the last plan created, by id: abandoned if that plan never committed. With
   * this.chunks, what a place's chunk id names while a plan is made.
   */
  private lastCreated = new Map<number, Chunk>();
  /**
   * The batches the last committed plan placed (appended since the flush before it): with this
   * plan's, where a moment looks for the stored copy of a batch a producer still holds in flight.
   */
  private recentlyPlaced: Uint8Array[] = [];
  private flushSeq = 0;
  private scenario: Scenario | null = null;
  private scenarioRev = 0;
  /** Revision the store holds; -1 when unknown (a new run, a reset, a takeover). */
  private storedScenarioRev = -1;
  private scenarioDirty = true;
  /** Until a flush commits, the store may hold another run's chunks: the first flush replaces them all. */
  private replaceAll = true;

  /**
   * `scenarioOf` gives the document to store (the worker adds the diagram layout to it);
   * `playingOf`, when given, makes every flush carry the exact moment (Manifest.moment).
   */
  constructor(
    private readonly scenarioOf: (c: Cluster) => Scenario = (c) => c.scenario(),
    private readonly playingOf: ((c: Cluster) => boolean) | null = null,
  ) {}

  /** The scenario document changed (an action, a layout move): store it with the next flush. */
  markScenarioChanged(): void {
    this.scenarioDirty = true;
  }

  /** Forget what is stored: the next flush rewrites every log (a new run, a reset, a takeover). */
  forgetStored(): void {
    this.cursors.clear();
    this.dropChunkTable();
    this.replaceAll = true;
    this.storedScenarioRev = -1;
    this.scenarioDirty = true;
  }

  /**
   * The run goes on in `next`, an exact copy of `prev` at the same moment (a time-travel
   * checkpoint kept `prev`): its logs are the same logs, nothing needs rewriting.
   */
  follow(prev: Cluster, next: Cluster): void {
    const before = new Map<string, UnifiedLog>();
    for (const { key, log } of durableLogs(prev)) before.set(logKeyString(key), log);
    for (const { key, log } of durableLogs(next)) {
      const was = before.get(logKeyString(key));
      if (was && was !== log && was.logEndOffset === log.logEndOffset && was.rewrites === log.rewrites) this.logIds.set(log, this.logId(was));
    }
  }

  private logId(log: UnifiedLog): number {
    let id = this.logIds.get(log);
    if (id === undefined) {
      id = this.nextLogId++;
      this.logIds.set(log, id);
    }
    return id;
  }

  /** Forgets every chunk: locations of batches in them are no longer valid. */
  private dropChunkTable(): void {
    for (const c of this.chunks.values()) release(c);
    for (const c of this.lastCreated.values()) release(c);
    this.chunks = new Map();
    this.lastCreated = new Map();
    // Places name chunks by id: none of them is valid now, and a restored store may reuse the ids.
    this.where = new BatchPlaces();
    this.recentlyPlaced = [];
  }

  /** Where the batch with b's bytes is stored, if a chunk known to this planner holds it. */
  private whereStored(b: Uint8Array): Extent | undefined {
    if (!this.where.find(b)) return undefined;
    const chunk = this.chunks.get(this.where.chunk) ?? this.lastCreated.get(this.where.chunk);
    return chunk && { chunk, start: this.where.start, len: b.length };
  }

  private valid(c: Chunk): boolean {
    return c.state === 'stored' || (c.state === 'pending' && c.plan === this.planSeq);
  }

  /** After restoring `cluster` from `image`: its logs are what the store holds (those read back whole). */
  adopt(cluster: Cluster, image: LoadedImage): void {
    this.cursors.clear();
    this.dropChunkTable();
    this.replaceAll = false;
    this.flushSeq = image.manifest.flushSeq;
    this.scenarioRev = image.manifest.scenarioRev;
    this.storedScenarioRev = image.manifest.scenarioRev;
    this.scenario = null;
    this.scenarioDirty = true;
    let maxId = 0;
    // Chunks read back are sealed (their batch lists are not kept): never merged, swept when no log names them.
    for (const [id, size] of image.manifest.chunks) {
      this.chunks.set(id, { id, tp: '', size, state: 'stored', plan: 0, batches: null, starts: null });
      maxId = Math.max(maxId, id);
    }
    this.nextChunk = Math.max(this.nextChunk, image.manifest.nextChunk, maxId + 1);
    const byKey = new Map(image.logs.map((l) => [logKeyString(l.info), l]));
    for (const { key, log } of durableLogs(cluster)) {
      const loaded = byKey.get(logKeyString(key));
      // A cut log's ranges hold bytes past the cut: it is written again by the first flush.
      if (!loaded || loaded.cut || log.logEndOffset !== loaded.info.logEndOffset) continue;
      const refs: Extent[] = [];
      for (const [id, start, len] of loaded.info.refs) {
        const chunk = this.chunks.get(id);
        if (!chunk) break;
        refs.push({ chunk, start, len });
      }
      if (refs.length !== loaded.info.refs.length) continue;
      // The restored log's batches are the batches read back (same lengths, same offsets):
      // where each one lives follows from the ranges. Checked whole before anything is noted.
      const batches = log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER, log.logEndOffset).batches;
      if (batches.length !== loaded.batches.length) continue;
      const places: Extent[] = [];
      let k = 0;
      let pos = 0;
      let ok = true;
      for (let i = 0; i < batches.length && ok; i++) {
        const b = batches[i]!;
        const e = refs[k];
        if (!e || b.length !== loaded.batches[i]!.length || batchBaseOffset(b) !== batchBaseOffset(loaded.batches[i]!) || pos + b.length > e.len) ok = false;
        else {
          places.push({ chunk: e.chunk, start: e.start + pos, len: b.length });
          pos += b.length;
          if (pos === e.len) {
            k++;
            pos = 0;
          }
        }
      }
      if (!ok || k !== refs.length) continue;
      batches.forEach((b, i) => this.where.set(b, places[i]!.chunk.id, places[i]!.start));
      this.cursors.set(logKeyString(key), {
        key,
        log,
        rewrites: log.rewrites,
        leo: log.logEndOffset,
        refs,
        cleaner: { firstDirtyOffset: loaded.info.firstDirtyOffset, tombstoneHorizons: loaded.info.tombstoneHorizons },
      });
    }
  }

  plan(cluster: Cluster, savedAtWallMs: number): PlannedFlush {
    // Chunks planned by a flush that never committed are abandoned.
    for (const c of this.lastCreated.values()) if (c.state === 'pending') release(c);
    const planId = ++this.planSeq;
    const created = new Map<number, Chunk>();
    this.lastCreated = created;
    /** Batches this plan places (new since the last flush). */
    const placed: Uint8Array[] = [];
    /** The chunk this flush fills for each partition. */
    const filling = new Map<string, Chunk>();
    const newChunk = (tp: string): Chunk => {
      const c: Chunk = { id: this.nextChunk++, tp, size: 0, state: 'pending', plan: planId, batches: [], starts: [] };
      created.set(c.id, c);
      return c;
    };
    const place = (tp: string, b: Uint8Array): Extent => {
      const at = this.whereStored(b);
      if (at && this.valid(at.chunk)) return at;
      let c = filling.get(tp);
      if (!c || (c.size > 0 && c.size + b.length > CHUNK_TARGET_BYTES)) {
        c = newChunk(tp);
        filling.set(tp, c);
      }
      const p = { chunk: c, start: c.size, len: b.length };
      c.batches!.push(b);
      c.starts!.push(c.size);
      c.size += b.length;
      this.where.set(b, c.id, p.start);
      placed.push(b);
      return p;
    };

    interface Row {
      key: LogKey;
      log: UnifiedLog;
      rewrites: number;
      info: LogInfo;
      refs: Extent[];
      cleaner: Cursor['cleaner'];
    }
    const rows: Row[] = [];
    for (const { key, log } of durableLogs(cluster)) {
      const cur = this.cursors.get(logKeyString(key));
      const grown = cur && this.logId(cur.log) === this.logId(log) && cur.rewrites === log.rewrites && log.logEndOffset >= cur.leo;
      let refs: Extent[];
      let from: number;
      let info: LogInfo;
      let cleaner: Cursor['cleaner'];
      if (grown) {
        refs = cur.refs.slice();
        from = cur.leo;
        cleaner = cur.cleaner;
        info = logInfoLight(key, log, cleaner);
      } else {
        // Rewritten (or new): its ranges are derived again from where its batches are stored.
        refs = [];
        from = log.logStartOffset;
        info = logInfo(key, log);
        cleaner = { firstDirtyOffset: info.firstDirtyOffset, tombstoneHorizons: info.tombstoneHorizons };
      }
      if (log.logEndOffset > from) {
        for (const b of log.read(from, Number.MAX_SAFE_INTEGER, log.logEndOffset).batches) {
          const { chunk, start } = place(key.tp, b);
          const last = refs[refs.length - 1];
          // Extents are never changed in place: the committed cursor may share them.
          if (last && last.chunk === chunk && last.start + last.len === start) refs[refs.length - 1] = { chunk, start: last.start, len: last.len + b.length };
          else refs.push({ chunk, start, len: b.length });
        }
      }
      rows.push({ key, log, rewrites: log.rewrites, info, refs, cleaner });
    }

    this.mergeSmallChunks(rows, newChunk);

    const named = new Set<Chunk>();
    for (const r of rows) for (const e of r.refs) named.add(e.chunk);
    const deleted = [...this.chunks.values()].filter((c) => !named.has(c));
    const written = [...created.values()].filter((c) => named.has(c));
    // The batches themselves, not a concatenated copy: the store writes them out once.
    const chunks: ChunkWrite[] = written.map((c) => ({ id: c.id, tp: c.tp, batches: c.batches!.slice(), size: c.size }));
    let chunkBytes = 0;
    for (const c of chunks) chunkBytes += c.size;
    const table: [number, number][] = [...named].map((c) => [c.id, c.size] as [number, number]).sort((x, y) => x[0] - y[0]);

    const next = new Map<string, Cursor>();
    const logs: ManifestLog[] = [];
    for (const r of rows) {
      next.set(logKeyString(r.key), { key: r.key, log: r.log, rewrites: r.rewrites, leo: r.info.logEndOffset, refs: r.refs, cleaner: r.cleaner });
      logs.push({ ...r.info, refs: r.refs.map((e) => [e.chunk.id, e.start, e.len]) });
    }

    if (this.scenarioDirty || !this.scenario) {
      this.scenario = this.scenarioOf(cluster);
      this.scenarioRev++;
      this.scenarioDirty = false;
    }
    const doc = this.scenario;
    const rev = this.scenarioRev;
    const meta = exportDurableMeta(cluster, doc.timeline ?? []);
    const manifest: Manifest = {
      format: meta.format,
      flushSeq: this.flushSeq + 1,
      timeMs: cluster.now,
      savedAtWallMs,
      cluster: meta,
      scenarioRev: rev,
      logs,
      chunks: table,
      nextChunk: this.nextChunk,
    };
    if (this.playingOf) {
      // The moment names the logs' batches by what this flush stores (see moment.ts): a
      // segment by its stored log, a batch met elsewhere by its place in a chunk some log's
      // ranges cover (which chunk places are covered is worked out only if one is asked for).
      let covered: Map<Chunk, [number, number][]> | null = null;
      const placeOf = (b: Uint8Array): [number, number] | undefined => {
        const at = this.whereStored(b);
        if (!at || !named.has(at.chunk)) return undefined;
        covered ??= coverage(rows);
        return covers(covered.get(at.chunk), at.start) ? [at.chunk.id, at.start] : undefined;
      };
      // A batch a producer still holds (sent, awaiting its acknowledgement) is the leader's
      // stored copy but for the first 16 bytes (base offset and leader epoch, which the
      // leader stamps, outside the CRC): named by that copy's place and its own 16 bytes.
      // Candidates are the batches placed by this flush and the one before, by CRC.
      let byCrc: Map<number, Uint8Array> | null = null;
      const likeOf = (b: Uint8Array): [number, number, number[]] | undefined => {
        if (b.length < BATCH_OVERHEAD) return undefined;
        if (!byCrc) {
          byCrc = new Map();
          for (const list of [this.recentlyPlaced, placed]) for (const x of list) if (x.length >= BATCH_OVERHEAD) byCrc.set(batchCrcField(x), x);
        }
        const c = byCrc.get(batchCrcField(b));
        if (!c || c.length !== b.length || !sameFrom(b, c, STAMPED_BYTES)) return undefined;
        const at = placeOf(c);
        return at ? [at[0], at[1], Array.from(b.subarray(0, STAMPED_BYTES))] : undefined;
      };
      manifest.moment = { image: writeClusterImage(cluster, momentExternals(cluster, placeOf, likeOf)), playing: this.playingOf(cluster) };
    }
    const replaceAll = this.replaceAll;
    const plan: FlushPlan = replaceAll ? { manifest, replaceAll, deleteChunks: [], chunks, chunkBytes } : { manifest, deleteChunks: deleted.map((c) => c.id), chunks, chunkBytes };
    if (this.storedScenarioRev !== rev) plan.scenario = { rev, doc };
    return {
      plan,
      commit: () => {
        for (const c of replaceAll ? [...this.chunks.values()] : deleted) {
          this.chunks.delete(c.id);
          release(c);
        }
        for (const c of created.values()) {
          if (!named.has(c)) {
            release(c);
            continue;
          }
          c.state = 'stored';
          if (c.size >= MERGE_BELOW_BYTES) c.batches = c.starts = null;
          this.chunks.set(c.id, c);
        }
        this.cursors = next;
        this.recentlyPlaced = placed;
        this.flushSeq = manifest.flushSeq;
        this.storedScenarioRev = rev;
        if (replaceAll) this.replaceAll = false;
      },
    };
  }

  /**
   * MAX_OPEN_CHUNKS small stored chunks of one partition and one size tier are merged into
   * one new chunk holding only the batches some log still names; every range is moved to it.
   * The partition's smaller chunks (lower tiers) go with them: a flush's chunk lands in one
   * tier or the next as its size wavers around a boundary, and two tiers merged apart held
   * alternate runs of the partition's offsets, so each log's ranges alternated between them.
   */
  private mergeSmallChunks(rows: { key: LogKey; refs: Extent[] }[], newChunk: (tp: string) => Chunk): void {
    const byTp = new Map<string, Map<number, Chunk[]>>();
    for (const c of this.chunks.values()) {
      if (!c.batches || c.size >= MERGE_BELOW_BYTES) continue;
      const tier = Math.floor(Math.log2(Math.max(1, c.size)) / 3);
      let tiers = byTp.get(c.tp);
      if (!tiers) byTp.set(c.tp, (tiers = new Map()));
      const list = tiers.get(tier);
      if (list) list.push(c);
      else tiers.set(tier, [c]);
    }
    for (const tiers of byTp.values()) {
      let top = -1;
      for (const [tier, l] of tiers) if (l.length >= MAX_OPEN_CHUNKS && tier > top) top = tier;
      if (top < 0) continue;
      const list: Chunk[] = [];
      for (const [tier, l] of tiers) if (tier <= top) list.push(...l);
      const tp = list[0]!.tp;
      // By their first batch: the order that batches at one offset (replicas that diverged) keep below.
      list.sort((x, y) => batchBaseOffset(x.batches![0]!) - batchBaseOffset(y.batches![0]!) || x.id - y.id);
      const merging = new Set(list);
      const tpRows = rows.filter((r) => r.key.tp === tp);
      const live = new Map<Chunk, [number, number][]>();
      for (const r of tpRows) {
        for (const e of r.refs) {
          if (!merging.has(e.chunk)) continue;
          const ranges = live.get(e.chunk);
          if (ranges) ranges.push([e.start, e.start + e.len]);
          else live.set(e.chunk, [[e.start, e.start + e.len]]);
        }
      }
      const into = newChunk(tp);
      const moved = new Map<Chunk, Map<number, number>>();
      // The live batches of every merging chunk, then laid out in offset order: chunk by chunk,
      // a chunk that is itself a merge (holding older batches than its neighbours, and newer
      // ones) interleaved the partition's offsets, each log's ranges in the merged chunk broke
      // up at every seam, and the manifest's ranges grew with every batch written (6 x 50:
      // 350 ranges a log after a minute, 40,000 in the manifest, each flush writing them all).
      // In offset order a log's batches here are one range per run the merging chunks hold.
      const kept: { b: Uint8Array; from: Map<number, number>; s: number; base: number }[] = [];
      for (const c of list) {
        const map = new Map<number, number>();
        moved.set(c, map);
        const ranges = (live.get(c) ?? []).sort((x, y) => x[0] - y[0]);
        let r = 0;
        for (let i = 0; i < c.batches!.length; i++) {
          const s = c.starts![i]!;
          while (r < ranges.length && ranges[r]![1] <= s) r++;
          if (r >= ranges.length || ranges[r]![0] > s) continue; // no log names it any more
          const b = c.batches![i]!;
          kept.push({ b, from: map, s, base: batchBaseOffset(b) });
        }
      }
      // Stable: batches at one offset (replicas that diverged) keep the order they had.
      kept.sort((x, y) => x.base - y.base);
      for (const { b, from, s } of kept) {
        from.set(s, into.size);
        this.where.set(b, into.id, into.size);
        into.batches!.push(b);
        into.starts!.push(into.size);
        into.size += b.length;
      }
      for (const r of tpRows) {
        const out: Extent[] = [];
        for (const e of r.refs) {
          const map = moved.get(e.chunk);
          const m = map ? { chunk: into, start: map.get(e.start)!, len: e.len } : e;
          const last = out[out.length - 1];
          if (last && last.chunk === m.chunk && last.start + last.len === m.start) out[out.length - 1] = { chunk: m.chunk, start: last.start, len: last.len + m.len };
          else out.push(m);
        }
        r.refs = out;
      }
    }
  }
}

/** A record batch's fixed header (v2): the smallest length that can be one. */
const BATCH_OVERHEAD = 61;
/** Bytes a leader stamps on a producer's batch: base offset, batch length (unchanged), partition leader epoch. */
const STAMPED_BYTES = 16;

/** The batch's CRC field (bytes 17..20, over its attributes to its end). */
function batchCrcField(b: Uint8Array): number {
  return ((b[17]! << 24) | (b[18]! << 16) | (b[19]! << 8) | b[20]!) >>> 0;
}

/**
 * Whether a and b (of one length) hold the same bytes from `from` (a multiple of 4) on: four
 * bytes at a time where both are 4-aligned (a flush compares megabytes of in-flight batches).
 */
function sameFrom(a: Uint8Array, b: Uint8Array, from: number): boolean {
  let i = from;
  if (((a.byteOffset | b.byteOffset) & 3) === 0) {
    const words = (a.length - from) >> 2;
    const wa = new Int32Array(a.buffer, a.byteOffset + from, words);
    const wb = new Int32Array(b.buffer, b.byteOffset + from, words);
    for (let w = 0; w < words; w++) if (wa[w] !== wb[w]) return false;
    i = from + words * 4;
  }
  for (; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The byte ranges of each chunk that some log names, merged, in order. */
function coverage(rows: readonly { refs: readonly Extent[] }[]): Map<Chunk, [number, number][]> {
  const by = new Map<Chunk, [number, number][]>();
  for (const r of rows) {
    for (const e of r.refs) {
      const list = by.get(e.chunk);
      if (list) list.push([e.start, e.start + e.len]);
      else by.set(e.chunk, [[e.start, e.start + e.len]]);
    }
  }
  for (const [c, list] of by) {
    list.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const iv of list) {
      const last = merged[merged.length - 1];
      if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
      else merged.push([iv[0], iv[1]]);
    }
    by.set(c, merged);
  }
  return by;
}

/** Whether a batch starting at `start` lies in one of the ranges (ranges hold whole batches). */
function covers(ranges: readonly [number, number][] | undefined, start: number): boolean {
  if (!ranges) return false;
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid]!;
    if (start < a) hi = mid - 1;
    else if (start >= b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** A chunk that is deleted or abandoned: nothing may be placed in it again. */
function release(c: Chunk): void {
  c.state = 'gone';
  c.batches = null;
  c.starts = null;
}
