/**
 * Bytes handed to a sink that are not on disk yet, and waiters for that amount to fall.
 *
 * A data channel cannot be paused by its receiver, so a sink's write() always accepts; this count
 * shows whether the disk keeps up, and lets a receiver that watches it stop asking for more until
 * it falls (whenBelow).
 */
export class PendingBytes {
  private pendingCount = 0;
  private peakCount = 0;
  private writtenCount = 0;
  private waiters: { limit: number; resolve: () => void }[] = [];

  /** Handed over, not yet settled. */
  get pending(): number {
    return this.pendingCount;
  }

  /** The most `pending` ever was: how far the disk fell behind the network. */
  get peak(): number {
    return this.peakCount;
  }

  /** Settled so far (written, or dropped after a failure). */
  get written(): number {
    return this.writtenCount;
  }

  add(bytes: number): void {
    this.pendingCount += bytes;
    if (this.pendingCount > this.peakCount) this.peakCount = this.pendingCount;
  }

  /** `bytes` reached the disk (or never will: failed); wakes the waiters whose limit is reached. */
  settle(bytes: number): void {
    this.pendingCount = Math.max(0, this.pendingCount - bytes);
    this.writtenCount += bytes;
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.pendingCount <= w.limit) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** Nothing more will be acknowledged (closed, deleted, the writer died). */
  settleAll(): void {
    this.settle(this.pendingCount);
  }

  /** Resolves once pending ≤ limit. */
  whenBelow(limit: number): Promise<void> {
    if (this.pendingCount <= limit) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ limit, resolve }));
  }
}
