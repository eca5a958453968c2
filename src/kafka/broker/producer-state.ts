/**
 * Idempotent-producer state of one partition: for each producer id, its epoch and the
 * metadata of its last 5 batches (Kafka's ProducerStateManager / ProducerAppendInfo,
 * storage/src/main/java/org/apache/kafka/storage/internals/log/ProducerStateManager.java).
 *
 * A batch whose (epoch, firstSeq, lastSeq) matches a retained one is a duplicate: the
 * leader answers with the original offsets and appends nothing. A batch whose first
 * sequence is not lastSeq + 1 is OUT_OF_ORDER_SEQUENCE_NUMBER. The state is rebuilt from
 * the log's batch headers after truncation, as Kafka rebuilds it from snapshots + log.
 */
import type { KafkaError } from '../errors';

export const NUM_BATCHES_TO_RETAIN = 5;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMetadata[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number }
  | { kind: 'error'; error: KafkaError };

/** The common answer, one object for all (checked per produced batch). */
const APPEND: SequenceCheck = Object.freeze({ kind: 'append' });

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();

  /** Checks a leader append before it happens. */
  check(producerId: number, epoch: number, firstSeq: number, lastSeq: number): SequenceCheck {
    if (producerId < 0) return APPEND;
    const e = this.producers.get(producerId);
    if (!e) {
      // A new producer (or one whose state was lost) must start at 0, as Kafka requires
      // for a producer id it has never seen (UNKNOWN_PRODUCER_ID is gone since KIP-360).
      return firstSeq === 0 ? APPEND : { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
    }
    if (epoch < e.epoch) return { kind: 'error', error: 'INVALID_PRODUCER_EPOCH' };
    if (epoch > e.epoch) {
      return firstSeq === 0 ? APPEND : { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
    }
    for (const b of e.batches) {
      if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) {
        return { kind: 'duplicate', firstOffset: b.firstOffset, lastOffset: b.lastOffset };
      }
    }
    const last = e.batches[e.batches.length - 1];
    const expected = last ? (last.lastSeq + 1) | 0 : 0;
    if (firstSeq !== expected) return { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
    return APPEND;
  }

  /** Records an appended batch (leader or follower). */
  update(producerId: number, epoch: number, firstSeq: number, lastSeq: number, firstOffset: number, lastOffset: number): void {
    if (producerId < 0) return;
    let e = this.producers.get(producerId);
    if (!e || epoch > e.epoch) {
      e = { epoch, batches: [] };
      this.producers.set(producerId, e);
    }
    // The oldest of the retained five makes room and is reused (an object per append, on
    // the leader and each follower, otherwise); nothing outside holds these entries.
    if (e.batches.length < NUM_BATCHES_TO_RETAIN) {
      e.batches.push({ firstSeq, lastSeq, firstOffset, lastOffset });
      return;
    }
    const m = e.batches.shift()!;
    m.firstSeq = firstSeq;
    m.lastSeq = lastSeq;
    m.firstOffset = firstOffset;
    m.lastOffset = lastOffset;
    e.batches.push(m);
  }

  clear(): void {
    this.producers.clear();
  }

  get size(): number {
    return this.producers.size;
  }
}
