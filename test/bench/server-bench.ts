// Server benchmarks (`npm run bench`, or alone: `node test/e2e/run-in-netns.mjs npx tsx
// test/bench/server-bench.ts`): one server process (server-child.ts) against `ws` clients in this
// process, each figure beside a bare `ws` server doing the same job in the same run.
//
//   server_conn_kb      RSS growth per idle logged-in connection, BENCH_CONNS connections
//                       (default 10,000) resumed over 100 accounts; bare_ws_conn_kb beside it.
//   relay_vs_bare_ws    relayed `signal` frames (~1 KB) per second through one instance, rate
//                       limits raised, divided by a bare ws JSON relay (medians of BENCH_RELAY_RUNS, default 5);
//                       relay_vs_bare_ws_cpu: the same as server CPU per frame, bare ÷ Peerchat.
//   presence_login_ms   BENCH_LOGINS (default 2,000) accounts logging in (resume) in `open` and in
//                       `contacts` mode (each following 20 others): time, and presence frames sent.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, type PresenceMode } from '../../shared/limits';
import type { ChildOptions } from './server-child';
import { benchLine } from './raw-datachannel';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PASSWORD = 'bench password 1';

export type Out = (name: string, value: number, unit: string) => void;
export type Log = (msg: string) => void;

interface Child {
  port: number;
  rss(): Promise<number>;
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

function ask<T>(proc: ChildProcess, cmd: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>): void => {
      if (!(key in m)) return;
      proc.off('message', on);
      resolve(m[key] as T);
    };
    proc.on('message', on);
    proc.send({ cmd });
  });
}

export async function startChild(options: ChildOptions): Promise<Child> {
  const proc = fork(path.join(HERE, 'server-child.ts'), [JSON.stringify(options)], {
    // BENCH_CPU_PROF=<folder>: write a V8 CPU profile of each server process there (node --cpu-prof).
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    proc.on('message', (m: { port?: number }) => m.port !== undefined && resolve(m.port));
  });
  proc.removeAllListeners('exit');
  return {
    port,
    rss: () => ask<number>(proc, 'rss', 'rss'),
    cpuMs: () => ask<number>(proc, 'cpu', 'cpuMs'),
    stop: () =>
      new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.send({ cmd: 'stop' });
      }),
  };
}

/**
 * A socket that hands every text frame to `onText` and resolves `ready` on the first frame for
 * which `isReady` says so.
 */
export function open(port: number, first: unknown, isReady: (text: string) => boolean, onText?: (text: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    let done = false;
    ws.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      onText?.(text);
      if (!done && isReady(text)) {
        done = true;
        resolve(ws);
      } else if (!done && text.startsWith('{"type":"error"')) {
        done = true;
        ws.close();
        reject(new Error(`the server refused ${JSON.stringify(first).slice(0, 80)}: ${text}`));
      }
    });
    ws.once('open', () => ws.send(JSON.stringify(first)));
    ws.once('error', reject);
    ws.once('close', () => !done && reject(new Error('closed before it was ready')));
  });
}

/** Runs `task(i)` for i in [0, n) with at most `parallel` at a time. */
export async function inBatches<T>(n: number, parallel: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, n) }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

export const isWelcome = (t: string): boolean => t.startsWith('{"type":"welcome"');
export const isSnapshot = (t: string): boolean => t.startsWith('{"type":"presence",');

/** Registers `n` accounts `${prefix}${i}`; returns their session tokens. */
export async function registerAccounts(port: number, prefix: string, n: number): Promise<string[]> {
  return inBatches(n, 8, async (i) => {
    let token = '';
    const ws = await open(port, { type: 'register', v: PROTOCOL_VERSION, username: `${prefix}${i}`, password: PASSWORD }, (t) => {
      if (!isWelcome(t)) return false;
      token = (JSON.parse(t) as { token: string }).token;
      return true;
    });
    ws.close();
    return token;
  });
}

export function closeAll(sockets: WebSocket[]): Promise<void> {
  return Promise.all(sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : (ws.once('close', () => resolve()), ws.close()))))).then(() => undefined);
}

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** server_conn_kb: RSS per idle logged-in connection, Peerchat vs a bare ws server. */
export async function benchConnections(out: Out, log: Log, conns: number): Promise<void> {
  const accounts = 100;
  // Peerchat: resume tokens (no password hash per connection), `contacts` mode so that logins do
  // not fill the heap with presence frames in flight; idle connections hold the same either way.
  const pc = await startChild({ kind: 'peerchat', presence: 'contacts' });
  const tokens = await registerAccounts(pc.port, 'conn', accounts);
  await settle(500);
  const pcBefore = await pc.rss();
  let t = Date.now();
  const pcSockets = await inBatches(conns, 100, (i) => open(pc.port, { type: 'resume', v: PROTOCOL_VERSION, token: tokens[i % accounts] }, isWelcome));
  log(`peerchat: ${conns} logged-in connections in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await settle(1000);
  const pcAfter = await pc.rss();
  await closeAll(pcSockets);
  await pc.stop();

  const bare = await startChild({ kind: 'bare' });
  const bareBefore = await bare.rss();
  t = Date.now();
  const bareSockets = await inBatches(conns, 100, (i) => open(bare.port, { type: 'hello', name: `c${i}` }, isWelcome));
  log(`bare ws: ${conns} connections in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await settle(1000);
  const bareAfter = await bare.rss();
  await closeAll(bareSockets);
  await bare.stop();

  const kb = (before: number, after: number): number => (after - before) / conns / 1024;
  log(`RSS peerchat ${(pcBefore / 2 ** 20).toFixed(0)} → ${(pcAfter / 2 ** 20).toFixed(0)} MiB, bare ${(bareBefore / 2 ** 20).toFixed(0)} → ${(bareAfter / 2 ** 20).toFixed(0)} MiB`);
  out('server_conn_kb', kb(pcBefore, pcAfter), 'KB');
  out('bare_ws_conn_kb', kb(bareBefore, bareAfter), 'KB');
}

/** ~1 KB of SDP, the size of a typical relayed signal. */
const SDP = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n${'a=candidate:1 1 udp 2122260223 192.168.1.20 54400 typ host generation 0\r\n'.repeat(12)}`;

export interface Pair {
  sender: WebSocket;
  receiver: WebSocket;
  to: string;
  sent: number;
  received: number;
}

/** Frames per second relayed from each pair's sender to its receiver, `window` in flight per pair. */
export async function relayRate(pairs: Pair[], framesPerPair: number, window: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all(
    pairs.map(
      (p) =>
        new Promise<void>((resolve) => {
          p.sent = 0;
          p.received = 0;
          const pump = (): void => {
            while (p.sent < framesPerPair && p.sent - p.received < window) {
              p.sent++;
              p.sender.send(JSON.stringify({ type: 'signal', to: p.to, cid: 'bench-cid-0001', data: { type: 'offer', sdp: SDP } }));
            }
          };
          p.receiver.removeAllListeners('message');
          p.sender.removeAllListeners('message');
          p.sender.on('message', (data: Buffer) => console.error(`relay bench: the sender got ${data.toString('utf8').slice(0, 200)}`));
          p.receiver.on('message', (data: Buffer) => {
            if (!data.toString('utf8', 0, 16).startsWith('{"type":"signal"')) return;
            p.received++;
            if (p.received === framesPerPair) resolve();
            else pump();
          });
          pump();
        }),
    ),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return (pairs.length * framesPerPair) / s;
}

async function peerchatPairs(port: number, n: number): Promise<Pair[]> {
  const tokens = await registerAccounts(port, 'relay', 2 * n);
  return inBatches(n, n, async (i) => {
    const login = (k: number): Promise<WebSocket> => open(port, { type: 'resume', v: PROTOCOL_VERSION, token: tokens[k] }, isSnapshot);
    return { sender: await login(2 * i), receiver: await login(2 * i + 1), to: `relay${2 * i + 1}`, sent: 0, received: 0 };
  });
}

async function barePairs(port: number, n: number): Promise<Pair[]> {
  return inBatches(n, n, async (i) => {
    const hello = (name: string): Promise<WebSocket> => open(port, { type: 'hello', name }, isWelcome);
    return { sender: await hello(`s${i}`), receiver: await hello(`r${i}`), to: `r${i}`, sent: 0, received: 0 };
  });
}

/** relay_vs_bare_ws: alternating rounds against the two servers, medians. */
export async function benchRelay(out: Out, log: Log, runs: number, frames: number): Promise<void> {
  const nPairs = 8;
  const window = 8;
  const pc = await startChild({ kind: 'peerchat', presence: 'open' });
  const bare = await startChild({ kind: 'bare' });
  const pcPairs = await peerchatPairs(pc.port, nPairs);
  const bPairs = await barePairs(bare.port, nPairs);
  const perPair = Math.ceil(frames / nPairs);
  // Warm-up (JIT) on both, not counted.
  await relayRate(pcPairs, Math.ceil(perPair / 4), window);
  await relayRate(bPairs, Math.ceil(perPair / 4), window);
  const pcRates: number[] = [];
  const bareRates: number[] = [];
  const cpuRatios: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = await pc.cpuMs();
    pcRates.push(await relayRate(pcPairs, perPair, window));
    const c1 = await pc.cpuMs();
    const b0 = await bare.cpuMs();
    bareRates.push(await relayRate(bPairs, perPair, window));
    const b1 = await bare.cpuMs();
    const pcUs = ((c1 - c0) * 1000) / (perPair * nPairs);
    const bareUs = ((b1 - b0) * 1000) / (perPair * nPairs);
    cpuRatios.push(bareUs / pcUs);
    log(`relay run ${i + 1}/${runs}: peerchat ${pcRates[i]?.toFixed(0)} frames/s (${pcUs.toFixed(1)} µs CPU/frame), bare ${bareRates[i]?.toFixed(0)} frames/s (${bareUs.toFixed(1)} µs CPU/frame)`);
  }
  await closeAll([...pcPairs, ...bPairs].flatMap((p) => [p.sender, p.receiver]));
  await pc.stop();
  await bare.stop();
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  out('relay_frames_s', med(pcRates), 'frames/s');
  out('bare_ws_relay_frames_s', med(bareRates), 'frames/s');
  out('relay_vs_bare_ws', med(pcRates.map((r, i) => r / (bareRates[i] ?? NaN))), 'ratio');
  // Server CPU per relayed frame, bare ÷ Peerchat: what the ratio is on a quiet machine (the
  // frame rates also carry the client process and whatever else the shared cores run).
  out('relay_vs_bare_ws_cpu', med(cpuRatios), 'ratio');
}

/** presence_login_ms: `logins` accounts log in one after another in batches; presence frames counted. */
export async function benchPresenceLogins(out: Out, log: Log, logins: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerchat-bench-presence-'));
  try {
    const setup = await startChild({ kind: 'peerchat', dataDir });
    const tokens = await registerAccounts(setup.port, 'pres', logins);
    await setup.stop();
    const follows = 20;
    for (const mode of ['open', 'contacts'] as PresenceMode[]) {
      const srv = await startChild({ kind: 'peerchat', presence: mode, dataDir });
      let frames = 0;
      const count = (t: string): void => {
        if (t.startsWith('{"type":"presence')) frames++;
      };
      const c0 = await srv.cpuMs();
      const t0 = Date.now();
      const sockets = await inBatches(logins, 50, async (i) => {
        const ws = await open(srv.port, { type: 'resume', v: PROTOCOL_VERSION, token: tokens[i] }, isSnapshot, count);
        if (mode === 'contacts') {
          // Contacts: the 20 accounts around it (half of them online before it, half after).
          const users = Array.from({ length: follows }, (_, k) => `pres${(i + logins + k - follows / 2 + (k >= follows / 2 ? 1 : 0)) % logins}`);
          await new Promise<void>((resolve) => {
            const answered = (data: Buffer): void => {
              if (!isSnapshot(data.toString('utf8'))) return;
              ws.off('message', answered);
              resolve();
            };
            ws.on('message', answered);
            ws.send(JSON.stringify({ type: 'presence-subscribe', users }));
          });
        }
        return ws;
      });
      const ms = Date.now() - t0;
      // Updates still on their way to the last sockets.
      let seen = -1;
      while (seen !== frames) {
        seen = frames;
        await settle(300);
      }
      const cpu = (await srv.cpuMs()) - c0;
      log(`${mode}: ${logins} logins in ${ms} ms, server CPU ${cpu.toFixed(0)} ms, ${frames} presence frames`);
      out(`presence_login_ms_${mode}`, ms, 'ms');
      out(`presence_frames_${mode}`, frames, 'frames');
      out(`presence_login_cpu_ms_${mode}`, cpu, 'ms');
      await closeAll(sockets);
      await srv.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

/** All three, with the sizes from the environment (BENCH_CONNS, BENCH_RELAY_FRAMES, BENCH_RELAY_RUNS, BENCH_LOGINS). */
export async function runServerBenches(out: Out, log: Log): Promise<void> {
  await benchConnections(out, log, envInt('BENCH_CONNS', 10_000));
  await benchRelay(out, log, envInt('BENCH_RELAY_RUNS', 5), envInt('BENCH_RELAY_FRAMES', 40_000));
  await benchPresenceLogins(out, log, envInt('BENCH_LOGINS', 2_000));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const t0 = Date.now();
  const log: Log = (msg) => console.error(`[server bench +${((Date.now() - t0) / 1000).toFixed(1)} s] ${msg}`);
  const only = process.argv[2];
  const out: Out = (name, value, unit) => console.log(benchLine(name, value, unit));
  const job =
    only === 'conns' ? benchConnections(out, log, envInt('BENCH_CONNS', 10_000))
    : only === 'relay' ? benchRelay(out, log, envInt('BENCH_RELAY_RUNS', 5), envInt('BENCH_RELAY_FRAMES', 40_000))
    : only === 'presence' ? benchPresenceLogins(out, log, envInt('BENCH_LOGINS', 2_000))
    : runServerBenches(out, log);
  job.catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
