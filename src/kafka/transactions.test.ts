/**
 * Transactions and exactly-once (KIP-98) through the whole cluster, after Kafka's own tests:
 * TransactionCoordinatorTest (InitProducerId, AddPartitionsToTxn, EndTxn state checks),
 * ProducerStateManagerTest (last stable offset, aborted transactions index), the fencing
 * case of TransactionsTest (testFencingOnCommit / testBumpTransactionalEpoch), and
 * TransactionsTest.testReadCommittedConsumerShouldNotSeeUndecidedData /
 * testSendOffsetsWithGroupMetadata (consume-transform-produce).
 */
import { describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../scenario/types';
import { Cluster } from './cluster';
import { threeRacks } from './test-support/three-racks';
import type { ClusterEvent } from './snapshot';

function txnScenario(timeline: TimelineAction[], extra: Partial<Scenario> = {}): Scenario {
  return {
    version: 1,
    seed: 7,
    cluster: threeRacks(),
    topics: [
      { name: 'orders', partitions: 2, replicationFactor: 3, config: { 'min.insync.replicas': 2 } },
      { name: 'out', partitions: 2, replicationFactor: 3, config: { 'min.insync.replicas': 2 } },
    ],
    clients: [
      { kind: 'producer', id: 'tx', config: { 'transactional.id': 'tx-1' } },
      { kind: 'consumer', id: 'rc', groupId: 'committed', topics: ['orders'], config: { 'isolation.level': 'read_committed', 'auto.offset.reset': 'earliest' } },
      { kind: 'consumer', id: 'ru', groupId: 'uncommitted', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
    ],
    timeline,
    ...extra,
  };
}

const produce = (at: number, value: string, partition = 0, producer = 'tx', topic = 'orders'): TimelineAction => ({ at, op: 'produce', producer, topic, value, partition });
type EventOf<T> = ClusterEvent extends infer E ? (E extends { type: infer U } ? (T extends U ? E : never) : never) : never;
const eventsOf = <T extends ClusterEvent['type']>(c: Cluster, type: T) => c.allEvents().filter((e) => e.type === type) as EventOf<T>[];

describe('transactions: commit and abort (TransactionsTest)', () => {
  it('commits: markers on every partition of the transaction, both isolation levels read the records once', () => {
    const c = new Cluster(
      txnScenario([
        { at: 5000, op: 'beginTransaction', producer: 'tx' },
        produce(5010, 'a', 0),
        produce(5020, 'b', 1),
        { at: 5100, op: 'commitTransaction', producer: 'tx' },
      ]),
      { recordConsumed: true },
    );
    c.runUntil(12000);
    const out = c.output();
    for (const p of out.partitions.filter((x) => x.topic === 'orders')) {
      const control = p.records!.filter((r) => r.control);
      expect(control.map((r) => r.control)).toEqual(['COMMIT']);
      expect(p.records!.filter((r) => !r.control).every((r) => r.transactional !== undefined)).toBe(true);
      expect(p.lastStableOffset).toBe(p.highWatermark);
    }
    const read = (id: string) => out.consumed.filter((r) => r.consumer === id).map((r) => r.value).sort();
    expect(read('rc')).toEqual(['a', 'b']);
    expect(read('ru')).toEqual(['a', 'b']);
    expect(out.consumed.filter((r) => r.consumer === 'rc').every((r) => r.isolation === 'read_committed')).toBe(true);
    expect(eventsOf(c, 'TransactionCommitted')).toHaveLength(1);
    expect(out.transactions?.[0]).toMatchObject({ transactionalId: 'tx-1', state: 'CompleteCommit' });
  });

  it('aborts: read_uncommitted sees the aborted records, read_committed never does (and never sees markers)', () => {
    const c = new Cluster(
      txnScenario([
        { at: 5000, op: 'beginTransaction', producer: 'tx' },
        produce(5010, 'lost-1', 0),
        produce(5020, 'lost-2', 1),
        { at: 5200, op: 'abortTransaction', producer: 'tx' },
        { at: 6000, op: 'beginTransaction', producer: 'tx' },
        produce(6010, 'kept', 0),
        { at: 6200, op: 'commitTransaction', producer: 'tx' },
      ]),
      { recordConsumed: true },
    );
    c.runUntil(14000);
    const out = c.output();
    const read = (id: string) => out.consumed.filter((r) => r.consumer === id).map((r) => r.value).sort();
    expect(read('rc')).toEqual(['kept']);
    expect(read('ru')).toEqual(['kept', 'lost-1', 'lost-2']);
    const p0 = out.partitions.find((p) => p.topic === 'orders' && p.partition === 0)!;
    expect(p0.records!.map((r) => r.control ?? r.value)).toEqual(['lost-1', 'ABORT', 'kept', 'COMMIT']);
    expect(eventsOf(c, 'TransactionAborted')).toHaveLength(1);
  });

  it('holds the last stable offset at the first record of an open transaction (ProducerStateManagerTest)', () => {
    const c = new Cluster(
      txnScenario([
        produce(100, 'plain-before', 0, 'plain'),
        { at: 5000, op: 'beginTransaction', producer: 'tx' },
        produce(5010, 'open', 0),
        produce(5500, 'plain-after', 0, 'plain'),
      ], { clients: [...txnScenario([]).clients!, { kind: 'producer', id: 'plain' }] }),
      { recordConsumed: true },
    );
    c.runUntil(8000);
    const p0 = c.snapshot().partitions.find((p) => p.topic === 'orders' && p.partition === 0)!;
    expect(p0.highWatermark).toBe(3);
    expect(p0.lastStableOffset).toBe(1);
    const out = c.output();
    const read = (id: string) => out.consumed.filter((r) => r.consumer === id).map((r) => r.value);
    // read_committed stops at the LSO: not even the non-transactional record after it.
    expect(read('rc')).toEqual(['plain-before']);
    expect(read('ru')).toEqual(['plain-before', 'open', 'plain-after']);
    c.perform({ op: 'commitTransaction', producer: 'tx' });
    c.runUntil(12000);
    const after = c.output();
    expect(after.consumed.filter((r) => r.consumer === 'rc').map((r) => r.value)).toEqual(['plain-before', 'open', 'plain-after']);
    const p0b = after.partitions.find((p) => p.topic === 'orders' && p.partition === 0)!;
    expect(p0b.lastStableOffset).toBe(p0b.highWatermark);
  });
});

describe('the transaction coordinator (TransactionCoordinatorTest)', () => {
  it('refuses begin twice, commit without a transaction, and transactional calls on a plain producer with INVALID_TXN_STATE', () => {
    const c = new Cluster(
      txnScenario(
        [
          { at: 5000, op: 'commitTransaction', producer: 'tx' },
          { at: 5100, op: 'beginTransaction', producer: 'tx' },
          { at: 5200, op: 'beginTransaction', producer: 'tx' },
          { at: 5300, op: 'beginTransaction', producer: 'plain' },
        ],
        { clients: [...txnScenario([]).clients!, { kind: 'producer', id: 'plain' }] },
      ),
    );
    c.runUntil(6000);
    const rejected = eventsOf(c, 'ActionRejected').map((e) => [e.op, e.error]);
    expect(rejected).toEqual([
      ['commitTransaction', 'INVALID_TXN_STATE'],
      ['beginTransaction', 'INVALID_TXN_STATE'],
      ['beginTransaction', 'INVALID_TXN_STATE'],
    ]);
  });

  it('refuses a transactional.id without idempotence, as ProducerConfig does', () => {
    const c = new Cluster(txnScenario([{ at: 10, op: 'addProducer', id: 'bad', config: { 'transactional.id': 'x', 'enable.idempotence': false } }]));
    c.runUntil(100);
    const e = eventsOf(c, 'ActionRejected')[0]!;
    expect(e.error).toBe('INVALID_CONFIG');
    expect(e.message).toContain('Cannot set a transactional.id without also enabling idempotence.');
  });

  it('a record sent outside a transaction fails with INVALID_TXN_STATE', () => {
    const c = new Cluster(txnScenario([produce(5000, 'stray', 0)]), { recordConsumed: true });
    c.runUntil(6000);
    expect(c.output().produced.map((r) => r.error)).toEqual(['INVALID_TXN_STATE']);
  });

  it('places the coordinator on the leader of hash(transactional.id) % 50 of __transaction_state', () => {
    const c = new Cluster(txnScenario([]));
    c.runUntil(3000);
    const view = c.output().transactions![0]!;
    expect(view.coordinator).toBeGreaterThan(0);
    expect(c.txnCoordinator.coordinatorFor('tx-1')).toBe(view.coordinator);
  });

  it('aborts a transaction open longer than transaction.timeout.ms, fencing its producer', () => {
    const c = new Cluster(
      txnScenario([{ at: 5000, op: 'beginTransaction', producer: 'tx' }, produce(5010, 'slow', 0), { at: 40000, op: 'commitTransaction', producer: 'tx' }], {
        clients: [
          { kind: 'producer', id: 'tx', config: { 'transactional.id': 'tx-1', 'transaction.timeout.ms': 10000 } },
          ...txnScenario([]).clients!.slice(1),
        ],
      }),
      { recordConsumed: true },
    );
    c.runUntil(45000);
    const aborted = eventsOf(c, 'TransactionAborted');
    expect(aborted).toHaveLength(1);
    expect(aborted[0]!.reason).toBe('transaction.timeout.ms');
    expect(aborted[0]!.at).toBeGreaterThanOrEqual(15010);
    expect(aborted[0]!.at).toBeLessThan(30000);
    const errors = eventsOf(c, 'TransactionError').map((e) => e.error);
    expect(errors).toContain('PRODUCER_FENCED');
    const out = c.output();
    expect(out.consumed.filter((r) => r.consumer === 'rc')).toEqual([]);
    expect(out.consumed.filter((r) => r.consumer === 'ru').map((r) => r.value)).toEqual(['slow']);
  });
});

describe('zombie fencing (TransactionsTest.testFencingOnCommit)', () => {
  it('a second producer with the same transactional.id bumps the epoch: the first is fenced and its open transaction aborted', () => {
    const c = new Cluster(
      txnScenario([
        { at: 5000, op: 'beginTransaction', producer: 'tx' },
        produce(5010, 'zombie', 0),
        { at: 6000, op: 'addProducer', id: 'tx2', config: { 'transactional.id': 'tx-1' } },
        { at: 7000, op: 'beginTransaction', producer: 'tx2' },
        produce(7010, 'fresh', 1, 'tx2'),
        { at: 7200, op: 'commitTransaction', producer: 'tx2' },
        { at: 8000, op: 'commitTransaction', producer: 'tx' },
        produce(8100, 'late', 0),
      ]),
      { recordConsumed: true },
    );
    c.runUntil(15000);
    const fenced = eventsOf(c, 'ProducerFenced');
    expect(fenced).toHaveLength(1);
    expect(fenced[0]!.by).toBe('tx2');
    expect(eventsOf(c, 'TransactionAborted')[0]!.reason).toBe('fenced');
    // The zombie learns it is fenced from the coordinator's answer to its EndTxn (commitTransaction throws ProducerFencedException).
    const errors = eventsOf(c, 'TransactionError').filter((e) => e.producer === 'tx');
    expect(errors.map((e) => [e.op, e.error])).toEqual([['EndTxn', 'PRODUCER_FENCED']]);
    expect(eventsOf(c, 'ActionRejected').filter((e) => e.op === 'produce').map((e) => e.error)).toEqual(['PRODUCER_FENCED']);
    const out = c.output();
    expect(out.consumed.filter((r) => r.consumer === 'rc').map((r) => r.value)).toEqual(['fresh']);
    expect(out.produced.find((r) => r.key === null && r.producer === 'tx' && r.at === 8100)?.error).toBe('PRODUCER_FENCED');
    const snap = c.snapshot();
    expect(snap.producers.find((p) => p.id === 'tx')!.transaction).toMatchObject({ state: 'FATAL_ERROR', error: 'PRODUCER_FENCED' });
    expect(snap.producers.find((p) => p.id === 'tx2')!.transaction).toMatchObject({ state: 'READY' });
  });
});

describe('consume-transform-produce (TransactionsTest.testSendOffsetsWithGroupMetadata)', () => {
  it('offsets sent to a transaction are the group’s only once it commits; an abort drops them', () => {
    const base = txnScenario([
      { at: 5000, op: 'beginTransaction', producer: 'tx' },
      produce(5010, 'x', 0, 'tx', 'out'),
      { at: 5020, op: 'sendOffsetsToTransaction', producer: 'tx', group: 'etl', offsets: [{ topic: 'orders', partition: 0, offset: 7 }] },
      { at: 5500, op: 'abortTransaction', producer: 'tx' },
      { at: 6000, op: 'beginTransaction', producer: 'tx' },
      produce(6010, 'y', 0, 'tx', 'out'),
      { at: 6020, op: 'sendOffsetsToTransaction', producer: 'tx', group: 'etl', offsets: [{ topic: 'orders', partition: 0, offset: 3 }] },
    ]);
    const c = new Cluster(base);
    c.runUntil(6400);
    expect(c.coordinator.committed('etl', 'orders', 0)).toBeNull();
    expect(c.coordinator.pendingTxnOffsetsOf('etl')).toHaveLength(1);
    c.perform({ op: 'commitTransaction', producer: 'tx' });
    c.runUntil(9000);
    expect(c.coordinator.committed('etl', 'orders', 0)).toBe(3);
    expect(c.coordinator.pendingTxnOffsetsOf('etl')).toHaveLength(0);
  });
});

describe('time travel with transactions (checkpoint.ts)', () => {
  it('the exactly-once lesson checkpointed every 700 ms (open transactions, markers in flight) continues exactly, through images too', async () => {
    const { restoreScenario } = await import('../scenario/restore');
    const doc = (await import('../scenario/lessons/exactly-once-transactions.json')).default;
    const r = restoreScenario(doc);
    if (!r.ok) throw new Error(r.error.message);
    const straight = new Cluster(r.scenario, { recordConsumed: true });
    straight.runUntil(21000);
    const { cloneCluster, findClosures, readClusterImage, writeClusterImage } = await import('./checkpoint');
    let c = new Cluster(r.scenario, { recordConsumed: true });
    for (let t = 700; t <= 21000; t += 700) {
      c.runUntil(t);
      expect(findClosures(c)).toEqual([]);
      c = t % 2100 === 0 ? readClusterImage(structuredClone(writeClusterImage(c))) : cloneCluster(c);
    }
    c.runUntil(21000);
    const fp = (x: Cluster) => JSON.stringify({ o: x.output(), s: x.snapshot().producers });
    expect(fp(c)).toBe(fp(straight));
  });
});

describe('restart from disk with a transaction open (durable.ts)', () => {
  it('the coordinator comes back with the open transaction: the restarted producer fences and aborts it, and the LSO moves on', async () => {
    const { exportDurableState, restoreCluster } = await import('./durable');
    const a = new Cluster(txnScenario([{ at: 5000, op: 'beginTransaction', producer: 'tx' }, produce(5010, 'open-at-restart', 0)]), { recordConsumed: true });
    a.runUntil(6000);
    const before = a.snapshot().partitions.find((p) => p.topic === 'orders' && p.partition === 0)!;
    expect(before.lastStableOffset).toBeLessThan(before.highWatermark);
    const saved = structuredClone(exportDurableState(a));
    expect(saved.meta.transactions?.transactions[0]).toMatchObject({ transactionalId: 'tx-1', state: 'Ongoing' });
    const b = restoreCluster(saved);
    b.runUntil(12000);
    // The restarted producer's InitProducerId found the transaction Ongoing: aborted at a bumped epoch.
    expect(b.allEvents().some((e) => e.type === 'TransactionAborted' && e.reason === 'fenced')).toBe(true);
    const after = b.snapshot().partitions.find((p) => p.topic === 'orders' && p.partition === 0)!;
    expect(after.lastStableOffset).toBe(after.highWatermark);
    expect(b.producers.get('tx')!.txnState).toBe('READY');
    expect(b.snapshot().transactions![0]!.producerId).toBe(a.snapshot().transactions![0]!.producerId);
  });
});
