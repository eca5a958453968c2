/**
 * A CliContext over a Cluster running in Node: the tools' tests run commands against a
 * real cluster (no worker, no browser). Virtual time moves only when a tool waits for the
 * next snapshot (`stepMs` each time) or a test calls `advance`.
 */
import { Cluster } from '../kafka/cluster';
import type { ClusterEvent, ClusterSnapshot } from '../kafka/snapshot';
import type { Scenario } from '../scenario/types';
import type { ActionRequest, LogResult } from '../worker/protocol';
import type { ActionOutcome, CliContext, ToolIO } from './context';

export class NodeCliContext implements CliContext {
  readonly cluster: Cluster;
  private latest: ClusterSnapshot;
  private readonly listeners = new Set<(e: ClusterEvent) => void>();
  private seed = 12345;

  constructor(
    scenario: Scenario,
    readonly stepMs = 100,
  ) {
    this.cluster = new Cluster(structuredClone(scenario));
    this.latest = this.cluster.snapshot();
  }

  private refresh(): void {
    this.latest = this.cluster.snapshot();
    for (const e of this.latest.events) for (const l of [...this.listeners]) l(e);
  }

  /** Runs the cluster `ms` of virtual time on. */
  advance(ms: number): ClusterSnapshot {
    this.cluster.runUntil(this.cluster.now + ms);
    this.refresh();
    return this.latest;
  }

  snapshot(): ClusterSnapshot {
    return this.latest;
  }

  async perform(request: ActionRequest): Promise<ActionOutcome> {
    const action = this.cluster.perform(request);
    let rejected: ActionOutcome['rejected'] = null;
    const unsubscribe = this.subscribe((e) => {
      if (e.type === 'ActionRejected' && e.at === action.at && e.op === action.op && rejected === null) rejected = { error: e.error, message: e.message };
    });
    this.cluster.runUntil(Math.max(this.cluster.now, action.at));
    this.refresh();
    unsubscribe();
    return { action, rejected };
  }

  async readLog(topic: string, partition: number, fromOffset?: number, limit?: number): Promise<LogResult | null> {
    const opts: { fromOffset?: number; limit?: number } = {};
    if (fromOffset !== undefined) opts.fromOffset = fromOffset;
    if (limit !== undefined) opts.limit = limit;
    return this.cluster.readLog(topic, partition, opts);
  }

  async nextSnapshot(signal: AbortSignal): Promise<ClusterSnapshot | null> {
    if (signal.aborted) return null;
    return this.advance(this.stepMs);
  }

  subscribe(listener: (e: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  randomInt(bound: number): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    return this.seed % bound;
  }
}

/** A ToolIO that collects what a tool prints and feeds it scripted stdin lines. */
export class CapturedIO implements ToolIO {
  stdout = '';
  stderr = '';
  private controller = new AbortController();
  constructor(private readonly stdin: string[] = []) {}
  out(text: string): void {
    this.stdout += text;
  }
  err(text: string): void {
    this.stderr += text;
  }
  async readLine(prompt: string): Promise<string | null> {
    this.stdout += prompt;
    return this.stdin.length > 0 ? this.stdin.shift()! : null;
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  interrupt(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }
}
