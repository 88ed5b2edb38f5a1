/**
 * Reads a File/Blob for sending, chunk by chunk, never all of it: blocks of `blockChunks` chunks
 * (default 16 × 64 KiB = 1 MiB) are read with blob.slice().arrayBuffer() — one read per block
 * instead of one per chunk, since each read is a round trip to the browser's blob store — and
 * `readAhead` blocks ahead of the one in use are already on their way. Memory: about
 * (1 + readAhead) blocks, 3 MiB by default.
 *
 * The hot loop asks `peek(index)` first (synchronous, no await when the block is loaded, which is
 * nearly always) and awaits `chunk(index)` only on a miss. Chunks are views into the block: seal
 * or hash them before the block is dropped (the sender's loop does so right away).
 */

export interface FileSourceOptions {
  /** Chunks per read (default 16). */
  blockChunks?: number;
  /** Blocks read ahead of the current one (default 2). */
  readAhead?: number;
}

interface Block {
  promise: Promise<Uint8Array>;
  bytes: Uint8Array | null;
}

export class FileSource {
  readonly blob: Blob;
  readonly size: number;
  readonly chunkSize: number;
  readonly chunkCount: number;
  private readonly blockChunks: number;
  private readonly readAhead: number;
  private readonly blocks = new Map<number, Block>();
  private current = -1;
  private failure: Error | null = null;

  constructor(blob: Blob, chunkSize: number, options: FileSourceOptions = {}) {
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new RangeError('chunkSize');
    this.blob = blob;
    this.size = blob.size;
    this.chunkSize = chunkSize;
    this.chunkCount = this.size === 0 ? 0 : Math.ceil(this.size / chunkSize);
    this.blockChunks = Math.max(1, options.blockChunks ?? 16);
    this.readAhead = Math.max(0, options.readAhead ?? 2);
  }

  /** Bytes currently held in memory (loaded blocks). */
  get bufferedBytes(): number {
    let n = 0;
    for (const b of this.blocks.values()) n += b.bytes?.length ?? 0;
    return n;
  }

  /** Chunk `index` if its block is already in memory (also moves the read-ahead along), else null. */
  peek(index: number): Uint8Array | null {
    const b = this.blockOf(index);
    const block = this.blocks.get(b);
    if (!block?.bytes) return null;
    if (b !== this.current) this.advance(b);
    return this.slice(block.bytes, b, index);
  }

  /** Chunk `index` (a view into its block). Rejects if the file cannot be read (changed, deleted). */
  async chunk(index: number): Promise<Uint8Array> {
    if (!Number.isInteger(index) || index < 0 || index >= this.chunkCount) throw new RangeError(`chunk ${index}`);
    if (this.failure) throw this.failure;
    const b = this.blockOf(index);
    this.advance(b);
    const block = this.blocks.get(b) as Block;
    return this.slice(await block.promise, b, index);
  }

  /** Any byte range, read directly (for the whole-file hash catch-up; see shared/transfer/hash.ts). */
  async readRange(offset: number, length: number): Promise<Uint8Array> {
    return new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
  }

  /** Drops every block (end of transfer, or a pause). */
  release(): void {
    this.blocks.clear();
    this.current = -1;
  }

  private blockOf(index: number): number {
    return Math.floor(index / this.blockChunks);
  }

  private slice(bytes: Uint8Array, block: number, index: number): Uint8Array {
    const start = (index - block * this.blockChunks) * this.chunkSize;
    return bytes.subarray(start, Math.min(start + this.chunkSize, bytes.length));
  }

  /** Makes `b` the current block: drops the others, starts reading b … b + readAhead. */
  private advance(b: number): void {
    this.current = b;
    for (const k of this.blocks.keys()) if (k < b || k > b + this.readAhead) this.blocks.delete(k);
    const lastBlock = this.blockOf(this.chunkCount - 1);
    for (let k = b; k <= Math.min(b + this.readAhead, lastBlock); k++) if (!this.blocks.has(k)) this.load(k);
  }

  private load(k: number): void {
    const start = k * this.blockChunks * this.chunkSize;
    const end = Math.min(this.size, start + this.blockChunks * this.chunkSize);
    const block: Block = {
      bytes: null,
      promise: this.blob
        .slice(start, end)
        .arrayBuffer()
        .then((buf) => {
          block.bytes = new Uint8Array(buf);
          return block.bytes;
        }),
    };
    block.promise.catch((e: unknown) => {
      this.failure ??= e instanceof Error ? e : new Error(String(e));
      if (this.blocks.get(k) === block) this.blocks.delete(k);
    });
    this.blocks.set(k, block);
  }
}
