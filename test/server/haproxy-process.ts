/**
 * A real HAProxy (Debian's /usr/sbin/haproxy) in front of instances, for tests: the config is
 * written to a temp folder, HAProxy runs in the foreground as a child, and `start` waits until
 * its front port accepts connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './helpers';
import { freePort } from './redis-process';

export const HAPROXY = '/usr/sbin/haproxy';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * A WebSocket-passing config: `balance first` sends every new connection to the first live
 * backend, so a test knows which instance a client is on; a refused connection is retried on
 * the next one (redispatch), and health checks of /healthz take a dead one out.
 */
export function balancerConfig(frontPort: number, backendPorts: number[]): string {
  return [
    'global',
    '  maxconn 256',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    '  retries 3',
    '  option redispatch 1',
    'frontend peerchat',
    `  bind 127.0.0.1:${frontPort}`,
    '  option forwardfor',
    '  default_backend instances',
    'backend instances',
    '  balance first',
    '  option httpchk GET /healthz',
    ...backendPorts.map((p, i) => `  server s${i + 1} 127.0.0.1:${p} check inter 300 fall 1 rise 1`),
    '',
  ].join('\n');
}

export class HaproxyProcess {
  private log = '';
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    private readonly exited: Promise<void>,
  ) {}

  /**
   * Starts HAProxy on a free loopback port in front of `backendPorts`, with {@link balancerConfig}
   * or the config `makeConfig` writes for the same front and backend ports.
   */
  static async start(backendPorts: number[], makeConfig: (frontPort: number, backendPorts: number[]) => string = balancerConfig): Promise<HaproxyProcess> {
    const port = await freePort();
    const dir = tempDir('peerchat-haproxy-');
    const cfg = path.join(dir, 'haproxy.cfg');
    fs.writeFileSync(cfg, makeConfig(port, backendPorts));
    const child = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const hp = new HaproxyProcess(child, dir, port, exited);
    child.stdout?.on('data', (d: Buffer) => (hp.log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (hp.log += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await hp.stop();
        throw new Error(`haproxy did not start: ${hp.log}`);
      }
      await new Promise((r) => setTimeout(r, 30));
    }
    return hp;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
