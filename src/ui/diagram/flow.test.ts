import { describe, expect, it } from 'vitest';
import { flowId, selectionForNode } from '../../state/selection';
import { fixtureSnapshot } from '../test/fixture';
import { catchUpOf, consumerNews, toFlowElements, type BrokerNode, type ConsumerNode, type GroupNode, type ProducerNode } from './flow';

const broker = (els: ReturnType<typeof toFlowElements>, id: number) =>
  els.nodes.find((n): n is BrokerNode => n.id === `broker-${id}`)!;

describe('toFlowElements', () => {
  it('draws each broker with its replicas and their roles', () => {
    const els = toFlowElements(fixtureSnapshot());
    const roles = (id: number) => broker(els, id).data.replicas.map((r) => `${r.key}:${r.role}`);
    expect(roles(1)).toEqual(['orders-0:in-sync', 'orders-1:leader']);
    expect(roles(2)).toEqual(['orders-0:offline', 'orders-1:offline']);
    expect(roles(3)).toEqual(['orders-0:leader', 'orders-1:out-of-sync']);
  });

  it('gives each replica its offsets, lag behind the leader and flags', () => {
    const els = toFlowElements(fixtureSnapshot());
    const r = broker(els, 3).data.replicas.find((x) => x.key === 'orders-1')!;
    expect(r).toMatchObject({ logEndOffset: 12, highWatermark: 12, logStartOffset: 5, lag: 28, underMinIsr: true, preferred: false });
    const leader = broker(els, 3).data.replicas.find((x) => x.key === 'orders-0')!;
    expect(leader).toMatchObject({ lag: 0, leaderEpoch: 4, underMinIsr: false });
    expect(broker(els, 2).data.replicas[0]!.preferred).toBe(true);
  });

  it('shows a live out-of-sync follower catching up: its log end against the leader\'s', () => {
    const els = toFlowElements(fixtureSnapshot());
    const r = broker(els, 3).data.replicas.find((x) => x.key === 'orders-1')!;
    expect(r.catchUp?.leaderLogEndOffset).toBe(40);
    expect(r.catchUp!.fraction).toBeGreaterThan(0);
    expect(r.catchUp!.fraction).toBeLessThan(1);
    // Leaders, in-sync followers and dead replicas are not catching up.
    for (const id of [1, 2, 3]) for (const x of broker(els, id).data.replicas) if (x.role !== 'out-of-sync') expect(x.catchUp).toBeNull();
    expect(catchUpOf('out-of-sync', { logEndOffset: 30 }, { logEndOffset: 110, logStartOffset: 10 })).toEqual({ leaderLogEndOffset: 110, fraction: 0.2 });
    expect(catchUpOf('out-of-sync', { logEndOffset: 5 }, { logEndOffset: 110, logStartOffset: 10 })).toEqual({ leaderLogEndOffset: 110, fraction: 0 });
    expect(catchUpOf('out-of-sync', { logEndOffset: 110 }, { logEndOffset: 110, logStartOffset: 10 })).toBeNull();
    expect(catchUpOf('in-sync', { logEndOffset: 30 }, { logEndOffset: 110, logStartOffset: 10 })).toBeNull();
    expect(catchUpOf('offline', { logEndOffset: 30 }, { logEndOffset: 110, logStartOffset: 10 })).toBeNull();
    expect(catchUpOf('out-of-sync', { logEndOffset: 30 }, undefined)).toBeNull();
  });

  it('marks the controller and the broker status', () => {
    const els = toFlowElements(fixtureSnapshot());
    expect(broker(els, 1).data.isController).toBe(true);
    expect(broker(els, 3).data.isController).toBe(false);
    expect(broker(els, 2).data.broker.status).toBe('down');
  });

  it('draws replication only from a leader to its live followers, with the lag', () => {
    const els = toFlowElements(fixtureSnapshot());
    const repl = els.edges.filter((e) => e.data?.kind === 'replication');
    expect(repl.map((e) => e.id).sort()).toEqual(['repl:orders-0:3->1', 'repl:orders-1:1->3']);
    const e01 = repl.find((e) => e.id === 'repl:orders-0:3->1')!;
    expect(e01.data).toMatchObject({ label: 'LEO −10', tone: 'normal' });
    // Broker 1 is left of broker 3: the edge leaves on the left and enters on the right.
    expect(e01.sourceHandle).toBe('orders-0:l:s');
    expect(e01.targetHandle).toBe('orders-0:r:t');
    expect(repl.find((e) => e.id === 'repl:orders-1:1->3')!.data).toMatchObject({ label: 'LEO −28', tone: 'lagging' });
  });

  it('shows the producer error on its node and on the failing edge', () => {
    const els = toFlowElements(fixtureSnapshot());
    const p = els.nodes.find((n): n is ProducerNode => n.id === 'producer-checkout')!;
    expect(p.data.recentError?.error).toBe('NOT_ENOUGH_REPLICAS');
    const produce = els.edges.filter((e) => e.data?.kind === 'produce');
    expect(produce.map((e) => `${e.id}>${e.target}`)).toEqual([
      'produce:checkout->orders-0>broker-3',
      'produce:checkout->orders-1>broker-1',
    ]);
    expect(produce[1]!.data).toMatchObject({ tone: 'error', label: null });
  });

  it('forgets an old producer error', () => {
    const s = fixtureSnapshot();
    s.time = 60_000;
    const els = toFlowElements(s);
    expect(els.nodes.find((n): n is ProducerNode => n.id === 'producer-checkout')!.data.recentError).toBeNull();
  });

  it('puts consumers inside their group container, with state and generation', () => {
    const els = toFlowElements(fixtureSnapshot());
    const g = els.nodes.find((n): n is GroupNode => n.id === 'group-billing')!;
    expect(g.data.group?.generation).toBe(5);
    expect(g.data.totalLag).toBe(5);
    const members = els.nodes.filter((n): n is ConsumerNode => n.type === 'consumer');
    expect(g.type).toBe('consumerGroup');
    expect(members.map((m) => m.parentId)).toEqual(['group-billing', 'group-billing']);
    // Parents must come before children for xyflow.
    expect(els.nodes.indexOf(g)).toBeLessThan(els.nodes.indexOf(members[0]!));
    expect(g.width).toBeGreaterThanOrEqual(2 * members[0]!.width!);
  });

  it('draws consumption from the partition leader to its owner with the lag', () => {
    const els = toFlowElements(fixtureSnapshot());
    const c = els.edges.filter((e) => e.data?.kind === 'consumption');
    expect(c.map((e) => `${e.source}->${e.target}:${e.targetHandle}:${e.data?.label}`)).toEqual([
      'broker-3->consumer-billing-1:in:orders-0:records-lag 2',
      'broker-1->consumer-billing-2:in:orders-1:records-lag 0',
    ]);
  });

  it('shows a consumer error while it is news, not a rebalance the consumer has finished', () => {
    const c = fixtureSnapshot().consumers[0]!;
    const rebalance = { at: 1000, error: 'REBALANCE_IN_PROGRESS' as const };
    expect(consumerNews({ ...c, status: 'stable', lastError: rebalance }, 2000)).toBeNull();
    expect(consumerNews({ ...c, status: 'joining', lastError: rebalance }, 2000)).toEqual(rebalance);
    const fenced = { at: 1000, error: 'FENCED_INSTANCE_ID' as const };
    expect(consumerNews({ ...c, status: 'stable', lastError: fenced }, 2000)).toEqual(fenced);
    expect(consumerNews({ ...c, status: 'stable', lastError: fenced }, 1000 + 10_001)).toBeNull();
  });

  it('labels consumption edges with their lag only while the labels fit (a few partitions per consumer)', () => {
    const s = fixtureSnapshot();
    const c0 = s.consumers[0]!;
    const many = Array.from({ length: 4 }, (_, i) => ({ topic: 'orders', partition: i % 2, position: 1, lag: i }));
    const els = toFlowElements({ ...s, consumers: [{ ...c0, positions: many }, ...s.consumers.slice(1)] });
    const labels = els.edges.filter((e) => e.data?.kind === 'consumption' && e.target === `consumer-${c0.id}`).map((e) => e.data?.label);
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.every((l) => l === null)).toBe(true);
    expect(toFlowElements(s).edges.find((e) => e.target === `consumer-${c0.id}` && e.data?.kind === 'consumption')!.data?.label).toMatch(/^records-lag \d+$/);
  });

  it('leaves the leader on the side that faces the consumer', () => {
    const els = toFlowElements(fixtureSnapshot());
    const handle = (id: string) => els.edges.find((x) => x.id === id)!.sourceHandle;
    // The group sits under broker 1: the leader on broker 3 is to its right, so the edge
    // leaves broker 3's row on the left; broker 1's row faces right toward the consumer.
    const b3 = broker(els, 3).position.x;
    const b1 = broker(els, 1).position.x;
    expect(b3).toBeGreaterThan(b1);
    expect(handle('consume:orders-0->billing-1')).toBe('orders-0:l:s');
    expect(handle('consume:orders-1->billing-2')).toBe('orders-1:r:s');
    // Dragging the group far to the right turns the first one around.
    const right = toFlowElements(fixtureSnapshot(), { 'group-billing': { x: 5000, y: 400 } });
    expect(right.edges.find((x) => x.id === 'consume:orders-0->billing-1')!.sourceHandle).toBe('orders-0:r:s');
  });

  it('draws a consumer reading from a follower in its rack (KIP-392) from that follower\'s replica row, and says so', () => {
    const s = fixtureSnapshot();
    const c = s.consumers.find((x) => x.id === 'billing-1')!;
    // orders-0 is led by broker 3; broker 1 (rack a) is an in-sync follower.
    c.positions = c.positions.map((p) => (p.partition === 0 ? { ...p, readReplica: 1 } : p));
    const els = toFlowElements(s);
    const consume = els.edges.filter((e) => e.data?.kind === 'consumption' && e.target === 'consumer-billing-1');
    expect(consume.map((e) => e.id)).toEqual(['consume:orders-0@1->billing-1']);
    const e = consume[0]!;
    expect(e.source).toBe('broker-1');
    expect(e.sourceHandle).toMatch(/^orders-0:[lr]:s$/);
    expect(e.data?.label).toBe('reads from follower (rack a) · records-lag 2');
    // A follower that is down is not drawn as the source: the leader is.
    const down = fixtureSnapshot();
    down.consumers.find((x) => x.id === 'billing-1')!.positions[0]!.readReplica = 2;
    const back = toFlowElements(down).edges.find((x) => x.data?.kind === 'consumption' && x.target === 'consumer-billing-1')!;
    expect(back.id).toBe('consume:orders-0->billing-1');
    expect(back.source).toBe('broker-3');
    expect(back.data?.label).toBe('records-lag 2');
  });

  it('shows motion at low rates and throughput at high rates', () => {
    const els = toFlowElements(fixtureSnapshot(), {}, {
      rates: { leo: { 'orders-0@1': 10, 'orders-1@3': 400 }, position: { 'billing-1|orders-0': 1500 } },
    });
    const e = (id: string) => els.edges.find((x) => x.id === id)!;
    expect(e('repl:orders-0:3->1').animated).toBe(true);
    expect(e('repl:orders-1:1->3').animated).toBe(false);
    expect(e('repl:orders-1:1->3').data).toMatchObject({ label: 'LEO −28', rate: 400 });
    expect(e('consume:orders-0->billing-1').data).toMatchObject({ label: 'records-lag 2', rate: 1500 });
    const c1 = els.nodes.find((n): n is ConsumerNode => n.id === 'consumer-billing-1')!;
    expect(c1.data.ratePerSec).toBe(1500);
    // 200/s over 2 partitions = 100/s per produce edge: a label, no motion.
    expect(e('produce:checkout->orders-0').data?.label).toBe('100/s');
  });

  it('places nodes from the layout when it has them', () => {
    const els = toFlowElements(fixtureSnapshot(), { 'broker-2': { x: 5, y: 7 }, 'consumer-billing-2': { x: 1, y: 2 } });
    expect(broker(els, 2).position).toEqual({ x: 5, y: 7 });
    expect(els.nodes.find((n) => n.id === 'consumer-billing-2')!.position).toEqual({ x: 1, y: 2 });
    // Default: brokers side by side, groups below the brokers.
    expect(broker(els, 1).position.x).toBeLessThan(broker(els, 3).position.x);
    const g = els.nodes.find((n) => n.id === 'group-billing')!;
    expect(g.position.y).toBeGreaterThan(broker(els, 1).position.y + 100);
  });

  it('highlights the selected partition on every broker', () => {
    const els = toFlowElements(fixtureSnapshot(), {}, { selection: { kind: 'partition', topic: 'orders', partition: 1 } });
    for (const id of [1, 2, 3]) {
      expect(broker(els, id).data.replicas.filter((r) => r.selected).map((r) => r.key)).toEqual(['orders-1']);
    }
  });

  it('hands xyflow ids safe in a CSS selector for any client or group name, and keeps the layout keyed by the real names', () => {
    // xyflow looks nodes up with querySelector(`.react-flow__node[data-id="${id}"]`): a quote,
    // a backslash or a line break in a name made it throw and blanked the app (issue 8).
    const names = ['a"b', 'a\nb', 'a\vb', 'a\fb', 'a\\b', "a'b]", 'a%0022b', '\ud800', 'ä ö'];
    const s = fixtureSnapshot();
    const c0 = s.consumers[0]!;
    s.consumers = names.map((id) => ({ ...c0, id, groupId: `g-${id}` }));
    s.producers = names.map((id) => ({ ...s.producers[0]!, id }));
    const layout = { [`consumer-${names[0]}`]: { x: 11, y: 12 }, [`producer-${names[1]}`]: { x: 13, y: 14 } };
    const els = toFlowElements(s, layout);
    const ids = [...els.nodes.map((n) => n.id), ...els.nodes.flatMap((n) => (n.parentId ? [n.parentId] : [])), ...els.edges.flatMap((e) => [e.id, e.source, e.target])];
    expect(new Set(els.nodes.map((n) => n.id)).size).toBe(els.nodes.length);
    for (const id of ids) {
      // What may stand inside a double-quoted CSS string as is.
      expect(id).toMatch(/^[A-Za-z0-9_.:>@%-]+$/);
    }
    // Every node id maps back to the real name: selection and layout use the real names.
    const consumers = els.nodes.filter((n): n is ConsumerNode => n.type === 'consumer');
    expect(consumers.map((n) => selectionForNode(flowId.decode(n.id)))).toEqual(names.map((id) => ({ kind: 'consumer', id })));
    expect(consumers.map((n) => flowId.decode(n.parentId!))).toEqual(names.map((id) => `group-g-${id}`));
    expect(consumers[0]!.position).toEqual({ x: 11, y: 12 });
    expect(els.nodes.find((n) => n.id === flowId.encode(`producer-${names[1]}`))!.position).toEqual({ x: 13, y: 14 });
    // Edges reach the encoded nodes.
    const nodeIds = new Set(els.nodes.map((n) => n.id));
    for (const e of els.edges) expect(nodeIds.has(e.source) && nodeIds.has(e.target)).toBe(true);
  });

  it('encodes ids injectively and reversibly, leaving ordinary names as they are', () => {
    for (const id of ['broker-1', 'consumer-billing-1', 'repl:orders-0:3->1', 'in:orders-1']) expect(flowId.encode(id)).toBe(id);
    const tricky = ['a"b', 'a%0022b', '%', '%%', 'a\u0000b', '\ud83d\ude00', '\udfff', 'a b', ''];
    const encoded = tricky.map((t) => flowId.encode(t));
    expect(new Set(encoded).size).toBe(tricky.length);
    expect(encoded.map((e) => flowId.decode(e))).toEqual(tricky);
  });

  it('counts down to the fencing of a down, unfenced broker, and says so when no controller can fence it', () => {
    const s = fixtureSnapshot();
    s.brokers[1] = { ...s.brokers[1]!, fenced: false, fenceAt: s.time + 4200, sessionTimeoutMs: 9000 };
    expect(broker(toFlowElements(s), 2).data).toMatchObject({ fenceInMs: 4200, unfenceable: false });
    expect(broker(toFlowElements(s), 1).data).toMatchObject({ fenceInMs: null, unfenceable: false });
    const none = { ...s, controller: -1, brokers: s.brokers.map((b) => (b.id === 2 ? { ...b, fenceAt: null } : b)) };
    expect(broker(toFlowElements(none), 2).data).toMatchObject({ fenceInMs: null, unfenceable: true });
  });

  it('marks every replica of a partition whose leader is unreachable offline, naming that leader', () => {
    const s = fixtureSnapshot();
    s.partitions[0] = { ...s.partitions[0]!, leaderAlive: false, offline: true, underReplicated: false, underMinIsr: false };
    const leader = s.partitions[0]!.leader;
    for (const id of [1, 3]) {
      const cell = broker(toFlowElements(s), id).data.replicas.find((r) => r.key === 'orders-0')!;
      expect(cell).toMatchObject({ partitionOffline: true, unreachableLeader: leader });
    }
  });

  it("hides a client's error once it recovered", () => {
    const s = fixtureSnapshot();
    const producerNode = (x: typeof s) => toFlowElements(x).nodes.find((n): n is ProducerNode => n.type === 'producer')!;
    expect(producerNode(s).data.recentError).not.toBeNull();
    expect(producerNode({ ...s, producers: [{ ...s.producers[0]!, recovered: true }] }).data.recentError).toBeNull();
    const c = s.consumers[0]!;
    const err = { at: s.time - 100, error: 'NOT_LEADER_OR_FOLLOWER' as const };
    expect(consumerNews({ ...c, status: 'stable', lastError: err }, s.time)).toEqual(err);
    expect(consumerNews({ ...c, status: 'stable', lastError: err, recovered: true }, s.time)).toBeNull();
  });

  it('shows the group LAG (committed) beside the members records-lag', () => {
    const s = fixtureSnapshot();
    const g = toFlowElements(s).nodes.find((n): n is GroupNode => n.type === 'consumerGroup')!;
    expect(g.data.totalLag).toBe(s.groups[0]!.offsets.reduce((n, o) => n + (o.lag ?? 0), 0));
    expect(g.data.recordsLag).toBe(s.consumers.reduce((n, c) => n + c.positions.reduce((m, p) => m + p.lag, 0), 0));
  });
});
