/**
 * A real `redis-server` (Debian's /usr/bin/redis-server) for tests: on a free loopback port, in a
 * temp folder, without persistence unless asked (`persist`: an append-only file in that folder,
 * so a restart keeps the data). `stop()` and `start()` again on the same port stand in for Redis
 * going away and coming back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { tempDir } from './helpers';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** A port nobody listens on right now (the OS picks it; closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends PING over a raw socket; true when the answer is +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

export class RedisProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly persist: boolean,
  ) {}

  /** Starts a redis-server on a free loopback port and waits until it answers PING. */
  static async start(opts: { persist?: boolean } = {}): Promise<RedisProcess> {
    const r = new RedisProcess(await freePort(), tempDir('peerchat-redis-'), opts.persist ?? false);
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the server on the same port (empty unless `persist`). */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(REDIS_SERVER, ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', this.persist ? 'yes' : 'no', '--appendfsync', 'always', '--dir', this.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await ping(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}: ${this.log}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  /** Stops the server (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null) child.kill('SIGTERM');
    await this.exited;
  }

  /** Stops the server and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
