/**
 * Kafka's size limits on the produce path (issue 8, item 8), and a joiner whose protocols
 * share nothing with its group:
 * - KafkaProducer.ensureValidRecordSize: a record over max.request.size fails at once with
 *   RecordTooLargeException (MESSAGE_TOO_LARGE) and is never sent;
 * - UnifiedLog: a batch over the topic's max.message.bytes is MESSAGE_TOO_LARGE, one over
 *   segment.bytes is RECORD_LIST_TOO_LARGE; neither is retried, nothing is appended, and an
 *   idempotent producer goes on with its next records;
 * - ClassicGroup.supportsProtocols: INCONSISTENT_GROUP_PROTOCOL at once, not after the
 *   rebalance timeout.
 */
import { describe, expect, it } from 'vitest';
import { restoreScenarioOrThrow } from '../scenario/restore';
import type { ConfigMap, TimelineAction } from '../scenario/types';
import { Cluster } from './cluster';

function run(opts: { producer?: ConfigMap; topic?: ConfigMap; timeline: Omit<TimelineAction, 'producer'>[] | TimelineAction[] }, untilMs = 3000): Cluster {
  const c = new Cluster(
    restoreScenarioOrThrow({
      version: 1,
      seed: 7,
      cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }] },
      topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, config: opts.topic ?? {} }],
      clients: [{ kind: 'producer', id: 'p', config: opts.producer ?? {} }],
      timeline: opts.timeline,
    }),
    { recordConsumed: true },
  );
  c.runUntil(untilMs);
  return c;
}

const produce = (at: number, value: string) => ({ at, op: 'produce', producer: 'p', topic: 'orders', key: 'k', value }) as TimelineAction;
const rows = (c: Cluster) => c.output().produced.map((r) => ({ at: r.at, offset: r.offset, error: r.error }));
const logValues = (c: Cluster) => c.output().partitions[0]!.records!.map((r) => r.value?.length);

describe('max.request.size, max.message.bytes, segment.bytes', () => {
  it('a 20 MB value fails at the producer with MESSAGE_TOO_LARGE (max.request.size, 1 MB by default)', () => {
    const c = run({ timeline: [produce(10, 'x'.repeat(20 * 1024 * 1024)), produce(20, 'small')] });
    expect(rows(c)).toEqual([
      { at: 10, offset: null, error: 'MESSAGE_TOO_LARGE' },
      { at: 20, offset: 0, error: null },
    ]);
    expect(logValues(c)).toEqual([5]);
    const rejected = c.allEvents().filter((e) => e.type === 'ActionRejected');
    expect(rejected).toMatchObject([{ op: 'produce', error: 'MESSAGE_TOO_LARGE' }]);
  });

  it('the record size counts the batch overhead: a value of exactly 1 MB is too large, as in Kafka', () => {
    const c = run({ timeline: [produce(10, 'x'.repeat(1024 * 1024)), produce(20, 'x'.repeat(1024 * 1024 - 100))] });
    expect(rows(c).map((r) => r.error)).toEqual(['MESSAGE_TOO_LARGE', null]);
  });

  it('past max.request.size, the broker refuses a batch over the topic max.message.bytes; the idempotent producer goes on', () => {
    const c = run({
      producer: { 'max.request.size': 30 * 1024 * 1024 },
      timeline: [produce(10, 'x'.repeat(2 * 1024 * 1024)), produce(500, 'after')],
    });
    expect(rows(c)).toEqual([
      { at: 10, offset: null, error: 'MESSAGE_TOO_LARGE' },
      { at: 500, offset: 0, error: null },
    ]);
    expect(logValues(c)).toEqual([5]);
    expect(c.allEvents().filter((e) => e.type === 'ProduceFailed')).toMatchObject([{ error: 'MESSAGE_TOO_LARGE', records: 1 }]);
  });

  it('a topic with a small max.message.bytes refuses larger batches only', () => {
    const c = run({ topic: { 'max.message.bytes': 200 }, timeline: [produce(10, 'y'.repeat(300)), produce(500, 'y'.repeat(50))] });
    expect(rows(c).map((r) => r.error)).toEqual(['MESSAGE_TOO_LARGE', null]);
    expect(logValues(c)).toEqual([50]);
  });

  it('a batch over segment.bytes is RECORD_LIST_TOO_LARGE', () => {
    const c = run({ topic: { 'segment.bytes': 100 }, timeline: [produce(10, 'z'.repeat(300))] });
    expect(rows(c).map((r) => r.error)).toEqual(['RECORD_LIST_TOO_LARGE']);
    expect(logValues(c)).toEqual([]);
  });

  it('a load generator of 1 MB values: every record fails with MESSAGE_TOO_LARGE, none is stored', () => {
    // 1 record/s of 1 MB: within the playground's 2 MB/s load limit.
    const c = run({ timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 1, valueBytes: 1048576 }] }, 5000);
    const errors = new Set(rows(c).map((r) => r.error));
    expect(errors).toEqual(new Set(['MESSAGE_TOO_LARGE']));
    expect(rows(c).length).toBeGreaterThanOrEqual(4);
    expect(logValues(c)).toEqual([]);
  });
});

describe('a joiner whose protocols share nothing with the group', () => {
  it('gets INCONSISTENT_GROUP_PROTOCOL at once and stops, the group goes on', () => {
    const c = new Cluster(
      restoreScenarioOrThrow({
        version: 1,
        seed: 1,
        cluster: { brokers: [{ id: 1 }] },
        topics: [{ name: 't', partitions: 2, replicationFactor: 1 }],
        clients: [{ kind: 'consumer', id: 'c1', groupId: 'g', topics: ['t'], config: { 'partition.assignment.strategy': 'range' } }],
        timeline: [{ at: 10000, op: 'addConsumer', id: 'c2', groupId: 'g', topics: ['t'], config: { 'partition.assignment.strategy': 'roundrobin' } }],
      }),
    );
    c.runUntil(10100);
    const c2 = c.consumers.get('c2')!.view();
    expect(c2.status).toBe('crashed');
    expect(c2.lastError).toMatchObject({ error: 'INCONSISTENT_GROUP_PROTOCOL' });
    expect(c2.lastError!.at).toBeLessThan(10100);
    const g = c.coordinator.describeGroups()[0]!;
    expect(g.state).toBe('Stable');
    expect(g.members.map((m) => m.clientId)).toEqual(['c1']);
  });
});
