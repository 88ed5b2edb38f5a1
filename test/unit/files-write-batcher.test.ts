// The receiver's write batching (web/src/files/write-batcher.ts) and pending-bytes bookkeeping
// (pending-bytes.ts): pure, so tested here; the real disk path is in test/e2e/opfs-sink.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WriteBatcher } from '../../web/src/files/write-batcher';
import { PendingBytes } from '../../web/src/files/pending-bytes';
import { prng, randomBytes, same } from './support/prng';

interface Emitted {
  offset: number;
  data: ArrayBuffer;
}

function recorder(batchBytes: number): { batcher: WriteBatcher; out: Emitted[] } {
  const out: Emitted[] = [];
  // Each emitted buffer is copied here, as a transfer to the worker would take it away.
  const batcher = new WriteBatcher((offset, data) => out.push({ offset, data: data.slice(0) }), batchBytes);
  return { batcher, out };
}

/** The file as the emitted writes leave it. */
function apply(size: number, writes: Emitted[]): Uint8Array {
  const file = new Uint8Array(size);
  for (const w of writes) file.set(new Uint8Array(w.data), w.offset);
  return file;
}

describe('WriteBatcher', () => {
  test('contiguous chunks go out as full batches; the rest on flush, cut to size', () => {
    const { batcher, out } = recorder(1024);
    for (let i = 0; i < 10; i++) batcher.add(i * 256, new Uint8Array(256).fill(i));
    // 2560 bytes: two full batches of 1024 out, 512 still gathered
    assert.deepEqual(out.map((w) => [w.offset, w.data.byteLength]), [[0, 1024], [1024, 1024]]);
    assert.equal(batcher.gathered, 512);
    batcher.flush();
    assert.deepEqual(out.map((w) => [w.offset, w.data.byteLength]), [[0, 1024], [1024, 1024], [2048, 512]]);
    assert.equal(batcher.gathered, 0);
    batcher.flush(); // nothing gathered: nothing sent
    assert.equal(out.length, 3);
  });

  test('a gap hands on the partial batch first', () => {
    const { batcher, out } = recorder(1024);
    batcher.add(0, new Uint8Array(100).fill(1));
    batcher.add(500, new Uint8Array(100).fill(2));
    assert.deepEqual(out.map((w) => [w.offset, w.data.byteLength]), [[0, 100]]);
    batcher.flush();
    assert.deepEqual(out.map((w) => [w.offset, w.data.byteLength]), [[0, 100], [500, 100]]);
  });

  test('a write that would overflow the batch starts a new one', () => {
    const { batcher, out } = recorder(1000);
    batcher.add(0, new Uint8Array(600));
    batcher.add(600, new Uint8Array(600));
    assert.deepEqual(out.map((w) => [w.offset, w.data.byteLength]), [[0, 600]]);
    assert.equal(batcher.gathered, 600);
  });

  test('a chunk as large as a batch goes out on its own, as a copy', () => {
    const { batcher, out } = recorder(1024);
    const big = new Uint8Array(2048).fill(7);
    batcher.add(0, big);
    big.fill(0); // the caller reuses its buffer at once
    assert.equal(out.length, 1);
    assert.ok(new Uint8Array(out[0]!.data).every((b) => b === 7));
  });

  test('the caller may reuse its bytes at once: they are copied', () => {
    const { batcher, out } = recorder(1024);
    const reused = new Uint8Array(100);
    for (let i = 0; i < 5; i++) batcher.add(i * 100, reused.fill(i + 1));
    batcher.flush();
    const file = apply(500, out);
    for (let i = 0; i < 5; i++) assert.ok(file.subarray(i * 100, i * 100 + 100).every((b) => b === i + 1), `chunk ${i}`);
  });

  test('partial batches reuse one buffer: the later contents never leak into an earlier write', () => {
    const sent: ArrayBuffer[] = [];
    const batcher = new WriteBatcher((_offset, data) => sent.push(data), 1024);
    batcher.add(0, new Uint8Array(10).fill(1));
    batcher.flush();
    batcher.add(100, new Uint8Array(10).fill(2));
    batcher.flush();
    assert.equal(sent.length, 2);
    assert.ok(new Uint8Array(sent[0]!).every((b) => b === 1), 'the first write kept its bytes');
    assert.notEqual(sent[0], sent[1]);
  });

  test('drop forgets what is gathered', () => {
    const { batcher, out } = recorder(1024);
    batcher.add(0, new Uint8Array(10));
    batcher.drop();
    batcher.flush();
    assert.equal(out.length, 0);
    assert.equal(batcher.gathered, 0);
  });

  test('fuzz: any order of chunks (half in order, half shuffled) rebuilds the file exactly', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rand = prng(seed);
      const chunkSize = 1 + Math.floor(rand() * 300);
      const size = Math.floor(rand() * 20_000);
      const count = Math.ceil(size / chunkSize);
      const content = randomBytes(rand, size);
      const order = Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1; i > count >> 1; i--) {
        const j = (count >> 1) + Math.floor(rand() * (i + 1 - (count >> 1)));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const { batcher, out } = recorder(1 + Math.floor(rand() * 2048));
      for (const i of order) {
        batcher.add(i * chunkSize, content.subarray(i * chunkSize, Math.min(size, (i + 1) * chunkSize)));
        if (rand() < 0.05) batcher.flush();
      }
      batcher.flush();
      assert.ok(same(apply(size, out), content), `seed ${seed}`);
      const total = out.reduce((n, w) => n + w.data.byteLength, 0);
      assert.equal(total, size, `seed ${seed}: every byte written once`);
    }
  });
});

describe('PendingBytes', () => {
  test('counts pending, its peak and what settled', () => {
    const p = new PendingBytes();
    p.add(100);
    p.add(50);
    p.settle(120);
    p.add(10);
    assert.equal(p.pending, 40);
    assert.equal(p.peak, 150);
    assert.equal(p.written, 120);
    p.settleAll();
    assert.equal(p.pending, 0);
    assert.equal(p.written, 160);
  });

  test('whenBelow resolves at once under the limit, else once settling reaches it', async () => {
    const p = new PendingBytes();
    p.add(100);
    await p.whenBelow(100);
    const woken: number[] = [];
    void p.whenBelow(50).then(() => woken.push(50));
    void p.whenBelow(10).then(() => woken.push(10));
    p.settle(40);
    await Promise.resolve();
    assert.deepEqual(woken, []);
    p.settle(10);
    await Promise.resolve();
    assert.deepEqual(woken, [50]);
    p.settleAll();
    await Promise.resolve();
    assert.deepEqual(woken, [50, 10]);
  });

  test('settling more than pending never goes below zero', () => {
    const p = new PendingBytes();
    p.add(5);
    p.settle(10);
    assert.equal(p.pending, 0);
  });
});
