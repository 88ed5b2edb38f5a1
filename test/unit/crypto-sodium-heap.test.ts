// shared/crypto/sodium-heap.ts: the transfer hot path's direct use of libsodium's WASM heap must
// give exactly the bytes of libsodium-wrappers, whether inputs are heap views or ordinary arrays,
// and keep working after the WASM memory grows (which detaches every older view).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sodium from 'libsodium-wrappers';
import { ready } from '../../shared/crypto/index';
import { aeadOpenView, aeadSealInto, HeapHash, heapAddress, raw, scratchOut, stage, SCRATCH_BYTES } from '../../shared/crypto/sodium-heap';
import { prng, randomBytes, same } from './support/prng';

await ready();

const rand = prng(20261123);
const key = randomBytes(rand, 32);
const nonce = randomBytes(rand, 24);
const ad = randomBytes(rand, 41);

describe('sodium-heap', () => {
  test('seal and open equal libsodium-wrappers, from ordinary arrays and from heap views', () => {
    for (const n of [0, 1, 63, 64, 65_536, 65_537, 255 * 1024]) {
      const plain = randomBytes(rand, n);
      const expected = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, ad, null, nonce, key);

      const out = new Uint8Array(n + 16);
      aeadSealInto(plain, ad, nonce, key, out);
      assert.ok(same(out, expected), `ordinary → ordinary, ${n} bytes`);

      const staged = stage(plain);
      assert.ok(heapAddress(staged) >= 0 && same(staged, plain), 'stage copies into the heap');
      const target = scratchOut(n + 16);
      aeadSealInto(staged, ad, nonce, key, target);
      assert.ok(same(target, expected), `heap → heap, ${n} bytes`);

      const opened = aeadOpenView(expected, ad, nonce, key);
      assert.ok(opened && heapAddress(opened) >= 0 && same(opened, plain), `open, ${n} bytes`);
    }
  });

  test('open refuses anything tampered, and a wrong nonce, key or associated data', () => {
    const plain = randomBytes(rand, 1000);
    const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, ad, null, nonce, key);
    for (const at of [0, 500, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[at] = (bad[at] ?? 0) ^ 1;
      assert.equal(aeadOpenView(bad, ad, nonce, key), null, `flipped byte ${at}`);
    }
    assert.equal(aeadOpenView(sealed.subarray(0, 15), ad, nonce, key), null, 'shorter than a tag');
    const flip = (b: Uint8Array): Uint8Array => b.map((x, i) => (i === 0 ? x ^ 1 : x));
    assert.equal(aeadOpenView(sealed, flip(ad), nonce, key), null, 'other associated data');
    assert.equal(aeadOpenView(sealed, ad, flip(nonce), key), null, 'other nonce');
    assert.equal(aeadOpenView(sealed, ad, nonce, flip(key)), null, 'other key');
  });

  test('hash equals crypto_generichash for pieces in the heap, ordinary pieces, and input larger than the scratch', () => {
    const data = randomBytes(rand, 2 * SCRATCH_BYTES + 12_345);
    const expected = sodium.crypto_generichash(32, data, null);
    const h = new HeapHash(32);
    let at = 0;
    for (const size of [1, 65_536, 65_535, SCRATCH_BYTES]) {
      h.update(stage(data.subarray(at, at + size)));
      at += size;
    }
    h.update(data.subarray(at)); // ordinary and larger than the scratch: goes through in pieces
    assert.ok(same(h.final(), expected));
    assert.equal(h.live, false);
    assert.throws(() => h.update(data), /HASH_FINALIZED|finali/i);
    h.free(); // harmless after final
  });

  test('keeps working after the WASM memory grows (old views detached)', () => {
    const m = raw();
    const before = m.HEAPU8.buffer;
    const big = m._malloc(256 * 1024 * 1024);
    try {
      assert.notEqual(m.HEAPU8.buffer, before, 'the memory grew');
      const plain = randomBytes(rand, 65_536);
      const h = new HeapHash(32);
      h.update(stage(plain));
      const expected = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, ad, null, nonce, key);
      const out = scratchOut(plain.length + 16);
      aeadSealInto(stage(plain), ad, nonce, key, out);
      assert.ok(same(out, expected));
      assert.ok(same(h.final(), sodium.crypto_generichash(32, plain, null)));
    } finally {
      m._free(big);
    }
  });

  test('inputs that partly overlap the output are copied first; oversized inputs are refused', () => {
    const plain = randomBytes(rand, 10_000);
    const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, ad, null, nonce, key);
    // A sealed chunk sitting in the output scratch, 45 bytes in (as a chunk frame's body would).
    const frame = scratchOut(45 + sealed.length);
    frame.set(sealed, 45);
    const opened = aeadOpenView(frame.subarray(45), ad, nonce, key);
    assert.ok(opened && same(opened, plain), 'opened from a shifted place in the output area');
    // Plaintext in the output area, sealed into the output area at another offset.
    const out = scratchOut(7 + plain.length + 16);
    out.set(plain, 7);
    const target = new Uint8Array(plain.length + 16);
    aeadSealInto(out.subarray(7, 7 + plain.length), ad, nonce, key, target);
    assert.ok(same(target, sealed), 'sealed from the output area into ordinary memory');

    const big = new Uint8Array(SCRATCH_BYTES - 15);
    assert.throws(() => aeadSealInto(big, ad, nonce, key, new Uint8Array(big.length + 16)), /CHUNK_BAD_INPUT|scratch/);
    assert.throws(() => aeadOpenView(new Uint8Array(SCRATCH_BYTES + 1), ad, nonce, key), /CHUNK_BAD_INPUT|scratch/);
  });
});
