/**
 * Gathers contiguous writes into batches of `batchBytes` (1 MiB) and hands each on as one
 * ArrayBuffer that the caller may transfer: one postMessage and one disk write per MiB instead of
 * per chunk (both cost main-thread CPU the transfer needs). A batch is handed on early at a gap
 * (a write that does not continue it) and on flush().
 *
 * Garbage: a full batch is handed on as it is (its buffer is not reused); a partial one as a copy
 * cut to size, and its buffer is kept for the next batch, so out-of-order chunks do not each
 * leave 1 MiB behind.
 */
export const BATCH_BYTES = 1 << 20;

export class WriteBatcher {
  private batch: Uint8Array<ArrayBuffer> | null = null;
  /** The batch holds bytes [batchOffset, batchOffset + batchLength) of the file. */
  private batchOffset = 0;
  private batchLength = 0;

  constructor(
    /** Receives each batch; `data` is the caller's to keep or transfer. */
    private readonly emit: (offset: number, data: ArrayBuffer) => void,
    readonly batchBytes = BATCH_BYTES,
  ) {}

  /** Bytes gathered and not handed on yet. */
  get gathered(): number {
    return this.batchLength;
  }

  /** Copies `bytes` (they may be reused at once) into the batch for `offset`. */
  add(offset: number, bytes: Uint8Array): void {
    if (this.batchLength > 0 && (offset !== this.batchOffset + this.batchLength || this.batchLength + bytes.length > this.batchBytes)) {
      this.flush();
    }
    if (bytes.length >= this.batchBytes) {
      this.emit(offset, bytes.slice().buffer);
      return;
    }
    this.batch ??= new Uint8Array(this.batchBytes);
    if (this.batchLength === 0) this.batchOffset = offset;
    this.batch.set(bytes, this.batchLength);
    this.batchLength += bytes.length;
    if (this.batchLength === this.batchBytes) this.flush();
  }

  /** Hands on what is gathered (nothing if empty). */
  flush(): void {
    const batch = this.batch;
    if (!batch || this.batchLength === 0) return;
    if (this.batchLength === batch.length) {
      this.batch = null;
      this.emit(this.batchOffset, batch.buffer);
    } else {
      this.emit(this.batchOffset, batch.buffer.slice(0, this.batchLength));
    }
    this.batchLength = 0;
  }

  /** Forgets what is gathered and frees the buffer (the file is closed or about to be deleted). */
  drop(): void {
    this.batch = null;
    this.batchLength = 0;
  }
}
