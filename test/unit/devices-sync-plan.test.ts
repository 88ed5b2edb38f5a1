import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { batchHeader, nextBatch, onBatchStored, progress, requestOnReady, skipHeader, startCatchUp, type SeqRecord } from '../../shared/devices/sync-plan';

const recs = (n: number, bytes = 100): SeqRecord[] => Array.from({ length: n }, (_, i) => ({ seq: i + 1, bytes }));

/** Streams `records` from one device to another that starts at `cursor`, stopping after `cut` batches. */
function stream(records: SeqRecord[], cursor: number, cut = Infinity) {
  let s = startCatchUp(cursor);
  let batches = 0;
  const limits = { maxBytes: 1000, maxRecords: 4 };
  while (!s.done && batches < cut) {
    const after = records.filter((r) => r.seq > s.cursor);
    const total = s.total ?? after.length;
    const batch = nextBatch(after, limits);
    s = onBatchStored(s, batchHeader(batch, after.length, total, s.cursor));
    batches++;
  }
  return { s, batches };
}

describe('catch-up between own devices', () => {
  test('everything after the cursor arrives in batches, with progress to 1', () => {
    const { s, batches } = stream(recs(10), 0);
    assert.equal(s.cursor, 10);
    assert.equal(s.received, 10);
    assert.equal(batches, 3);
    assert.equal(progress(s), 1);
  });

  test('resumable: a stream cut off continues from the last stored batch', () => {
    const first = stream(recs(10), 0, 1);
    assert.equal(first.s.cursor, 4);
    assert.equal(first.s.done, false);
    assert.equal(progress(first.s), 0.4);
    const rest = stream(recs(10), first.s.cursor);
    assert.equal(rest.s.received, 6, 'only the rest is sent again');
    assert.equal(rest.s.cursor, 10);
  });

  test('batches fit the byte budget, and one large record still goes alone', () => {
    const mixed: SeqRecord[] = [
      { seq: 1, bytes: 600 },
      { seq: 2, bytes: 600 },
      { seq: 3, bytes: 5000 },
    ];
    const limits = { maxBytes: 1000, maxRecords: 10 };
    assert.deepEqual(nextBatch(mixed, limits).map((r) => r.seq), [1]);
    assert.deepEqual(nextBatch(mixed.slice(2), limits).map((r) => r.seq), [3]);
  });

  test('nothing waiting: one empty final batch', () => {
    const h = batchHeader([], 0, 0, 7);
    assert.deepEqual(h, { count: 0, last: 7, total: 0, done: true });
    assert.equal(progress(onBatchStored(startCatchUp(7), h)), 1);
  });

  test('the cursor never moves back (a stale or replayed batch)', () => {
    const s = onBatchStored(startCatchUp(9), { count: 2, last: 5, total: 2, done: true });
    assert.equal(s.cursor, 9);
  });

  test('a newly linked device can skip the backlog and take only new records', () => {
    assert.deepEqual(requestOnReady(undefined, true), { type: 'sync-skip' });
    const s = onBatchStored(startCatchUp(0), skipHeader(42));
    assert.equal(s.cursor, 42);
    assert.equal(s.received, 0);
    // Later links resume from the cursor, skip or not.
    assert.deepEqual(requestOnReady(42, true), { type: 'sync-from', seq: 42 });
    assert.deepEqual(requestOnReady(undefined, false), { type: 'sync-from', seq: 0 });
  });
});
