/**
 * From what the store read back to a restartable cluster: the LoadedImage becomes a
 * kafka/durable DurableState (batches regrouped into their segments), and a short report of
 * what was restored and what was cut, for the UI.
 */
import { DURABLE_FORMAT, segmentsFromBatches, type DurableMeta, type DurableState } from '../kafka/durable';
import { readClusterImage } from '../kafka/checkpoint';
import type { Cluster } from '../kafka/cluster';
import { concatBatches } from '../kafka/log/record-batch';
import type { Scenario } from '../scenario/types';
import { momentResolver } from './moment';
import { StorageUnreadableError, type LoadedImage } from './types';

export interface RestoreReport {
  /** Virtual time of the restored image. */
  timeMs: number;
  savedAtWallMs: number;
  /** Sum of log end offsets over every replica log, as restored. */
  totalLogEndOffset: number;
  /** Σ over partitions of the highest replica log end offset (comparable with the UI's tail marker). */
  records: number;
  logs: number;
  /** Offsets dropped by CRC / torn-write checks (0 when every log read back whole). */
  cutOffsets: number;
  problems: string[];
  /** Resumed at the exact saved moment (in-flight requests, groups, counters and all). */
  exact?: boolean;
  /** Why not, when the brokers were restarted from their disks instead. */
  notExactBecause?: string;
}

export function imageToDurableState(image: LoadedImage): { state: DurableState; report: RestoreReport } {
  const meta = image.manifest.cluster as DurableMeta | null;
  if (!meta || typeof meta !== 'object' || meta.format !== DURABLE_FORMAT) {
    throw new StorageUnreadableError(`The saved playground uses format ${String((meta as { format?: unknown } | null)?.format)}, which this version cannot read.`);
  }
  const scenario = image.scenario as Scenario | null;
  if (!scenario || typeof scenario !== 'object' || !Array.isArray((scenario as Scenario).cluster?.brokers)) {
    throw new StorageUnreadableError('The saved scenario document is not readable.');
  }
  let cutOffsets = 0;
  let totalLogEndOffset = 0;
  const best = new Map<string, number>();
  const logs = image.logs.map((l) => {
    if (l.cut) cutOffsets += image.manifest.logs.find((m) => m.broker === l.info.broker && m.tp === l.info.tp)!.logEndOffset - l.info.logEndOffset;
    totalLogEndOffset += l.info.logEndOffset;
    best.set(l.info.tp, Math.max(best.get(l.info.tp) ?? 0, l.info.logEndOffset));
    return {
      info: l.info,
      segments: segmentsFromBatches(l.info.segmentBases, l.batches).map((s) => ({ baseOffset: s.baseOffset, bytes: concatBatches(s.batches) })),
    };
  });
  let records = 0;
  for (const leo of best.values()) records += leo;
  return {
    state: { meta, scenario, logs },
    report: {
      timeMs: image.manifest.timeMs,
      savedAtWallMs: image.manifest.savedAtWallMs,
      totalLogEndOffset,
      records,
      logs: logs.length,
      cutOffsets,
      problems: image.problems,
    },
  };
}

/**
 * The exact moment the image was saved at (Manifest.moment), as a running cluster, or why it
 * cannot be had: no moment saved (an older save), a log cut by a torn write (its batches are
 * not all there), or an image this version cannot read. The caller then restarts the
 * brokers from their disks instead (imageToDurableState).
 */
export function imageToMoment(image: LoadedImage): { cluster: Cluster; playing: boolean } | { reason: string } {
  const moment = image.manifest.moment;
  if (!moment) return { reason: 'no exact moment was saved' };
  if (image.logs.some((l) => l.cut)) return { reason: 'a log was cut when it was read back' };
  try {
    const cluster = readClusterImage(moment.image, momentResolver(image.logs));
    return { cluster, playing: moment.playing === true };
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
}
