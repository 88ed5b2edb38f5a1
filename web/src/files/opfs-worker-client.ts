/**
 * The main thread's side of the OPFS worker (opfs-worker.ts): requests with ids and their
 * replies, writes as transferred buffers, acknowledgements and failures routed to the file they
 * belong to, and errors as SinkErrors with codes. One worker serves every file of the page.
 */
import type { FromWorker, ToWorker, WorkerRequest } from './opfs-protocol';
import { SinkError, isSinkErrorCode } from './sink-error';

export type WorkerReply = Extract<FromWorker, { kind: 'reply'; ok: true }>;

/** A request without its id (the client numbers them). */
export type WorkerCall = WorkerRequest extends infer M ? (M extends WorkerRequest ? Omit<M, 'seq'> : never) : never;

export interface FileListener {
  /** `bytes` more of this file are on disk (or were dropped after a failure). */
  onAck(bytes: number): void;
  /** A write of this file failed; `workerDead`: the worker is gone, nothing more will be acknowledged. */
  onFail(error: SinkError, workerDead: boolean): void;
}

/** What a sink needs of the worker (an interface, so tests can stand in for the worker). */
export interface WorkerRpc {
  listen(fileId: string, listener: FileListener): void;
  unlisten(fileId: string): void;
  /** Sends a request; resolves with its reply, rejects with a SinkError. */
  call(request: WorkerCall): Promise<WorkerReply>;
  /** Posts a write, transferring `data` (it is unusable here afterwards). No reply: acks come to the listener. */
  write(fileId: string, offset: number, data: ArrayBuffer): void;
}

/** The subset of Worker used here. */
export interface WorkerPort {
  onmessage: ((event: MessageEvent<FromWorker>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(message: ToWorker, transfer?: Transferable[]): void;
}

function startWorker(): WorkerPort {
  // This exact form is what Vite recognises to bundle the worker as a chunk of its own.
  return new Worker(new URL('./opfs-worker.ts', import.meta.url), { type: 'module', name: 'peerchat-opfs' }) as WorkerPort;
}

export class OpfsWorkerClient implements WorkerRpc {
  /** Set once the worker failed (could not start, or crashed): every call rejects with it. */
  broken: SinkError | null = null;
  private readonly worker: WorkerPort;
  private seq = 0;
  private readonly calls = new Map<number, { resolve: (m: WorkerReply) => void; reject: (e: SinkError) => void }>();
  private readonly listeners = new Map<string, FileListener>();

  constructor(worker: WorkerPort = startWorker()) {
    this.worker = worker;
    this.worker.onmessage = (event) => this.onMessage(event.data);
    this.worker.onerror = (event) => this.onWorkerError(event);
  }

  listen(fileId: string, listener: FileListener): void {
    this.listeners.set(fileId, listener);
  }

  unlisten(fileId: string): void {
    this.listeners.delete(fileId);
  }

  call(request: WorkerCall): Promise<WorkerReply> {
    if (this.broken) return Promise.reject(this.broken);
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.calls.set(seq, { resolve, reject });
      this.worker.postMessage({ ...request, seq } as WorkerRequest);
    });
  }

  write(fileId: string, offset: number, data: ArrayBuffer): void {
    this.worker.postMessage({ op: 'write', id: fileId, offset, data }, [data]);
  }

  private onMessage(msg: FromWorker): void {
    if (msg.kind === 'ack') {
      this.listeners.get(msg.id)?.onAck(msg.bytes);
    } else if (msg.kind === 'fail') {
      this.listeners.get(msg.id)?.onFail(errorOf(msg), false);
    } else {
      const call = this.calls.get(msg.seq);
      if (!call) return;
      this.calls.delete(msg.seq);
      if (msg.ok) call.resolve(msg);
      else call.reject(errorOf(msg));
    }
  }

  private onWorkerError(event: ErrorEvent): void {
    // 'unsupported': a worker that cannot start makes the sink fall back to writable streams.
    const broken = new SinkError('unsupported', `OPFS worker failed: ${event.message || 'could not start'}`);
    this.broken = broken;
    console.warn('peerchat:', broken.message);
    for (const call of this.calls.values()) call.reject(broken);
    this.calls.clear();
    for (const l of this.listeners.values()) l.onFail(broken, true);
  }
}

function errorOf(msg: { code: unknown; detail: string }): SinkError {
  return new SinkError(isSinkErrorCode(msg.code) ? msg.code : 'io', msg.detail);
}

let shared: OpfsWorkerClient | null = null;

/** The page's worker, started on first use, and again after it failed. */
export function sharedWorkerClient(): OpfsWorkerClient {
  if (!shared || shared.broken) shared = new OpfsWorkerClient();
  return shared;
}
