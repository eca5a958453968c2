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
import type { ControlRecordType } from '../log/record-batch';

/**
 * A transaction's span in this partition's log: its first data offset, and the offset of
 * the marker that ended it (TxnMetadata / AbortedTxn in Kafka's ProducerStateManager and
 * TransactionIndex).
 */
export interface TxnSpan {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

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
  /** Open transactions: producer id → first offset of its transaction here (ongoingTxns). */
  private readonly ongoingTxns = new Map<number, number>();
  /**
   * Transactions whose marker is in the log but maybe not yet replicated (unreplicatedTxns):
   * they still hold the last stable offset back until the high watermark passes the marker.
   */
  private unreplicatedTxns: TxnSpan[] = [];
  /** The aborted-transactions index (TransactionIndex), in marker order. */
  private abortedTxns: TxnSpan[] = [];

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
    const batches = e.batches;
    const last = batches[batches.length - 1];
    const expected = last ? (last.lastSeq + 1) | 0 : 0;
    // The next sequence (nearly every produce): no retained batch can start there (they all
    // start at or before the last one's lastSeq, and five batches never span 2^32
    // sequences), so it is no duplicate and the search below is skipped.
    if (firstSeq === expected) return APPEND;
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i]!;
      if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) {
        return { kind: 'duplicate', firstOffset: b.firstOffset, lastOffset: b.lastOffset };
      }
    }
    return { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
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

  /**
   * An end-transaction marker at the leader (ProducerAppendInfo.appendEndTxnMarker): the
   * coordinator's epoch must not be older than the producer's last one here
   * (INVALID_PRODUCER_EPOCH: the marker of a fenced coordinator request).
   */
  checkMarker(producerId: number, epoch: number): KafkaError {
    const e = this.producers.get(producerId);
    return e && epoch < e.epoch ? 'INVALID_PRODUCER_EPOCH' : 'NONE';
  }

  /**
   * Tracks transactions from an appended batch's header, on the leader and the followers
   * alike (ProducerStateManager.update / completeTxn): a transactional data batch opens its
   * producer's transaction here if none is open; a control batch (marker) closes it, an
   * ABORT marker adding it to the aborted index. A marker of a newer epoch also bumps the
   * producer's epoch here, so a fenced producer's later batches are refused.
   */
  onTxnBatch(producerId: number, epoch: number, transactional: boolean, control: ControlRecordType | null, firstOffset: number, lastOffset: number): void {
    if (producerId < 0) return;
    if (control !== null) {
      const e = this.producers.get(producerId);
      if (!e || epoch > e.epoch) this.producers.set(producerId, { epoch, batches: [] });
      const first = this.ongoingTxns.get(producerId);
      if (first === undefined) return;
      this.ongoingTxns.delete(producerId);
      const span: TxnSpan = { producerId, firstOffset: first, lastOffset };
      this.unreplicatedTxns.push(span);
      if (control === 'ABORT') this.abortedTxns.push(span);
      return;
    }
    if (transactional && !this.ongoingTxns.has(producerId)) this.ongoingTxns.set(producerId, firstOffset);
  }

  /**
   * The first offset not yet stable (ProducerStateManager.firstUnstableOffset): the lowest
   * first offset among open transactions and completed ones whose marker is at or past the
   * high watermark; null when none.
   */
  firstUnstableOffset(highWatermark: number): number | null {
    if (this.unreplicatedTxns.length > 0) this.unreplicatedTxns = this.unreplicatedTxns.filter((t) => t.lastOffset >= highWatermark);
    let min: number | null = null;
    for (const f of this.ongoingTxns.values()) if (min === null || f < min) min = f;
    for (const t of this.unreplicatedTxns) if (min === null || t.firstOffset < min) min = t.firstOffset;
    return min;
  }

  /** Aborted transactions that overlap [fetchOffset, upperBoundOffset) (TransactionIndex.collectAbortedTxns). */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): TxnSpan[] {
    const out: TxnSpan[] = [];
    for (const t of this.abortedTxns) if (t.lastOffset >= fetchOffset && t.firstOffset < upperBoundOffset) out.push({ ...t });
    return out;
  }

  /** Drops aborted-index entries wholly below the log start (the segments holding them are gone). */
  truncateAbortedBelow(logStartOffset: number): void {
    if (this.abortedTxns.length > 0 && this.abortedTxns[0]!.lastOffset < logStartOffset) this.abortedTxns = this.abortedTxns.filter((t) => t.lastOffset >= logStartOffset);
  }

  /** Open transactions, for views: producer id and first offset. */
  ongoing(): { producerId: number; firstOffset: number }[] {
    return [...this.ongoingTxns].map(([producerId, firstOffset]) => ({ producerId, firstOffset }));
  }

  clear(): void {
    this.producers.clear();
    this.ongoingTxns.clear();
    this.unreplicatedTxns = [];
    this.abortedTxns = [];
  }

  get size(): number {
    return this.producers.size;
  }
}
