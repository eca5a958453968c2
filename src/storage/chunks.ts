/**
 * Reading a log back from its chunks, as Kafka's LogLoader recovers a segment after an
 * unclean shutdown: walk the batches, check each one's length, magic and CRC-32C, and
 * truncate the log at the first batch that is torn, corrupt, missing or out of order.
 * Whatever comes after that point is dropped, so a log read back is always a prefix of the
 * log that was written, never a log with a hole or a torn batch.
 */
import { batchBaseOffset, batchIsValid, batchNextOffset, BATCH_HEADER_SIZE, readI32 } from '../kafka/log/record-batch';
import type { LoadedLog, ManifestLog } from './types';

/** Splits `bytes` into whole batches and stops at the first invalid one. */
export function validBatches(bytes: Uint8Array, expectFrom: number): { batches: Uint8Array[]; next: number; invalidAt: number | null; reason: string | null } {
  const batches: Uint8Array[] = [];
  let pos = 0;
  let next = expectFrom;
  while (pos < bytes.length) {
    if (pos + BATCH_HEADER_SIZE > bytes.length) return { batches, next, invalidAt: pos, reason: 'a torn batch header' };
    const size = 12 + readI32(bytes, pos + 8);
    if (size < BATCH_HEADER_SIZE || pos + size > bytes.length) return { batches, next, invalidAt: pos, reason: 'a torn batch' };
    const b = bytes.subarray(pos, pos + size);
    if (!batchIsValid(b)) return { batches, next, invalidAt: pos, reason: 'a batch whose CRC does not match' };
    // Offsets only grow; compaction may leave gaps, never overlaps.
    if (batchBaseOffset(b) < next) return { batches, next, invalidAt: pos, reason: `a batch at offset ${batchBaseOffset(b)} below ${next}` };
    batches.push(b);
    next = batchNextOffset(b);
    pos += size;
  }
  return { batches, next, invalidAt: null, reason: null };
}

/**
 * A log from its manifest entry and the bytes of its ranges, in order (undefined for a
 * range whose chunk is missing; shorter than the range when the chunk is). On a cut, the
 * returned info is adjusted as Kafka's truncation would: log end offset at the cut, high
 * watermark and cleaner checkpoint no higher, leader epochs starting at or after it gone.
 */
export type ValidBatches = ReturnType<typeof validBatches>;

/**
 * `check` validates range `i` (validBatches by default); assembleImage passes one that
 * checks each stored range once however many replica logs name it.
 */
export function assembleLog(
  info: ManifestLog,
  rangeBytes: readonly (Uint8Array | undefined)[],
  check: (i: number, bytes: Uint8Array, expectFrom: number) => ValidBatches = (_i, bytes, from) => validBatches(bytes, from),
): LoadedLog {
  const batches: Uint8Array[] = [];
  let next = info.logStartOffset;
  let cut = null as LoadedLog['cut'];
  for (let i = 0; i < info.refs.length; i++) {
    const [id, , size] = info.refs[i]!;
    const bytes = rangeBytes[i];
    const dropRest = (reason: string, droppedHere: number) => {
      let dropped = droppedHere;
      for (let k = i + 1; k < info.refs.length; k++) dropped += info.refs[k]![2];
      cut = { atOffset: next, reason, droppedBytes: dropped };
    };
    if (!bytes) {
      dropRest(`chunk ${id} is missing`, size);
      break;
    }
    const r = check(i, bytes, next);
    batches.push(...r.batches);
    next = r.next;
    if (r.invalidAt !== null) {
      dropRest(`${r.reason} in chunk ${id}`, size - r.invalidAt);
      break;
    }
    if (bytes.length < size) {
      // The chunk ends early, between two batches: what the range names after it is gone.
      dropRest(`a torn batch (chunk ${id} ends early)`, size - bytes.length);
      break;
    }
  }
  // Batches past the recorded log end offset were never part of the image.
  while (batches.length > 0 && batchNextOffset(batches[batches.length - 1]!) > info.logEndOffset) {
    const b = batches.pop()!;
    cut = { atOffset: batchBaseOffset(b), reason: 'batches past the recorded log end offset', droppedBytes: (cut?.droppedBytes ?? 0) + b.length };
  }
  if (!cut) return { info, batches, cut: null };
  const leo = batches.length > 0 ? batchNextOffset(batches[batches.length - 1]!) : info.logStartOffset;
  const adjusted: ManifestLog = {
    ...info,
    logEndOffset: leo,
    highWatermark: Math.min(info.highWatermark, leo),
    epochs: info.epochs.filter((e) => e.startOffset < leo),
    segmentBases: info.segmentBases.filter((b, i) => i === 0 || b <= leo),
    firstDirtyOffset: Math.min(info.firstDirtyOffset, leo),
    tombstoneHorizons: info.tombstoneHorizons.filter(([o]) => o < leo),
  };
  return { info: adjusted, batches, cut: { ...cut, atOffset: leo } };
}
