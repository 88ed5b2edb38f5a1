// A scale-out deployment on loopback for the e2e tests: a real redis-server, two Peerchat
// instances as child processes (REDIS_URL, --trust-proxy, serving the e2e build of the web app)
// and a real HAProxy in front of them, configured from the repository's own haproxy.cfg (the
// recipe beside docker-compose.yml) so that what the browsers go through is what is deployed.
//
//   const cluster = await startScaleOutCluster();
//   await register(alice, cluster.url, 'alice');               // through the balancer
//   const where = await cluster.instanceOf('alice');           // which instance holds her socket
//   where.kill();                                              // SIGKILL
//   await cluster.dispose();
//
// Which instance holds a socket is read from the instances' own log ("logged in", with the user
// and how: register, login or resume), the line an operator would grep for: no test-only code in
// the server.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HaproxyProcess } from '../server/haproxy-process';
import { startInstance, type InstanceProcess } from '../server/instance-process';
import { RedisProcess } from '../server/redis-process';
import { STATIC_DIR } from './app-helpers';

const RECIPE = fileURLToPath(new URL('../../haproxy.cfg', import.meta.url));

/**
 * The recipe's haproxy.cfg with only what cannot run here changed: no Docker DNS resolver, the
 * front bound to a loopback port, the servers on loopback ports, and a global maxconn that fits
 * this machine's file descriptor limit (HAProxy refuses to start when it cannot reserve two
 * descriptors per connection). Timeouts, the tunnel
 * timeout for WebSockets, retries, redispatch, the balancing algorithm, forwardfor and the
 * /healthz check are the recipe's own. Throws if the recipe no longer has a line this relies on,
 * so the two cannot drift apart silently.
 */
export function recipeBalancerConfig(frontPort: number, backendPorts: number[], recipe = fs.readFileSync(RECIPE, 'utf8')): string {
  const replace = (text: string, re: RegExp, by: string, what: string): string => {
    if (!re.test(text)) throw new Error(`haproxy.cfg has no ${what} any more (${re}); update test/e2e/scale-out-cluster.ts`);
    return text.replace(re, by);
  };
  let cfg = recipe;
  cfg = replace(cfg, /^(global\n(?:.*\n)*?\s+maxconn\s+)\d+/m, '$1256', 'global maxconn');
  cfg = replace(cfg, /^resolvers docker\n(?:[ \t]+\S.*\n)+/m, '', 'resolvers section');
  cfg = replace(cfg, /^(\s*bind\s+):8080\b/m, `$1127.0.0.1:${frontPort}`, 'bind :8080');
  cfg = replace(cfg, /\s+resolvers docker\s+init-addr\s+\S+/, '', 'default-server resolvers');
  cfg = replace(cfg, /^(\s*server\s+\S+\s+\S+:8080\s*\n)+/m, backendPorts.map((p, i) => `  server s${i + 1} 127.0.0.1:${p}\n`).join(''), 'server lines');
  return cfg;
}

/** One "logged in" line of an instance's log. */
export interface LoginLine {
  user: string;
  /** register, login or resume. */
  how: string;
  /** The client address the instance believed (X-Forwarded-For from the trusted balancer). */
  ip: string;
  /** When the instance logged it (ms since the epoch; one clock for all: same machine). */
  at: number;
}

export interface ClusterInstance {
  /** 'A' or 'B', for messages. */
  label: string;
  process: InstanceProcess;
  /** Every "logged in" line so far, oldest first. */
  logins(): LoginLine[];
  /** SIGKILL: the instance cannot say goodbye. */
  kill(): void;
  /**
   * SIGSTOP: the process hangs with its sockets open, as a frozen process or a machine that
   * dropped off the network would (no FIN, no RST). The clean-up's SIGKILL ends it.
   */
  freeze(): void;
  /** Starts a new process on the same port after a kill (a restarted container). */
  restart(): Promise<void>;
}

export interface ScaleOutCluster {
  redis: RedisProcess;
  balancer: HaproxyProcess;
  instances: ClusterInstance[];
  /** The app through the balancer. */
  url: string;
  /** The ws endpoint through the balancer. */
  wsUrl: string;
  /**
   * Waits until a "logged in" line for `user` appears that is newer than `after` logins of that
   * user (across all instances) and returns the instance that wrote it and the line.
   */
  nextLogin(user: string, after: number, timeoutMs?: number, how?: string): Promise<{ instance: ClusterInstance; line: LoginLine }>;
  /** How many "logged in" lines name `user` so far, on all instances. */
  loginCount(user: string): number;
  /** Stops HAProxy, the instances and Redis, and removes their folders. */
  dispose(): Promise<void>;
}

interface LogLine {
  msg?: string;
  user?: string;
  how?: string;
  ip?: string;
  /** ISO 8601 (logger.ts), or ms since the epoch (pino's default). */
  time?: string | number;
}

function logTime(time: string | number | undefined): number {
  const ms = typeof time === 'string' ? Date.parse(time) : time;
  if (ms === undefined || !Number.isFinite(ms)) throw new Error(`a log line without a readable time: ${String(time)}`);
  return ms;
}

/** Reads the "logged in" lines of one instance, across its restarts on the same port. */
class WatchedInstance implements ClusterInstance {
  private readonly lines: LoginLine[] = [];
  private parsedChars = 0;
  private partial = '';

  constructor(
    readonly label: string,
    public process: InstanceProcess,
    /** Every process this instance has been, for the clean-up. */
    readonly all: InstanceProcess[],
    private readonly env: Record<string, string>,
  ) {}

  logins(): LoginLine[] {
    const out = this.process.proc.out();
    const fresh = this.partial + out.slice(this.parsedChars);
    this.parsedChars = out.length;
    const parts = fresh.split('\n');
    this.partial = parts.pop() ?? '';
    for (const text of parts) {
      if (!text.startsWith('{')) continue; // the start-up banner
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue; // not a log line
      }
      if (line.msg === 'logged in' && line.user) this.lines.push({ user: line.user, how: line.how ?? '', ip: line.ip ?? '', at: logTime(line.time) });
    }
    return this.lines;
  }

  kill(): void {
    this.process.proc.child.kill('SIGKILL');
  }

  freeze(): void {
    this.process.proc.child.kill('SIGSTOP');
  }

  async restart(): Promise<void> {
    this.logins(); // keep what the old process said
    if (this.process.proc.child.exitCode === null && this.process.proc.child.signalCode === null) throw new Error(`instance ${this.label} is still running`);
    const port = this.process.port;
    // startInstance reports the free port it picked; PORT in the environment wins over it.
    const next: InstanceProcess = { ...(await startInstance({ ...this.env, PORT: String(port) })), port, wsUrl: `ws://127.0.0.1:${port}/ws` };
    this.all.push(next);
    this.process = next;
    this.parsedChars = 0;
    this.partial = '';
  }
}

/**
 * Starts Redis, two instances on it (presence in `contacts` mode, the default with Redis; the
 * balancer's address trusted for X-Forwarded-For) and HAProxy in front. `env` adds to or
 * overrides the instances' environment.
 */
export async function startScaleOutCluster(env: Record<string, string> = {}): Promise<ScaleOutCluster> {
  if (!fs.existsSync(path.join(STATIC_DIR, 'index.html'))) throw new Error(`no web app in ${STATIC_DIR}: run npm run build:e2e first`);
  const redis = await RedisProcess.start();
  const started: InstanceProcess[] = [];
  let balancer: HaproxyProcess | undefined;
  const stopAll = async (): Promise<void> => {
    await balancer?.stop();
    await Promise.all(started.map((i) => i.dispose()));
    await redis.dispose();
  };
  const instanceEnv = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'scale-out-e2e:',
    TRUST_PROXY: '127.0.0.1',
    STATIC_DIR,
    LOG_LEVEL: 'info',
    ...env,
  };
  try {
    for (let i = 0; i < 2; i++) started.push(await startInstance(instanceEnv));
    balancer = await HaproxyProcess.start(
      started.map((i) => i.port),
      (front, backends) => recipeBalancerConfig(front, backends),
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  const lb = balancer;
  const instances = started.map((p, i) => new WatchedInstance(String.fromCharCode(65 + i), p, started, instanceEnv));
  const loginsOf = (user: string): Array<{ instance: ClusterInstance; line: LoginLine }> =>
    instances.flatMap((instance) => instance.logins().filter((l) => l.user === user).map((line) => ({ instance, line }))).sort((a, b) => a.line.at - b.line.at);
  return {
    redis,
    balancer: lb,
    instances,
    url: `http://127.0.0.1:${lb.port}`,
    wsUrl: lb.wsUrl,
    loginCount: (user) => loginsOf(user).length,
    async nextLogin(user, after, timeoutMs = 20_000, how) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = loginsOf(user).slice(after).find((l) => how === undefined || l.line.how === how);
        if (found) return found;
        if (Date.now() > deadline) {
          const logs = instances.map((i) => `instance ${i.label}:\n${i.process.proc.out().slice(-3000)}\n${i.process.proc.err().slice(-2000)}`).join('\n');
          throw new Error(`no "logged in" line for ${user}${how ? ` (${how})` : ''} within ${timeoutMs} ms\n${logs}`);
        }
        await new Promise((r) => setTimeout(r, 50)); // poll interval: the log is another process's stdout
      }
    },
    dispose: stopAll,
  };
}
