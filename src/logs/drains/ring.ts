/**
 * A bounded FIFO: push is O(1) and never fails; when full, the oldest item
 * is dropped and counted. The sender peeks a batch and removes it only once
 * it was delivered, so a failed send loses nothing but what overflow drops.
 */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private count = 0;
  /** Items dropped since the last takeDropped(). */
  private droppedSince = 0;
  /** Items dropped in total. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number ≥ 1, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.capacity) {
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      this.dropped++;
      this.droppedSince++;
    }
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count++;
  }

  /** The oldest n items (or fewer), left in place. */
  peek(n: number): T[] {
    const out: T[] = [];
    for (let i = 0; i < Math.min(n, this.count); i++) out.push(this.items[(this.head + i) % this.capacity] as T);
    return out;
  }

  /**
   * Removes the oldest n items (after they were delivered). If overflow
   * dropped some of them meanwhile, only what is left of them is removed.
   */
  remove(n: number, droppedBefore: number): void {
    const already = Math.min(n, this.dropped - droppedBefore);
    const k = Math.min(n - already, this.count);
    for (let i = 0; i < k; i++) {
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
  }

  /** Gives back a count taken for a notice that could not be sent. */
  untakeDropped(n: number): void {
    this.droppedSince += n;
  }

  /** How many were dropped since the last call (for the overflow notice). */
  takeDropped(): number {
    const n = this.droppedSince;
    this.droppedSince = 0;
    return n;
  }
}
