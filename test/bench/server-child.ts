// A server for the server benchmarks (server-bench.ts), in a process of its own so its memory
// and CPU are its own: `peerchat` (createSignalServer with the caps raised for a load test) or a
// bare `ws` server doing the least the same job needs (the baseline). Forked with an IPC channel:
// prints nothing; sends {port} when listening, answers {cmd:'rss'} with its RSS after a full GC
// and {cmd:'cpu'} with its CPU time, and exits on {cmd:'stop'}.
//
// Bare server's protocol: any text frame is parsed with JSON.parse; {type:'hello', name} names the
// connection and is answered {type:'welcome'}; {type:'signal', to, cid, data} is relayed to the
// connection named `to` as {type:'signal', from, cid, data} (JSON.stringify), like Peerchat's relay.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { LIMITS, type PresenceMode } from '../../shared/limits';
import { createSignalServer } from '../../signal-server/src/server';

export interface ChildOptions {
  kind: 'peerchat' | 'bare';
  presence?: PresenceMode;
  /** Existing data folder (kept); default a fresh temp one, deleted on stop. */
  dataDir?: string;
  /** One of several instances on this Redis (cluster-bench.ts). */
  redis?: { url: string; prefix: string; instanceId: string };
}

const LOTS = 1_000_000_000;

async function startPeerchat(o: ChildOptions): Promise<{ port: number; close(): Promise<void> }> {
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'peerchat-bench-data-'));
  const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerchat-bench-static-'));
  const srv = await createSignalServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    staticDir,
    presence: o.presence ?? 'open',
    redis: o.redis,
    // Cheap password hashes: the bench measures presence and relay, not scrypt.
    scrypt: { N: 2 ** 10, r: 1, p: 1 },
    authRateLimit: { perSecond: LOTS, burst: LOTS },
    maxQueuedHashes: 100_000,
    maxQueuedHashesPerAddress: 100_000,
    maxQueuedHashesPerAccount: 100_000,
    maxConnections: 100_000,
    maxConnectionsPerIp: 100_000,
    maxSessionsPerAccount: 10_000,
    loginTimeoutMs: 600_000,
    // The per-connection and relay budgets out of the way, so the relay runs as fast as it can.
    rateLimit: { perSecond: LOTS, burst: LOTS, abuseDebt: LOTS },
    relayRateLimit: { perSecond: LOTS, burst: LOTS },
    maxBufferedBytes: 64 * 1024 * 1024,
  });
  return {
    port: srv.address.port,
    async close() {
      await srv.close();
      if (!o.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(staticDir, { recursive: true, force: true });
    },
  };
}

async function startBare(): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: LIMITS.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const byName = new Map<string, WebSocket>();
  wss.on('connection', (ws) => {
    let name: string | undefined;
    ws.on('message', (data) => {
      const msg = JSON.parse((data as Buffer).toString('utf8')) as { type: string; name?: string; to?: string; cid?: string; data?: unknown };
      if (msg.type === 'hello' && typeof msg.name === 'string') {
        name = msg.name;
        byName.set(name, ws);
        ws.send(JSON.stringify({ type: 'welcome', username: name }));
      } else if (msg.type === 'signal' && name !== undefined) {
        byName.get(String(msg.to))?.send(JSON.stringify({ type: 'signal', from: name, cid: msg.cid, data: msg.data }));
      }
    });
    ws.on('close', () => {
      if (name !== undefined && byName.get(name) === ws) byName.delete(name);
    });
  });
  const addr = wss.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
}

function rssAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().rss;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
  const server = options.kind === 'bare' ? await startBare() : await startPeerchat(options);
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'rss') process.send?.({ rss: rssAfterGc() });
    else if (m.cmd === 'cpu') {
      const u = process.cpuUsage();
      process.send?.({ cpuMs: (u.user + u.system) / 1000 });
    } else if (m.cmd === 'stop') {
      void server.close().finally(() => process.exit(0));
    }
  });
  process.send?.({ port: server.port });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
