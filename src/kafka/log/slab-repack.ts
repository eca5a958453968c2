/**
 * Batches are views into shared buffers (64 KiB slabs, record-batch.ts batchBytes; a reloaded
 * log's chunk) and a buffer lives while any of its batches does. Batches of many partitions
 * and topics share a slab, so a few long-lived ones (a quiet topic's retained batches, a
 * compacted topic's last values) keep whole slabs alive after retention deleted everything
 * else in them: measured (bench/slab-pinning.ts, 6 x 50 with retention.ms 10 s beside a topic
 * at 10 records/s), 60 KB of the quiet topic's batches pinned 13 MB of slabs once the busy
 * topic's data was deleted.
 *
 * repackSparseBuffers copies the batches of a mostly dead buffer (less than a quarter of it
 * still in some log) into one new buffer, packed, and puts the copies in the logs in their
 * place: the same bytes, so nothing a run can see changes, and the dead buffers can go.
 * Replicas sharing a batch get the same copy. It walks every log's batches once (~100 ms for
 * 450,000 batch references), so the cluster runs it at a coarse interval (Cluster.runUntil),
 * not per append, and only when some log dropped batches since (repackIfDropped).
 */
import { isFillingSlab } from './record-batch';
import { PlaceMap } from './place-map';
import type { UnifiedLog } from './unified-log';

/**
 * Whether any log dropped batches (retention, compaction, truncation, a deleted log) since
 * the last repack: a buffer only becomes sparse then, so without drops repackIfDropped walks
 * nothing (a run that keeps all it produced pays nothing). Process memory, as the slabs.
 */
let dropped = false;

/** A log dropped batches (or was deleted): the next repack walks the logs. */
export function noteBatchesDropped(): void {
  dropped = true;
}

/** repackSparseBuffers(logs()) if any log dropped batches since the last call; else nothing. */
export function repackIfDropped(logs: () => UnifiedLog[]): void {
  if (!dropped) return;
  dropped = false;
  repackSparseBuffers(logs());
}

/** A buffer is sparse when the bytes of its batches still in logs, times this, are below its size. */
const SPARSE = 4;

export function repackSparseBuffers(logs: readonly UnifiedLog[]): { batches: number; bytes: number } {
  // A batch is its place (log-segment.ts BatchList): replicas sharing one share its start in
  // its buffer. Live bytes per buffer, each place counted once.
  const lengths = new PlaceMap<number>();
  for (const log of logs) {
    for (const seg of log.segments) {
      const list = seg.storedBatches();
      list.forEachPlace(seg.count, (buffer, start, i) => lengths.add(buffer, start, list.lengthAt(i)));
    }
  }
  const sparse: [ArrayBufferLike, ReadonlyMap<number, number>][] = [];
  for (const [buffer, m] of lengths.buffers()) {
    let bytes = 0;
    for (const len of m.values()) bytes += len;
    if (bytes * SPARSE < buffer.byteLength && !isFillingSlab(buffer)) sparse.push([buffer, m]);
  }
  if (sparse.length === 0) return { batches: 0, bytes: 0 };
  let total = 0;
  for (const [, m] of sparse) for (const len of m.values()) total += (len + 7) & ~7; // 8-aligned starts, as batchBytes gives them
  const pack = new ArrayBuffer(total);
  /** Each moved batch's copy, by its old place. */
  const moved = new PlaceMap<Uint8Array>();
  let pos = 0;
  let bytes = 0;
  for (const [buffer, m] of sparse) {
    for (const [start, len] of m) {
      const copy = new Uint8Array(pack, pos, len);
      copy.set(new Uint8Array(buffer, start, len));
      moved.add(buffer, start, copy);
      pos += (len + 7) & ~7;
      bytes += len;
    }
  }
  const copyOf = (buffer: ArrayBufferLike, start: number): Uint8Array | undefined => moved.get(buffer, start);
  for (const log of logs) for (const seg of log.segments) seg.moveToSameBytes(copyOf);
  const batches = moved.size;
  return { batches, bytes };
}
