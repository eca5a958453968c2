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

/**
 * One producer's state here, flat: its epoch, the last sequence of its newest batch (what
 * the next batch must follow, read on every produce without touching the retained batches),
 * and the metadata of its last NUM_BATCHES_TO_RETAIN batches in a ring of numbers (firstSeq,
 * lastSeq, firstOffset, lastOffset per slot; `head` is the oldest slot once the ring is full),
 * instead of an array of small objects shifted on every append.
 */
interface ProducerEntry {
  epoch: number;
  /** The newest retained batch's last sequence, -1 when none is retained. */
  lastSeq: number;
  /** Retained batches (≤ NUM_BATCHES_TO_RETAIN). */
  count: number;
  /** Slot of the oldest retained batch. */
  head: number;
  /** 4 numbers per slot: firstSeq, lastSeq, firstOffset, lastOffset. */
  ring: number[];
}

// The ring is allocated whole (a literal: packed elements, one allocation instead of growth steps).
const newEntry = (epoch: number): ProducerEntry => ({
  epoch,
  lastSeq: -1,
  count: 0,
  head: 0,
  ring: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
});

/** Empties an entry for a new epoch (the producer's batches of older epochs no longer count). */
function resetEntry(e: ProducerEntry, epoch: number): void {
  e.epoch = epoch;
  e.lastSeq = -1;
  e.count = 0;
  e.head = 0;
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number }
  | { kind: 'error'; error: KafkaError };

/** The common answer, one object for all (checked per produced batch). */
const APPEND: SequenceCheck = Object.freeze({ kind: 'append' });

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();
  /**
   * The producer id looked up last and its entry (null: none): a leader's check and update of
   * one batch, and a producer's consecutive batches, find it without a second Map lookup.
   */
  private lastPid = -1;
  private lastEntry: ProducerEntry | null = null;

  private entry(producerId: number): ProducerEntry | undefined {
    if (producerId === this.lastPid && this.lastEntry !== null) return this.lastEntry;
    const e = this.producers.get(producerId);
    if (e !== undefined) {
      this.lastPid = producerId;
      this.lastEntry = e;
    }
    return e;
  }
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
    const e = this.entry(producerId);
    if (!e) {
      // A new producer (or one whose state was lost) must start at 0, as Kafka requires
      // for a producer id it has never seen (UNKNOWN_PRODUCER_ID is gone since KIP-360).
      return firstSeq === 0 ? APPEND : { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
    }
    if (epoch < e.epoch) return { kind: 'error', error: 'INVALID_PRODUCER_EPOCH' };
    if (epoch > e.epoch) {
      return firstSeq === 0 ? APPEND : { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
    }
    const expected = (e.lastSeq + 1) | 0;
    // The next sequence (nearly every produce): no retained batch can start there (they all
    // start at or before the last one's lastSeq, and five batches never span 2^32
    // sequences), so it is no duplicate and the search below is skipped.
    if (firstSeq === expected) return APPEND;
    // Oldest retained batch first, as Kafka's findDuplicateBatch walks its queue.
    const ring = e.ring;
    for (let i = 0; i < e.count; i++) {
      const at = ((e.head + i) % NUM_BATCHES_TO_RETAIN) * 4;
      if (ring[at] === firstSeq && ring[at + 1] === lastSeq) {
        return { kind: 'duplicate', firstOffset: ring[at + 2]!, lastOffset: ring[at + 3]! };
      }
    }
    return { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
  }

  /** Records an appended batch (leader or follower): it becomes the newest of the retained five. */
  update(producerId: number, epoch: number, firstSeq: number, lastSeq: number, firstOffset: number, lastOffset: number): void {
    if (producerId < 0) return;
    let e = this.entry(producerId);
    if (!e) {
      e = newEntry(epoch);
      this.producers.set(producerId, e);
      this.lastPid = producerId;
      this.lastEntry = e;
    } else if (epoch > e.epoch) resetEntry(e, epoch);
    let slot: number;
    if (e.count < NUM_BATCHES_TO_RETAIN) {
      slot = (e.head + e.count) % NUM_BATCHES_TO_RETAIN;
      e.count++;
    } else {
      // The oldest makes room.
      slot = e.head;
      e.head = (slot + 1) % NUM_BATCHES_TO_RETAIN;
    }
    const at = slot * 4;
    const ring = e.ring;
    ring[at] = firstSeq;
    ring[at + 1] = lastSeq;
    ring[at + 2] = firstOffset;
    ring[at + 3] = lastOffset;
    e.lastSeq = lastSeq;
  }

  /**
   * An end-transaction marker at the leader (ProducerAppendInfo.appendEndTxnMarker): the
   * coordinator's epoch must not be older than the producer's last one here
   * (INVALID_PRODUCER_EPOCH: the marker of a fenced coordinator request).
   */
  checkMarker(producerId: number, epoch: number): KafkaError {
    const e = this.entry(producerId);
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
      const e = this.entry(producerId);
      if (!e) this.producers.set(producerId, newEntry(epoch));
      else if (epoch > e.epoch) resetEntry(e, epoch);
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
    this.lastPid = -1;
    this.lastEntry = null;
    this.ongoingTxns.clear();
    this.unreplicatedTxns = [];
    this.abortedTxns = [];
  }

  get size(): number {
    return this.producers.size;
  }
}
