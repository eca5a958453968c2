/**
 * The exact moment as a flush stores it (Manifest.moment), without the logs' batches.
 *
 * Every flush writes the whole cluster as a checkpoint image (kafka/checkpoint.ts), so a
 * reload resumes at the instant it was saved. The batches the replica logs hold are already
 * in the chunks of that same flush, and the manifest names each log's batches by its chunk
 * ranges. So the image leaves every log segment's `batches` array out and names it by the
 * stored log it is part of (a MomentToken), one token per segment: the image
 * is O(partitions + clients), not O(batches), and so is the work of writing it each flush.
 *
 * Tokens (schema 5; 'like' since schema 6):
 * - ['seg', broker, tp, firstBase, count]: a segment's batches, the `count` batches of the
 *   stored log (broker, tp) from the one at base offset `firstBase` on;
 * - ['bases', broker, tp, firstBase, count]: the same batches' base offsets (written up to
 *   cluster shape 11, whose segments kept such an array; such images are refused by shape,
 *   checkpoint.ts CLUSTER_SHAPE, so it is no longer read either);
 * - ['at', chunk, start, length]: a single batch held elsewhere in the cluster (a fetch
 *   response or a produce request in flight) that a stored log also holds, by its place in a
 *   chunk; a batch no log stores is written into the image as bytes.
 * - ['like', chunk, start, length, head] (schema 6): a batch a producer still holds in flight,
 *   sent and appended by the leader, awaiting its acknowledgement: the leader's copy, at that
 *   place, but for its first 16 bytes `head` (base offset, batch length, partition leader
 *   epoch: what the leader stamps, outside the CRC); read back as a copy of the stored batch
 *   with `head` written over. At a busy moment these are megabytes the image no longer holds.
 * A segment holding batches below its log's start (which the manifest does not store) keeps
 * its batches one by one ('at' or bytes), as any other byte array.
 * Schema 4 named every batch by a LogBatchRef [broker, tp, baseOffset]; those still resolve.
 *
 * Reading back, batches are the same bytes wherever the saved cluster shared them: the
 * batch at one place in one chunk is one view of the chunk, named by every replica log that
 * holds it (as a follower shares its leader's batches), and the logs keep its place
 * (log-segment.ts BatchList).
 */
import { isLogBatchRef, type ImageExternals, type ImageResolver } from '../kafka/checkpoint';
import type { Cluster } from '../kafka/cluster';
import { batchBaseOffset, batchNextOffset } from '../kafka/log/record-batch';
import type { LoadedLog } from './types';

export type MomentToken =
  | ['seg', broker: number, tp: string, firstBase: number, count: number]
  | ['at', chunk: number, start: number, length: number]
  | ['like', chunk: number, start: number, length: number, head: number[]];

/**
 * What the moment's image leaves out: every segment whose batches the manifest stores (all
 * at or past its log's start), and single batches by `placeOf` (their place in a chunk this
 * flush names and some log's ranges cover; undefined otherwise).
 */
export function momentExternals(
  cluster: Cluster,
  placeOf: (b: Uint8Array) => [chunk: number, start: number] | undefined,
  likeOf?: (b: Uint8Array) => [chunk: number, start: number, head: number[]] | undefined,
): ImageExternals {
  const arrays = new Map<object, unknown>();
  for (const b of cluster.brokers.values()) {
    const broker = b.brokerId;
    for (const [tp, log] of b.logs) {
      const start = log.logStartOffset;
      for (const seg of log.segments) {
        const n = seg.count;
        if (n > 0 && batchNextOffset(seg.batchAt(0)) <= start) continue; // holds batches below the log start: not all stored
        const firstBase = n === 0 ? 0 : seg.baseAt(0);
        // The array may run past the segment's count (shared with a copy): the token names count.
        arrays.set(seg.storedBatches(), ['seg', broker, tp, firstBase, n] satisfies MomentToken);
      }
    }
  }
  return {
    arrays,
    bytes: (b) => {
      const at = placeOf(b);
      if (at) return ['at', at[0], at[1], b.length] satisfies MomentToken;
      const like = likeOf?.(b);
      return like ? (['like', like[0], like[1], b.length, like[2]] satisfies MomentToken) : undefined;
    },
  };
}

/**
 * Resolves a moment's tokens from the logs read back (whole, not cut): schema 5's segment
 * and place tokens and schema 4's LogBatchRefs.
 */
/** Bytes a leader stamps on a producer's batch (a 'like' token's head). */
const STAMPED_BYTES = 16;

export function momentResolver(logs: readonly LoadedLog[]): ImageResolver {
  /** The batch object at each place: the first log met that holds it; every other log shares it. */
  const atPlace = new Map<string, Uint8Array>();
  const byLog = new Map<string, { batches: Uint8Array[]; bases: number[] }>();
  for (const l of logs) {
    const batches: Uint8Array[] = [];
    const bases: number[] = [];
    let k = 0;
    for (const [id, start, len] of l.info.refs) {
      let pos = start;
      while (pos < start + len && k < l.batches.length) {
        const b = l.batches[k++]!;
        const key = `${id}/${pos}/${b.length}`;
        let canon = atPlace.get(key);
        if (!canon) {
          canon = b;
          atPlace.set(key, b);
        }
        batches.push(canon);
        bases.push(batchBaseOffset(canon));
        pos += b.length;
      }
    }
    // Batches the ranges did not account for (never for a log read back whole) are kept as read.
    for (; k < l.batches.length; k++) {
      batches.push(l.batches[k]!);
      bases.push(batchBaseOffset(l.batches[k]!));
    }
    byLog.set(`${l.info.broker}/${l.info.tp}`, { batches, bases });
  }
  const indexOf = (bases: number[], base: number): number => {
    let lo = 0;
    let hi = bases.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = bases[mid]!;
      if (v === base) return mid;
      if (v < base) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  const segment = (t: unknown): { log: { batches: Uint8Array[]; bases: number[] }; from: number; count: number } | undefined => {
    if (!Array.isArray(t) || t.length !== 5 || t[0] !== 'seg') return undefined;
    const [, broker, tp, firstBase, count] = t as [string, unknown, unknown, unknown, unknown];
    if (typeof broker !== 'number' || typeof tp !== 'string' || typeof firstBase !== 'number' || !Number.isInteger(count) || (count as number) < 0) return undefined;
    const log = byLog.get(`${broker}/${tp}`);
    if (!log) return undefined;
    if (count === 0) return { log, from: 0, count: 0 };
    const from = indexOf(log.bases, firstBase);
    if (from < 0 || from + (count as number) > log.batches.length) return undefined;
    return { log, from, count: count as number };
  };
  return {
    bytes(t) {
      if (isLogBatchRef(t)) {
        const log = byLog.get(`${t[0]}/${t[1]}`);
        const i = log ? indexOf(log.bases, t[2]) : -1;
        return i >= 0 ? log!.batches[i] : undefined;
      }
      if (Array.isArray(t) && t.length === 4 && t[0] === 'at') return atPlace.get(`${String(t[1])}/${String(t[2])}/${String(t[3])}`);
      if (Array.isArray(t) && t.length === 5 && t[0] === 'like') {
        const head = t[4] as unknown;
        const stored = atPlace.get(`${String(t[1])}/${String(t[2])}/${String(t[3])}`);
        if (!stored || !Array.isArray(head) || head.length !== STAMPED_BYTES || !head.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) return undefined;
        const copy = stored.slice();
        copy.set(head as number[], 0);
        return copy;
      }
      return undefined;
    },
    array(t) {
      const s = segment(t);
      if (!s) return undefined;
      return s.log.batches.slice(s.from, s.from + s.count);
    },
  };
}
