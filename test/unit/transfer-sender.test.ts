// The sender's side in Node (web/src/files/file-source.ts and send-pump.ts use only Blob and a
// data-channel-like object): chunked reads with bounded read-ahead, and the pump's flow control
// against a simulated channel, end to end into an IncomingTransfer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, hashBytesHex } from '../../shared/crypto/index';
import { IncomingTransfer, OutgoingTransfer, decodeChunkFrame, type ChunkFrameView } from '../../shared/transfer/index';
import { FileSource } from '../../web/src/files/file-source';
import { pumpChunks, type PumpChannel } from '../../web/src/files/send-pump';

await ready();

function bytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A data channel stand-in: drains `rate` bytes per tick, fires bufferedamountlow like a browser. */
/** Resolves once the pump has filled `channel` up to its high water (it then waits for a drain). */
async function blockedOn(channel: FakeChannel, highWater: number): Promise<void> {
  for (let turns = 0; channel.bufferedAmount < highWater; turns++) {
    if (turns > 10_000) throw new Error(`the pump never filled the channel (${channel.bufferedAmount} bytes)`);
    await new Promise((r) => setImmediate(r));
  }
}

class FakeChannel implements PumpChannel {
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readyState: RTCDataChannelState = 'open';
  maxBuffered = 0;
  readonly frames: Uint8Array[] = [];
  private listeners = new Map<string, Set<() => void>>();
  private timer: ReturnType<typeof setInterval>;

  constructor(rate: number) {
    this.timer = setInterval(() => {
      if (this.bufferedAmount === 0) return;
      const before = this.bufferedAmount;
      this.bufferedAmount = Math.max(0, this.bufferedAmount - rate);
      if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) this.emit('bufferedamountlow');
    }, 1);
  }
  send(data: Uint8Array): void {
    if (this.readyState !== 'open') throw new Error('closed');
    this.frames.push(data.slice()); // a browser copies on send(); the frame buffer is reused
    this.bufferedAmount += data.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
  }
  addEventListener(type: string, l: () => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(l);
  }
  removeEventListener(type: string, l: () => void): void {
    this.listeners.get(type)?.delete(l);
  }
  emit(type: string): void {
    for (const l of [...(this.listeners.get(type) ?? [])]) l();
  }
  close(): void {
    this.readyState = 'closed';
    this.emit('close');
    clearInterval(this.timer);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** A Blob whose stream hands out pieces of an odd size (chunks then straddle pieces). */
function oddPieces(data: Uint8Array<ArrayBuffer>, piece: number, failAfter = Infinity): Blob {
  const make = (from: Uint8Array<ArrayBuffer>): Blob => {
    const blob = new Blob([from]);
    return Object.assign(blob, {
      slice: (start?: number, end?: number) => make(from.subarray(start ?? 0, end ?? from.length)),
      stream: () => {
        let at = 0;
        return new ReadableStream<Uint8Array>({
          pull(c) {
            if (at >= failAfter) return c.error(new DOMException('gone', 'NotReadableError'));
            if (at >= from.length) return c.close();
            c.enqueue(from.slice(at, at + piece));
            at += piece;
          },
        });
      },
    });
  };
  return make(data);
}

describe('FileSource', () => {
  test('chunks match the file; read-ahead stays bounded; jumps restart the stream', async () => {
    const data = bytes(3 * 1024 * 1024 + 999);
    // Node streams an in-memory Blob as one piece; the odd pieces are what a browser does with a file.
    for (const [blob, piece] of [[new Blob([data]), data.length], [oddPieces(data, 50_000), 50_000]] as const) {
      const src = new FileSource(blob, 65536, { readAheadBytes: 256 * 1024 });
      assert.equal(src.chunkCount, 49);
      let peak = 0;
      let hits = 0;
      for (let i = 0; i < src.chunkCount; i++) {
        const peeked = src.peek(i);
        if (peeked) hits++;
        const c = peeked ?? (await src.chunk(i));
        assert.deepEqual(c, data.subarray(i * 65536, Math.min(data.length, (i + 1) * 65536)), `chunk ${i}`);
        peak = Math.max(peak, src.bufferedBytes);
        if (i % 7 === 0) await new Promise((r) => setTimeout(r, 0)); // let the stream run ahead
      }
      assert.ok(peak <= 256 * 1024 + piece + 65536, `held ${peak}`);
      assert.ok(hits > src.chunkCount / 3, `most reads are synchronous (${hits}/${src.chunkCount})`);
      // Jumping back (a re-request) and far ahead (a gap) work too.
      assert.deepEqual(await src.chunk(1), data.subarray(65536, 131072));
      assert.deepEqual(await src.chunk(40), data.subarray(40 * 65536, 41 * 65536));
      assert.deepEqual(await src.chunk(48), data.subarray(48 * 65536));
      assert.deepEqual(await src.readRange(10, 20), data.subarray(10, 30));
      await assert.rejects(src.chunk(49), RangeError);
      src.release();
      assert.equal(src.bufferedBytes, 0);
    }
  });

  test('a chunk still awaited when the read jumps elsewhere is rejected, not left hanging', async () => {
    const data = bytes(64 * 65536);
    const src = new FileSource(oddPieces(data, 50_000), 65536, { readAheadBytes: 256 * 1024 });
    const first = src.chunk(10);
    const far = src.chunk(60); // beyond the read-ahead: the stream restarts there
    await assert.rejects(first, (e: Error) => e.name === 'AbortError');
    assert.deepEqual(await far, data.subarray(60 * 65536, 61 * 65536));
  });

  test('a file that cannot be read any more rejects with the read error', async () => {
    const data = bytes(1024 * 1024);
    const src = new FileSource(oddPieces(data, 65536, 5 * 65536), 65536, { readAheadBytes: 65536 });
    for (let i = 0; i < 5; i++) assert.deepEqual(src.peek(i) ?? (await src.chunk(i)), data.subarray(i * 65536, (i + 1) * 65536));
    await assert.rejects(src.chunk(5), (e: Error) => e.name === 'NotReadableError');
    await assert.rejects(src.chunk(6), (e: Error) => e.name === 'NotReadableError');
  });
});

describe('pumpChunks', () => {
  test('sends every chunk under the high-water mark, in order; the receiver verifies the file', async () => {
    const data = bytes(2 * 1024 * 1024 + 7, 5);
    const key = bytes(32, 9);
    const out = new OutgoingTransfer({ name: 'a.bin', mime: 'application/octet-stream', size: data.length });
    out.setSessionKey(key);
    const inc = new IncomingTransfer(out.offer());
    inc.setSessionKey(key);
    out.onAccept(inc.acceptMsg());
    const channel = new FakeChannel(256 * 1024);
    const high = 512 * 1024;
    const sent: number[] = [];
    try {
      await pumpChunks(out, new FileSource(new Blob([data]), out.plan.chunkSize), channel, {
        highWater: high,
        lowWater: 128 * 1024,
        onSent: (i) => sent.push(i),
      });
    } finally {
      channel.stop();
    }
    assert.deepEqual(sent, Array.from({ length: out.plan.chunkCount }, (_, i) => i));
    assert.ok(channel.maxBuffered <= high + 65597, `buffered ${channel.maxBuffered}`);
    const disk = new Uint8Array(data.length);
    for (const f of channel.frames) {
      const r = inc.receive(decodeChunkFrame(f) as ChunkFrameView);
      assert.equal(r.kind, 'chunk');
      if (r.kind === 'chunk') disk.set(r.bytes, r.offset);
    }
    const hash = await out.finishHash(async (o, l) => data.subarray(o, o + l));
    assert.equal(inc.onSenderDone(out.doneMsg(hash)).kind, 'verify');
    const verdict = await inc.finish(async (o, l) => disk.subarray(o, o + l));
    assert.ok(verdict.ok);
    assert.equal(verdict.hash, hashBytesHex(data));
  });

  test('stops when the channel closes or the transfer is aborted; resumes from the queue', async () => {
    const data = bytes(1024 * 1024, 6);
    const out = new OutgoingTransfer({ name: 'a.bin', mime: '', size: data.length });
    out.setSessionKey(bytes(32, 1));
    out.onAccept({ type: 'file-accept', fileId: out.fileId, have: [] });
    const channel = new FakeChannel(0); // never drains
    const pumping = pumpChunks(out, new FileSource(new Blob([data]), out.plan.chunkSize), channel, { highWater: 256 * 1024 });
    await blockedOn(channel, 256 * 1024);
    channel.close();
    await assert.rejects(pumping, /closed/);
    assert.ok(out.remaining > 0 && out.remaining < out.plan.chunkCount);

    const controller = new AbortController();
    const ch2 = new FakeChannel(0);
    const p2 = pumpChunks(out, new FileSource(new Blob([data]), out.plan.chunkSize), ch2, { highWater: 128 * 1024, signal: controller.signal });
    await blockedOn(ch2, 128 * 1024);
    controller.abort();
    await assert.rejects(p2);
    ch2.stop();
  });
});
