/**
 * The storage seam: what the worker asks of "the brokers' disks". One interface
 * (`ClusterStore`), two implementations: IndexedDB in the browser (idb-store.ts) and
 * memory in Node (memory-store.ts), so the flush logic and the restore path are tested
 * without a browser.
 *
 * The stored image is a manifest plus binary chunks:
 * - `manifest`: one document rewritten by every flush (virtual time, the cluster's
 *   durable metadata as an opaque JSON value, the table of stored chunks, and one entry per
 *   replica log: its offsets, leader-epoch checkpoint, segment bases and the byte ranges of
 *   chunks that hold its batches);
 * - chunks: key chunk id → whole record batches of one partition, back to back, exactly as
 *   the logs hold them (Kafka's segment file format: no per-record rows). Replicas hold the
 *   same batches (a follower appends its leader's bytes), so a batch is stored once and
 *   every replica log that holds it names the same range; a replica whose batches differ (a
 *   diverged or compacted log) names chunks of its own. A chunk no log names any more is
 *   deleted by the flush that stops naming it.
 *
 * Invariant: a flush is one transaction (chunks + manifest), so the stored image is always
 * the image of one instant; a log read back is a prefix of the log that was written.
 */
import type { CheckpointImage } from '../kafka/checkpoint';
import type { LogInfo, LogKey } from '../kafka/durable';

export type { LogInfo, LogKey };

/**
 * Where a log's batches are stored: [chunk id, first byte, length]. The ranges of a log,
 * in order, are its batches from the log start to the log end, whole and back to back.
 */
export type ChunkRange = [chunk: number, start: number, length: number];

/** A log as the manifest lists it: its info and the chunk ranges that hold its bytes. */
export interface ManifestLog extends LogInfo {
  refs: ChunkRange[];
}

export interface Manifest {
  /** Format of `cluster` (kafka/durable.ts DURABLE_FORMAT); checked on load. */
  format: number;
  /** Increases by one per committed flush. */
  flushSeq: number;
  /** Virtual time of the image. */
  timeMs: number;
  /** Wall time of the flush (ms since epoch), for "saved 3 s ago". */
  savedAtWallMs: number;
  /** The cluster's durable metadata (kafka/durable.ts DurableMeta), opaque here. */
  cluster: unknown;
  /** Revision of the stored scenario document (rewritten only when it changed). */
  scenarioRev: number;
  logs: ManifestLog[];
  /** Every stored chunk: [id, bytes] (what the logs' ranges name, each chunk once). */
  chunks: [id: number, bytes: number][];
  /** The next chunk id to hand out (ids are never reused). */
  nextChunk: number;
  /**
   * The exact moment (kafka/checkpoint.ts): the whole cluster as a checkpoint image whose log
   * segments are named by the logs of this same manifest (storage/moment.ts; schema 4 named
   * every batch), and whether the run was playing. Schema 6 writes the image in format 2
   * (CompactImage: three flat values for IndexedDB's clone); format 1 (schemas 4, 5) is read. A
   * reload resumes from it exactly; without it (older saves, a cut log) the brokers restart
   * from their disks (`cluster`), as after a power cut.
   */
  moment?: { image: CheckpointImage; playing: boolean };
}

export interface ChunkWrite {
  id: number;
  /** The partition ("topic-partition") whose batches it holds. */
  tp: string;
  /**
   * Its whole batches, back to back: the logs' own byte arrays, never concatenated or copied
   * by the planner (the store writes them as one value: IndexedDB as one Blob, or inline bytes when small).
   */
  batches: readonly Uint8Array[];
  /** Bytes in all (the chunk's length). */
  size: number;
}

/** Everything one flush writes, applied atomically. */
export interface FlushPlan {
  manifest: Manifest;
  /** Present when the scenario document changed since the last flush. */
  scenario?: { rev: number; doc: unknown };
  /** A new run: every stored chunk is deleted first (what another run left must not linger). */
  replaceAll?: boolean;
  /** Chunks no log names any more (ids); stores apply deletes before puts. */
  deleteChunks: number[];
  chunks: ChunkWrite[];
  /** Bytes of batch data in `chunks` (their sizes summed once, by the planner: figures). */
  chunkBytes: number;
}

/** A log read back: validated batches, and what was cut off (never a torn batch). */
export interface LoadedLog {
  info: ManifestLog;
  /** Whole, CRC-checked batches in offset order. */
  batches: Uint8Array[];
  /** Set when data after the first invalid or missing batch was dropped. */
  cut: { atOffset: number; reason: string; droppedBytes: number } | null;
}

export interface LoadedImage {
  manifest: Manifest;
  scenario: unknown;
  logs: LoadedLog[];
  /** Plain-language notes about anything dropped while reading (for the UI and logs). */
  problems: string[];
}

export interface StoreUsage {
  /** Bytes of chunk data stored (each chunk once, however many replicas name it). */
  logBytes: number;
  flushSeq: number;
  savedAtWallMs: number | null;
}

export interface ClusterStore {
  /**
   * Becomes the writer: bumps and returns the owner epoch. Writes stamped with an older
   * epoch are refused (a tab that lost ownership can never overwrite the new owner's data).
   */
  claim(): Promise<number>;
  /** The stored image, validated; null when nothing was ever saved. */
  load(): Promise<LoadedImage | null>;
  /**
   * Applies one flush atomically; throws StorageFencedError / StorageQuotaError / StorageError.
   * `urgent` (the page is going away): everything is queued within the call, even if that
   * holds the caller's thread longer, so the flush has its best chance to reach the disk.
   */
  write(plan: FlushPlan, ownerEpoch: number, urgent?: boolean): Promise<void>;
  /** Deletes everything (Reset playground); keeps the owner epoch so fencing still holds. */
  clear(): Promise<void>;
  usage(): Promise<StoreUsage>;
  close(): void;
}

export class StorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** The browser refused the write for lack of space (QuotaExceededError). */
export class StorageQuotaError extends StorageError {
  constructor(message = 'The browser has no more storage space for the playground.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageQuotaError';
  }
}

/** Another tab claimed the database since we did: we must stop writing. */
export class StorageFencedError extends StorageError {
  constructor(readonly ownerEpoch: number, readonly currentEpoch: number) {
    super(`Another tab took over the playground's storage (epoch ${currentEpoch} > ${ownerEpoch}).`);
    this.name = 'StorageFencedError';
  }
}

/** The stored data cannot be read by this version (unknown format, corrupt manifest). */
export class StorageUnreadableError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnreadableError';
  }
}

/** QuotaExceededError as browsers throw it (DOMException name; legacy code 22). */
export function isQuotaError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; inner?: unknown };
  return e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED' || e.code === 22;
}

export const logKeyString = (k: LogKey): string => `${k.broker}/${k.tp}`;

/** Bytes of chunk data a manifest keeps (each chunk once). */
export function storedBytes(manifest: Pick<Manifest, 'chunks'>): number {
  let n = 0;
  for (const [, b] of manifest.chunks) n += b;
  return n;
}
