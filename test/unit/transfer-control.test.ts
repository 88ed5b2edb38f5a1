// File-transfer control frames (shared/transfer/control.ts): round trips, and the parser's
// refusals (malformed, oversized, inconsistent) and sanitising (names, MIME types).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FILE_CONTROL_TYPES,
  TRANSFER_LIMITS,
  isFileControlType,
  isInlineImage,
  newFileId,
  normalizeMime,
  parseFileControl,
  sanitizeFileName,
  serializeFileControl,
  type FileControl,
  type FileOffer,
} from '../../shared/transfer/index';

const ID = '0123456789abcdef0123456789abcdef';
const HASH = 'ab'.repeat(32);
const THUMB = 'data:image/jpeg;base64,' + 'A'.repeat(400) + '==';

function offer(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'file-offer',
    fileId: ID,
    name: 'holiday.jpg',
    mime: 'image/jpeg',
    size: 5 * 65536 + 7,
    chunkSize: 65536,
    chunkCount: 6,
    ts: 1_700_000_000_000,
    ...over,
  };
}

const parse = (v: unknown): FileControl | null => parseFileControl(typeof v === 'string' ? v : JSON.stringify(v));

describe('control frames: round trips', () => {
  const frames: FileControl[] = [
    offer() as FileOffer,
    offer({ hash: HASH, isImage: true, thumb: THUMB }) as FileOffer,
    offer({ size: 0, chunkCount: 0, name: 'empty.txt', mime: 'text/plain' }) as FileOffer,
    { type: 'file-accept', fileId: ID, have: [] },
    { type: 'file-accept', fileId: ID, have: [[0, 3], [4, 6]] },
    { type: 'file-decline', fileId: ID },
    { type: 'file-decline', fileId: ID, reason: 'too-large' },
    { type: 'file-cancel', fileId: ID, reason: 'cancelled' },
    { type: 'file-need', fileId: ID, ranges: [[2, 3]] },
    { type: 'file-done', fileId: ID, hash: HASH, ok: true },
    { type: 'file-done', fileId: ID, hash: HASH, ok: false },
  ];
  for (const frame of frames) {
    test(`${frame.type} ${JSON.stringify(frame).slice(0, 60)}`, () => {
      assert.deepEqual(parseFileControl(serializeFileControl(frame)), frame);
      // Already-decoded values are accepted too (dispatch from a PeerMsg parser).
      assert.deepEqual(parseFileControl(JSON.parse(serializeFileControl(frame))), frame);
    });
  }
  test('every type is covered and recognised', () => {
    assert.deepEqual(new Set(frames.map((f) => f.type)), new Set(FILE_CONTROL_TYPES));
    for (const t of FILE_CONTROL_TYPES) assert.ok(isFileControlType(t));
    assert.ok(!isFileControlType('chat'));
    assert.ok(!isFileControlType(undefined));
  });
  test('newFileId is 128-bit lowercase hex and accepted', () => {
    const id = newFileId();
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.notEqual(id, newFileId());
    assert.ok(parse(offer({ fileId: id })));
  });
});

describe('file-offer: refusals', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['chunkCount too small for size', { chunkCount: 5 }],
    ['chunkCount too large for size', { chunkCount: 7 }],
    ['chunks for an empty file', { size: 0, chunkCount: 1 }],
    ['size above the cap', { size: TRANSFER_LIMITS.maxFileSize + 1, chunkCount: Math.ceil((TRANSFER_LIMITS.maxFileSize + 1) / 65536) }],
    ['negative size', { size: -1, chunkCount: 0 }],
    ['fractional size', { size: 1.5, chunkCount: 1 }],
    ['size as a string', { size: '393223' }],
    ['chunkSize below the minimum', { chunkSize: 512, size: 1024, chunkCount: 2 }],
    ['chunkSize above one frame', { chunkSize: 256 * 1024, size: 256 * 1024, chunkCount: 1 }],
    ['too many chunks', { chunkSize: 1024, size: 1024 * (TRANSFER_LIMITS.maxChunkCount + 1), chunkCount: TRANSFER_LIMITS.maxChunkCount + 1 }],
    ['uppercase fileId', { fileId: ID.toUpperCase() }],
    ['short fileId', { fileId: 'abcd' }],
    ['name too long before sanitising', { name: 'a'.repeat(TRANSFER_LIMITS.maxRawNameChars + 1) }],
    ['name not a string', { name: 42 }],
    ['mime with parameters', { mime: 'text/html; charset=utf-8' }],
    ['mime without subtype', { mime: 'image' }],
    ['mime too long', { mime: 'application/' + 'x'.repeat(120) }],
    ['hash not hex', { hash: 'z'.repeat(64) }],
    ['hash too short', { hash: 'ab'.repeat(16) }],
    ['negative ts', { ts: -1 }],
    ['thumb is SVG', { thumb: 'data:image/svg+xml;base64,PHN2Zz4=' }],
    ['thumb is a javascript URL', { thumb: 'javascript:alert(1)' }],
    ['thumb is a remote URL', { thumb: 'https://example.com/x.jpg' }],
    ['thumb too long', { thumb: 'data:image/png;base64,' + 'A'.repeat(TRANSFER_LIMITS.maxThumbChars) }],
    ['isImage not a boolean', { isImage: 'yes' }],
    ['missing name', { name: undefined }],
  ];
  for (const [what, over] of bad) {
    test(what, () => assert.equal(parse(offer(over)), null));
  }
  test('not JSON, wrong types, prototype keys, oversized', () => {
    assert.equal(parseFileControl('{'), null);
    assert.equal(parseFileControl(null), null);
    assert.equal(parseFileControl(42), null);
    assert.equal(parseFileControl({ type: 'file-nope', fileId: ID }), null);
    assert.equal(parseFileControl(JSON.stringify(offer()).replace('{', '{"__proto__":{"x":1},')), null);
    assert.equal(parseFileControl(JSON.stringify(offer({ pad: 'x'.repeat(300 * 1024) }))), null);
  });
  test('the largest file at the default chunk size is accepted', () => {
    const size = TRANSFER_LIMITS.maxFileSize;
    assert.ok(parse(offer({ size, chunkCount: size / 65536 })));
  });
});

describe('file-offer: sanitising', () => {
  const cases: [string, string][] = [
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\System32\\drivers\\etc\\hosts', 'hosts'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['/absolute/path/', 'path'],
    ['..', 'file'],
    ['.', 'file'],
    ['', 'file'],
    ['   ', 'file'],
    ['.bashrc', 'bashrc'],
    ['a\u0000b\u0007c\u001f\u007f\u0085.txt', 'abc.txt'],
    ['invoice\u202Egpj.exe', 'invoicegpj.exe'],
    ['zero\u200Bwidth\uFEFF.png', 'zerowidth.png'],
    ['what?<>:"|*.txt', 'what_______.txt'],
    ['trailing dots...', 'trailing dots'],
    ['line\nbreak.txt', 'linebreak.txt'],
    ['e\u0301te\u0301.txt', 'été.txt'],
  ];
  for (const [raw, want] of cases) {
    test(JSON.stringify(raw), () => {
      assert.equal(sanitizeFileName(raw), want);
      assert.equal((parse(offer({ name: raw })) as FileOffer).name, want);
    });
  }
  test('long names are cut to 255 UTF-8 bytes, keeping the extension and whole characters', () => {
    const long = sanitizeFileName('a'.repeat(400) + '.tar.gz');
    assert.equal(Buffer.byteLength(long), 255);
    assert.ok(long.endsWith('.gz'));
    const emoji = sanitizeFileName('😀'.repeat(100) + '.png');
    assert.ok(Buffer.byteLength(emoji) <= 255);
    assert.ok(emoji.endsWith('😀.png'), 'no half surrogate pair');
    assert.ok(!emoji.includes('\ufffd'));
  });
  test('MIME: lowercased on parse; normalised for senders', () => {
    assert.equal((parse(offer({ mime: 'Image/JPEG' })) as FileOffer).mime, 'image/jpeg');
    assert.equal(normalizeMime(''), 'application/octet-stream');
    assert.equal(normalizeMime('text/plain; charset=UTF-8'), 'text/plain');
    assert.equal(normalizeMime('not a type'), 'application/octet-stream');
  });
  test('unknown extra fields are dropped', () => {
    const r = parse(offer({ evil: '<script>' })) as Record<string, unknown>;
    assert.ok(r);
    assert.ok(!('evil' in r));
  });
  test('isInlineImage: only small raster images the sender marked', () => {
    const o = (over: Record<string, unknown>) => parse(offer(over)) as FileOffer;
    assert.ok(isInlineImage(o({ isImage: true })));
    assert.ok(!isInlineImage(o({})));
    assert.ok(!isInlineImage(o({ isImage: true, mime: 'image/svg+xml' })));
    assert.ok(!isInlineImage(o({ isImage: true, mime: 'application/pdf' })));
    const big = TRANSFER_LIMITS.maxInlineImageBytes + 1;
    assert.ok(!isInlineImage(o({ isImage: true, size: big, chunkCount: Math.ceil(big / 65536) })));
  });
});

describe('accept / need / cancel / done: refusals', () => {
  const bad: [string, unknown][] = [
    ['unsorted ranges', { type: 'file-accept', fileId: ID, have: [[4, 6], [0, 3]] }],
    ['overlapping ranges', { type: 'file-accept', fileId: ID, have: [[0, 4], [3, 6]] }],
    ['touching ranges (not canonical)', { type: 'file-accept', fileId: ID, have: [[0, 3], [3, 6]] }],
    ['empty range', { type: 'file-accept', fileId: ID, have: [[2, 2]] }],
    ['reversed range', { type: 'file-accept', fileId: ID, have: [[3, 2]] }],
    ['negative index', { type: 'file-accept', fileId: ID, have: [[-1, 2]] }],
    ['fractional index', { type: 'file-accept', fileId: ID, have: [[0.5, 2]] }],
    ['range of three numbers', { type: 'file-accept', fileId: ID, have: [[0, 1, 2]] }],
    ['index past the chunk cap', { type: 'file-accept', fileId: ID, have: [[0, TRANSFER_LIMITS.maxChunkCount + 1]] }],
    [
      'too many ranges',
      { type: 'file-accept', fileId: ID, have: Array.from({ length: TRANSFER_LIMITS.maxRanges + 1 }, (_, i) => [2 * i, 2 * i + 1]) },
    ],
    ['missing have', { type: 'file-accept', fileId: ID }],
    ['need with no ranges', { type: 'file-need', fileId: ID, ranges: [] }],
    ['cancel without reason', { type: 'file-cancel', fileId: ID }],
    ['cancel with free text', { type: 'file-cancel', fileId: ID, reason: '<b>hi</b>' }],
    ['decline with a reason that is not a string', { type: 'file-decline', fileId: ID, reason: 7 }],
    ['decline with an overlong reason', { type: 'file-decline', fileId: ID, reason: 'x'.repeat(65) }],
    ['done without ok', { type: 'file-done', fileId: ID, hash: HASH }],
    ['done with bad hash', { type: 'file-done', fileId: ID, hash: 'xyz', ok: true }],
  ];
  for (const [what, frame] of bad) test(what, () => assert.equal(parse(frame), null));
  test('a decline reason this version does not know (a newer one) is read as a plain decline, not dropped', () => {
    assert.deepEqual(parse({ type: 'file-decline', fileId: ID, reason: 'meh' }), { type: 'file-decline', fileId: ID, reason: 'declined' });
    assert.deepEqual(parse({ type: 'file-decline', fileId: ID, reason: 'quiet-hours' }), { type: 'file-decline', fileId: ID, reason: 'declined' });
    for (const reason of ['declined', 'too-large', 'storage', 'busy']) {
      assert.deepEqual(parse({ type: 'file-decline', fileId: ID, reason }), { type: 'file-decline', fileId: ID, reason });
    }
    assert.deepEqual(parse({ type: 'file-decline', fileId: ID }), { type: 'file-decline', fileId: ID });
  });

  test('the maximum number of ranges is accepted', () => {
    const have = Array.from({ length: TRANSFER_LIMITS.maxRanges }, (_, i) => [2 * i, 2 * i + 1]);
    assert.ok(parse({ type: 'file-accept', fileId: ID, have }));
    assert.ok(JSON.stringify({ type: 'file-accept', fileId: ID, have }).length < 64 * 1024);
  });
});
