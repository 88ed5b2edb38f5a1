// Content shared from another app (shared/share-merge.ts): a second share is kept beside the
// first, never in its place, and the total is capped (a share over the cap is refused whole).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SHARE_LIMITS, mergeShare } from '../../shared/share-merge';

const file = (name: string, size: number) => ({ name, type: 'application/octet-stream', size });

describe('mergeShare', () => {
  test('a first share is kept as it came', () => {
    const r = mergeShare(null, { text: 'hello', files: [file('a.txt', 10)] });
    assert.deepEqual(r, { ok: true, content: { text: 'hello', files: [file('a.txt', 10)] }, firstNewFile: 0 });
  });

  test('a second share while one waits is added beside it, not in its place', () => {
    const r = mergeShare({ text: 'first', files: [file('a.txt', 10)] }, { text: 'second', files: [file('b.txt', 20)] });
    assert.deepEqual(r, { ok: true, content: { text: 'first\n\nsecond', files: [file('a.txt', 10), file('b.txt', 20)] }, firstNewFile: 1 });
  });

  test('files over the byte cap in all are refused, whole; what waited stays untouched', () => {
    const pending = { text: 'first', files: [file('a.bin', SHARE_LIMITS.maxBytes - 10)] };
    assert.deepEqual(mergeShare(pending, { text: 'x', files: [file('b.bin', 11)] }), { ok: false, code: 'SHARE_TOO_LARGE' });
    assert.deepEqual(pending, { text: 'first', files: [file('a.bin', SHARE_LIMITS.maxBytes - 10)] });
    assert.equal(mergeShare(pending, { text: '', files: [file('b.bin', 10)] }).ok, true, 'exactly at the cap is kept');
    assert.deepEqual(mergeShare(null, { text: '', files: [file('huge.bin', SHARE_LIMITS.maxBytes + 1)] }), { ok: false, code: 'SHARE_TOO_LARGE' });
  });

  test('more files than the cap are refused, not cut silently', () => {
    const many = Array.from({ length: SHARE_LIMITS.maxFiles + 1 }, (_, i) => file(`${i}.txt`, 1));
    assert.deepEqual(mergeShare(null, { text: '', files: many }), { ok: false, code: 'SHARE_TOO_LARGE' });
  });

  test('the merged text is cut at the cap', () => {
    const r = mergeShare({ text: 'a'.repeat(10), files: [] }, { text: 'b'.repeat(10), files: [] }, { maxBytes: 1, maxFiles: 1, maxTextChars: 15 });
    assert.ok(r.ok);
    assert.equal(r.content.text, `${'a'.repeat(10)}\n\nbbb`);
  });
});
