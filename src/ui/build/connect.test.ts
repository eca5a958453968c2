import { describe, expect, it } from 'vitest';
import { Cluster } from '../../kafka/cluster';
import { restoreScenarioOrThrow } from '../../scenario/restore';
import { flowId, nodeId } from '../../state/selection';
import { fixtureSnapshot } from '../test/fixture';
import { EDGE_LOAD_RATE, connectHandle, connectionOutcome, edgeDeletion } from './connect';
import { TEMPLATES } from './templates';

const node = (id: string) => flowId.encode(id);
const fromProducer = (id: string) => ({ source: node(nodeId.producer(id)), sourceHandle: connectHandle.source });
const fromConsumer = (id: string) => ({ source: node(nodeId.consumer(id)), sourceHandle: connectHandle.source });
const toTopic = (t: string) => ({ target: node(nodeId.broker(1)), targetHandle: connectHandle.topic(t) });

function snapshot() {
  const s = fixtureSnapshot();
  s.topics.push({ name: 'pay-ments.v2', partitions: 1, replicationFactor: 1, config: {} });
  return s;
}

describe('drawing an edge', () => {
  it('producer → topic starts a load at the default rate', () => {
    const r = connectionOutcome(snapshot(), { ...fromProducer('checkout'), ...toTopic('pay-ments.v2') });
    expect(r).toEqual({ ok: true, action: { op: 'startLoad', producer: 'checkout', topic: 'pay-ments.v2', ratePerSec: EDGE_LOAD_RATE }, message: expect.stringContaining(`${EDGE_LOAD_RATE} records/s`) });
  });

  it('producer → a topic it already sends to is refused with a hint', () => {
    const r = connectionOutcome(snapshot(), { ...fromProducer('checkout'), ...toTopic('orders') });
    expect(r).toEqual({ ok: false, hint: expect.stringContaining('already sends to orders') });
  });

  it('consumer → topic subscribes it to the topic as well', () => {
    const r = connectionOutcome(snapshot(), { ...fromConsumer('billing-1'), ...toTopic('pay-ments.v2') });
    expect(r).toMatchObject({ ok: true, action: { op: 'subscribe', consumer: 'billing-1', topics: ['orders', 'pay-ments.v2'] } });
  });

  it('consumer → another group recreates it there; its own group is refused', () => {
    const s = snapshot();
    const other = { target: node(nodeId.group('audit')), targetHandle: connectHandle.node };
    expect(connectionOutcome(s, { ...fromConsumer('billing-1'), ...other })).toMatchObject({ ok: true, action: { op: 'changeGroup', consumer: 'billing-1', groupId: 'audit' } });
    const own = { target: node(nodeId.group('billing')), targetHandle: connectHandle.node };
    expect(connectionOutcome(s, { ...fromConsumer('billing-1'), ...own })).toEqual({ ok: false, hint: 'billing-1 is already in group billing.' });
  });

  it('refuses producer → group and consumer → producer with a hint naming what works', () => {
    const s = snapshot();
    const group = { target: node(nodeId.group('billing')), targetHandle: connectHandle.node };
    expect(connectionOutcome(s, { ...fromProducer('checkout'), ...group })).toEqual({ ok: false, hint: expect.stringContaining('not to a consumer group') });
    const producer = { target: node(nodeId.producer('checkout')), targetHandle: connectHandle.node };
    expect(connectionOutcome(s, { ...fromConsumer('billing-1'), ...producer })).toEqual({ ok: false, hint: expect.stringContaining('never from a producer') });
  });

  it('a replica row names its topic, whatever dashes the topic name holds', () => {
    const r = connectionOutcome(snapshot(), { ...fromProducer('checkout'), target: node(nodeId.broker(3)), targetHandle: connectHandle.row('pay-ments.v2-0') });
    expect(r).toMatchObject({ ok: true, action: { topic: 'pay-ments.v2' } });
  });

  it('names with any characters survive the handle encoding', () => {
    const s = snapshot();
    const hostile = 'a"b\\c</script>';
    s.producers[0]!.id = hostile;
    const r = connectionOutcome(s, { ...fromProducer(hostile), ...toTopic('pay-ments.v2') });
    expect(r).toMatchObject({ ok: true, action: { producer: hostile } });
    // An edge to a topic that is not there (deleted meanwhile) is refused, not sent.
    expect(connectionOutcome(s, { ...fromProducer(hostile), ...toTopic('gone') })).toEqual({ ok: false, hint: 'Topic gone does not exist any more.' });
  });
});

describe('deleting an edge', () => {
  it('a producer edge stops that load; a consumer edge unsubscribes from that topic', () => {
    const s = snapshot();
    expect(edgeDeletion(s, { kind: 'load', producer: 'checkout', topic: 'orders' })).toMatchObject({ action: { op: 'stopLoad', producer: 'checkout', topic: 'orders' } });
    expect(edgeDeletion(s, { kind: 'subscription', consumer: 'billing-1', topic: 'orders' })).toMatchObject({ action: { op: 'subscribe', consumer: 'billing-1', topics: [] } });
    expect(edgeDeletion(s, { kind: 'load', producer: 'checkout', topic: 'pay-ments.v2' })).toEqual({ refused: 'checkout has no steady load to pay-ments.v2 to stop.' });
  });
});

describe('New: templates', () => {
  it('each template restores, runs, and holds brokers only (no topics, no clients)', () => {
    for (const t of TEMPLATES) {
      const s = restoreScenarioOrThrow(t.scenario);
      expect(s.topics).toEqual([]);
      expect(s.clients).toEqual([]);
      const c = new Cluster(s);
      c.runUntil(3000);
      expect(c.snapshot().brokers.every((b) => b.status === 'up' && !b.fenced)).toBe(true);
    }
    expect(TEMPLATES.map((t) => t.scenario.cluster.brokers.length)).toEqual([0, 1, 3, 6]);
  });

  it('three racks: one rack per broker; two data centres: every RF 3 partition spans both', () => {
    const racks = TEMPLATES.find((t) => t.id === 'three-racks')!.scenario.cluster.brokers.map((b) => b.rack);
    expect(new Set(racks).size).toBe(3);
    const s = restoreScenarioOrThrow(TEMPLATES.find((t) => t.id === 'two-dcs')!.scenario);
    const c = new Cluster({ ...s, timeline: [{ at: 100, op: 'createTopic', name: 'orders', partitions: 12, replicationFactor: 3 }] });
    c.runUntil(2000);
    const dc = (id: number) => s.cluster.brokers.find((b) => b.id === id)!.rack;
    const parts = c.snapshot().partitions;
    expect(parts).toHaveLength(12);
    for (const p of parts) expect(new Set(p.replicas.map(dc))).toEqual(new Set(['dc1', 'dc2']));
  });

  it('the empty canvas builds up from actions alone: brokers, a topic, a producer and a consumer', () => {
    const c = new Cluster(restoreScenarioOrThrow(TEMPLATES[0]!.scenario));
    c.runUntil(100);
    c.perform({ op: 'addBroker', id: 1, rack: null });
    c.runUntil(3000);
    c.perform({ op: 'createTopic', name: 'orders', partitions: 2, replicationFactor: 1 });
    c.perform({ op: 'addProducer', id: 'p' });
    c.perform({ op: 'addConsumer', id: 'c', groupId: 'g', topics: ['orders'] });
    c.runUntil(3500);
    c.perform({ op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: EDGE_LOAD_RATE });
    c.runUntil(15_000);
    const snap = c.snapshot();
    expect(snap.partitions.reduce((n, p) => n + p.highWatermark, 0)).toBeGreaterThan(50);
    expect(snap.consumers[0]!.consumed).toBeGreaterThan(20);
  });
});

describe('drawn edges on the diagram', () => {
  it('a quiet load says its rate once per topic under the producer, and its edges carry what deleting them stops', async () => {
    const { toFlowElements } = await import('../diagram/flow');
    const s = snapshot();
    s.producers[0]!.loads = [{ topic: 'orders', ratePerSec: 10 }];
    s.producers[0]!.lastError = null;
    s.producers[0]!.targets = [{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }];
    const edges = toFlowElements(s).edges;
    const produce = edges.filter((e) => e.data?.kind === 'produce');
    expect(produce.length).toBeGreaterThan(0);
    expect(produce.map((e) => e.data?.label).filter((l) => l !== null)).toEqual(['load 10/s → orders']);
    expect(produce.find((e) => e.data?.label)!.data?.labelAt).toBe('source');
    for (const e of produce) expect(e.data?.link).toEqual({ kind: 'load', producer: 'checkout', topic: 'orders' });
    const consume = edges.filter((e) => e.data?.kind === 'consumption');
    expect(consume.length).toBeGreaterThan(0);
    for (const e of consume) expect(e.data?.link).toMatchObject({ kind: 'subscription', topic: 'orders' });
  });
});
