// Chunk plans, verified-chunk sets (bitmap + ranges + storage form) and the sender's queue
// (shared/transfer/plan.ts, ranges.ts), including resume from a partial set.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChunkSet,
  ProgressMeter,
  SendScheduler,
  TRANSFER_LIMITS,
  chunkCountFor,
  chunkLength,
  chunkOffset,
  chunkSizeFor,
  isCanonicalRanges,
  isValidPlan,
  limitRanges,
  planChunks,
  rangesLength,
  type ChunkRange,
} from '../../shared/transfer/index';
import { prng } from './support/prng';


/** Reference: ranges of a plain boolean array. */
function naiveRanges(flags: boolean[], want: boolean): ChunkRange[] {
  const out: ChunkRange[] = [];
  for (let i = 0; i < flags.length; ) {
    if (flags[i] !== want) {
      i++;
      continue;
    }
    const start = i;
    while (i < flags.length && flags[i] === want) i++;
    out.push([start, i]);
  }
  return out;
}

function drain(s: SendScheduler): number[] {
  const out: number[] = [];
  for (let i = s.next(); i >= 0; i = s.next()) out.push(i);
  return out;
}

describe('chunk plan', () => {
  test('counts, offsets, lengths', () => {
    const K = 65536;
    assert.equal(chunkCountFor(0, K), 0);
    assert.equal(chunkCountFor(1, K), 1);
    assert.equal(chunkCountFor(K, K), 1);
    assert.equal(chunkCountFor(K + 1, K), 2);
    const plan = planChunks(3 * K + 10);
    assert.deepEqual(plan, { size: 3 * K + 10, chunkSize: K, chunkCount: 4 });
    assert.equal(chunkOffset(plan, 3), 3 * K);
    assert.equal(chunkLength(plan, 0), K);
    assert.equal(chunkLength(plan, 3), 10);
    assert.equal(chunkLength(plan, 4), 0);
    assert.equal(chunkLength(planChunks(2 * K), 1), K, 'a full last chunk');
    assert.deepEqual(planChunks(0), { size: 0, chunkSize: K, chunkCount: 0 });
  });
  test('chunk size: 64 KiB by default, bigger only past the chunk cap', () => {
    assert.equal(chunkSizeFor(1024 ** 3), 65536);
    assert.equal(chunkSizeFor(TRANSFER_LIMITS.maxFileSize), 65536);
    assert.ok(chunkCountFor(TRANSFER_LIMITS.maxFileSize, 65536) <= TRANSFER_LIMITS.maxChunkCount);
    assert.throws(() => planChunks(TRANSFER_LIMITS.maxFileSize + 1), RangeError);
    assert.throws(() => planChunks(-1), RangeError);
    assert.throws(() => planChunks(10, 100), RangeError, 'chunk below minimum');
    assert.ok(!isValidPlan(10, 1024, 2));
    assert.ok(isValidPlan(10, 1024, 1));
  });
});

describe('ChunkSet', () => {
  test('add / has / delete / size / complete', () => {
    const s = new ChunkSet(10);
    assert.equal(s.size, 0);
    assert.ok(!s.complete);
    assert.ok(s.add(3));
    assert.ok(!s.add(3), 'second add is a no-op');
    assert.ok(s.has(3));
    assert.ok(!s.has(4));
    assert.ok(!s.has(-1));
    assert.ok(!s.has(10));
    assert.throws(() => s.add(10), RangeError);
    assert.throws(() => s.add(1.5), RangeError);
    assert.equal(s.size, 1);
    assert.ok(s.delete(3));
    assert.ok(!s.delete(3));
    s.addRange(0, 10);
    assert.ok(s.complete);
    assert.ok(new ChunkSet(0).complete, 'an empty file is complete');
  });
  test('ranges, missingRanges, next*', () => {
    const s = ChunkSet.fromRanges(20, [[0, 3], [5, 6], [8, 20]]);
    assert.deepEqual(s.ranges(), [[0, 3], [5, 6], [8, 20]]);
    assert.deepEqual(s.missingRanges(), [[3, 5], [6, 8]]);
    assert.equal(s.nextMissing(0), 3);
    assert.equal(s.nextMissing(8), -1);
    assert.equal(s.nextMember(3), 5);
    assert.equal(s.size, 3 + 1 + 12);
    assert.throws(() => ChunkSet.fromRanges(20, [[15, 21]]), RangeError);
  });
  test('random sets agree with a naive model, across byte boundaries', () => {
    const rand = prng(7);
    for (let round = 0; round < 200; round++) {
      const count = Math.floor(rand() * 200);
      const flags = Array.from({ length: count }, () => false);
      const s = new ChunkSet(count);
      const ops = Math.floor(rand() * 30);
      for (let k = 0; k < ops && count > 0; k++) {
        const a = Math.floor(rand() * count);
        const b = Math.min(count, a + Math.floor(rand() * 40));
        if (rand() < 0.5) {
          s.addRange(a, b);
          for (let i = a; i < b; i++) flags[i] = true;
        } else {
          s.delete(a);
          flags[a] = false;
        }
      }
      assert.deepEqual(s.ranges(), naiveRanges(flags, true), `round ${round}`);
      assert.deepEqual(s.missingRanges(), naiveRanges(flags, false), `round ${round}`);
      assert.equal(s.size, flags.filter(Boolean).length);
      assert.ok(isCanonicalRanges(s.ranges(), count));
      const back = ChunkSet.fromBytes(count, s.toBytes());
      assert.ok(back);
      assert.deepEqual(back.ranges(), s.ranges());
      assert.equal(back.size, s.size);
    }
  });
  test('storage form: ceil(count/8) bytes; fromBytes refuses what does not fit', () => {
    const s = ChunkSet.fromRanges(13, [[0, 2], [12, 13]]);
    const bytes = s.toBytes();
    assert.deepEqual([...bytes], [0b0000_0011, 0b0001_0000]);
    assert.equal(ChunkSet.fromBytes(14, bytes)?.size, 3, 'same length, more chunks: fine');
    assert.equal(ChunkSet.fromBytes(13, new Uint8Array(3)), null, 'wrong length');
    assert.equal(ChunkSet.fromBytes(13, Uint8Array.of(0, 0b0010_0000)), null, 'bit past the end');
    assert.equal(ChunkSet.fromBytes(TRANSFER_LIMITS.maxChunkCount + 1, new Uint8Array(1)), null);
    bytes[0] = 0;
    assert.equal(s.size, 3, 'toBytes is a copy');
    const big = new ChunkSet(TRANSFER_LIMITS.maxChunkCount);
    assert.equal(big.toBytes().length, 256 * 1024);
  });
  test('limitRanges keeps a subset: the longest runs, in order', () => {
    const r: ChunkRange[] = [[0, 1], [2, 10], [11, 12], [13, 20], [21, 22]];
    assert.deepEqual(limitRanges(r, 2), [[2, 10], [13, 20]]);
    assert.deepEqual(limitRanges(r, 10), r);
    assert.deepEqual(limitRanges(r, 0), []);
    const fragmented = new ChunkSet(10_000);
    for (let i = 0; i < 10_000; i += 2) fragmented.add(i);
    const capped = fragmented.ranges(TRANSFER_LIMITS.maxRanges);
    assert.equal(capped.length, TRANSFER_LIMITS.maxRanges);
    assert.ok(isCanonicalRanges(capped, 10_000));
    assert.equal(rangesLength(capped), TRANSFER_LIMITS.maxRanges);
  });
});

describe('SendScheduler', () => {
  test('a fresh transfer sends every chunk in order', () => {
    const s = new SendScheduler(5);
    assert.equal(s.remaining, 5);
    assert.deepEqual(drain(s), [0, 1, 2, 3, 4]);
    assert.ok(s.done);
    assert.equal(s.next(), -1);
  });
  test('resume: only what the receiver does not have, in order', () => {
    const have = ChunkSet.fromRanges(12, [[0, 5], [7, 8], [10, 12]]);
    const s = new SendScheduler(12, have.ranges());
    assert.equal(s.remaining, 4);
    assert.deepEqual(drain(s), [5, 6, 8, 9]);
    assert.deepEqual(drain(new SendScheduler(12, have)), [5, 6, 8, 9], 'from a ChunkSet too');
    assert.ok(new SendScheduler(12, [[0, 12]]).done);
    assert.throws(() => new SendScheduler(12, [[10, 13]]), RangeError);
  });
  test('requeued chunks below the position go next, then it carries on in order', () => {
    const s = new SendScheduler(10);
    assert.deepEqual([s.next(), s.next(), s.next(), s.next(), s.next()], [0, 1, 2, 3, 4]);
    assert.ok(s.requeue([[1, 2], [3, 4]]));
    assert.equal(s.peek(), 1);
    assert.deepEqual(drain(s), [1, 3, 5, 6, 7, 8, 9]);
    assert.ok(s.requeue([[9, 10]]), 'after the end: sent again');
    assert.deepEqual(drain(s), [9]);
    assert.ok(!s.requeue([[5, 11]]), 'out of range: refused');
    assert.ok(s.done, 'and nothing queued');
  });
  test('requeue of an already-queued chunk sends it once', () => {
    const s = new SendScheduler(4);
    s.next();
    s.requeue([[2, 4]]);
    assert.deepEqual(drain(s), [1, 2, 3]);
  });
  test('a million chunks: draining is linear', () => {
    const n = 1 << 20;
    const s = new SendScheduler(n, [[0, n >> 1]]);
    const t0 = performance.now();
    let count = 0;
    while (s.next() >= 0) count++;
    assert.equal(count, n >> 1);
    assert.ok(performance.now() - t0 < 2000);
  });
});

describe('ProgressMeter', () => {
  test('fraction, speed over the window, time left', () => {
    const m = new ProgressMeter(100_000_000, 3000);
    assert.deepEqual(m.update(40_000_000, 0), { fraction: 0.4, bytesPerSecond: 0, secondsLeft: null });
    let s = m.update(50_000_000, 1000);
    assert.equal(s.bytesPerSecond, 10_000_000, 'a resumed transfer counts from where it resumed');
    assert.equal(s.secondsLeft, 5);
    for (let t = 1100; t <= 10_000; t += 100) s = m.update(50_000_000 + (t - 1000) * 1000, t);
    assert.equal(Math.round(s.bytesPerSecond), 1_000_000, 'follows the last seconds');
    assert.equal(new ProgressMeter(0).snapshot().fraction, 1);
  });
});
