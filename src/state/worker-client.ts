/**
 * The UI's handle on the cluster worker: sends commands, routes replies into the stores.
 * Requests that expect an answer (a log, the scenario) get a promise matched by requestId.
 */
import type { Scenario, TimelineAction } from '../scenario/types';
import {
  PROTOCOL_VERSION,
  isVersioned,
  toWorker,
  type ActionRequest,
  type FromWorker,
  type Layout,
  type LogResult,
  type UiCommand,
} from '../worker/protocol';
import { useClusterStore } from './cluster-store';
import { useUiStore } from './ui-store';
import { useStorageStore } from './storage-store';

/** The part of a Worker the client uses (a MessagePort or a fake works as well). */
export interface Endpoint {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'messageerror', listener: (e: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (e: ErrorEvent) => void): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class WorkerClient {
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Called with each action as the cluster recorded it (with its virtual time). */
  onPerformed: ((action: TimelineAction) => void) | null = null;
  /** Called when a run was installed: a scenario from its start, or (fromDisk) a saved playground. */
  onLoaded: ((info: { name: string | null; fromDisk: boolean }) => void) | null = null;
  /** The worker could not run a share link's scenario (src/state/link-open.ts). */
  onLinkRefused: ((reason: string) => void) | null = null;
  /** The worker failed outside any request (uncaught error, unreadable message): say so, and unblock an open. */
  onFailure: ((reason: string) => void) | null = null;

  constructor(private readonly endpoint: Endpoint) {
    endpoint.addEventListener('message', (e) => this.receive(e.data));
    // Every failure of the worker surfaces: an error no handler caught there, or a message
    // from it that cannot be read here. Silence would leave the page "Opening…" for good.
    endpoint.addEventListener('error', (e) => this.failed(e.message || 'an error without a message'));
    endpoint.addEventListener('messageerror', () => this.failed('a message from the cluster worker could not be read'));
  }

  private failed(reason: string): void {
    useClusterStore.getState().reportError(`Cluster worker failed: ${reason}`);
    this.onFailure?.(reason);
  }

  send(cmd: UiCommand): void {
    this.endpoint.postMessage(toWorker(cmd));
  }

  load(scenario: Scenario, play = true): void {
    this.send({ type: 'load', scenario, play });
  }
  seek(t: number): void {
    this.send({ type: 'seek', t });
  }
  stepBack(ms: number): void {
    this.send({ type: 'stepBack', ms });
  }
  seekMarker(dir: -1 | 1): void {
    this.send({ type: 'seekMarker', dir });
  }
  undo(): void {
    this.send({ type: 'undo' });
  }
  redo(): void {
    this.send({ type: 'redo' });
  }
  play(): void {
    this.send({ type: 'play' });
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  step(ms: number): void {
    this.send({ type: 'step', ms });
  }
  setSpeed(speed: number): void {
    this.send({ type: 'setSpeed', speed });
  }
  perform(action: ActionRequest): void {
    this.send({ type: 'perform', action });
  }
  /** perform, and learn the action as the cluster recorded it (with its virtual time `at`). */
  performTracked(action: ActionRequest): Promise<TimelineAction> {
    return new Promise((resolve) => {
      this.awaitingPerformed.push({ key: JSON.stringify(action), resolve });
      this.perform(action);
    });
  }
  private readonly awaitingPerformed: { key: string; resolve(a: TimelineAction): void }[] = [];

  private performed(action: TimelineAction): void {
    if (this.awaitingPerformed.length > 0) {
      const { at: _at, ...request } = action;
      const key = JSON.stringify(request);
      const i = this.awaitingPerformed.findIndex((w) => w.key === key);
      if (i >= 0) this.awaitingPerformed.splice(i, 1)[0]!.resolve(action);
    }
    this.onPerformed?.(action);
  }
  setLayout(layout: Layout, opts: { replace?: boolean } = {}): void {
    this.send(opts.replace ? { type: 'setLayout', layout, replace: true } : { type: 'setLayout', layout });
  }

  requestLog(topic: string, partition: number, opts: { broker?: number; fromOffset?: number; limit?: number } = {}): Promise<LogResult | null> {
    const requestId = this.nextRequestId++;
    return this.request<LogResult | null>(requestId, () =>
      this.send({ type: 'requestLog', requestId, topic, partition, ...opts }),
    );
  }

  exportScenario(): Promise<Scenario> {
    const requestId = this.nextRequestId++;
    return this.request<Scenario>(requestId, () => this.send({ type: 'exportScenario', requestId }));
  }

  private request<T>(requestId: number, send: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      send();
    });
  }

  private settle(requestId: number, value: unknown): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    p.resolve(value);
  }

  private receive(data: unknown): void {
    if (!isVersioned(data) || data.v !== PROTOCOL_VERSION) {
      useClusterStore.getState().reportError('The cluster worker speaks another protocol version. Reload the page.');
      return;
    }
    const msg = data as FromWorker;
    switch (msg.type) {
      case 'snapshot':
        useClusterStore.getState().receiveSnapshot(msg.snapshot, msg.status, msg.timeline, msg.eventsReset ?? false);
        return;
      case 'seeking':
        useClusterStore.getState().seekProgress(msg.target, msg.reached, msg.done);
        return;
      case 'loaded':
        useClusterStore.getState().loaded(msg.name, msg.description, msg.checkpoints ?? []);
        useUiStore.getState().setLayout(msg.layout);
        this.onLoaded?.({ name: msg.name, fromDisk: msg.fromDisk ?? false });
        return;
      case 'performed':
        this.performed(msg.action);
        return;
      case 'log':
        this.settle(msg.requestId, msg.result);
        return;
      case 'scenario':
        this.settle(msg.requestId, msg.scenario);
        return;
      case 'storage':
        useStorageStore.getState().receive(msg);
        if (msg.linkRefused !== undefined) this.onLinkRefused?.(msg.linkRefused);
        return;
      case 'error': {
        if (msg.requestId !== undefined && this.pending.has(msg.requestId)) {
          const p = this.pending.get(msg.requestId)!;
          this.pending.delete(msg.requestId);
          p.reject(new Error(msg.message));
        }
        if (msg.fatal) this.failed(msg.message);
        else useClusterStore.getState().reportError(msg.message);
        return;
      }
      default: {
        const never: never = msg;
        void never;
      }
    }
  }
}

let client: WorkerClient | null = null;

export function setWorkerClient(c: WorkerClient): void {
  client = c;
}

/** The client; commands go through it. Null only before main.tsx has started the worker. */
export function getWorkerClient(): WorkerClient | null {
  return client;
}
