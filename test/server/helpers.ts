/**
 * Test helpers: a real signal server on port 0 with temporary folders, and a `ws` client wrapper
 * that parses every frame with the browser's own parser and lets a test await frames by type.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket, { type ClientOptions } from 'ws';
import { PROTOCOL_VERSION } from '../../shared/limits';
import { parseServerMsg, type ServerMsg } from '../../shared/signal-protocol';
import { createSignalServer, type SignalServer, type SignalServerOptions } from '../../signal-server/src/server';

/** Fast but real scrypt for tests (production uses 2^17). */
export const TEST_SCRYPT = { N: 2 ** 12, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';

export function tempDir(prefix = 'peerchat-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A small stand-in for Vite's web/dist. */
export function makeStaticDir(): string {
  const dir = tempDir('peerchat-static-');
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Peerchat test shell</title>');
  fs.writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  fs.writeFileSync(path.join(dir, 'manifest.webmanifest'), '{"name":"Peerchat"}');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("app");');
  fs.writeFileSync(path.join(dir, 'assets', 'style-abc123.css'), 'body{margin:0}');
  fs.writeFileSync(path.join(dir, 'assets', 'sodium-abc123.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  return dir;
}

export interface NodeProcess {
  child: ChildProcess;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  out(): string;
  err(): string;
}

/** Runs `node <args>` (LOG_LEVEL=warn unless `env` says otherwise) and collects its output. */
export function runNode(args: string[], env: Record<string, string | undefined> = {}): NodeProcess {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

/** Waits until the process has printed `text` on stdout (fails after 20 s or when it exits). */
export async function waitForOutput(p: NodeProcess, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!p.out().includes(text)) {
    if (p.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no "${text}" in the output; stdout: ${p.out()} stderr: ${p.err()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface TestServer extends SignalServer {
  dataDir: string;
  staticDir: string;
  /** Closes the server and removes the temp folders it made (the data folder stays with `keepData`). */
  stop(keepData?: boolean): Promise<void>;
}

export async function startServer(opts: SignalServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const staticDir = opts.staticDir ?? makeStaticDir();
  const server = await createSignalServer({
    port: 0,
    host: '127.0.0.1',
    scrypt: TEST_SCRYPT,
    // Tests log in many times from 127.0.0.1.
    authRateLimit: { perSecond: 1000, burst: 1000 },
    ...opts,
    dataDir,
    staticDir,
  });
  let stopped = false;
  return {
    ...server,
    dataDir,
    staticDir,
    async stop(keepData = false) {
      if (stopped) return;
      stopped = true;
      await server.close();
      if (!keepData && !opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      if (!opts.staticDir) fs.rmSync(staticDir, { recursive: true, force: true });
    },
  };
}

type MsgOf<T extends ServerMsg['type']> = Extract<ServerMsg, { type: T }>;

export class Client {
  /** Parsed frames not yet taken by {@link next}. */
  readonly queue: ServerMsg[] = [];
  /** Frames that the browser parser rejected: must stay empty (the server only sends valid frames). */
  readonly invalid: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];
  private isClosed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : (data as Buffer).toString('utf8');
      const msg = isBinary ? null : parseServerMsg(text);
      if (msg) this.queue.push(msg);
      else this.invalid.push(text);
      this.wake();
    });
    ws.on('error', () => {
      /* 'close' follows */
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.isClosed = true;
        this.wake();
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  static connect(url: string, options: ClientOptions = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new Client(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Takes the first queued frame of `type` (waiting for it); frames of other types stay queued. */
  async next<T extends ServerMsg['type']>(type: T, timeoutMs = 3000, match: (m: MsgOf<T>) => boolean = () => true): Promise<MsgOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.queue.findIndex((m) => m.type === type && match(m as MsgOf<T>));
      if (i >= 0) return this.queue.splice(i, 1)[0] as MsgOf<T>;
      const left = deadline - Date.now();
      if (left <= 0 || this.isClosed) {
        throw new Error(
          `no '${type}' frame ${this.isClosed ? 'before the socket closed' : `within ${timeoutMs} ms`}; queued: ${JSON.stringify(this.queue)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for an error frame, optionally with a given code. */
  nextError(code?: string, timeoutMs = 3000): Promise<MsgOf<'error'>> {
    return this.next('error', timeoutMs, (m) => code === undefined || m.code === code);
  }

  /** Asserts that no frame of `type` (matching) arrives within `ms`. */
  async expectNo<T extends ServerMsg['type']>(type: T, ms = 300, match: (m: MsgOf<T>) => boolean = () => true): Promise<void> {
    let got: MsgOf<T> | undefined;
    try {
      got = await this.next(type, ms, match);
    } catch {
      return;
    }
    throw new Error(`unexpected '${type}' frame: ${JSON.stringify(got)}`);
  }

  register(username: string, password = PASSWORD, extra: Record<string, unknown> = {}): void {
    this.send({ type: 'register', v: PROTOCOL_VERSION, username, password, ...extra });
  }

  login(username: string, password = PASSWORD, extra: Record<string, unknown> = {}): void {
    this.send({ type: 'login', v: PROTOCOL_VERSION, username, password, ...extra });
  }

  resume(token: string, extra: Record<string, unknown> = {}): void {
    this.send({ type: 'resume', v: PROTOCOL_VERSION, token, ...extra });
  }

  close(): Promise<{ code: number; reason: string }> {
    if (!this.isClosed) this.ws.close();
    return this.closed;
  }

  /** Drops the TCP connection without a close frame (a crashed tab or lost Wi-Fi). */
  kill(): Promise<{ code: number; reason: string }> {
    this.ws.terminate();
    return this.closed;
  }
}

export interface LoggedIn {
  client: Client;
  welcome: MsgOf<'welcome'>;
  presence: MsgOf<'presence'>;
}

/** Connects and registers a new account; returns after `welcome` and the `presence` snapshot. */
export async function registerUser(srv: SignalServer, username: string, password = PASSWORD, extra: Record<string, unknown> = {}): Promise<LoggedIn> {
  const client = await Client.connect(srv.wsUrl);
  client.register(username, password, extra);
  const welcome = await client.next('welcome');
  const presence = await client.next('presence');
  return { client, welcome, presence };
}

/** Connects and logs in to an existing account. */
export async function loginUser(srv: SignalServer, username: string, password = PASSWORD, extra: Record<string, unknown> = {}): Promise<LoggedIn> {
  const client = await Client.connect(srv.wsUrl);
  client.login(username, password, extra);
  const welcome = await client.next('welcome');
  const presence = await client.next('presence');
  return { client, welcome, presence };
}

/** A syntactically valid connection id. */
export function cid(n = 1): string {
  return `conn-${String(n).padStart(4, '0')}`;
}

export const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n' } as const;

/** A 43-char base64url value shaped like a public key or token. */
export function fakeKey(fill: string): string {
  return fill.repeat(43).slice(0, 43);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `cond` until true or the time is up. */
export async function waitFor(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
