/**
 * ReceivedFileSink on the OPFS worker (sync access handles): write() copies the chunk into a
 * 1 MiB batch of contiguous bytes and returns at once; full batches, and partial ones at a gap,
 * flush, read or wait, are posted to the worker as transferred buffers, so the receiving hot path
 * never awaits a write. The worker writes synchronously and acknowledges in batches.
 */
import type { WorkerRpc } from './opfs-worker-client';
import { SinkBase } from './sink-base';
import { toSinkError } from './sink-error';
import { WriteBatcher } from './write-batcher';

export class WorkerSink extends SinkBase {
  readonly mode = 'worker' as const;
  private readonly batcher: WriteBatcher;

  private constructor(
    private readonly rpc: WorkerRpc,
    fileId: string,
    size: number,
    chunkSize: number,
  ) {
    super(fileId, size, chunkSize);
    this.batcher = new WriteBatcher((offset, data) => rpc.write(fileId, offset, data));
  }

  /**
   * Opens (or, on resume, reopens: existing bytes are kept) the file and sets its size, so the
   * quota is checked now. Rejects with a SinkError; code 'unsupported' when the worker cannot
   * run or has no sync access handles.
   */
  static async open(rpc: WorkerRpc, fileId: string, size: number, chunkSize: number): Promise<WorkerSink> {
    const sink = new WorkerSink(rpc, fileId, size, chunkSize);
    rpc.listen(fileId, {
      onAck: (n) => sink.bytes.settle(n),
      onFail: (e, workerDead) => {
        sink.fail(e);
        if (workerDead) sink.bytes.settleAll();
      },
    });
    try {
      await rpc.call({ op: 'open', id: fileId, size });
    } catch (e) {
      rpc.unlisten(fileId);
      throw toSinkError(e);
    }
    return sink;
  }

  async flush(): Promise<void> {
    this.batcher.flush();
    await this.rpc.call({ op: 'flush', id: this.fileId });
    if (this.failure) throw this.failure;
  }

  async readRange(offset: number, length: number): Promise<Uint8Array> {
    this.batcher.flush();
    const reply = await this.rpc.call({ op: 'read', id: this.fileId, offset, length });
    return new Uint8Array(reply.data ?? new ArrayBuffer(0));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.batcher.flush();
    this.batcher.drop();
    await this.release({ op: 'close', id: this.fileId });
  }

  async delete(): Promise<void> {
    this.closed = true;
    this.batcher.drop(); // about to be deleted: nothing to write
    await this.release({ op: 'delete', id: this.fileId });
  }

  protected store(offset: number, bytes: Uint8Array): void {
    this.batcher.add(offset, bytes);
  }

  protected override beforeWait(): void {
    this.batcher.flush(); // bytes still gathering would never be acknowledged
  }

  private async release(request: { op: 'close' | 'delete'; id: string }): Promise<void> {
    try {
      await this.rpc.call(request);
    } finally {
      this.rpc.unlisten(this.fileId);
      this.bytes.settleAll();
    }
  }
}
