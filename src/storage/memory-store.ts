/**
 * The in-memory ClusterStore: the same contract as the IndexedDB one (atomic flushes, owner
 * epochs, validated reads), for Node tests, the headless runner and the benchmark baseline.
 * Stored bytes are copied in and out, as IndexedDB's structured clone does, so a test can
 * corrupt what is "on disk" without touching the live cluster.
 */
import { concatBatches } from '../kafka/log/record-batch';
import { assembleLog, validBatches, type ValidBatches } from './chunks';
import {
  StorageFencedError,
  StorageQuotaError,
  StorageUnreadableError,
  type ClusterStore,
  type FlushPlan,
  type LoadedImage,
  type Manifest,
  type StoreUsage,
  storedBytes,
} from './types';

export interface MemoryStoreOptions {
  /** Bytes the store may hold (chunks only); a write beyond fails as a QuotaExceededError would. */
  quotaBytes?: number;
}

export class MemoryClusterStore implements ClusterStore {
  manifest: Manifest | null = null;
  scenario: { rev: number; doc: unknown } | null = null;
  /** Chunk id → bytes. */
  readonly chunks = new Map<number, Uint8Array>();
  ownerEpoch = 0;
  /** Count of committed writes (tests). */
  writes = 0;

  constructor(private readonly opts: MemoryStoreOptions = {}) {}

  async claim(): Promise<number> {
    return ++this.ownerEpoch;
  }

  /** `urgent` changes nothing here: a memory store has no values to build. */
  async write(plan: FlushPlan, ownerEpoch: number, _urgent = false): Promise<void> {
    if (ownerEpoch !== this.ownerEpoch) throw new StorageFencedError(ownerEpoch, this.ownerEpoch);
    // Build the next state aside and swap it in: all or nothing, like a transaction.
    const chunks = plan.replaceAll ? new Map<number, Uint8Array>() : new Map(this.chunks);
    for (const id of plan.deleteChunks) chunks.delete(id);
    for (const c of plan.chunks) chunks.set(c.id, concatBatches(c.batches));
    if (this.opts.quotaBytes !== undefined) {
      let total = 0;
      for (const b of chunks.values()) total += b.length;
      if (total > this.opts.quotaBytes) throw new StorageQuotaError();
    }
    this.chunks.clear();
    for (const [k, v] of chunks) this.chunks.set(k, v);
    this.manifest = structuredClone(plan.manifest);
    if (plan.scenario) this.scenario = structuredClone(plan.scenario);
    this.writes++;
  }

  async load(): Promise<LoadedImage | null> {
    if (!this.manifest) return null;
    return assembleImage(structuredClone(this.manifest), this.scenario ? structuredClone(this.scenario) : null, (id) => this.chunks.get(id)?.slice());
  }

  async clear(): Promise<void> {
    this.manifest = null;
    this.scenario = null;
    this.chunks.clear();
  }

  async usage(): Promise<StoreUsage> {
    return usageOf(this.manifest);
  }

  close(): void {}
}

export function usageOf(manifest: Manifest | null): StoreUsage {
  if (!manifest) return { logBytes: 0, flushSeq: 0, savedAtWallMs: null };
  return { logBytes: storedBytes(manifest), flushSeq: manifest.flushSeq, savedAtWallMs: manifest.savedAtWallMs };
}

/**
 * Shared by both stores: validate the manifest, read every named chunk once, cut torn logs.
 * Replicas naming the same range get views of the same bytes (nothing is copied per replica).
 */
export function assembleImage(manifest: unknown, scenario: { rev: number; doc: unknown } | null, chunk: (id: number) => Uint8Array | undefined): LoadedImage {
  const m = checkManifest(manifest);
  const problems: string[] = [];
  if (!scenario || scenario.rev !== m.scenarioRev) {
    if (!scenario) throw new StorageUnreadableError('The saved playground has no scenario document.');
    // An older document is still the right run, only missing the latest actions' records.
    problems.push(`The saved scenario document is revision ${scenario.rev}, the manifest expects ${m.scenarioRev}.`);
  }
  const read = new Map<number, Uint8Array | undefined>();
  const bytesOf = (id: number) => {
    if (!read.has(id)) read.set(id, chunk(id));
    return read.get(id);
  };
  // Replicas name the same ranges: each range's batches are CRC-checked once, and the logs
  // naming it get the same batch views (as a follower shares its leader's batches).
  const checked = new Map<string, ValidBatches>();
  const logs = m.logs.map((info) => {
    const loaded = assembleLog(
      info,
      info.refs.map(([id, start, len]) => {
        const c = bytesOf(id);
        return c && start <= c.length ? c.subarray(start, Math.min(c.length, start + len)) : undefined;
      }),
      (i, bytes, from) => {
        const [id, start] = info.refs[i]!;
        const key = `${id}/${start}/${bytes.length}/${from}`;
        let r = checked.get(key);
        if (!r) {
          r = validBatches(bytes, from);
          checked.set(key, r);
        }
        return r;
      },
    );
    if (loaded.cut) {
      problems.push(
        `Broker ${info.broker}, ${info.tp}: ${loaded.cut.reason}; the log was cut at offset ${loaded.cut.atOffset} (${info.logEndOffset - loaded.cut.atOffset} offsets, ${loaded.cut.droppedBytes} bytes dropped).`,
      );
    }
    return loaded;
  });
  return { manifest: m, scenario: scenario?.doc, logs, problems };
}

function checkManifest(x: unknown): Manifest {
  const m = x as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || typeof m.format !== 'number' || typeof m.timeMs !== 'number' || !Array.isArray(m.logs) || !Array.isArray(m.chunks)) {
    throw new StorageUnreadableError('The saved playground has no readable manifest.');
  }
  for (const l of m.logs) {
    if (typeof l !== 'object' || l === null || typeof l.broker !== 'number' || typeof l.tp !== 'string' || !Array.isArray(l.refs)) {
      throw new StorageUnreadableError('The saved playground lists a log it cannot describe.');
    }
  }
  return m as Manifest;
}
