/**
 * ReceivedFileSink on FileSystemWritableFileStream, on the main thread: the fallback where no
 * worker with sync access handles is available. Writes are chained promises run one at a time.
 * Such a stream only reaches the file on close(), so flush() and readRange() close it (a commit:
 * Chromium copies the file into a swap file when it is reopened with keepExistingData, O(size));
 * the next write reopens it.
 */
import { deleteOpfsFile } from './opfs-files';
import { SinkBase } from './sink-base';
import { toSinkError } from './sink-error';

export class WritableSink extends SinkBase {
  readonly mode = 'writable' as const;
  private writable: FileSystemWritableFileStream | null = null;
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly handle: FileSystemFileHandle,
    fileId: string,
    size: number,
    chunkSize: number,
  ) {
    super(fileId, size, chunkSize);
  }

  /**
   * Opens (or, on resume, reopens: existing bytes are kept) the file in `dir` and sets its size,
   * so the quota is checked now. Rejects with a SinkError (code 'quota': no space).
   */
  static async open(dir: FileSystemDirectoryHandle, fileId: string, size: number, chunkSize: number): Promise<WritableSink> {
    let sink: WritableSink | null = null;
    try {
      sink = new WritableSink(await dir.getFileHandle(fileId, { create: true }), fileId, size, chunkSize);
      const w = await sink.openWritable();
      if ((await sink.handle.getFile()).size !== size) await w.truncate(size);
      return sink;
    } catch (e) {
      // Not handed out: release the stream (its lock) here.
      await sink?.writable?.abort().catch((abortError: unknown) => console.warn('peerchat: could not release a file that failed to open', abortError));
      throw toSinkError(e);
    }
  }

  async flush(): Promise<void> {
    await this.enqueue(() => this.commit());
    if (this.failure) throw this.failure;
  }

  async readRange(offset: number, length: number): Promise<Uint8Array> {
    let out: Uint8Array = new Uint8Array(0);
    await this.enqueue(async () => {
      await this.commit();
      const file = await this.handle.getFile();
      out = new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
    });
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.enqueue(() => this.commit());
  }

  async delete(): Promise<void> {
    this.closed = true;
    await this.enqueue(async () => {
      const w = this.writable;
      this.writable = null;
      // The file is removed next: whatever the stream held is not wanted.
      await w?.abort().catch((e: unknown) => console.warn('peerchat: could not abort a file stream before deleting it', e));
    });
    await deleteOpfsFile(this.fileId);
  }

  protected store(offset: number, bytes: Uint8Array): void {
    const copy = bytes.slice(); // the write below runs later; the caller may reuse `bytes`
    const length = bytes.length;
    void this.enqueue(async () => {
      try {
        if (!this.failure) {
          const w = this.writable ?? (await this.openWritable());
          await w.write({ type: 'write', position: offset, data: copy });
        }
      } catch (e) {
        this.fail(toSinkError(e));
      } finally {
        this.bytes.settle(length);
      }
    });
  }

  /** Runs `task` after every earlier one; its failure rejects the returned promise (as a SinkError), not the chain. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task).catch((e: unknown) => {
      throw toSinkError(e);
    });
    this.chain = run.catch(() => undefined); // reported by `run`'s caller
    return run;
  }

  private async openWritable(): Promise<FileSystemWritableFileStream> {
    this.writable = await this.handle.createWritable({ keepExistingData: true });
    return this.writable;
  }

  /**
   * Close (= commit to the file); the next write reopens. A failed commit loses every write since
   * the last one, so it fails the sink (never a silent gap in the file).
   */
  private async commit(): Promise<void> {
    const w = this.writable;
    this.writable = null;
    if (!w) return;
    try {
      await w.close();
    } catch (e) {
      const err = toSinkError(e);
      this.fail(err);
      throw err;
    }
  }
}
