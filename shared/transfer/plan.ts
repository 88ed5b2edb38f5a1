/**
 * How a file is cut into chunks: every chunk is `chunkSize` bytes except the last, which holds
 * the rest. An empty file has no chunks. Chunk `i` lives at byte offset `i * chunkSize` (safe:
 * sizes are capped far below 2^53).
 */
import { TRANSFER_LIMITS } from './limits';

export interface ChunkPlan {
  readonly size: number;
  readonly chunkSize: number;
  readonly chunkCount: number;
}

/** Number of chunks of a file of `size` bytes (0 for an empty file). */
export function chunkCountFor(size: number, chunkSize: number): number {
  return size === 0 ? 0 : Math.ceil(size / chunkSize);
}

/** True when the three numbers describe a file this protocol accepts, and agree with each other. */
export function isValidPlan(size: number, chunkSize: number, chunkCount: number): boolean {
  return (
    Number.isSafeInteger(size) && size >= 0 && size <= TRANSFER_LIMITS.maxFileSize
    && Number.isSafeInteger(chunkSize) && chunkSize >= TRANSFER_LIMITS.minChunkSize
    && chunkSize <= TRANSFER_LIMITS.maxChunkSize
    && Number.isSafeInteger(chunkCount) && chunkCount <= TRANSFER_LIMITS.maxChunkCount
    && chunkCount === chunkCountFor(size, chunkSize)
  );
}

/**
 * The plan for a file. Throws RangeError when the size is out of range, or when the chunk size
 * would make too many chunks (pick a bigger one: see chunkSizeFor).
 */
export function planChunks(size: number, chunkSize: number = chunkSizeFor(size)): ChunkPlan {
  const chunkCount = Number.isSafeInteger(size) && size >= 0 && chunkSize > 0 ? chunkCountFor(size, chunkSize) : -1;
  if (!isValidPlan(size, chunkSize, chunkCount)) {
    throw new RangeError(`cannot plan ${size} bytes in chunks of ${chunkSize}`);
  }
  return { size, chunkSize, chunkCount };
}

/**
 * The default chunk size (64 KiB), doubled only if a huge file would otherwise exceed the chunk
 * count cap (never the case up to 128 GiB).
 */
export function chunkSizeFor(size: number): number {
  let chunkSize: number = TRANSFER_LIMITS.defaultChunkSize;
  while (chunkCountFor(size, chunkSize) > TRANSFER_LIMITS.maxChunkCount && chunkSize * 2 <= TRANSFER_LIMITS.maxChunkSize) {
    chunkSize *= 2;
  }
  return chunkSize;
}

/** Byte offset of chunk `index`. */
export function chunkOffset(plan: ChunkPlan, index: number): number {
  return index * plan.chunkSize;
}

/** Length in bytes of chunk `index` (the last one may be short); 0 if out of range. */
export function chunkLength(plan: ChunkPlan, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= plan.chunkCount) return 0;
  return index === plan.chunkCount - 1 ? plan.size - index * plan.chunkSize : plan.chunkSize;
}
