import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ready,
  createSealer,
  createOpener,
  isCryptoError,
  CHAT_HEADER_BYTES,
  CHAT_FRAME_OVERHEAD_BYTES,
  MAX_CHAT_PLAINTEXT_BYTES,
  type CryptoErrorCode,
  type Opener,
} from '../../shared/crypto/index';
import { prng, randomBytes, same } from './support/prng';

await ready();

function expectCode(fn: () => unknown, code: CryptoErrorCode, msg?: string): void {
  assert.throws(
    fn,
    (e: unknown) => {
      assert.ok(isCryptoError(e), `expected CryptoError, got ${String(e)}`);
      assert.equal(e.code, code);
      return true;
    },
    msg,
  );
}

/** The error code open() throws, or 'ACCEPTED' (cheaper than assert.throws in a hot loop). */
function openCode(o: Opener, frame: Uint8Array): string {
  try {
    o.open(frame);
    return 'ACCEPTED';
  } catch (e) {
    return isCryptoError(e) ? e.code : String(e);
  }
}

const KEY = new Uint8Array(32).map((_, i) => i + 1);
const OTHER_KEY = new Uint8Array(32).map((_, i) => 200 - i);
const enc = new TextEncoder();

describe('chat stream: round trips', () => {
  test('frames open in order, first frame carries the header', () => {
    const s = createSealer(KEY);
    const o = createOpener(KEY);
    const sizes = [0, 1, 17, 100, 4096, 70_000];
    sizes.forEach((n, i) => {
      const pt = new Uint8Array(n).map((_, j) => (j * 31 + i) & 0xff);
      const frame = s.seal(pt);
      assert.equal(frame.length, n + CHAT_FRAME_OVERHEAD_BYTES + (i === 0 ? CHAT_HEADER_BYTES : 0));
      assert.deepEqual(o.open(frame), pt);
    });
    assert.equal(o.ended, false);
    assert.equal(o.failed, false);
  });

  test('frames can be opened in place inside a bigger buffer', () => {
    const s = createSealer(KEY);
    const o = createOpener(KEY);
    for (let i = 0; i < 3; i++) {
      const f = s.seal(enc.encode(`m${i}`));
      const buf = new Uint8Array(f.length + 10);
      buf.set(f, 3);
      assert.equal(new TextDecoder().decode(o.open(buf.subarray(3, 3 + f.length))), `m${i}`);
    }
  });

  test('the largest allowed plaintext fits one data-channel frame; one more byte is refused', () => {
    const s = createSealer(KEY);
    const o = createOpener(KEY);
    const big = new Uint8Array(MAX_CHAT_PLAINTEXT_BYTES).fill(7);
    const frame = s.seal(big);
    assert.equal(frame.length, 256 * 1024);
    assert.deepEqual(o.open(frame), big);
    expectCode(() => s.seal(new Uint8Array(MAX_CHAT_PLAINTEXT_BYTES + 1)), 'SEAL_TOO_LARGE');
  });

  test('the same plaintext seals differently each time and never in the clear', () => {
    const s = createSealer(KEY);
    const pt = enc.encode('attack at dawn, attack at dawn');
    const f1 = s.seal(pt);
    const f2 = s.seal(pt);
    assert.ok(!same(f1.subarray(CHAT_HEADER_BYTES, CHAT_HEADER_BYTES + pt.length), pt));
    assert.ok(!same(f2.subarray(0, pt.length), f1.subarray(CHAT_HEADER_BYTES, CHAT_HEADER_BYTES + pt.length)));
    assert.ok(!same(createSealer(KEY).seal(pt), f1)); // new header each stream
  });

  test('end() marks a clean end; nothing is sealed or opened after it', () => {
    const s = createSealer(KEY);
    const o = createOpener(KEY);
    o.open(s.seal(enc.encode('bye')));
    const fin = s.end();
    assert.equal(s.closed, true);
    expectCode(() => s.seal(enc.encode('more')), 'SEAL_CLOSED');
    expectCode(() => s.end(), 'SEAL_CLOSED');
    assert.equal(o.open(fin).length, 0);
    assert.equal(o.ended, true);
    expectCode(() => o.open(fin), 'SEAL_REJECTED');
  });

  test('a stream that stops without end() is visibly not ended (truncation)', () => {
    const s = createSealer(KEY);
    const o = createOpener(KEY);
    o.open(s.seal(enc.encode('a')));
    s.end(); // never delivered
    assert.equal(o.ended, false);
  });

  test('end() as the very first frame works', () => {
    const s = createSealer(KEY);
    const o = createOpener(KEY);
    assert.equal(o.open(s.end()).length, 0);
    assert.equal(o.ended, true);
  });

  test('wrong key, bad key length, and a dead opener', () => {
    const s = createSealer(KEY);
    const wrong = createOpener(OTHER_KEY);
    const f0 = s.seal(enc.encode('x'));
    expectCode(() => wrong.open(f0), 'SEAL_REJECTED');
    assert.equal(wrong.failed, true);
    const o = createOpener(KEY);
    const bad = f0.slice();
    bad[bad.length - 1]! ^= 1;
    expectCode(() => o.open(bad), 'SEAL_REJECTED');
    expectCode(() => o.open(f0), 'SEAL_REJECTED'); // even the genuine frame, once dead
    expectCode(() => createSealer(new Uint8Array(16)), 'SEAL_BAD_INPUT');
    expectCode(() => createOpener(new Uint8Array(33)), 'SEAL_BAD_INPUT');
  });

  test('frames larger than a data-channel message are refused', () => {
    const s = createSealer(KEY);
    const o = createOpener(KEY);
    o.open(s.seal(new Uint8Array(1)));
    expectCode(() => o.open(new Uint8Array(256 * 1024 + 1)), 'SEAL_REJECTED');
  });
});

describe('chat stream: tamper fuzz', () => {
  const SEED = 0xc4a75eed;
  const TRIALS = 12_000;

  test(`${TRIALS} random mutations of a sealed stream: none accepted (seed ${SEED.toString(16)})`, () => {
    const rand = prng(SEED);
    const int = (n: number) => Math.floor(rand() * n);

    // The genuine stream: 8 messages then FINAL.
    const sealer = createSealer(KEY);
    const plain: Uint8Array[] = [];
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) {
      const pt = randomBytes(rand, int(64));
      plain.push(pt);
      frames.push(sealer.seal(pt));
    }
    plain.push(new Uint8Array(0));
    frames.push(sealer.end());
    // A second stream under the same key (other header) and one under another key.
    const twin = createSealer(KEY);
    const twinFrames = plain.map((p) => twin.seal(p));
    const alien = createSealer(OTHER_KEY);
    const alienFrames = plain.map((p) => alien.seal(p));
    const N = frames.length;

    const kinds = [
      'bitflip', 'truncate-frame', 'extend-frame', 'swap', 'move', 'replay', 'drop', 'truncate-stream',
      'splice-twin', 'splice-alien', 'garbage', 'after-final', 'combo',
    ] as const;
    type Kind = (typeof kinds)[number];
    const rejectedBy = new Map<Kind, number>(kinds.map((k) => [k, 0]));
    let truncatedStreams = 0;

    const mutate = (seq: Uint8Array[], kind: Exclude<Kind, 'combo'>): Uint8Array[] => {
      const s = seq.slice();
      if (s.length === 0) return [randomBytes(rand, int(80))]; // combos can empty the stream
      const i = int(s.length);
      const f = s[i]!;
      switch (kind) {
        case 'bitflip': {
          const g = f.slice();
          const flips = 1 + int(3);
          for (let k = 0; k < flips; k++) {
            const bit = int(g.length * 8);
            g[bit >> 3]! ^= 1 << (bit & 7);
          }
          if (same(g, f)) g[0]! ^= 0x80; // two flips of the same bit cancelled out
          s[i] = g;
          break;
        }
        case 'truncate-frame':
          s[i] = f.slice(0, int(f.length));
          break;
        case 'extend-frame': {
          const g = new Uint8Array(f.length + 1 + int(32));
          g.set(f);
          g.set(randomBytes(rand, g.length - f.length), f.length);
          s[i] = g;
          break;
        }
        case 'swap': {
          const j = (i + 1 + int(s.length - 1)) % s.length;
          [s[i], s[j]] = [s[j]!, s[i]!];
          break;
        }
        case 'move': {
          const [x] = s.splice(i, 1);
          let j = int(s.length + 1);
          if (j === i) j = (j + 1) % (s.length + 1);
          s.splice(j, 0, x!);
          break;
        }
        case 'replay':
          s.splice(i + 1 + int(s.length - i), 0, f);
          break;
        case 'drop':
          s.splice(i, 1);
          break;
        case 'truncate-stream':
          s.length = int(s.length);
          break;
        case 'splice-twin': {
          // Position 0 excluded: a whole other stream under the same key is, by itself, valid.
          const j = 1 + int(N - 1);
          s.splice(Math.min(j, s.length), 1, twinFrames[j]!);
          break;
        }
        case 'splice-alien':
          s[i] = alienFrames[int(N)]!;
          break;
        case 'garbage':
          s.splice(int(s.length + 1), 0, randomBytes(rand, int(80)));
          break;
        case 'after-final':
          s.push(rand() < 0.5 ? frames[int(N)]! : randomBytes(rand, int(60)));
          break;
      }
      return s;
    };

    for (let trial = 0; trial < TRIALS; trial++) {
      const kind = kinds[int(kinds.length)]!;
      let seq: Uint8Array[];
      if (kind === 'combo') {
        seq = frames;
        const rounds = 2 + int(2);
        for (let r = 0; r < rounds; r++) seq = mutate(seq, kinds[int(kinds.length - 1)] as Exclude<Kind, 'combo'>);
      } else {
        seq = mutate(frames, kind);
      }
      const label = `trial ${trial} (${kind}), seed ${SEED.toString(16)}`;

      const opener = createOpener(KEY);
      let k = 0;
      for (; k < seq.length; k++) {
        const f = seq[k]!;
        if (k < N && same(f, frames[k]!)) {
          assert.ok(same(opener.open(f), plain[k]!), label);
          continue;
        }
        // The first frame that is not the genuine one at this position must be refused...
        assert.equal(openCode(opener, f), 'SEAL_REJECTED', label);
        assert.equal(opener.failed, true, label);
        // ...and the stream must stay dead, even for the genuine frame.
        assert.equal(openCode(opener, frames[Math.min(k, N - 1)]!), 'SEAL_REJECTED', label);
        rejectedBy.set(kind, (rejectedBy.get(kind) ?? 0) + 1);
        break;
      }
      if (k === seq.length) {
        // Every frame was genuine and in place: only a prefix of the stream, never more.
        assert.ok(seq.length <= N, label);
        assert.equal(opener.ended, seq.length === N, label);
        if (seq.length < N) truncatedStreams++;
        else assert.ok(kind === 'combo', `${label}: mutation produced the original stream`);
      }
    }
    // Every kind of mutation was exercised and caught.
    for (const [kind, n] of rejectedBy) if (kind !== 'truncate-stream') assert.ok(n > 100, `${kind}: ${n}`);
    assert.ok(truncatedStreams > 100);
  });
});
