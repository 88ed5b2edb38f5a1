/**
 * Dedicated worker that writes received file chunks to the Origin Private File System with a
 * FileSystemSyncAccessHandle: synchronous positioned writes (no promise per chunk, no swap-file
 * copy on commit), which both Chromium and Firefox offer in workers only. One worker serves every
 * file of the page (one open handle per file id). Started by opfs-worker-client.ts with
 *   new Worker(new URL('./opfs-worker.ts', import.meta.url), { type: 'module' })
 * which Vite bundles as a separate chunk. See opfs-protocol.ts for the messages.
 */
import { OPFS_DIR, type FromWorker, type ToWorker, type WorkerFailure } from './opfs-protocol';
import { SinkError, toSinkError } from './sink-error';

/** FileSystemSyncAccessHandle (lib.webworker; this file is type-checked with lib.dom). */
interface SyncAccessHandle {
  read(buffer: Uint8Array, options?: { at?: number }): number;
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}
type SyncCapableHandle = FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncAccessHandle> };

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

interface OpenFile {
  handle: SyncAccessHandle;
  failed: boolean;
  unacked: number;
}

const files = new Map<string, OpenFile>();
/** Files whose `open` is still in progress: their writes wait in order behind it. */
const opening = new Map<string, Promise<unknown>>();
let dirPromise: Promise<FileSystemDirectoryHandle> | null = null;
let ackTimer: ReturnType<typeof setTimeout> | null = null;
const ACK_EVERY_BYTES = 1 << 20;

function dir(): Promise<FileSystemDirectoryHandle> {
  dirPromise ??= navigator.storage.getDirectory().then((root) => root.getDirectoryHandle(OPFS_DIR, { create: true }));
  return dirPromise;
}

function reply(seq: number, extra: { data?: ArrayBuffer } = {}): void {
  scope.postMessage({ kind: 'reply', seq, ok: true, ...extra }, extra.data ? [extra.data] : []);
}

function replyError(seq: number, e: unknown): void {
  scope.postMessage({ kind: 'reply', seq, ok: false, ...failure(e) });
}

function failure(e: unknown): WorkerFailure {
  const { code, detail } = toSinkError(e);
  return { code, detail };
}

function flushAcks(): void {
  ackTimer = null;
  for (const [id, f] of files) {
    if (f.unacked > 0) {
      scope.postMessage({ kind: 'ack', id, bytes: f.unacked });
      f.unacked = 0;
    }
  }
}

function ack(id: string, f: OpenFile, bytes: number): void {
  f.unacked += bytes;
  if (f.unacked >= ACK_EVERY_BYTES) {
    scope.postMessage({ kind: 'ack', id, bytes: f.unacked });
    f.unacked = 0;
  } else {
    ackTimer ??= setTimeout(flushAcks, 0);
  }
}

async function open(id: string, size: number): Promise<void> {
  if (files.has(id)) return;
  const fileHandle = (await (await dir()).getFileHandle(id, { create: true })) as SyncCapableHandle;
  if (typeof fileHandle.createSyncAccessHandle !== 'function') {
    throw new SinkError('unsupported', 'createSyncAccessHandle is not available in workers');
  }
  const handle = await fileHandle.createSyncAccessHandle();
  try {
    // Sets the final size up front: the quota is checked now, not at 90 %.
    if (handle.getSize() !== size) handle.truncate(size);
  } catch (e) {
    handle.close();
    throw e;
  }
  files.set(id, { handle, failed: false, unacked: 0 });
}

function write(id: string, offset: number, data: ArrayBuffer): void {
  const f = files.get(id);
  if (!f) return; // closed or deleted meanwhile: the sink already counts it as settled
  if (f.failed) {
    ack(id, f, data.byteLength);
    return;
  }
  try {
    const bytes = new Uint8Array(data);
    let at = 0;
    while (at < bytes.length) {
      const n = f.handle.write(bytes.subarray(at), { at: offset + at });
      if (n <= 0) throw new Error('write made no progress');
      at += n;
    }
  } catch (e) {
    f.failed = true;
    scope.postMessage({ kind: 'fail', id, ...failure(e) });
  }
  ack(id, f, data.byteLength);
}

function read(id: string, offset: number, length: number): ArrayBuffer {
  const f = files.get(id);
  if (!f) throw new Error('file not open');
  const out = new Uint8Array(length);
  let at = 0;
  while (at < length) {
    const n = f.handle.read(out.subarray(at), { at: offset + at });
    if (n <= 0) break; // end of file: a short read, the caller checks the length
    at += n;
  }
  return at === length ? out.buffer : out.slice(0, at).buffer;
}

function close(id: string): void {
  const f = files.get(id);
  if (!f) return;
  files.delete(id);
  if (f.unacked > 0) scope.postMessage({ kind: 'ack', id, bytes: f.unacked });
  try {
    f.handle.flush();
  } finally {
    f.handle.close();
  }
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.op) {
    case 'open':
      await open(msg.id, msg.size);
      return reply(msg.seq);
    case 'write':
      return write(msg.id, msg.offset, msg.data);
    case 'flush': {
      const f = files.get(msg.id);
      if (!f) throw new Error('file not open');
      f.handle.flush();
      return reply(msg.seq);
    }
    case 'read':
      return reply(msg.seq, { data: read(msg.id, msg.offset, msg.length) });
    case 'close':
      close(msg.id);
      return reply(msg.seq);
    case 'delete':
      close(msg.id);
      await (await dir()).removeEntry(msg.id).catch((e: unknown) => {
        if (!(e instanceof Error && e.name === 'NotFoundError')) throw e;
      });
      return reply(msg.seq);
  }
}

scope.onmessage = (event) => {
  const msg = event.data;
  // Everything for a file that is still opening waits behind the open, in arrival order; other
  // messages run at once (writes are synchronous: no interleaving within one file).
  const pending = opening.get(msg.id);
  const run = (): Promise<void> =>
    handle(msg).catch((e: unknown) => {
      if ('seq' in msg) replyError(msg.seq, e);
    });
  if (pending) {
    const next = pending.then(run);
    opening.set(msg.id, next);
    void next.finally(() => {
      if (opening.get(msg.id) === next) opening.delete(msg.id);
    });
    return;
  }
  if (msg.op === 'open' || msg.op === 'delete') {
    const p = run();
    opening.set(msg.id, p);
    void p.finally(() => {
      if (opening.get(msg.id) === p) opening.delete(msg.id);
    });
    return;
  }
  void run();
};
