// The hot path of a file transfer (shared/transfer/chunk-frame.ts, transfer.ts, hash.ts):
// binary chunk frames, sealing, the whole-file hash, and that a tampered chunk, a wrong index,
// a chunk of another file, a truncated chunk and a truncated file are each caught. Plus whole
// transfers in memory: clean, with a bad chunk asked for again, and resumed after a "reload".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, createChunkCipher, deriveFileKey, hashBytesHex, CHUNK_OVERHEAD_BYTES } from '../../shared/crypto/index';
import * as peerProtocol from '../../shared/peer-protocol';
import {
  CHUNK_FRAME_HEADER_BYTES,
  CHUNK_FRAME_KIND,
  ChunkFrameEncoder,
  ChunkSet,
  InOrderHasher,
  IncomingTransfer,
  MAX_CHUNK_FRAME_BYTES,
  OutgoingTransfer,
  TRANSFER_LIMITS,
  chunkFrameLength,
  completeHash,
  decodeChunkBody,
  decodeChunkFrame,
  encodeChunkFrame,
  fileIdFromBytes,
  fileIdToBytes,
  newFileId,
  parseFileControl,
  planChunks,
  serializeFileControl,
  type ChunkFrameView,
  type FileControl,
  type FileOffer,
} from '../../shared/transfer/index';
import { prng } from './support/prng';

await ready();


/** Fast pseudo-random bytes (32 bits per PRNG step). */
function randomBytes(seed: number, n: number): Uint8Array {
  const rand = prng(seed);
  const words = new Uint32Array(Math.ceil(n / 4));
  for (let i = 0; i < words.length; i++) words[i] = (rand() * 4294967296) >>> 0;
  return new Uint8Array(words.buffer, 0, n);
}

function flip(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = (bytes[at] ?? 0) ^ mask;
}

function key(seed: number): Uint8Array {
  return randomBytes(seed, 32).slice();
}

/** Control frames go through JSON and the parser, as they would on the wire. */
function wire<T extends FileControl>(msg: T): T {
  const parsed = parseFileControl(serializeFileControl(msg));
  assert.ok(parsed, `control frame ${msg.type} must parse`);
  return parsed as T;
}

/** An in-memory stand-in for the OPFS sink: writes at offsets, reads ranges back. */
class MemorySink {
  readonly data: Uint8Array;
  written = 0;
  constructor(size: number) {
    this.data = new Uint8Array(size);
  }
  write(offset: number, bytes: Uint8Array): void {
    this.data.set(bytes, offset);
    this.written += bytes.length;
  }
  readRange = async (offset: number, length: number): Promise<Uint8Array> => this.data.slice(offset, offset + length);
}

function sourceOf(file: Uint8Array) {
  return async (offset: number, length: number): Promise<Uint8Array> => file.subarray(offset, offset + length);
}

interface Session {
  txKey: Uint8Array;
}

/**
 * Runs the sender's loop over a simulated ordered channel. `tamper` may replace a frame (or
 * drop it by returning null) before the receiver sees it. Returns the frames sent.
 */
function pump(
  out: OutgoingTransfer,
  inc: IncomingTransfer,
  sink: MemorySink,
  file: Uint8Array,
  opts: { tamper?: (frame: Uint8Array, n: number) => Uint8Array | null; stopAfter?: number } = {},
): number {
  let n = 0;
  while (out.hasNext) {
    if (opts.stopAfter !== undefined && n >= opts.stopAfter) break;
    const i = out.nextIndex();
    const { offset, length } = out.chunkRange(i);
    let frame: Uint8Array | null = out.encode(i, file.subarray(offset, offset + length));
    if (opts.tamper) frame = opts.tamper(frame.slice(), n);
    n++;
    if (!frame) continue;
    const view = decodeChunkFrame(frame);
    assert.ok(view);
    const r = inc.receive(view);
    if (r.kind === 'chunk') sink.write(r.offset, r.bytes);
  }
  return n;
}

/** Drives file-done / file-need rounds until the receiver's verdict. */
async function finishRounds(out: OutgoingTransfer, inc: IncomingTransfer, sink: MemorySink, file: Uint8Array, maxRounds = 5) {
  for (let round = 0; round < maxRounds; round++) {
    const done = wire(out.doneMsg(await out.finishHash(sourceOf(file))));
    const step = inc.onSenderDone(done);
    if (step.kind === 'verify') {
      const verdict = wire(await inc.finish(sink.readRange));
      return { verdict, senderView: out.onReceiverDone(verdict), rounds: round };
    }
    assert.ok(out.onNeed(wire(step.msg)));
    pump(out, inc, sink, file);
  }
  throw new Error('no verdict');
}

function start(file: Uint8Array, session: Session, opts: { fileId?: string; have?: ChunkSet } = {}) {
  const out = new OutgoingTransfer({ name: 'data.bin', mime: '', size: file.length, ...(opts.fileId ? { fileId: opts.fileId } : {}) });
  out.setSessionKey(session.txKey);
  const offer = wire(out.offer());
  const inc = new IncomingTransfer(offer, opts.have);
  inc.setSessionKey(session.txKey); // the receiver's rxKey is the sender's txKey
  assert.ok(out.onAccept(wire(inc.acceptMsg())));
  return { out, inc, offer };
}

describe('chunk frame layout', () => {
  const fileId = newFileId();
  const cipher = createChunkCipher(deriveFileKey(key(1), fileId), fileId);

  test('kind byte is the data channel\'s chunk kind', () => {
    const kinds = (peerProtocol as Record<string, unknown>).PEER_FRAME_KINDS as { chunk?: number } | undefined;
    assert.ok(kinds, 'shared/peer-protocol.ts exports PEER_FRAME_KINDS');
    assert.equal(CHUNK_FRAME_KIND, kinds.chunk);
  });

  test('header: kind, 16-byte fileId, uint32 BE index; then nonce, ciphertext, tag', () => {
    const pt = randomBytes(2, 1000);
    const frame = encodeChunkFrame(cipher, fileId, 0x01020304, pt);
    assert.equal(frame.length, CHUNK_FRAME_HEADER_BYTES + CHUNK_OVERHEAD_BYTES + 1000);
    assert.equal(frame.length, chunkFrameLength(1000));
    assert.equal(frame[0], CHUNK_FRAME_KIND);
    assert.equal(fileIdFromBytes(frame.subarray(1, 17)), fileId);
    assert.deepEqual([...frame.subarray(17, 21)], [1, 2, 3, 4]);
    const view = decodeChunkFrame(frame);
    assert.ok(view);
    assert.equal(view.index, 0x01020304);
    assert.deepEqual(cipher.open(view.index, view.sealed), pt);
  });

  test('decode returns views into the received buffer, never copies', () => {
    const frame = encodeChunkFrame(cipher, fileId, 7, randomBytes(3, 4096));
    const view = decodeChunkFrame(frame.buffer as ArrayBuffer);
    assert.ok(view);
    assert.equal(view.sealed.buffer, frame.buffer);
    assert.equal(view.fileId.buffer, frame.buffer);
    assert.equal(view.sealed.byteOffset, CHUNK_FRAME_HEADER_BYTES);
    const body = decodeChunkBody(frame.subarray(1));
    assert.ok(body);
    assert.equal(body.sealed.buffer, frame.buffer);
    assert.equal(body.index, 7);
  });

  test('the encoder reuses one buffer; a default 64 KiB chunk and the largest chunk fit a message', () => {
    const enc = new ChunkFrameEncoder(cipher, fileId, TRANSFER_LIMITS.maxChunkSize);
    const a = enc.encode(0, randomBytes(4, 65536));
    const b = enc.encode(1, randomBytes(5, TRANSFER_LIMITS.maxChunkSize));
    assert.equal(a.buffer, b.buffer, 'same buffer');
    assert.equal(a.length, 65597);
    assert.ok(b.length <= MAX_CHUNK_FRAME_BYTES);
    assert.throws(() => enc.encode(2, new Uint8Array(TRANSFER_LIMITS.maxChunkSize + 1)), RangeError);
    assert.throws(() => new ChunkFrameEncoder(cipher, fileId, 256 * 1024), RangeError);
    assert.throws(() => enc.encode(-1, new Uint8Array(1)), RangeError);
  });

  test('ChunkCipher.sealInto writes what seal() would, in place, and checks the room', () => {
    const pt = randomBytes(6, 5000);
    const target = new Uint8Array(10 + CHUNK_OVERHEAD_BYTES + 5000 + 3);
    assert.equal(cipher.sealInto(9, pt, target, 10), CHUNK_OVERHEAD_BYTES + 5000);
    assert.deepEqual(cipher.open(9, target.subarray(10, 10 + CHUNK_OVERHEAD_BYTES + 5000)), pt);
    assert.deepEqual([...target.subarray(0, 10)], new Array(10).fill(0), 'nothing before offset');
    assert.throws(() => cipher.sealInto(9, pt, target, 14), /target too small/);
    assert.throws(() => cipher.sealInto(9, pt, target, -1), /target too small/);
  });

  test('malformed frames decode to null', () => {
    const frame = encodeChunkFrame(cipher, fileId, 0, new Uint8Array(10));
    assert.equal(decodeChunkFrame(frame.subarray(0, CHUNK_FRAME_HEADER_BYTES + CHUNK_OVERHEAD_BYTES - 1)), null, 'too short');
    const wrongKind = frame.slice();
    wrongKind[0] = 0x02;
    assert.equal(decodeChunkFrame(wrongKind), null);
    assert.equal(decodeChunkFrame(new Uint8Array(MAX_CHUNK_FRAME_BYTES + 1).fill(CHUNK_FRAME_KIND)), null, 'too long');
    assert.equal(decodeChunkFrame('text' as unknown as Uint8Array), null);
    assert.ok(decodeChunkFrame(frame.subarray(0, CHUNK_FRAME_HEADER_BYTES + CHUNK_OVERHEAD_BYTES)), 'empty chunk is well-formed');
  });

  test('file ids: hex <-> 16 bytes', () => {
    assert.equal(fileIdFromBytes(fileIdToBytes(fileId)), fileId);
    assert.throws(() => fileIdToBytes('ABCDEF0123456789ABCDEF0123456789'), RangeError);
    assert.throws(() => fileIdToBytes('../x'), RangeError);
  });
});

describe('whole transfers (in memory)', () => {
  const session: Session = { txKey: key(10) };

  test('5 MiB + 123 bytes: chunk, seal, write, hash; hashes match the file on both sides', async () => {
    const file = randomBytes(11, 5 * 1024 * 1024 + 123);
    const { out, inc, offer } = start(file, session);
    assert.equal(offer.chunkCount, 81);
    assert.equal(offer.mime, 'application/octet-stream');
    const sent = pump(out, inc, new MemorySink(0), file, { stopAfter: 0 });
    assert.equal(sent, 0);
    const sink = new MemorySink(file.length);
    assert.equal(pump(out, inc, sink, file), 81);
    assert.ok(inc.verified.complete);
    assert.ok(inc.hasher.complete, 'an ordered stream is hashed on the fly: no read-back');
    let reads = 0;
    const { verdict, senderView, rounds } = await finishRounds(out, inc, {
      ...sink,
      readRange: async (o: number, l: number) => {
        reads++;
        return sink.readRange(o, l);
      },
    } as MemorySink, file);
    assert.equal(reads, 0);
    assert.equal(rounds, 0);
    assert.equal(verdict.hash, hashBytesHex(file));
    assert.ok(verdict.ok);
    assert.ok(senderView.verified);
    assert.deepEqual(sink.data, file);
    out.dispose();
    inc.dispose();
  });

  test('an empty file: no chunks, verified at once', async () => {
    const file = new Uint8Array(0);
    const { out, inc } = start(file, session);
    assert.ok(!out.hasNext);
    const { verdict } = await finishRounds(out, inc, new MemorySink(0), file);
    assert.ok(verdict.ok);
    assert.equal(verdict.hash, hashBytesHex(file));
  });

  test('a tampered chunk is rejected, asked for again, and the file still verifies', async () => {
    const file = randomBytes(12, 20 * 65536 + 5);
    const { out, inc } = start(file, session);
    const sink = new MemorySink(file.length);
    pump(out, inc, sink, file, {
      tamper: (frame, n) => {
        if (n === 7) flip(frame, CHUNK_FRAME_HEADER_BYTES + 24 + 100, 0x01); // ciphertext
        if (n === 9) flip(frame, frame.length - 1, 0x80); // tag
        if (n === 11) flip(frame, CHUNK_FRAME_HEADER_BYTES + 3, 0x10); // nonce
        return frame;
      },
    });
    assert.equal(inc.badChunks, 3);
    assert.deepEqual(inc.verified.missingRanges(), [[7, 8], [9, 10], [11, 12]]);
    assert.deepEqual(sink.data.subarray(7 * 65536, 8 * 65536), new Uint8Array(65536), 'nothing of a bad chunk is written');
    const { verdict, senderView, rounds } = await finishRounds(out, inc, sink, file);
    assert.equal(rounds, 1, 'one need round');
    assert.ok(verdict.ok && senderView.verified);
    assert.deepEqual(sink.data, file);
  });

  test('a wrong index is rejected (header index changed)', () => {
    const file = randomBytes(13, 4 * 65536);
    const { out, inc } = start(file, session);
    const frame = out.encode(out.nextIndex(), file.subarray(0, 65536)).slice();
    new DataView(frame.buffer).setUint32(17, 2);
    const r = inc.receive(decodeChunkFrame(frame) as ChunkFrameView);
    assert.deepEqual(r, { kind: 'bad', index: 2 });
    assert.ok(!inc.verified.has(2));
    // Index outside the file: not for this transfer at all.
    new DataView(frame.buffer).setUint32(17, 4);
    assert.deepEqual(inc.receive(decodeChunkFrame(frame) as ChunkFrameView), { kind: 'invalid' });
  });

  test('a chunk from another file is rejected, even under the same session key', () => {
    const file = randomBytes(14, 4 * 65536);
    const a = start(file, session);
    const b = start(file, session);
    assert.notEqual(a.offer.fileId, b.offer.fileId);
    const fromB = b.out.encode(b.out.nextIndex(), file.subarray(0, 65536)).slice();
    // As sent: routed by its file id, not A's.
    assert.deepEqual(a.inc.receive(decodeChunkFrame(fromB) as ChunkFrameView), { kind: 'invalid' });
    // Relabelled as A's: the AEAD's associated data still names B.
    fromB.set(fileIdToBytes(a.offer.fileId), 1);
    assert.deepEqual(a.inc.receive(decodeChunkFrame(fromB) as ChunkFrameView), { kind: 'bad', index: 0 });
    // Same file, other session (a replay from an earlier connection): other key.
    const c = start(file, { txKey: key(99) }, { fileId: a.offer.fileId });
    const fromC = c.out.encode(c.out.nextIndex(), file.subarray(0, 65536)).slice();
    assert.deepEqual(a.inc.receive(decodeChunkFrame(fromC) as ChunkFrameView), { kind: 'bad', index: 0 });
  });

  test('a truncated chunk is rejected', () => {
    const file = randomBytes(15, 3 * 65536);
    const { out, inc } = start(file, session);
    const frame = out.encode(out.nextIndex(), file.subarray(0, 65536)).slice();
    assert.deepEqual(inc.receive(decodeChunkFrame(frame.subarray(0, frame.length - 1)) as ChunkFrameView), { kind: 'bad', index: 0 });
    assert.deepEqual(inc.receive(decodeChunkFrame(frame.subarray(0, frame.length - 1000)) as ChunkFrameView), { kind: 'bad', index: 0 });
  });

  test('a chunk of the wrong length is rejected even when it opens (sender bug)', () => {
    const file = randomBytes(16, 2 * 65536);
    const { offer, inc } = start(file, session);
    const cipher = createChunkCipher(deriveFileKey(session.txKey, offer.fileId), offer.fileId);
    const short = encodeChunkFrame(cipher, offer.fileId, 0, file.subarray(0, 65535));
    assert.deepEqual(inc.receive(decodeChunkFrame(short) as ChunkFrameView), { kind: 'bad', index: 0 });
  });

  test('a truncated file is detected: the last chunks never came', async () => {
    const file = randomBytes(17, 10 * 65536 + 1);
    const { out, inc } = start(file, session);
    const sink = new MemorySink(file.length);
    pump(out, inc, sink, file, { tamper: (f, n) => (n >= 9 ? null : f) });
    const step = inc.onSenderDone(wire(out.doneMsg(await out.finishHash(sourceOf(file)))));
    assert.equal(step.kind, 'need');
    assert.deepEqual(step.kind === 'need' && step.msg.ranges, [[9, 11]]);
    await assert.rejects(inc.finish(sink.readRange), /before every chunk/);
  });

  test('a file that was truncated or altered on disk fails the whole-file hash', async () => {
    const file = randomBytes(18, 6 * 65536);
    // Altered on disk after the chunks were verified; hash catch-up covers the written bytes.
    {
      const { out, inc } = start(file, session);
      const sink = new MemorySink(file.length);
      // Out of order delivery: the hash must be completed from disk.
      pump(out, inc, sink, file, { tamper: (f, n) => (n === 0 ? null : f) });
      assert.equal(inc.hasher.next, 0);
      flip(sink.data, 4 * 65536 + 9, 1);
      const { verdict, senderView } = await finishRounds(out, inc, sink, file);
      assert.equal(verdict.ok, false);
      assert.equal(senderView.verified, false);
      assert.notEqual(verdict.hash, hashBytesHex(file));
    }
    // Truncated on disk: read-back comes up short.
    {
      const { out, inc } = start(file, session);
      const sink = new MemorySink(file.length);
      pump(out, inc, sink, file, { tamper: (f, n) => (n === 0 ? null : f) });
      pump(out, inc, sink, file);
      out.onNeed(wire(inc.needMsg()!));
      pump(out, inc, sink, file);
      await assert.rejects(inc.finish(async (o, l) => sink.data.slice(o, Math.min(o + l, file.length - 10))), /read back/);
    }
  });

  test('a hash in the offer that does not match fails the file', async () => {
    const file = randomBytes(19, 3 * 65536);
    const out = new OutgoingTransfer({ name: 'x', mime: '', size: file.length });
    out.setSessionKey(session.txKey);
    const offer = wire({ ...out.offer(), hash: 'cd'.repeat(32) } as FileOffer);
    const inc = new IncomingTransfer(offer);
    inc.setSessionKey(session.txKey);
    out.onAccept(wire(inc.acceptMsg()));
    const sink = new MemorySink(file.length);
    pump(out, inc, sink, file);
    const { verdict } = await finishRounds(out, inc, sink, file);
    assert.equal(verdict.ok, false);
  });

  test('resume after the receiver reloads: new session, only the missing chunks, verified', async () => {
    const file = randomBytes(20, 3 * 1024 * 1024 + 77);
    const first = start(file, session);
    const sink = new MemorySink(file.length); // stands for the OPFS file, which survives the reload
    pump(first.out, first.inc, sink, file, { stopAfter: 20 });
    // What the receiver had persisted: a snapshot taken before a flush (here: everything written).
    const stored = first.inc.verified.toBytes();
    first.inc.dispose();

    // Reload + reconnect: new session keys on both sides; the sender page kept its transfer.
    const session2: Session = { txKey: key(21) };
    const inc2 = new IncomingTransfer(first.offer, ChunkSet.fromBytes(first.offer.chunkCount, stored) ?? undefined);
    inc2.setSessionKey(session2.txKey);
    first.out.setSessionKey(session2.txKey);
    assert.ok(first.out.onAccept(wire(inc2.acceptMsg())));
    assert.equal(first.out.remaining, first.offer.chunkCount - 20);
    const sent = pump(first.out, inc2, sink, file);
    assert.equal(sent, first.offer.chunkCount - 20, 'nothing starts over');
    let readBack = 0;
    const { verdict, senderView } = await finishRounds(first.out, inc2, {
      readRange: async (o: number, l: number) => {
        readBack += l;
        return sink.readRange(o, l);
      },
    } as MemorySink, file);
    assert.ok(verdict.ok && senderView.verified);
    assert.equal(readBack, file.length, 'the new page re-reads the file once to hash it');
    assert.deepEqual(sink.data, file);
  });

  test('resume after the sender reloads: it re-hashes what it skipped from the file', async () => {
    const file = randomBytes(22, 2 * 1024 * 1024 + 3);
    const first = start(file, session);
    const sink = new MemorySink(file.length);
    pump(first.out, first.inc, sink, file, { stopAfter: 10 });
    first.out.dispose();

    const session2: Session = { txKey: key(23) };
    const out2 = new OutgoingTransfer({ name: 'data.bin', mime: '', size: file.length, fileId: first.offer.fileId });
    out2.setSessionKey(session2.txKey);
    first.inc.setSessionKey(session2.txKey);
    // Receiver recognises the re-offer by its id and answers with what it has.
    assert.equal(wire(out2.offer()).fileId, first.offer.fileId);
    assert.ok(out2.onAccept(wire(first.inc.acceptMsg())));
    assert.equal(pump(out2, first.inc, sink, file), first.offer.chunkCount - 10);
    assert.ok(first.inc.hasher.complete, 'the receiver kept hashing in order across the reconnect');
    const { verdict, senderView } = await finishRounds(out2, first.inc, sink, file);
    assert.ok(verdict.ok && senderView.verified);
    assert.equal(verdict.hash, hashBytesHex(file));
  });

  test('the receiver verifies while the sender reloads: its verdict is checked against the stored hash', async () => {
    const file = randomBytes(25, 300 * 1024 + 9);
    const { out, inc } = start(file, session);
    const sink = new MemorySink(file.length);
    pump(out, inc, sink, file);
    const sent = await out.finishHash(sourceOf(file)); // what the sender keeps (StoredTransfer.sentHash)
    assert.equal(inc.onSenderDone(wire(out.doneMsg(sent))).kind, 'verify');
    const verdict = wire(await inc.finish(sink.readRange));
    out.dispose(); // the sender's page reloads before the verdict arrives

    const again = () => new OutgoingTransfer({ name: 'data.bin', mime: '', size: file.length, fileId: verdict.fileId });
    const fresh = again();
    assert.ok(!fresh.hashKnown);
    assert.ok(!fresh.onReceiverDone(verdict).verified, 'no hash known: nothing to check "verified" against');
    const restored = again();
    restored.restoreHash(sent);
    assert.ok(restored.hashKnown);
    assert.ok(restored.onReceiverDone(verdict).verified);
    assert.ok(!restored.onReceiverDone({ ...verdict, hash: hashBytesHex(new Uint8Array(1)) }).verified, 'another hash is refused');
    const junk = again();
    junk.restoreHash('not a hash');
    assert.ok(!junk.hashKnown, 'a malformed stored hash is ignored');
    restored.restoreHash(hashBytesHex(new Uint8Array(2)));
    assert.ok(restored.onReceiverDone(verdict).verified, 'a known hash is never replaced');
    for (const t of [fresh, restored, junk]) t.dispose();
  });

  test('accept/need that do not fit the file are refused', () => {
    const file = randomBytes(24, 3 * 65536);
    const { out, offer } = start(file, session);
    assert.ok(!out.onAccept({ type: 'file-accept', fileId: offer.fileId, have: [[0, 4]] }));
    assert.ok(!out.onAccept({ type: 'file-accept', fileId: newFileId(), have: [] }));
    assert.ok(!out.onNeed({ type: 'file-need', fileId: offer.fileId, ranges: [[2, 5]] }));
  });
});

describe('InOrderHasher', () => {
  test('any arrival order gives the hash of the file once caught up from "disk"', async () => {
    const file = randomBytes(30, 50 * 1024 + 17);
    const plan = planChunks(file.length, 1024);
    const rand = prng(31);
    const order = Array.from({ length: plan.chunkCount }, (_, i) => i).sort(() => rand() - 0.5);
    const h = new InOrderHasher(plan.chunkCount);
    for (const i of order) h.offer(i, file.subarray(i * 1024, Math.min(file.length, (i + 1) * 1024)));
    assert.ok(h.next < plan.chunkCount);
    assert.throws(() => h.digestHex(), /incomplete/);
    const digest = await completeHash(h, plan, sourceOf(file), 7);
    assert.equal(digest, hashBytesHex(file));
    assert.equal(h.digestHex(), digest, 'stable');
  });
  test('a failing read rejects and leaves no unhandled read-ahead', async () => {
    const plan = planChunks(10 * 1024, 1024);
    const h = new InOrderHasher(plan.chunkCount);
    await assert.rejects(completeHash(h, plan, async (o) => {
      if (o > 0) throw new Error('disk gone');
      return new Uint8Array(1024);
    }, 2), /disk gone|read back/);
    h.dispose();
  });
});
