import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../kafka/snapshot';
import type { TimelineAction } from '../scenario/types';
import { phrase } from './events/phrase';
import { produceOutcomeOf, rejectionOf } from './outcomes';

const reset: TimelineAction = { at: 1200, op: 'resetOffsets', group: 'billing', topic: 'orders', to: 'earliest' };
const produce: TimelineAction = { at: 900, op: 'produce', producer: 'checkout', topic: 'orders', key: 'k', value: 'v' };

describe('action outcomes', () => {
  it('finds the refusal of an action by its time and op, with Kafka’s error', () => {
    const events: ClusterEvent[] = [
      { at: 1100, type: 'ActionRejected', op: 'resetOffsets', error: 'NON_EMPTY_GROUP', message: 'earlier one' },
      { at: 1200, type: 'ActionRejected', op: 'killBroker', error: 'BROKER_NOT_AVAILABLE', message: 'other op' },
      { at: 1200, type: 'ActionRejected', op: 'resetOffsets', error: 'NON_EMPTY_GROUP', message: 'Group billing has active members.' },
    ];
    expect(rejectionOf(reset, events)).toMatchObject({ error: 'NON_EMPTY_GROUP', message: 'Group billing has active members.' });
    expect(rejectionOf(reset, events.slice(0, 2))).toBeNull();
  });

  it('finds a produce’s outcome by producer and send time, and phrases its offset', () => {
    const ok: ClusterEvent = { at: 905, type: 'RecordProduced', producer: 'checkout', sentAt: 900, topic: 'orders', partition: 2, key: 'k', offset: 41, error: null, acks: 'all' };
    const other: ClusterEvent = { ...ok, sentAt: 800, offset: 40 };
    expect(produceOutcomeOf(produce, [other, ok])).toBe(ok);
    expect(produceOutcomeOf(produce, [other])).toBeNull();
    expect(phrase(ok).text).toBe('Producer checkout: record with key "k" acknowledged (acks=all) at orders-2 offset 41');
    expect(phrase({ ...ok, offset: null, error: 'NOT_ENOUGH_REPLICAS' }).text).toBe('Producer checkout: record with key "k" to orders-2 failed with NOT_ENOUGH_REPLICAS');
  });
});
