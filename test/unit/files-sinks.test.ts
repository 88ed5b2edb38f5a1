// The two ReceivedFileSink back ends (web/src/files/worker-sink.ts, writable-sink.ts) against
// stand-ins for the worker and for OPFS handles: the order of what reaches the disk, failures as
// SinkError codes, and the clean-up's choice of files (orphans.ts). The real disk path, in real
// browsers, is test/e2e/opfs-sink.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerSink } from '../../web/src/files/worker-sink';
import { WritableSink } from '../../web/src/files/writable-sink';
import type { FileListener, WorkerCall, WorkerReply, WorkerRpc } from '../../web/src/files/opfs-worker-client';
import { OpfsWorkerClient, type WorkerPort } from '../../web/src/files/opfs-worker-client';
import { SinkError, sinkErrorCodeOf, toSinkError } from '../../web/src/files/sink-error';
import { orphanIds } from '../../web/src/files/orphans';
import type { FromWorker, ToWorker } from '../../web/src/files/opfs-protocol';

const ID = 'ab'.repeat(16);

/** Runs `fn` with console.warn silenced: the failures below are logged on purpose. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

/** A worker that records what reaches it and answers every request at once. */
class FakeRpc implements WorkerRpc {
  log: string[] = [];
  listener: FileListener | null = null;
  failNext: SinkError | null = null;
  listen(_id: string, l: FileListener): void {
    this.listener = l;
  }
  unlisten(): void {
    this.listener = null;
  }
  call(request: WorkerCall): Promise<WorkerReply> {
    this.log.push(request.op);
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = null;
      return Promise.reject(e);
    }
    return Promise.resolve({ kind: 'reply', seq: 0, ok: true, ...(request.op === 'read' ? { data: new ArrayBuffer(request.length) } : {}) });
  }
  write(_id: string, offset: number, data: ArrayBuffer): void {
    this.log.push(`write ${offset}+${data.byteLength}`);
  }
}

describe('WorkerSink', () => {
  test('chunks are gathered; a flush posts them before asking the worker to flush', async () => {
    const rpc = new FakeRpc();
    const sink = await WorkerSink.open(rpc, ID, 10 * 1024, 1024);
    for (let i = 0; i < 3; i++) sink.write(i, new Uint8Array(1024));
    assert.deepEqual(rpc.log, ['open']);
    assert.equal(sink.pendingBytes, 3072);
    await sink.flush();
    assert.deepEqual(rpc.log, ['open', 'write 0+3072', 'flush']);
    rpc.listener?.onAck(3072);
    assert.equal(sink.pendingBytes, 0);
    assert.equal(sink.writtenBytes, 3072);
  });

  test('a read posts what is gathered first, so it sees every earlier write', async () => {
    const rpc = new FakeRpc();
    const sink = await WorkerSink.open(rpc, ID, 4096, 1024);
    sink.write(2, new Uint8Array(1024));
    const bytes = await sink.readRange(0, 4096);
    assert.equal(bytes.length, 4096);
    assert.deepEqual(rpc.log, ['open', 'write 2048+1024', 'read']);
  });

  test('waiting for pending bytes posts the gathered batch (else it would never be acknowledged)', async () => {
    const rpc = new FakeRpc();
    const sink = await WorkerSink.open(rpc, ID, 4096, 1024);
    sink.write(0, new Uint8Array(1024));
    const waited = sink.whenPendingBelow(0);
    assert.deepEqual(rpc.log, ['open', 'write 0+1024']);
    rpc.listener?.onAck(1024);
    await waited;
  });

  test('a failed write fails the sink once: onError, flush rejects with the code, later writes dropped', () => quietly(async () => {
    const rpc = new FakeRpc();
    const sink = await WorkerSink.open(rpc, ID, 4096, 1024);
    const errors: SinkError[] = [];
    sink.onError = (e) => errors.push(e);
    sink.write(0, new Uint8Array(1024));
    await sink.flush();
    rpc.listener?.onFail(new SinkError('quota', 'QuotaExceededError'), false);
    rpc.listener?.onFail(new SinkError('io', 'again'), false);
    assert.deepEqual(errors.map((e) => e.code), ['quota']);
    sink.write(1, new Uint8Array(1024));
    assert.equal(sink.pendingBytes, 1024, 'the dropped write is settled at once');
    await assert.rejects(sink.flush(), (e: unknown) => e instanceof SinkError && e.code === 'quota');
  }));

  test('a dead worker settles everything pending', () => quietly(async () => {
    const rpc = new FakeRpc();
    const sink = await WorkerSink.open(rpc, ID, 4096, 1024);
    sink.write(0, new Uint8Array(1024));
    const waited = sink.whenPendingBelow(0);
    rpc.listener?.onFail(new SinkError('unsupported', 'worker gone'), true);
    await waited;
    assert.equal(sink.error?.code, 'unsupported');
  }));

  test('close posts the rest and releases; delete drops it; both stop listening', async () => {
    const rpc = new FakeRpc();
    const sink = await WorkerSink.open(rpc, ID, 4096, 1024);
    sink.write(0, new Uint8Array(1024));
    await sink.close();
    await sink.close(); // idempotent
    assert.deepEqual(rpc.log, ['open', 'write 0+1024', 'close']);
    assert.equal(rpc.listener, null);
    assert.equal(sink.pendingBytes, 0);
    assert.throws(() => sink.write(1, new Uint8Array(1)), /closed/);

    const rpc2 = new FakeRpc();
    const sink2 = await WorkerSink.open(rpc2, ID, 4096, 1024);
    sink2.write(0, new Uint8Array(1024));
    await sink2.delete();
    assert.deepEqual(rpc2.log, ['open', 'delete']);
  });

  test('open: a failure stops listening and rejects with a SinkError', async () => {
    const rpc = new FakeRpc();
    rpc.failNext = new SinkError('quota', 'QuotaExceededError');
    await assert.rejects(WorkerSink.open(rpc, ID, 4096, 1024), (e: unknown) => e instanceof SinkError && e.code === 'quota');
    assert.equal(rpc.listener, null);
  });

  test('writes past the end are refused', async () => {
    const sink = await WorkerSink.open(new FakeRpc(), ID, 1500, 1024);
    sink.write(1, new Uint8Array(476));
    assert.throws(() => sink.write(1, new Uint8Array(477)), RangeError);
  });
});

describe('OpfsWorkerClient', () => {
  function fakePort(): WorkerPort & { sent: ToWorker[]; answer(m: FromWorker): void; crash(): void } {
    const port = {
      sent: [] as ToWorker[],
      onmessage: null as WorkerPort['onmessage'],
      onerror: null as WorkerPort['onerror'],
      postMessage(m: ToWorker) {
        port.sent.push(m);
      },
      answer(m: FromWorker) {
        port.onmessage?.({ data: m } as MessageEvent<FromWorker>);
      },
      crash() {
        port.onerror?.({ message: 'boom' } as ErrorEvent);
      },
    };
    return port;
  }

  test('replies find their request by id; errors arrive as SinkErrors with their code', async () => {
    const port = fakePort();
    const client = new OpfsWorkerClient(port);
    const a = client.call({ op: 'flush', id: ID });
    const b = client.call({ op: 'close', id: ID });
    const [sa, sb] = port.sent.map((m) => ('seq' in m ? m.seq : -1));
    port.answer({ kind: 'reply', seq: sb!, ok: false, code: 'quota', detail: 'full' });
    port.answer({ kind: 'reply', seq: sa!, ok: true });
    await a;
    await assert.rejects(b, (e: unknown) => e instanceof SinkError && e.code === 'quota');
  });

  test('acks and failures go to the file they name', () => {
    const port = fakePort();
    const client = new OpfsWorkerClient(port);
    const seen: string[] = [];
    client.listen(ID, { onAck: (n) => seen.push(`ack ${n}`), onFail: (e, dead) => seen.push(`fail ${e.code} ${dead}`) });
    port.answer({ kind: 'ack', id: ID, bytes: 10 });
    port.answer({ kind: 'ack', id: 'cd'.repeat(16), bytes: 99 });
    port.answer({ kind: 'fail', id: ID, code: 'io', detail: 'x' });
    assert.deepEqual(seen, ['ack 10', 'fail io false']);
  });

  test('a crashed worker rejects open calls and later ones, and tells every file', async () => {
    const port = fakePort();
    const client = new OpfsWorkerClient(port);
    const seen: string[] = [];
    client.listen(ID, { onAck: () => undefined, onFail: (e, dead) => seen.push(`${e.code} ${dead}`) });
    const open = client.call({ op: 'open', id: ID, size: 1 });
    await quietly(async () => port.crash());
    await assert.rejects(open, (e: unknown) => e instanceof SinkError && e.code === 'unsupported');
    await assert.rejects(client.call({ op: 'flush', id: ID }), (e: unknown) => e instanceof SinkError && e.code === 'unsupported');
    assert.deepEqual(seen, ['unsupported true']);
  });

  test('writes transfer their buffer', () => {
    const port = fakePort();
    const transfers: Transferable[][] = [];
    port.postMessage = (m: ToWorker, t?: Transferable[]) => transfers.push(t ?? []);
    const client = new OpfsWorkerClient(port);
    const data = new ArrayBuffer(8);
    client.write(ID, 0, data);
    assert.deepEqual(transfers, [[data]]);
  });
});

/** A file handle whose writable stream keeps writes until close() commits them (as OPFS does). */
function fakeFile(initial = 0) {
  const state = { file: new Uint8Array(initial), commits: 0, failCommit: null as Error | null, opened: 0 };
  const handle = {
    async getFile() {
      return new Blob([state.file.slice()]);
    },
    async createWritable() {
      state.opened++;
      let draft = state.file.slice();
      return {
        async write(op: { position: number; data: Uint8Array }) {
          const end = op.position + op.data.length;
          if (end > draft.length) {
            const grown = new Uint8Array(end);
            grown.set(draft);
            draft = grown;
          }
          draft.set(op.data, op.position);
        },
        async truncate(size: number) {
          const next = new Uint8Array(size);
          next.set(draft.subarray(0, size));
          draft = next;
        },
        async close() {
          if (state.failCommit) throw state.failCommit;
          state.file = draft;
          state.commits++;
        },
        async abort() {},
      };
    },
  };
  const dir = { getFileHandle: async () => handle } as unknown as FileSystemDirectoryHandle;
  return { state, dir };
}

describe('WritableSink', () => {
  test('writes reach the file on flush; a read sees every earlier write', async () => {
    const { state, dir } = fakeFile();
    const sink = await WritableSink.open(dir, ID, 3000, 1000);
    assert.equal(sink.mode, 'writable');
    const reused = new Uint8Array(1000);
    sink.write(2, reused.fill(3));
    sink.write(0, reused.fill(1)); // the caller reuses its buffer: the sink copied
    const read = await sink.readRange(0, 3000);
    assert.deepEqual([read[0], read[1500], read[2999]], [1, 0, 3]);
    sink.write(1, reused.fill(2));
    await sink.flush();
    assert.deepEqual([state.file[0], state.file[1500], state.file[2999]], [1, 2, 3]);
    assert.equal(sink.pendingBytes, 0);
    assert.equal(sink.writtenBytes, 3000);
  });

  test('a failed commit fails the sink (its writes are lost): onError once, flush rejects with the code', async () => {
    const { state, dir } = fakeFile();
    const sink = await WritableSink.open(dir, ID, 2000, 1000);
    const errors: SinkError[] = [];
    sink.onError = (e) => errors.push(e);
    sink.write(0, new Uint8Array(1000).fill(1));
    state.failCommit = Object.assign(new Error('disk full'), { name: 'QuotaExceededError' });
    await quietly(async () => {
      await assert.rejects(sink.flush(), (e: unknown) => e instanceof SinkError && e.code === 'quota');
      assert.deepEqual(errors.map((e) => e.code), ['quota']);
      state.failCommit = null;
      sink.write(1, new Uint8Array(1000));
      await assert.rejects(sink.flush(), (e: unknown) => e instanceof SinkError && e.code === 'quota', 'stays failed');
      assert.equal(errors.length, 1);
    });
  });

  test('open sets the size (so the quota is checked now) and keeps existing bytes on reopen', async () => {
    const { state, dir } = fakeFile(10);
    state.file.fill(9);
    const sink = await WritableSink.open(dir, ID, 20, 10);
    await sink.close();
    assert.equal(state.file.length, 20);
    assert.equal(state.file[0], 9);
  });
});

describe('SinkError codes', () => {
  test('DOMException names map to codes; anything else is io', () => {
    assert.equal(sinkErrorCodeOf('QuotaExceededError'), 'quota');
    assert.equal(sinkErrorCodeOf('NotFoundError'), 'not-found');
    assert.equal(sinkErrorCodeOf('NoModificationAllowedError'), 'unavailable');
    assert.equal(sinkErrorCodeOf('SecurityError'), 'unavailable');
    assert.equal(sinkErrorCodeOf('TypeError'), 'io');
    const e = new SinkError('unsupported', 'x');
    assert.equal(toSinkError(e), e);
    assert.equal(toSinkError('odd').code, 'io');
  });
});

describe('orphanIds', () => {
  test('keeps live transfers and files opened in this page; the rest is removed', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => x.repeat(32)) as [string, string, string, string];
    assert.deepEqual(orphanIds([a, b, c, d], new Set([a])), [b, c, d]);
    assert.deepEqual(orphanIds([a, b, c, d], new Set([a]), (id) => id === c), [b, d]);
    assert.deepEqual(orphanIds([], new Set([a])), []);
  });
});
