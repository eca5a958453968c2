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
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
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

  constructor(private readonly endpoint: Endpoint) {
    endpoint.addEventListener('message', (e) => this.receive(e.data));
    endpoint.addEventListener('error', (e) => useClusterStore.getState().reportError(`Cluster worker failed: ${e.message}`));
  }

  send(cmd: UiCommand): void {
    this.endpoint.postMessage(toWorker(cmd));
  }

  load(scenario: Scenario, play = true): void {
    this.send({ type: 'load', scenario, play });
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
  setLayout(layout: Layout, opts: { replace?: boolean } = {}): void {
    this.send(opts.replace ? { type: 'setLayout', layout, replace: true } : { type: 'setLayout', layout });
  }

  requestLog(topic: string, partition: number, opts: { broker?: number; limit?: number } = {}): Promise<LogResult | null> {
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
        useClusterStore.getState().receiveSnapshot(msg.snapshot, msg.status);
        return;
      case 'loaded':
        useClusterStore.getState().loaded(msg.name, msg.description);
        useUiStore.getState().setLayout(msg.layout);
        return;
      case 'performed':
        this.onPerformed?.(msg.action);
        return;
      case 'log':
        this.settle(msg.requestId, msg.result);
        return;
      case 'scenario':
        this.settle(msg.requestId, msg.scenario);
        return;
      case 'storage':
        useStorageStore.getState().receive(msg);
        return;
      case 'error': {
        if (msg.requestId !== undefined && this.pending.has(msg.requestId)) {
          const p = this.pending.get(msg.requestId)!;
          this.pending.delete(msg.requestId);
          p.reject(new Error(msg.message));
        }
        useClusterStore.getState().reportError(msg.message);
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
