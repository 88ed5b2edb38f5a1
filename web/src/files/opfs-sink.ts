/**
 * Where a received file goes: a file in the Origin Private File System, written chunk by chunk
 * at offset index × chunkSize as chunks arrive (in any order), never held whole in memory.
 *
 * Two ways to write, chosen per file by OpfsSink.open:
 * - 'worker' (preferred, Chromium and Firefox): a dedicated worker (opfs-worker.ts) with a
 *   FileSystemSyncAccessHandle, which exists in workers only. write() copies the chunk into a
 *   1 MiB batch of contiguous bytes and returns at once; full batches (and partial ones at a gap,
 *   flush or read) are posted to the worker as transferred buffers: the receiving hot path never
 *   awaits a write. The worker writes synchronously and acknowledges in batches.
 * - 'writable' (fallback: no Worker, or no sync handle): FileSystemWritableFileStream on the
 *   main thread. Writes are chained promises. Such a stream only reaches the file on close(), so
 *   flush() and readRange() close it (a commit: Chromium copies the file into a swap file when it
 *   is reopened with keepExistingData, O(size)); call flush() rarely in this mode.
 *
 * Backpressure: a data channel cannot be paused by its receiver, so write() always accepts.
 * `pendingBytes` (handed over, not yet written) and `peakPendingBytes` show whether the disk keeps
 * up (it does by far: OPFS writes run at hundreds of MB/s, the channel at ~15 MB/s); a receiver
 * may watch it and, past a bound, stop asking for more (file-need) until whenPendingBelow().
 *
 * Durability for resume: a chunk counts as stored once a flush() called after its write()
 * resolves (flush posts the partial batch first). Take the snapshot of the verified set BEFORE calling flush, store it after.
 */
import { OPFS_DIR, type FromWorker, type ToWorker } from './opfs-protocol';

export type OpfsSinkMode = 'worker' | 'writable';

export interface OpfsSinkOptions {
  /** Default 'auto': the worker when it works, else the main-thread writable. */
  mode?: 'auto' | OpfsSinkMode;
}

export class OpfsSinkError extends Error {
  constructor(message: string, name: string) {
    super(message);
    // Keep the DOMException name (e.g. QuotaExceededError) so callers can tell "disk full".
    this.name = name;
  }
}

async function filesDir(): Promise<FileSystemDirectoryHandle> {
  return (await navigator.storage.getDirectory()).getDirectoryHandle(OPFS_DIR, { create: true });
}

function checkId(fileId: string): void {
  // File ids are 32 hex chars (shared/transfer): also what makes them safe as OPFS names.
  if (!/^[0-9a-f]{32}$/.test(fileId)) throw new RangeError('fileId must be 32 lowercase hex chars');
}

// ---------------------------------------------------------------------------------------------
// The shared worker client

type ReplyOk = Extract<FromWorker, { kind: 'reply'; ok: true }>;

interface WorkerListener {
  onAck(bytes: number): void;
  onFail(error: OpfsSinkError): void;
}

class WorkerClient {
  private readonly worker: Worker;
  private seq = 0;
  private readonly calls = new Map<number, { resolve: (m: ReplyOk) => void; reject: (e: Error) => void }>();
  readonly listeners = new Map<string, WorkerListener>();
  broken: OpfsSinkError | null = null;

  constructor() {
    this.worker = new Worker(new URL('./opfs-worker.ts', import.meta.url), { type: 'module', name: 'peerchat-opfs' });
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.onMessage(event.data);
    this.worker.onerror = (event) => {
      this.broken = new OpfsSinkError(`OPFS worker failed: ${event.message || 'could not start'}`, 'WorkerError');
      for (const call of this.calls.values()) call.reject(this.broken);
      this.calls.clear();
      for (const l of this.listeners.values()) l.onFail(this.broken);
    };
  }

  private onMessage(msg: FromWorker): void {
    if (msg.kind === 'ack') this.listeners.get(msg.id)?.onAck(msg.bytes);
    else if (msg.kind === 'fail') this.listeners.get(msg.id)?.onFail(new OpfsSinkError(msg.error, msg.name));
    else {
      const call = this.calls.get(msg.seq);
      if (!call) return;
      this.calls.delete(msg.seq);
      if (msg.ok) call.resolve(msg);
      else call.reject(new OpfsSinkError(msg.error, msg.name));
    }
  }

  call(msg: ToWorker extends infer M ? (M extends { seq: number } ? Omit<M, 'seq'> : never) : never): Promise<ReplyOk> {
    if (this.broken) return Promise.reject(this.broken);
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.calls.set(seq, { resolve, reject });
      this.worker.postMessage({ ...msg, seq } as ToWorker);
    });
  }

  post(msg: ToWorker, transfer: Transferable[]): void {
    this.worker.postMessage(msg, transfer);
  }
}

let client: WorkerClient | null = null;
function workerClient(): WorkerClient {
  if (!client || client.broken) client = new WorkerClient();
  return client;
}

// ---------------------------------------------------------------------------------------------

/**
 * Worker mode: contiguous writes are gathered into batches of this many bytes (or fewer at a
 * gap, a flush or a read) and posted to the worker as one transferred buffer: one postMessage and
 * one disk write per MiB instead of per chunk (both cost main-thread CPU the transfer needs).
 */
const BATCH_BYTES = 1 << 20;

export class OpfsSink {
  readonly fileId: string;
  readonly size: number;
  readonly chunkSize: number;
  readonly mode: OpfsSinkMode;
  /** Called once, on the first failed write (e.g. QuotaExceededError). flush() rejects with it too. */
  onError: ((error: OpfsSinkError) => void) | null = null;

  private pending = 0;
  private peak = 0;
  private written = 0;
  private failure: OpfsSinkError | null = null;
  private closed = false;
  // worker mode: the batch being gathered (bytes [batchOffset, batchOffset + batchLength) of the file)
  private batch: Uint8Array<ArrayBuffer> | null = null;
  private batchOffset = 0;
  private batchLength = 0;
  private waiters: { limit: number; resolve: () => void }[] = [];
  // worker mode
  private readonly client: WorkerClient | null;
  // writable mode
  private fileHandle: FileSystemFileHandle | null = null;
  private writable: FileSystemWritableFileStream | null = null;
  private chain: Promise<void> = Promise.resolve();

  private constructor(fileId: string, size: number, chunkSize: number, mode: OpfsSinkMode, c: WorkerClient | null) {
    this.fileId = fileId;
    this.size = size;
    this.chunkSize = chunkSize;
    this.mode = mode;
    this.client = c;
  }

  /**
   * Opens (or, on resume, reopens: existing bytes are kept) the file for `fileId` and sets its
   * size, so the quota is checked now: a QuotaExceededError here means "decline: no space".
   */
  static async open(fileId: string, size: number, chunkSize: number, options: OpfsSinkOptions = {}): Promise<OpfsSink> {
    checkId(fileId);
    if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
      throw new RangeError('size / chunkSize');
    }
    const mode = options.mode ?? 'auto';
    if (mode !== 'writable' && typeof Worker !== 'undefined') {
      try {
        const c = workerClient();
        const sink = new OpfsSink(fileId, size, chunkSize, 'worker', c);
        c.listeners.set(fileId, {
          onAck: (n) => sink.settled(n),
          onFail: (e) => {
            sink.fail(e);
            if (c.broken) sink.settled(sink.pending); // a dead worker acknowledges nothing more
          },
        });
        try {
          await c.call({ op: 'open', id: fileId, size });
        } catch (e) {
          c.listeners.delete(fileId);
          throw e;
        }
        return sink;
      } catch (e) {
        // Only for "no sync handle in this browser's workers" or "the worker cannot start";
        // anything else (QuotaExceededError, …) would fail the same way on the main thread.
        const name = e instanceof Error ? e.name : '';
        if (mode === 'worker' || (name !== 'NO_SYNC_HANDLE' && name !== 'WorkerError')) throw e;
      }
    }
    const sink = new OpfsSink(fileId, size, chunkSize, 'writable', null);
    sink.fileHandle = await (await filesDir()).getFileHandle(fileId, { create: true });
    await sink.openWritable();
    if ((await sink.fileHandle.getFile()).size !== size) {
      await sink.writable?.truncate(size);
    }
    return sink;
  }

  /** Bytes handed to write() that are not on disk yet. */
  get pendingBytes(): number {
    return this.pending;
  }

  /** The most pendingBytes ever was: how far the disk fell behind the network. */
  get peakPendingBytes(): number {
    return this.peak;
  }

  /** Bytes written so far (by this sink, in this page). */
  get writtenBytes(): number {
    return this.written;
  }

  /** The first write failure, if any. */
  get error(): OpfsSinkError | null {
    return this.failure;
  }

  /** Writes chunk `index` (at index × chunkSize). Synchronous; copies `bytes` (they may be reused at once). */
  write(index: number, bytes: Uint8Array): void {
    this.writeAt(index * this.chunkSize, bytes);
  }

  /** Writes `bytes` at `offset`. Synchronous; copies `bytes` (they may be reused at once). */
  writeAt(offset: number, bytes: Uint8Array): void {
    if (this.closed) throw new Error('sink is closed');
    if (!(offset >= 0 && offset + bytes.length <= this.size)) throw new RangeError(`write past the end: ${offset}+${bytes.length}`);
    const length = bytes.length;
    this.pending += length;
    if (this.pending > this.peak) this.peak = this.pending;
    if (this.failure) {
      this.settled(length);
      return;
    }
    if (this.client) {
      this.gather(offset, bytes);
      return;
    }
    const copy = bytes.slice(); // the write below runs later
    this.enqueue(async () => {
      try {
        if (!this.failure) {
          const w = this.writable ?? (await this.openWritable());
          await w.write({ type: 'write', position: offset, data: copy });
        }
      } catch (e) {
        this.fail(new OpfsSinkError(e instanceof Error ? e.message : String(e), e instanceof Error ? e.name : 'Error'));
      } finally {
        this.settled(length);
      }
    });
  }

  /** Resolves once pendingBytes ≤ limit. */
  whenPendingBelow(limit: number): Promise<void> {
    if (this.pending <= limit) return Promise.resolve();
    this.postBatch(); // bytes still gathering would never be acknowledged
    return new Promise((resolve) => this.waiters.push({ limit, resolve }));
  }

  /** Resolves when every earlier write is durable on disk; rejects if a write failed. */
  async flush(): Promise<void> {
    if (this.client) {
      this.postBatch();
      await this.client.call({ op: 'flush', id: this.fileId });
    } else {
      await this.enqueue(() => this.commit());
    }
    if (this.failure) throw this.failure;
  }

  /**
   * Reads back `length` bytes at `offset` (for the whole-file hash, see shared/transfer/hash.ts).
   * Sees every earlier write. A short result means the file is shorter than asked.
   */
  async readRange(offset: number, length: number): Promise<Uint8Array> {
    if (this.client) {
      this.postBatch();
      const r = await this.client.call({ op: 'read', id: this.fileId, offset, length });
      return new Uint8Array(r.data ?? new ArrayBuffer(0));
    }
    let out: Uint8Array = new Uint8Array(0);
    await this.enqueue(async () => {
      await this.commit();
      const file = await (this.fileHandle as FileSystemFileHandle).getFile();
      out = new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
    });
    return out;
  }

  /**
   * Releases the file and returns it as a File (a handle to the bytes on disk, not a copy in
   * memory), named and typed as given (for a download or <img src=URL.createObjectURL(file)>).
   * The sink is closed afterwards.
   */
  async finalize(meta: { name?: string; type?: string } = {}): Promise<File> {
    await this.close();
    if (this.failure) throw this.failure;
    const file = await openFileOf(this.fileId);
    if (!file) throw new OpfsSinkError('file vanished', 'NotFoundError');
    return meta.name || meta.type ? new File([file], meta.name ?? file.name, { type: meta.type ?? '' }) : file;
  }

  /** Flushes and releases the file without deleting it (a paused transfer to resume later). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client) {
      this.postBatch();
      this.batch = null;
      try {
        await this.client.call({ op: 'close', id: this.fileId });
      } finally {
        this.client.listeners.delete(this.fileId);
        this.settled(this.pending);
      }
    } else {
      await this.enqueue(() => this.commit());
    }
  }

  /** Closes and removes the file (cancelled, declined, failed). Idempotent. */
  async delete(): Promise<void> {
    this.closed = true;
    this.batch = null; // about to be deleted: nothing to write
    this.batchLength = 0;
    if (this.client) {
      try {
        await this.client.call({ op: 'delete', id: this.fileId });
      } finally {
        this.client.listeners.delete(this.fileId);
        this.settled(this.pending);
      }
      return;
    }
    await this.enqueue(async () => {
      await this.writable?.abort().catch(() => undefined);
      this.writable = null;
    });
    await deleteOpfsFile(this.fileId);
  }

  // --- internals ---

  /** Worker mode: appends to the batch, posting it first at a gap and when it is full. */
  private gather(offset: number, bytes: Uint8Array): void {
    if (this.batchLength > 0 && (offset !== this.batchOffset + this.batchLength || this.batchLength + bytes.length > BATCH_BYTES)) {
      this.postBatch();
    }
    if (bytes.length >= BATCH_BYTES) {
      this.postWrite(offset, bytes.slice().buffer as ArrayBuffer);
      return;
    }
    this.batch ??= new Uint8Array(BATCH_BYTES);
    if (this.batchLength === 0) this.batchOffset = offset;
    this.batch.set(bytes, this.batchLength);
    this.batchLength += bytes.length;
    if (this.batchLength === BATCH_BYTES) this.postBatch();
  }

  /**
   * Hands the gathered bytes to the worker, transferred: a full batch as it is; a partial one (at
   * a gap, a flush or a read) as a copy cut to size, and its buffer is kept for the next batch
   * (no 1 MiB of garbage per out-of-order chunk).
   */
  private postBatch(): void {
    const batch = this.batch;
    if (!batch || this.batchLength === 0) return;
    if (this.batchLength === batch.length) {
      this.batch = null;
      this.postWrite(this.batchOffset, batch.buffer);
    } else {
      this.postWrite(this.batchOffset, batch.buffer.slice(0, this.batchLength));
    }
    this.batchLength = 0;
  }

  private postWrite(offset: number, data: ArrayBuffer): void {
    (this.client as WorkerClient).post({ op: 'write', id: this.fileId, offset, data }, [data]);
  }

  private settled(bytes: number): void {
    this.pending = Math.max(0, this.pending - bytes);
    this.written += bytes;
    if (this.waiters.length) {
      const still: typeof this.waiters = [];
      for (const w of this.waiters) {
        if (this.pending <= w.limit) w.resolve();
        else still.push(w);
      }
      this.waiters = still;
    }
  }

  private fail(e: OpfsSinkError): void {
    if (this.failure) return;
    this.failure = e;
    this.onError?.(e);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async openWritable(): Promise<FileSystemWritableFileStream> {
    this.writable = await (this.fileHandle as FileSystemFileHandle).createWritable({ keepExistingData: true });
    return this.writable;
  }

  /**
   * Writable mode: close (= commit to the file); the next write reopens. A failed commit loses
   * every write since the last one, so it fails the sink (never a silent gap in the file).
   */
  private async commit(): Promise<void> {
    const w = this.writable;
    this.writable = null;
    if (!w) return;
    try {
      await w.close();
    } catch (e) {
      const err = new OpfsSinkError(e instanceof Error ? e.message : String(e), e instanceof Error ? e.name : 'Error');
      this.fail(err);
      throw err;
    }
  }
}

/** The stored file of a finished transfer (the history's "Save" after a reload), or null. */
export async function openFileOf(fileId: string, meta: { name?: string; type?: string } = {}): Promise<File | null> {
  checkId(fileId);
  try {
    const file = await (await (await filesDir()).getFileHandle(fileId)).getFile();
    return meta.name || meta.type ? new File([file], meta.name ?? file.name, { type: meta.type ?? '' }) : file;
  } catch (e) {
    if (e instanceof Error && e.name === 'NotFoundError') return null;
    throw e;
  }
}

/**
 * Removes a stored file without an open sink (a transfer cancelled in an earlier page, or
 * housekeeping). Fails with NoModificationAllowedError while a sink of this page has it open.
 */
export async function deleteOpfsFile(fileId: string): Promise<void> {
  checkId(fileId);
  try {
    await (await filesDir()).removeEntry(fileId);
  } catch (e) {
    if (!(e instanceof Error && e.name === 'NotFoundError')) throw e;
  }
}

/** Every stored file (id and size), for housekeeping of transfers the history no longer knows. */
export async function listOpfsFiles(): Promise<{ fileId: string; size: number }[]> {
  const out: { fileId: string; size: number }[] = [];
  const dir = await filesDir();
  for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind === 'file' && /^[0-9a-f]{32}$/.test(name)) {
      out.push({ fileId: name, size: (await (handle as FileSystemFileHandle).getFile()).size });
    }
  }
  return out;
}
