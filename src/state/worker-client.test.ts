import { describe, expect, it } from 'vitest';
import { fixtureSnapshot } from '../ui/test/fixture';
import { PROTOCOL_VERSION, type ToWorker } from '../worker/protocol';
import { useClusterStore } from './cluster-store';
import { useUiStore } from './ui-store';
import { WorkerClient, type Endpoint } from './worker-client';

function fakeEndpoint() {
  const sent: ToWorker[] = [];
  let listener: ((e: MessageEvent) => void) | null = null;
  const endpoint: Endpoint = {
    postMessage: (m) => sent.push(m as ToWorker),
    addEventListener: ((type: string, l: (e: MessageEvent) => void) => {
      if (type === 'message') listener = l;
    }) as Endpoint['addEventListener'],
  };
  const reply = (data: unknown) => listener?.({ data } as MessageEvent);
  return { endpoint, sent, reply };
}

describe('WorkerClient', () => {
  it('stamps commands with the protocol version', () => {
    const f = fakeEndpoint();
    const c = new WorkerClient(f.endpoint);
    c.perform({ op: 'killBroker', broker: 2 });
    expect(f.sent).toEqual([{ type: 'perform', action: { op: 'killBroker', broker: 2 }, v: PROTOCOL_VERSION }]);
  });

  it('routes snapshots and loads into the stores', () => {
    const f = fakeEndpoint();
    new WorkerClient(f.endpoint);
    f.reply({ v: PROTOCOL_VERSION, type: 'loaded', name: 'demo', description: null, layout: { 'broker-1': { x: 3, y: 4 } } });
    f.reply({ v: PROTOCOL_VERSION, type: 'snapshot', snapshot: fixtureSnapshot(), status: { playing: false, speed: 2 } });
    expect(useClusterStore.getState().scenarioName).toBe('demo');
    expect(useClusterStore.getState().status).toEqual({ playing: false, speed: 2 });
    expect(useClusterStore.getState().snapshot?.time).toBe(12_000);
    expect(useUiStore.getState().layout).toEqual({ 'broker-1': { x: 3, y: 4 } });
  });

  it('matches replies to requests and rejects on a worker error', async () => {
    const f = fakeEndpoint();
    const c = new WorkerClient(f.endpoint);
    const log = c.requestLog('orders', 1);
    const exp = c.exportScenario();
    const [logReq, expReq] = f.sent as Extract<ToWorker, { requestId: number }>[];
    f.reply({ v: PROTOCOL_VERSION, type: 'error', message: 'boom', requestId: expReq!.requestId });
    f.reply({ v: PROTOCOL_VERSION, type: 'log', requestId: logReq!.requestId, topic: 'orders', partition: 1, result: null });
    await expect(log).resolves.toBeNull();
    await expect(exp).rejects.toThrow('boom');
    expect(useClusterStore.getState().lastError?.message).toBe('boom');
  });

  it('sends a browse request and settles it with the page, or the worker\'s message', async () => {
    const f = fakeEndpoint();
    const c = new WorkerClient(f.endpoint);
    const ok = c.browse({ topic: 'orders', start: { from: 'newest' }, limit: 10 });
    const bad = c.browse({ topic: 'gone', start: { from: 'oldest' } });
    const [okReq, badReq] = f.sent as Extract<ToWorker, { type: 'browse' }>[];
    expect(okReq).toMatchObject({ type: 'browse', request: { topic: 'orders', start: { from: 'newest' }, limit: 10 }, v: PROTOCOL_VERSION });
    const page = { topic: 'orders', now: 5, direction: 'backward', records: [], partitions: [], resume: {}, exhausted: true, scanned: 0, budgetHit: false };
    f.reply({ v: PROTOCOL_VERSION, type: 'browse', requestId: okReq!.requestId, result: page });
    f.reply({ v: PROTOCOL_VERSION, type: 'error', message: 'There is no topic named "gone" at this moment.', requestId: badReq!.requestId });
    await expect(ok).resolves.toEqual(page);
    await expect(bad).rejects.toThrow('There is no topic named "gone" at this moment.');
  });

  it('reports a worker of another protocol version', () => {
    const f = fakeEndpoint();
    new WorkerClient(f.endpoint);
    f.reply({ v: 999, type: 'snapshot' });
    expect(useClusterStore.getState().lastError?.message).toMatch(/protocol version/);
  });
});
