/**
 * Sets of chunk indices: which chunks the receiver has verified (persisted for resume), which
 * ones the sender still has to send. A bitmap (one bit per chunk: 128 KiB for a 64 GiB file in
 * 64 KiB chunks), exchanged on the wire as compact run-length ranges.
 */
import { TRANSFER_LIMITS } from './limits';

/** Half-open run of chunk indices [start, end). On the wire: a two-number JSON array. */
export type ChunkRange = [start: number, end: number];

/**
 * True when `ranges` is canonical: each range non-empty, sorted, not touching the next one
 * (so one set has one spelling), every index an integer in [0, limit). At most maxRanges.
 */
export function isCanonicalRanges(ranges: readonly ChunkRange[], limit: number = TRANSFER_LIMITS.maxChunkCount): boolean {
  if (ranges.length > TRANSFER_LIMITS.maxRanges) return false;
  let prevEnd = -1;
  for (const r of ranges) {
    const [start, end] = r;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return false;
    if (start < 0 || start >= end || end > limit || start <= prevEnd) return false;
    prevEnd = end;
  }
  return true;
}

/** Total number of chunks in canonical ranges. */
export function rangesLength(ranges: readonly ChunkRange[]): number {
  let n = 0;
  for (const [start, end] of ranges) n += end - start;
  return n;
}

// Index of the lowest set bit of a non-zero byte.
const LOWEST_BIT = new Uint8Array(256);
for (let b = 1; b < 256; b++) {
  let i = 0;
  while (!((b >> i) & 1)) i++;
  LOWEST_BIT[b] = i;
}

/**
 * A set of chunk indices in [0, count). Bit i is bit (i & 7) of byte (i >> 3), least significant
 * first; bits past `count` are always 0. That byte layout is also the storage format (toBytes).
 */
export class ChunkSet {
  readonly count: number;
  private readonly bits: Uint8Array;
  private members = 0;

  constructor(count: number) {
    if (!Number.isSafeInteger(count) || count < 0 || count > TRANSFER_LIMITS.maxChunkCount) {
      throw new RangeError(`chunk count ${count}`);
    }
    this.count = count;
    this.bits = new Uint8Array((count + 7) >>> 3);
  }

  /** A set holding the given ranges. Throws RangeError if a range is out of [0, count). */
  static fromRanges(count: number, ranges: readonly ChunkRange[]): ChunkSet {
    const set = new ChunkSet(count);
    for (const [start, end] of ranges) set.addRange(start, end);
    return set;
  }

  /** Restores toBytes() output; null if it does not fit `count` (wrong length, stray bits). */
  static fromBytes(count: number, bytes: Uint8Array): ChunkSet | null {
    let set: ChunkSet;
    try {
      set = new ChunkSet(count);
    } catch {
      return null;
    }
    if (bytes.length !== set.bits.length) return null;
    const tail = count & 7;
    if (tail !== 0 && (bytes[bytes.length - 1] ?? 0) >> tail) return null;
    set.bits.set(bytes);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      let b = bytes[i] ?? 0;
      while (b) {
        b &= b - 1;
        n++;
      }
    }
    set.members = n;
    return set;
  }

  /** Number of chunks in the set. */
  get size(): number {
    return this.members;
  }

  /** True when every chunk of the file is in the set (also for an empty file). */
  get complete(): boolean {
    return this.members === this.count;
  }

  has(index: number): boolean {
    if (!(index >= 0 && index < this.count)) return false;
    return ((this.bits[index >>> 3] ?? 0) & (1 << (index & 7))) !== 0;
  }

  /** Adds one chunk; true if it was not there yet. Throws RangeError outside [0, count). */
  add(index: number): boolean {
    this.check(index);
    const byte = index >>> 3;
    const mask = 1 << (index & 7);
    const old = this.bits[byte] ?? 0;
    if (old & mask) return false;
    this.bits[byte] = old | mask;
    this.members++;
    return true;
  }

  /** Removes one chunk; true if it was there. Throws RangeError outside [0, count). */
  delete(index: number): boolean {
    this.check(index);
    const byte = index >>> 3;
    const mask = 1 << (index & 7);
    const old = this.bits[byte] ?? 0;
    if (!(old & mask)) return false;
    this.bits[byte] = old & ~mask;
    this.members--;
    return true;
  }

  /** Adds [start, end). Throws RangeError if the range is not within [0, count]. */
  addRange(start: number, end: number): void {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end > this.count || start > end) {
      throw new RangeError(`range [${start}, ${end}) of ${this.count}`);
    }
    for (let i = start; i < end; i++) {
      // Whole bytes at a time in the middle of long ranges.
      if ((i & 7) === 0 && i + 8 <= end) {
        const byte = i >>> 3;
        const old = this.bits[byte] ?? 0;
        if (old !== 0xff) {
          this.members += 8 - popcount8(old);
          this.bits[byte] = 0xff;
        }
        i += 7;
        continue;
      }
      this.add(i);
    }
  }

  /** Lowest member ≥ from, or -1. */
  nextMember(from = 0): number {
    return this.scan(Math.max(0, from), false);
  }

  /** Lowest index ≥ from that is NOT a member, or -1. */
  nextMissing(from = 0): number {
    return this.scan(Math.max(0, from), true);
  }

  /** The members as canonical ranges, or at most `max` of them (see limitRanges). */
  ranges(max: number = Infinity): ChunkRange[] {
    return limitRanges(this.runs(false), max);
  }

  /** The chunks NOT in the set as canonical ranges, or at most `max` of them (see limitRanges). */
  missingRanges(max: number = Infinity): ChunkRange[] {
    return limitRanges(this.runs(true), max);
  }

  /** The bitmap (a copy), ceil(count / 8) bytes: what to store in IndexedDB. See fromBytes. */
  toBytes(): Uint8Array {
    return this.bits.slice();
  }

  clone(): ChunkSet {
    const copy = new ChunkSet(this.count);
    copy.bits.set(this.bits);
    copy.members = this.members;
    return copy;
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`chunk index ${index} of ${this.count}`);
    }
  }

  private runs(missing: boolean): ChunkRange[] {
    const out: ChunkRange[] = [];
    let i = 0;
    while (i < this.count) {
      const start = missing ? this.nextMissing(i) : this.nextMember(i);
      if (start < 0) break;
      let end = missing ? this.nextMember(start) : this.nextMissing(start);
      if (end < 0) end = this.count;
      out.push([start, end]);
      i = end;
    }
    return out;
  }

  /** Lowest index ≥ from whose bit is 1 (or 0 when `zero`), skipping whole bytes. */
  private scan(from: number, zero: boolean): number {
    if (from >= this.count) return -1;
    const skip = zero ? 0xff : 0;
    let byte = from >>> 3;
    // First, possibly partial byte.
    let b = (this.bits[byte] ?? 0) ^ skip;
    b &= 0xff << (from & 7);
    while (b === 0) {
      byte++;
      if (byte >= this.bits.length) return -1;
      b = ((this.bits[byte] ?? 0) ^ skip) & 0xff;
    }
    const index = (byte << 3) + (LOWEST_BIT[b] ?? 0);
    return index < this.count ? index : -1;
  }
}

function popcount8(b: number): number {
  let n = 0;
  while (b) {
    b &= b - 1;
    n++;
  }
  return n;
}

/**
 * At most `max` of the given canonical ranges: all of them if they fit, else the `max` longest,
 * back in order. Always a SUBSET, which keeps every use safe: a shortened `have` only means some
 * chunks are sent again, a shortened `need` only means the rest is asked for later.
 */
export function limitRanges(ranges: ChunkRange[], max: number): ChunkRange[] {
  if (ranges.length <= max) return ranges;
  if (max <= 0) return [];
  return ranges
    .map((r, i) => ({ r, i, len: r[1] - r[0] }))
    .sort((a, b) => b.len - a.len || a.i - b.i)
    .slice(0, max)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.r);
}

/**
 * The sender's queue: the chunks still to send, handed out in ascending index order. Starts as
 * "every chunk the receiver does not have" (file-accept.have); a file-need puts chunks back.
 * Re-queued chunks below the current position are sent next, then it carries on in order, so a
 * re-request never waits for the end of a big file, and the stream stays in order otherwise
 * (which keeps the receiver's in-order hash on its fast path, see hash.ts).
 */
export class SendScheduler {
  private readonly pending: ChunkSet;
  /** Invariant: no pending chunk below `cursor`. */
  private cursor = 0;

  /** Throws RangeError if `have` does not fit [0, chunkCount). */
  constructor(chunkCount: number, have: readonly ChunkRange[] | ChunkSet = []) {
    this.pending = new ChunkSet(chunkCount);
    this.pending.addRange(0, chunkCount);
    const haveRanges = have instanceof ChunkSet ? have.ranges() : have;
    if (have instanceof ChunkSet && have.count !== chunkCount) throw new RangeError('have: other chunk count');
    for (const [start, end] of haveRanges) {
      if (!(start >= 0 && end <= chunkCount && start <= end)) throw new RangeError(`have [${start}, ${end})`);
      for (let i = start; i < end; i++) this.pending.delete(i);
    }
  }

  /** Chunks still to send. */
  get remaining(): number {
    return this.pending.size;
  }

  get done(): boolean {
    return this.pending.size === 0;
  }

  /** The next chunk to send (now taken off the queue), or -1 when there is none. */
  next(): number {
    const index = this.pending.nextMember(this.cursor);
    if (index < 0) {
      this.cursor = this.pending.count;
      return -1;
    }
    this.pending.delete(index);
    this.cursor = index + 1;
    return index;
  }

  /** The next chunk without taking it, or -1. */
  peek(): number {
    return this.pending.nextMember(this.cursor);
  }

  /**
   * Queues chunks again (a file-need, or chunks that were in flight when the connection dropped).
   * Returns false, queuing nothing, if a range is outside [0, chunkCount).
   */
  requeue(ranges: readonly ChunkRange[]): boolean {
    for (const [start, end] of ranges) {
      if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end <= this.pending.count && start <= end)) {
        return false;
      }
    }
    for (const [start, end] of ranges) {
      if (start === end) continue;
      this.pending.addRange(start, end);
      if (start < this.cursor) this.cursor = start;
    }
    return true;
  }
}
