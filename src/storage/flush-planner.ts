/**
 * Turns a running cluster into the next flush: the manifest of this instant, plus only the
 * bytes the store does not have yet.
 *
 * Per replica log it remembers what the last committed flush stored (the log object, its
 * `rewrites` counter, the flushed log end offset and the chunks). Then:
 * - same log, same `rewrites`, grown: append one chunk with the batches since the flushed
 *   end (batches are immutable once appended, so these bytes are final);
 * - `rewrites` moved (truncation, retention, compaction) or a new log object: drop the
 *   log's chunks and write it again, in chunks of about CHUNK_TARGET_BYTES;
 * - a log that is gone (topic deleted, replica moved): drop its chunks.
 * Small trailing chunks are merged once there are MAX_OPEN_CHUNKS of them, so a long run
 * does not leave thousands of tiny records to read back; each byte is rewritten about
 * twice at most.
 *
 * The cursors only move when the store says the flush committed (`commit`), so a failed
 * or refused write loses nothing: the next plan starts from the last committed state.
 */
import { logBatchRefs, writeClusterImage } from '../kafka/checkpoint';
import type { Cluster } from '../kafka/cluster';
import { durableLogs, exportDurableMeta, logInfo, logInfoLight, type LogKey } from '../kafka/durable';
import { batchBaseOffset, concatBatches } from '../kafka/log/record-batch';
import type { UnifiedLog } from '../kafka/log/unified-log';
import type { Scenario } from '../scenario/types';
import { logKeyString, type ChunkWrite, type FlushPlan, type LoadedImage, type Manifest, type ManifestLog } from './types';

export const CHUNK_TARGET_BYTES = 1 << 20;
export const MAX_OPEN_CHUNKS = 8;

interface Cursor {
  key: LogKey;
  log: UnifiedLog;
  rewrites: number;
  /** Log end offset covered by the stored chunks. */
  leo: number;
  chunks: [number, number][];
  cleaner: { firstDirtyOffset: number; tombstoneHorizons: [number, number][] };
}

export interface PlannedFlush {
  plan: FlushPlan;
  /** Bytes of batch data this flush writes (for MB/s figures). */
  bytes: number;
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
  /** Stored logs that the next flush must delete (found at adopt time, no longer live). */
  private orphans: LogKey[] = [];
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
    this.orphans = [];
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

  /** After restoring `cluster` from `image`: its logs are what the store holds (those read back whole). */
  adopt(cluster: Cluster, image: LoadedImage): void {
    this.cursors.clear();
    this.replaceAll = false;
    this.flushSeq = image.manifest.flushSeq;
    this.scenarioRev = image.manifest.scenarioRev;
    this.storedScenarioRev = image.manifest.scenarioRev;
    this.scenario = null;
    this.scenarioDirty = true;
    const byKey = new Map(image.logs.map((l) => [logKeyString(l.info), l]));
    for (const { key, log } of durableLogs(cluster)) {
      const loaded = byKey.get(logKeyString(key));
      // A cut log's chunks hold bytes past the cut: it is rewritten by the first flush.
      if (!loaded || loaded.cut || log.logEndOffset !== loaded.info.logEndOffset) continue;
      this.cursors.set(logKeyString(key), {
        key,
        log,
        rewrites: log.rewrites,
        leo: log.logEndOffset,
        chunks: loaded.info.chunks.map(([f, n]) => [f, n]),
        cleaner: { firstDirtyOffset: loaded.info.firstDirtyOffset, tombstoneHorizons: loaded.info.tombstoneHorizons },
      });
    }
    this.orphans = image.logs.filter((l) => !this.cursors.has(logKeyString(l.info))).map((l) => ({ broker: l.info.broker, tp: l.info.tp }));
  }

  plan(cluster: Cluster, savedAtWallMs: number): PlannedFlush {
    const next = new Map<string, Cursor>();
    const dropLogs: LogKey[] = [...this.orphans];
    const deleteChunks: FlushPlan['deleteChunks'] = [];
    const chunks: ChunkWrite[] = [];
    const logs: ManifestLog[] = [];
    let bytes = 0;
    for (const { key, log } of durableLogs(cluster)) {
      const id = logKeyString(key);
      const cur = this.cursors.get(id);
      if (!cur || this.logId(cur.log) !== this.logId(log) || cur.rewrites !== log.rewrites || log.logEndOffset < cur.leo) {
        // Rewrite: whatever was stored for this log goes; all it holds now is written.
        dropLogs.push(key);
        const info = logInfo(key, log);
        const list: [number, number][] = [];
        for (const c of chunked(log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER, log.logEndOffset).batches)) {
          chunks.push({ ...key, firstOffset: c.first, bytes: c.bytes });
          list.push([c.first, c.bytes.length]);
          bytes += c.bytes.length;
        }
        next.set(id, { key, log, rewrites: log.rewrites, leo: log.logEndOffset, chunks: list, cleaner: { firstDirtyOffset: info.firstDirtyOffset, tombstoneHorizons: info.tombstoneHorizons } });
        logs.push({ ...info, chunks: list });
        continue;
      }
      let list = cur.chunks;
      if (log.logEndOffset > cur.leo) {
        // Trailing chunks below the target size are merged with the new bytes once there
        // are MAX_OPEN_CHUNKS of them; otherwise the new bytes make one more chunk. Stores
        // apply deletes before puts, so a merged chunk may take the key of one it replaces.
        let open = 0;
        while (open < list.length && list[list.length - 1 - open]![1] < CHUNK_TARGET_BYTES) open++;
        const merge = open >= MAX_OPEN_CHUNKS ? open : 0;
        const from = merge > 0 ? list[list.length - merge]![0] : cur.leo;
        const batches = log.read(from, Number.MAX_SAFE_INTEGER, log.logEndOffset).batches;
        if (batches.length > 0) {
          for (const [first] of list.slice(list.length - merge)) deleteChunks.push({ ...key, firstOffset: first });
          const joined = concatBatches(batches);
          const first = batchBaseOffset(batches[0]!);
          chunks.push({ ...key, firstOffset: first, bytes: joined });
          list = [...list.slice(0, list.length - merge), [first, joined.length]];
          bytes += joined.length;
        }
      }
      next.set(id, { key, log, rewrites: cur.rewrites, leo: log.logEndOffset, chunks: list, cleaner: cur.cleaner });
      logs.push({ ...logInfoLight(key, log, cur.cleaner), chunks: list });
    }
    for (const [id, cur] of this.cursors) if (!next.has(id)) dropLogs.push({ broker: cur.key.broker, tp: cur.key.tp });

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
    };
    if (this.playingOf) manifest.moment = { image: writeClusterImage(cluster, logBatchRefs(cluster)), playing: this.playingOf(cluster) };
    const replaceAll = this.replaceAll;
    const plan: FlushPlan = replaceAll ? { manifest, replaceAll, dropLogs: [], deleteChunks: [], chunks } : { manifest, dropLogs: dedupe(dropLogs), deleteChunks, chunks };
    if (this.storedScenarioRev !== rev) plan.scenario = { rev, doc };
    return {
      plan,
      bytes,
      commit: () => {
        this.cursors = next;
        this.orphans = [];
        this.flushSeq = manifest.flushSeq;
        this.storedScenarioRev = rev;
        if (replaceAll) this.replaceAll = false;
      },
    };
  }
}

function dedupe(keys: LogKey[]): LogKey[] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = logKeyString(k);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Groups batches into chunks of about CHUNK_TARGET_BYTES (never splitting a batch). */
function chunked(batches: readonly Uint8Array[]): { first: number; bytes: Uint8Array }[] {
  const out: { first: number; bytes: Uint8Array }[] = [];
  let group: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    if (group.length === 0) return;
    out.push({ first: batchBaseOffset(group[0]!), bytes: concatBatches(group) });
    group = [];
    size = 0;
  };
  for (const b of batches) {
    if (size > 0 && size + b.length > CHUNK_TARGET_BYTES) flush();
    group.push(b);
    size += b.length;
  }
  flush();
  return out;
}
