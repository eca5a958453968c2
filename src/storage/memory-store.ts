/**
 * The in-memory ClusterStore: the same contract as the IndexedDB one (atomic flushes, owner
 * epochs, validated reads), for Node tests, the headless runner and the benchmark baseline.
 * Stored bytes are copied in and out, as IndexedDB's structured clone does, so a test can
 * corrupt what is "on disk" without touching the live cluster.
 */
import { assembleLog } from './chunks';
import {
  StorageFencedError,
  StorageQuotaError,
  StorageUnreadableError,
  type ClusterStore,
  type FlushPlan,
  type LoadedImage,
  type Manifest,
  type StoreUsage,
} from './types';

const chunkId = (broker: number, tp: string, first: number) => `${broker}\u0000${tp}\u0000${first}`;
const logPrefix = (broker: number, tp: string) => `${broker}\u0000${tp}\u0000`;

export interface MemoryStoreOptions {
  /** Bytes the store may hold (chunks only); a write beyond fails as a QuotaExceededError would. */
  quotaBytes?: number;
}

export class MemoryClusterStore implements ClusterStore {
  manifest: Manifest | null = null;
  scenario: { rev: number; doc: unknown } | null = null;
  readonly chunks = new Map<string, Uint8Array>();
  ownerEpoch = 0;
  /** Count of committed writes (tests). */
  writes = 0;

  constructor(private readonly opts: MemoryStoreOptions = {}) {}

  async claim(): Promise<number> {
    return ++this.ownerEpoch;
  }

  async write(plan: FlushPlan, ownerEpoch: number): Promise<void> {
    if (ownerEpoch !== this.ownerEpoch) throw new StorageFencedError(ownerEpoch, this.ownerEpoch);
    // Build the next state aside and swap it in: all or nothing, like a transaction.
    const chunks = plan.replaceAll ? new Map<string, Uint8Array>() : new Map(this.chunks);
    for (const d of plan.dropLogs) {
      const prefix = logPrefix(d.broker, d.tp);
      for (const k of [...chunks.keys()]) if (k.startsWith(prefix)) chunks.delete(k);
    }
    for (const c of plan.deleteChunks) chunks.delete(chunkId(c.broker, c.tp, c.firstOffset));
    for (const c of plan.chunks) chunks.set(chunkId(c.broker, c.tp, c.firstOffset), c.bytes.slice());
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
    return assembleImage(structuredClone(this.manifest), this.scenario ? structuredClone(this.scenario) : null, (b, tp, first) => this.chunks.get(chunkId(b, tp, first))?.slice());
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
  let logBytes = 0;
  for (const l of manifest.logs) for (const [, n] of l.chunks) logBytes += n;
  return { logBytes, flushSeq: manifest.flushSeq, savedAtWallMs: manifest.savedAtWallMs };
}

/** Shared by both stores: validate the manifest, read every listed chunk, cut torn logs. */
export function assembleImage(
  manifest: unknown,
  scenario: { rev: number; doc: unknown } | null,
  chunk: (broker: number, tp: string, first: number) => Uint8Array | undefined,
): LoadedImage {
  const m = checkManifest(manifest);
  const problems: string[] = [];
  if (!scenario || scenario.rev !== m.scenarioRev) {
    if (!scenario) throw new StorageUnreadableError('The saved playground has no scenario document.');
    // An older document is still the right run, only missing the latest actions' records.
    problems.push(`The saved scenario document is revision ${scenario.rev}, the manifest expects ${m.scenarioRev}.`);
  }
  const logs = m.logs.map((info) => {
    const loaded = assembleLog(
      info,
      info.chunks.map(([first]) => chunk(info.broker, info.tp, first)),
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
  if (!m || typeof m !== 'object' || typeof m.format !== 'number' || typeof m.timeMs !== 'number' || !Array.isArray(m.logs)) {
    throw new StorageUnreadableError('The saved playground has no readable manifest.');
  }
  for (const l of m.logs) {
    if (typeof l !== 'object' || l === null || typeof l.broker !== 'number' || typeof l.tp !== 'string' || !Array.isArray(l.chunks)) {
      throw new StorageUnreadableError('The saved playground lists a log it cannot describe.');
    }
  }
  return m as Manifest;
}
