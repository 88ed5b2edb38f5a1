import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ready,
  deriveFileKey,
  createChunkCipher,
  sealChunk,
  openChunk,
  createFileHasher,
  hashBytesHex,
  isCryptoError,
  CHUNK_OVERHEAD_BYTES,
  MAX_FILE_ID_BYTES,
  type ChunkCipher,
  type CryptoErrorCode,
} from '../../shared/crypto/index';
import { prng, randomBytes, same } from './support/prng';

await ready();

function expectCode(fn: () => unknown, code: CryptoErrorCode): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isCryptoError(e), `expected CryptoError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

/** The error code open() throws, or 'ACCEPTED' (cheaper than assert.throws in a hot loop). */
function openCode(c: ChunkCipher, index: number, sealed: Uint8Array): string {
  try {
    c.open(index, sealed);
    return 'ACCEPTED';
  } catch (e) {
    return isCryptoError(e) ? e.code : String(e);
  }
}

const SESSION = new Uint8Array(32).map((_, i) => i * 3 + 1);
const OTHER_SESSION = new Uint8Array(32).map((_, i) => 255 - i);
const FILE = '0123456789abcdef0123456789abcdef';
const OTHER_FILE = 'fedcba9876543210fedcba9876543210';

describe('file chunks: sealing', () => {
  test('file keys: same on both ends, different per file and per session', () => {
    const k = deriveFileKey(SESSION, FILE);
    assert.equal(k.length, 32);
    assert.deepEqual(deriveFileKey(SESSION.slice(), FILE), k);
    assert.notDeepEqual(deriveFileKey(SESSION, OTHER_FILE), k);
    assert.notDeepEqual(deriveFileKey(OTHER_SESSION, FILE), k);
    assert.notDeepEqual(k, SESSION);
  });

  test('chunks round trip at any index, in any order, more than once', () => {
    const key = deriveFileKey(SESSION, FILE);
    const tx = createChunkCipher(key, FILE);
    const rx = createChunkCipher(deriveFileKey(SESSION, FILE), FILE);
    const indexes = [5, 0, 3, 2 ** 32, 2 ** 53 - 1, 3];
    for (const i of indexes) {
      const pt = new Uint8Array(1000 + (i % 7)).fill(i % 251);
      const sealed = tx.seal(i, pt);
      assert.equal(sealed.length, pt.length + CHUNK_OVERHEAD_BYTES);
      assert.deepEqual(rx.open(i, sealed), pt);
    }
    // Re-sealing the same index (a chunk asked for again) uses a fresh nonce.
    const a = tx.seal(7, new Uint8Array(10));
    const b = tx.seal(7, new Uint8Array(10));
    assert.ok(!same(a.subarray(0, 24), b.subarray(0, 24)));
    assert.deepEqual(rx.open(7, a), rx.open(7, b));
    // One-off helpers are the same format.
    assert.deepEqual(openChunk(key, FILE, 9, sealChunk(key, FILE, 9, new Uint8Array([1, 2, 3]))), new Uint8Array([1, 2, 3]));
    assert.deepEqual(rx.open(9, sealChunk(key, FILE, 9, new Uint8Array([4]))), new Uint8Array([4]));
    assert.deepEqual(rx.open(0, tx.seal(0, new Uint8Array(0))), new Uint8Array(0));
  });

  test('a sealed chunk can be opened in place inside a bigger received frame (no copy needed)', () => {
    const c = createChunkCipher(deriveFileKey(SESSION, FILE), FILE);
    const pt = new Uint8Array(5000).map((_, i) => i & 0xff);
    const sealed = c.seal(4, pt);
    const frame = new Uint8Array(13 + sealed.length + 7); // e.g. a binary header before it
    frame.set(sealed, 13);
    assert.deepEqual(c.open(4, frame.subarray(13, 13 + sealed.length)), pt);
    expectCode(() => c.open(4, frame.subarray(12, 12 + sealed.length)), 'CHUNK_REJECTED');
  });

  test('the 64-bit index is bound in full (high and low halves)', () => {
    const key = deriveFileKey(SESSION, FILE);
    const c = createChunkCipher(key, FILE);
    expectCode(() => c.open(0, c.seal(2 ** 32, new Uint8Array(4))), 'CHUNK_REJECTED');
    expectCode(() => c.open(2 ** 32 + 1, c.seal(1, new Uint8Array(4))), 'CHUNK_REJECTED');
    expectCode(() => c.open(2 ** 52, c.seal(0, new Uint8Array(4))), 'CHUNK_REJECTED');
  });

  test('a rejected chunk does not poison the cipher (the chunk can be asked for again)', () => {
    const c = createChunkCipher(deriveFileKey(SESSION, FILE), FILE);
    const s = c.seal(1, new Uint8Array([9, 9]));
    const bad = s.slice();
    bad[30]! ^= 4;
    expectCode(() => c.open(1, bad), 'CHUNK_REJECTED');
    assert.deepEqual(c.open(1, s), new Uint8Array([9, 9]));
  });

  test('bad inputs are CHUNK_BAD_INPUT', () => {
    const key = deriveFileKey(SESSION, FILE);
    const c = createChunkCipher(key, FILE);
    expectCode(() => c.seal(-1, new Uint8Array(1)), 'CHUNK_BAD_INPUT');
    expectCode(() => c.seal(1.5, new Uint8Array(1)), 'CHUNK_BAD_INPUT');
    expectCode(() => c.seal(2 ** 53, new Uint8Array(1)), 'CHUNK_BAD_INPUT');
    expectCode(() => c.open(Number.NaN, new Uint8Array(50)), 'CHUNK_BAD_INPUT');
    expectCode(() => createChunkCipher(key, ''), 'CHUNK_BAD_INPUT');
    expectCode(() => createChunkCipher(key, 'x'.repeat(MAX_FILE_ID_BYTES + 1)), 'CHUNK_BAD_INPUT');
    expectCode(() => createChunkCipher(new Uint8Array(31), FILE), 'CHUNK_BAD_INPUT');
    expectCode(() => deriveFileKey(new Uint8Array(16), FILE), 'CHUNK_BAD_INPUT');
    expectCode(() => deriveFileKey(SESSION, ''), 'CHUNK_BAD_INPUT');
  });
});

describe('file chunks: tamper fuzz', () => {
  const SEED = 0xf11e5eed;
  const TRIALS = 12_000;

  test(`${TRIALS} random mutations of sealed chunks: none accepted (seed ${SEED.toString(16)})`, () => {
    const rand = prng(SEED);
    const int = (n: number) => Math.floor(rand() * n);
    const key = deriveFileKey(SESSION, FILE);
    const cipher = createChunkCipher(key, FILE);
    const otherFile = createChunkCipher(deriveFileKey(SESSION, OTHER_FILE), OTHER_FILE);
    const sameKeyOtherId = createChunkCipher(key, OTHER_FILE);
    const otherSession = createChunkCipher(deriveFileKey(OTHER_SESSION, FILE), FILE);
    const rawSessionKey = createChunkCipher(SESSION, FILE); // someone skipping the file-key step

    const COUNT = 8;
    const plain = Array.from({ length: COUNT }, () => randomBytes(rand, int(200)));
    const sealed = plain.map((p, i) => cipher.seal(i, p));
    const foreign = plain.map((p, i) => otherFile.seal(i, p));
    for (let i = 0; i < COUNT; i++) assert.ok(same(cipher.open(i, sealed[i]!), plain[i]!)); // control

    const kinds = [
      'bitflip', 'truncate', 'extend', 'wrong-index', 'wrong-file-id', 'other-file-key', 'other-session',
      'raw-session-key', 'foreign-chunk', 'garbage', 'nonce-swap', 'chunk-swap',
    ] as const;
    const counts = new Map<string, number>(kinds.map((k) => [k, 0]));

    for (let trial = 0; trial < TRIALS; trial++) {
      const kind = kinds[int(kinds.length)]!;
      const i = int(COUNT);
      const s = sealed[i]!;
      let c: ChunkCipher = cipher;
      let index = i;
      let bytes: Uint8Array = s;
      switch (kind) {
        case 'bitflip': {
          bytes = s.slice();
          const flips = 1 + int(3);
          for (let k = 0; k < flips; k++) {
            const bit = int(bytes.length * 8);
            bytes[bit >> 3]! ^= 1 << (bit & 7);
          }
          if (same(bytes, s)) bytes[0]! ^= 1;
          break;
        }
        case 'truncate':
          bytes = s.slice(0, int(s.length));
          break;
        case 'extend': {
          bytes = new Uint8Array(s.length + 1 + int(32));
          bytes.set(s);
          bytes.set(randomBytes(rand, bytes.length - s.length), s.length);
          break;
        }
        case 'wrong-index':
          index = rand() < 0.5 ? (i + 1 + int(COUNT - 1)) % COUNT : i + 1 + int(2 ** 40);
          break;
        case 'wrong-file-id':
          c = sameKeyOtherId;
          break;
        case 'other-file-key':
          c = otherFile;
          break;
        case 'other-session':
          c = otherSession;
          break;
        case 'raw-session-key':
          c = rawSessionKey;
          break;
        case 'foreign-chunk':
          bytes = foreign[i]!;
          break;
        case 'garbage':
          bytes = randomBytes(rand, int(300));
          break;
        case 'nonce-swap': {
          const j = (i + 1 + int(COUNT - 1)) % COUNT;
          bytes = s.slice();
          bytes.set(sealed[j]!.subarray(0, 24), 0);
          break;
        }
        case 'chunk-swap':
          bytes = sealed[(i + 1 + int(COUNT - 1)) % COUNT]!;
          break;
      }
      const label = `trial ${trial} (${kind}, chunk ${i}), seed ${SEED.toString(16)}`;
      assert.equal(openCode(c, index, bytes), 'CHUNK_REJECTED', label);
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    for (const [kind, n] of counts) assert.ok(n > 500, `${kind}: ${n}`);
    for (let i = 0; i < COUNT; i++) assert.ok(same(cipher.open(i, sealed[i]!), plain[i]!)); // still fine
  });
});

describe('whole-file hash (BLAKE2b-256)', () => {
  test('known answers (same as `b2sum -l 256`)', () => {
    assert.equal(hashBytesHex(new Uint8Array(0)), '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
    assert.equal(hashBytesHex(new TextEncoder().encode('abc')), 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
    const h = createFileHasher();
    h.update(new TextEncoder().encode('a'));
    h.update(new Uint8Array(0));
    h.update(new TextEncoder().encode('bc'));
    assert.equal(h.digestHex(), 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  });

  test('streaming in random pieces equals the one-shot hash', () => {
    const rand = prng(0xb1a4e);
    const file = randomBytes(rand, (1 << 20) + 17);
    const oneShot = hashBytesHex(file);
    assert.match(oneShot, /^[0-9a-f]{64}$/);
    for (let round = 0; round < 5; round++) {
      const h = createFileHasher();
      let off = 0;
      while (off < file.length) {
        const n = Math.min(file.length - off, 1 + Math.floor(rand() * 300_000));
        h.update(file.subarray(off, off + n));
        off += n;
      }
      assert.equal(h.digestHex(), oneShot);
    }
  });

  test('a truncated, extended or altered file hashes differently', () => {
    const file = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    const full = hashBytesHex(file);
    const h = createFileHasher();
    h.update(file.subarray(0, 65_536)); // the last chunk never arrived
    assert.notEqual(h.digestHex(), full);
    assert.notEqual(hashBytesHex(file.subarray(0, file.length - 1)), full);
    const longer = new Uint8Array(file.length + 1);
    longer.set(file);
    assert.notEqual(hashBytesHex(longer), full);
    const altered = file.slice();
    altered[50_000]! ^= 1;
    assert.notEqual(hashBytesHex(altered), full);
  });

  test('a finished hasher refuses more input; dispose is safe', () => {
    const h = createFileHasher();
    h.update(new Uint8Array([1]));
    h.digestHex();
    expectCode(() => h.update(new Uint8Array([2])), 'HASH_FINALIZED');
    expectCode(() => h.digestHex(), 'HASH_FINALIZED');
    h.dispose();
    const g = createFileHasher();
    g.update(new Uint8Array([1]));
    g.dispose();
    g.dispose();
    expectCode(() => g.digestHex(), 'HASH_FINALIZED');
  });
});
