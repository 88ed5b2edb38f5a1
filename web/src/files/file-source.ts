/**
 * Reads a File/Blob for sending, chunk by chunk, never all of it. Chunks come from ONE sequential
 * `blob.slice(start).stream()` that runs up to `readAheadBytes` (default 4 MiB) ahead of the
 * sender; a jump (a resume that starts mid-file, a chunk asked for again, a gap in what the
 * receiver lacks) restarts the stream at the chunk needed.
 *
 * Why a stream: reading with slice().arrayBuffer() costs a round trip to the browser's blob
 * store per read. Measured in Chromium here (test/bench/README.md): 1 MiB slices cost ~7 ms of
 * CPU per MB across the browser's processes, a stream ~2.5 ms/MB — CPU the data channel needs,
 * since the transfer is CPU-bound.
 *
 * The hot loop asks `peek(index)` first (synchronous, no await when the chunk is read already,
 * which is nearly always) and awaits `chunk(index)` only on a miss. A chunk is a view of the
 * stream's piece when it lies within one piece, else a copy assembled from two. Memory: up to
 * `readAheadBytes` of chunks plus the stream piece being cut (the browser's pieces are small;
 * Node hands an in-memory Blob over as one piece).
 */

export interface FileSourceOptions {
  /** How far the stream reads ahead of the chunk in use, in bytes (default 4 MiB). */
  readAheadBytes?: number;
}

interface Waiter {
  index: number;
  resolve: (chunk: Uint8Array) => void;
  reject: (e: Error) => void;
}

/** The file ended before its size said: it changed on disk since it was picked. */
function fileChanged(): Error {
  return new DOMException('the file changed while it was being sent', 'NotReadableError');
}

export class FileSource {
  readonly blob: Blob;
  readonly size: number;
  readonly chunkSize: number;
  readonly chunkCount: number;
  private readonly readAheadBytes: number;
  /** Read chunks not yet handed out for good, by index (consecutive, from the oldest kept). */
  private readonly ready = new Map<number, Uint8Array>();
  private readyBytes = 0;
  /** The chunk the stream fills next, and its bytes so far when they span two pieces. */
  private nextIndex = 0;
  private partial: Uint8Array | null = null;
  private partialLength = 0;
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  /** Bumped on every restart: a read loop of an older stream stops at its next step. */
  private generation = 0;
  private filling = false;
  private waiters: Waiter[] = [];
  private failure: Error | null = null;

  constructor(blob: Blob, chunkSize: number, options: FileSourceOptions = {}) {
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new RangeError('chunkSize');
    this.blob = blob;
    this.size = blob.size;
    this.chunkSize = chunkSize;
    this.chunkCount = this.size === 0 ? 0 : Math.ceil(this.size / chunkSize);
    this.readAheadBytes = Math.max(chunkSize, options.readAheadBytes ?? 4 * 1024 * 1024);
  }

  /** Bytes currently held in memory (read-ahead chunks and a partly assembled one). */
  get bufferedBytes(): number {
    return this.readyBytes + this.partialLength;
  }

  /**
   * Chunk `index` if it is read already, else null (then await chunk(index)). Asking for a chunk
   * drops the ones before it, and lets the stream read further.
   */
  peek(index: number): Uint8Array | null {
    const chunk = this.ready.get(index);
    if (!chunk) return null;
    this.dropBefore(index);
    this.fill();
    return chunk;
  }

  /** Chunk `index`. Rejects if the file cannot be read (changed, deleted: NotReadableError, NotFoundError). */
  async chunk(index: number): Promise<Uint8Array> {
    if (!Number.isInteger(index) || index < 0 || index >= this.chunkCount) throw new RangeError(`chunk ${index}`);
    const hit = this.peek(index);
    if (hit) return hit;
    if (this.failure) throw this.failure;
    // On its way when the running stream reaches it within the read-ahead; else start over there.
    const ahead = index - this.nextIndex;
    if (!this.reader || ahead < 0 || ahead * this.chunkSize > this.readAheadBytes) this.restart(index);
    else this.dropBefore(index);
    return new Promise((resolve, reject) => {
      this.waiters.push({ index, resolve, reject });
      this.fill();
    });
  }

  /** Any byte range, read directly (for the whole-file hash catch-up; see shared/transfer/hash.ts). */
  async readRange(offset: number, length: number): Promise<Uint8Array> {
    return new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
  }

  /** Drops everything read and stops the stream (end of transfer, or a pause). */
  release(): void {
    this.stopStream();
    this.nextIndex = 0;
    for (const w of this.waiters.splice(0)) w.reject(new DOMException('released', 'AbortError'));
  }

  private stopStream(): void {
    this.generation++;
    this.reader?.cancel().catch((e: unknown) => {
      // An abandoned stream: nothing depends on it any more; noted in case it hides a read problem.
      console.warn('file source: cancelling a read failed:', e instanceof Error ? e.name : typeof e);
    });
    this.reader = null;
    this.filling = false;
    this.ready.clear();
    this.readyBytes = 0;
    this.partial = null;
    this.partialLength = 0;
  }

  private restart(index: number): void {
    this.stopStream();
    // Chunks waited for on the old stream will not come from this one.
    for (const w of this.waiters.splice(0)) w.reject(new DOMException('the read moved elsewhere', 'AbortError'));
    this.failure = null;
    this.nextIndex = index;
    this.reader = this.blob.slice(index * this.chunkSize).stream().getReader();
  }

  private dropBefore(index: number): void {
    for (const [i, chunk] of this.ready) {
      if (i >= index) break; // Map keeps insertion order: ascending indices
      this.ready.delete(i);
      this.readyBytes -= chunk.length;
    }
  }

  /** Starts the read loop unless it runs, or has read far enough ahead, or the file is done. */
  private fill(): void {
    if (this.filling || !this.reader || this.failure || this.nextIndex >= this.chunkCount) return;
    if (this.readyBytes >= this.readAheadBytes && this.waiters.length === 0) return;
    this.filling = true;
    void this.readLoop(this.generation, this.reader);
  }

  private async readLoop(generation: number, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      while (this.nextIndex < this.chunkCount && (this.readyBytes < this.readAheadBytes || this.waiters.length > 0)) {
        const { done, value } = await reader.read();
        if (generation !== this.generation) return;
        if (done) throw fileChanged();
        this.take(value);
        this.wake();
      }
    } catch (e) {
      if (generation !== this.generation) return;
      this.failure = e instanceof Error ? e : new Error(String(e));
      for (const w of this.waiters.splice(0)) w.reject(this.failure);
    } finally {
      if (generation === this.generation) this.filling = false;
    }
  }

  /** Cuts a piece of the stream into chunks (views when a chunk lies within the piece). */
  private take(piece: Uint8Array): void {
    let at = 0;
    while (at < piece.length) {
      if (this.nextIndex >= this.chunkCount) throw fileChanged(); // longer than its size said
      const length = Math.min(this.chunkSize, this.size - this.nextIndex * this.chunkSize);
      if (this.partialLength === 0 && piece.length - at >= length) {
        this.push(piece.subarray(at, at + length));
        at += length;
        continue;
      }
      this.partial ??= new Uint8Array(length);
      const n = Math.min(length - this.partialLength, piece.length - at);
      this.partial.set(piece.subarray(at, at + n), this.partialLength);
      this.partialLength += n;
      at += n;
      if (this.partialLength === length) {
        const chunk = this.partial;
        this.partial = null;
        this.partialLength = 0;
        this.push(chunk);
      }
    }
  }

  private push(chunk: Uint8Array): void {
    this.ready.set(this.nextIndex++, chunk);
    this.readyBytes += chunk.length;
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      const chunk = this.ready.get(w.index);
      if (chunk) w.resolve(chunk);
      else still.push(w);
    }
    this.waiters = still;
  }
}
