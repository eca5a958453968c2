/**
 * Values by a batch's place: the buffer its bytes lie in and its start there. A log's batch
 * is a new view each time it is read (log-segment.ts BatchList) and the replicas that share
 * a leader's batch share its place, not an object: whatever counts, names or moves batches
 * once each (an image, a repack of sparse slabs, tests) keys them here.
 */
export class PlaceMap<T> {
  private readonly at = new Map<ArrayBufferLike, Map<number, T>>();
  private places = 0;

  /** How many places hold a value. */
  get size(): number {
    return this.places;
  }

  get(buffer: ArrayBufferLike, start: number): T | undefined {
    return this.at.get(buffer)?.get(start);
  }

  has(buffer: ArrayBufferLike, start: number): boolean {
    return this.at.get(buffer)?.has(start) === true;
  }

  /** Gives the place this value unless it has one; whether it was new. */
  add(buffer: ArrayBufferLike, start: number, value: T): boolean {
    let m = this.at.get(buffer);
    if (m === undefined) this.at.set(buffer, (m = new Map()));
    if (m.has(start)) return false;
    m.set(start, value);
    this.places++;
    return true;
  }

  /** Each buffer with its places' values by start, buffers in the order first met. */
  buffers(): IterableIterator<[ArrayBufferLike, ReadonlyMap<number, T>]> {
    return this.at.entries();
  }

  *values(): IterableIterator<T> {
    for (const m of this.at.values()) yield* m.values();
  }
}
