/**
 * A scale workload as the UI receives it, for the diagram benches (flow-elements.ts,
 * diagram-frames.ts): the cluster runs in Node, the worker's SnapshotDiffer makes each frame,
 * the frame crosses as JSON, and the UI's side applies it and keeps its rate samples.
 */
import { Cluster } from '../src/kafka/cluster';
import { SnapshotDiffer, applyDelta } from '../src/worker/snapshot-delta';
import { pushRateSample, ratesOf, type RateSample, type Rates } from '../src/state/rates';
import type { ClusterSnapshot } from '../src/kafka/snapshot';
import { scaleScenario } from './workload';

/** The scale workload at `brokers` x `partitions` (20,000 records/s), run 2 virtual s to warm up. */
export function warmScaleCluster(brokers: number, partitions: number): Cluster {
  const c = new Cluster(scaleScenario(brokers, partitions, 20_000, 1e9));
  c.runUntil(2000);
  return c;
}

/** A worker frame and its bytes on the wire (a delta crosses as JSON; a full snapshot as itself). */
export interface SentFrame {
  frame: ReturnType<SnapshotDiffer['frame']>;
  wire: string;
}

export class UiFeed {
  private readonly differ = new SnapshotDiffer();
  private seq = 0;
  private samples: RateSample[] = [];
  /** The snapshot as the UI holds it after the last `receive`. */
  snapshot: ClusterSnapshot | null = null;

  /** The worker's side: the frame for `s`, as it goes on the wire. */
  send(s: ClusterSnapshot): SentFrame {
    const frame = this.differ.frame(s);
    return { frame, wire: JSON.stringify(frame) };
  }

  /** The UI's side: applies a frame from the wire. */
  receive({ frame, wire }: SentFrame): ClusterSnapshot {
    if (frame.kind === 'full') {
      this.snapshot = frame.snapshot;
      this.seq = frame.seq;
    } else {
      this.snapshot = applyDelta(this.snapshot!, this.seq, (JSON.parse(wire) as { delta: typeof frame.delta }).delta);
      this.seq = frame.delta.seq;
    }
    return this.snapshot;
  }

  /** The rates the UI shows after this frame (one rate sample pushed). */
  rates(): Rates {
    this.samples = pushRateSample(this.samples, this.snapshot!);
    return ratesOf(this.samples);
  }
}
