// The app's side of `npm run bench`: the REAL app (built web/dist, real signal server,
// two SEPARATE Chromium processes on loopback), driven the way a person would:
//
//   connect_ms       click on the contact → the conversation status says "end-to-end encrypted"
//                    (alice logs out and in between runs, so each click dials a fresh session)
//   transfer_mb_s    a file of random bytes set on "Attach file" at alice, accepted at bob, timed
//                    from bob's click on Accept to bob's card showing "Verified" (sealing, hashing,
//                    OPFS writes and the final hash check all included). Also the rate between
//                    bob's first and last received chunk (window.peerchatTransfers.chunksReceived).
//   receiver heap    bob's main-thread JS heap (CDP Runtime.getHeapUsage) polled every 200 ms
//                    during a transfer; baseline = after a forced GC just before the offer.
//
// Timestamps are taken IN the pages (setInterval watchers, performance.now()), so the figures do
// not include Playwright round trips. MB = 10^6 bytes.
//
// In-page code is passed as strings: tsx (esbuild keepNames) may wrap functions given to
// evaluate() in a `__name` helper that does not exist in the page.

import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import type { CDPSession, Page } from 'playwright-core';
import { launchBrowser, type BrowserUser } from '../e2e/browsers';
import { login, openConversation, register, startTestServer, type TestServer } from '../e2e/app-helpers';

export const MB = 1e6;
export const MiB = 1024 * 1024;

export function median(values: readonly number[]): number {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function pageOf(user: BrowserUser): Page {
  if (user.raw.kind !== 'chromium') throw new Error('the app bench drives Chromium only');
  return user.raw.page;
}

async function cdpOf(user: BrowserUser): Promise<CDPSession> {
  if (user.raw.kind !== 'chromium') throw new Error('the app bench drives Chromium only');
  return user.raw.context.newCDPSession(user.raw.page);
}

// ---------------------------------------------------------------------------------------------
// Temp files and disk space

export interface TempFiles {
  dir: string;
  /** Writes `bytes` random bytes to a new file in dir; returns its path. */
  make(name: string, bytes: number): Promise<string>;
  dispose(): Promise<void>;
}

export async function tempFiles(): Promise<TempFiles> {
  const dir = await mkdtemp(path.join(tmpdir(), 'peerchat-bench-'));
  return {
    dir,
    async make(name, bytes) {
      const file = path.join(dir, name);
      const out = createWriteStream(file);
      const piece = 8 * MiB;
      for (let done = 0; done < bytes; done += piece) {
        if (!out.write(randomBytes(Math.min(piece, bytes - done)))) await once(out, 'drain');
      }
      out.end();
      await once(out, 'close');
      return file;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Free bytes on the file system holding the temp dir (browser profiles live there too). */
export async function freeBytes(dir = tmpdir()): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

// ---------------------------------------------------------------------------------------------
// Renderer processes' RSS (includes the OPFS worker and ArrayBuffer backing stores, which the
// page's V8 heap figure does not): found in /proc as the --type=renderer descendants of the
// Chromium whose --user-data-dir starts with the profile prefix the harness uses for `name`.

function procs(): Array<{ pid: number; ppid: number; cmd: string }> {
  const list: Array<{ pid: number; ppid: number; cmd: string }> = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      list.push({ pid: Number(d), ppid, cmd });
    } catch {
      /* gone */
    }
  }
  return list;
}

/** PIDs of every process of the browsers launched with these harness names (browser, renderers, network…). */
export function browserTreePids(names: readonly string[]): number[] {
  const all = procs();
  const seen = new Set<number>();
  for (const name of names) {
    const prefix = `--user-data-dir=${path.join(tmpdir(), `peerchat-e2e-${name}-`)}`;
    for (const p of all) if (p.cmd.includes(prefix) && !p.cmd.includes('--type=')) seen.add(p.pid);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!seen.has(p.pid) && seen.has(p.ppid)) {
        seen.add(p.pid);
        grew = true;
      }
    }
  }
  return [...seen];
}

/** PIDs of the renderer processes of the browser launched with this harness name. */
export function rendererPids(name: string): number[] {
  const tree = new Set(browserTreePids([name]));
  return procs()
    .filter((p) => tree.has(p.pid) && p.cmd.includes('--type=renderer'))
    .map((p) => p.pid);
}

const CLK_TCK = 100; // getconf CLK_TCK on Linux (x86-64, arm64)

/**
 * CPU time (user + system, ms) used so far by the browsers with these harness names, all their
 * processes. On a shared machine whose speed changes by the minute, CPU time per MB is a steadier
 * figure than MB/s: a neighbour's load stretches wall time, not our CPU time.
 */
export function browserCpuMs(names: readonly string[]): number {
  let ticks = 0;
  for (const pid of browserTreePids(names)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      /* gone */
    }
  }
  return (ticks * 1000) / CLK_TCK;
}

/** Sum of VmRSS of these PIDs, bytes. */
export function rssBytes(pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      sum += m ? Number(m[1]) * 1024 : 0;
    } catch {
      /* gone */
    }
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// The pair of users

export interface AppPair {
  srv: TestServer;
  alice: BrowserUser;
  bob: BrowserUser;
  close(): Promise<void>;
}

export async function startPair(): Promise<AppPair> {
  const srv = await startTestServer();
  const users: BrowserUser[] = [];
  try {
    const alice = await launchBrowser('chromium', { name: 'bench-alice', actionTimeoutMs: 20_000 });
    users.push(alice);
    const bob = await launchBrowser('chromium', { name: 'bench-bob', actionTimeoutMs: 20_000 });
    users.push(bob);
    await register(alice, srv.url, 'alice');
    await register(bob, srv.url, 'bob');
    await alice.waitForRole('button', 'bob, online, not verified', { timeoutMs: 20_000 });
    return {
      srv,
      alice,
      bob,
      async close() {
        await Promise.allSettled(users.map((u) => u.close()));
        await srv.dispose();
      },
    };
  } catch (err) {
    await Promise.allSettled(users.map((u) => u.close()));
    await srv.dispose();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// connect_ms

const CLICK_AND_WAIT_READY = /* js */ `(peer) => new Promise((resolve, reject) => {
  const app = document.querySelector('pc-app')?.shadowRoot;
  const btn = app?.querySelector('pc-contact-list')?.shadowRoot?.querySelector('button[data-contact="' + peer + '"]');
  if (!btn) { reject(new Error('no contact row for ' + peer)); return; }
  const t0 = performance.now();
  btn.click();
  const limit = t0 + 30000;
  const timer = setInterval(() => {
    const conv = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot;
    const st = conv?.querySelector('.status');
    if (st && st.getAttribute('data-link') === 'ready' && (st.textContent || '').includes('end-to-end encrypted')) {
      clearInterval(timer);
      resolve(performance.now() - t0);
    } else if (performance.now() > limit) {
      clearInterval(timer);
      reject(new Error('no secure session within 30 s; status: ' + (st?.textContent ?? 'none')));
    }
  }, 2);
})`;

/**
 * Click on bob's row in alice's contact list → "end-to-end encrypted", `runs` times. Between runs
 * alice logs out and in again (bob stays logged in with no conversation open), so every click
 * starts from no peer link at all.
 */
export async function measureConnect(pair: AppPair, runs: number, onRun?: (ms: number, i: number) => void): Promise<number[]> {
  const { alice } = pair;
  const page = pageOf(alice);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (i > 0) {
      await alice.click('Log out');
      await login(alice, 'alice');
    }
    // Presence must show bob online before the click (the app dials only online contacts).
    await alice.waitForRole('button', 'bob, online, not verified', { timeoutMs: 20_000 });
    const ms = (await page.evaluate(`(${CLICK_AND_WAIT_READY})('bob')`)) as number;
    out.push(ms);
    onRun?.(ms, i);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// transfers

/** Installs on the receiver a watcher of the newest file card and of the chunk counter. */
const RECEIVER_WATCH = /* js */ `(() => {
  const cards = () => {
    const list = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot
      ?.querySelector('pc-message-list')?.shadowRoot;
    return Array.from(list?.querySelectorAll('pc-file-card') ?? []);
  };
  const before = cards().length;
  const dbg = () => globalThis.peerchatTransfers;
  const w = {
    before, offeredAt: null, acceptedAt: null, verifiedAt: null, failed: null,
    chunks0: dbg()?.chunksReceived ?? 0, firstChunkAt: null, firstChunks: 0, lastChunkAt: null, lastChunks: 0, pct: 0,
  };
  w.lastChunks = w.chunks0;
  const tick = () => {
    const now = performance.now();
    const c = dbg()?.chunksReceived ?? 0;
    if (c !== w.lastChunks) {
      if (w.firstChunkAt === null) { w.firstChunkAt = now; w.firstChunks = c; }
      w.lastChunkAt = now;
      w.lastChunks = c;
    }
    const all = cards();
    const card = all.length > before ? all[all.length - 1] : null;
    const root = card?.shadowRoot;
    const state = root?.querySelector('.card')?.getAttribute('data-state');
    if (!state) return;
    if (w.offeredAt === null) w.offeredAt = now;
    const bar = root.querySelector('[role=progressbar]');
    if (bar) w.pct = Number(bar.getAttribute('aria-valuenow'));
    if (state === 'offered' && w.acceptedAt === null) {
      const accept = Array.from(root.querySelectorAll('button')).find((b) => (b.textContent || '').trim() === 'Accept');
      if (accept) { w.acceptedAt = performance.now(); accept.click(); }
    }
    if (state === 'done' && (root.textContent || '').includes('Verified')) {
      w.verifiedAt = now;
      clearInterval(w.timer);
    } else if (state === 'failed' || state === 'cancelled' || state === 'declined') {
      w.failed = state + ': ' + (root.textContent || '').replace(/\\s+/g, ' ').trim();
      clearInterval(w.timer);
    }
  };
  w.timer = setInterval(tick, 10);
  globalThis.__benchWatch = w;
  return true;
})()`;

interface Watch {
  offeredAt: number | null;
  acceptedAt: number | null;
  verifiedAt: number | null;
  failed: string | null;
  chunks0: number;
  firstChunkAt: number | null;
  firstChunks: number;
  lastChunkAt: number | null;
  lastChunks: number;
  pct: number;
}

export interface TransferResult {
  bytes: number;
  /** Bob clicks Accept (or sees the card, if no Accept was needed) → "Verified", MB/s. */
  mbPerSecond: number;
  /** Bob's first → last received chunk, MB/s (the wire + seal + OPFS part, without the final hash). */
  chunkMbPerSecond: number;
  /** Offer card shown on bob → "Verified", ms. */
  offerToVerifiedMs: number;
  /** Accept → "Verified", ms. */
  acceptToVerifiedMs: number;
  /** Last chunk → "Verified" (final hash check and finalize), ms. */
  tailMs: number;
  /** Chunks bob received in this transfer. */
  chunks: number;
  /** CPU time both browsers used from before "Attach file" to "Verified", ms per MB. */
  cpuMsPerMb: number;
  /** Bob's main-thread JS heap (MB = 10^6 bytes): after GC before the offer, and the peak seen. */
  heapBaselineMb?: number;
  heapPeakMb?: number;
  /** Same, counting also Blink's embedder heap and ArrayBuffer backing stores (main thread). */
  heapAllBaselineMb?: number;
  heapAllPeakMb?: number;
  /** Bob's renderer processes' RSS (page + OPFS worker + everything), MB. */
  rssBaselineMb?: number;
  rssPeakMb?: number;
}

/**
 * Sends `file` (of `bytes` bytes) from alice to bob through the UI. Both must have the
 * conversation open. With `heap`, bob's JS heap is polled over CDP during the transfer.
 */
export async function measureTransfer(
  pair: AppPair,
  file: string,
  bytes: number,
  options: { heap?: boolean; timeoutMs?: number; onProgress?: (pct: number) => void } = {},
): Promise<TransferResult> {
  const { alice, bob } = pair;
  const bobPage = pageOf(bob);
  const timeoutMs = options.timeoutMs ?? Math.max(120_000, (bytes / (1 * MB)) * 1000);
  let cdp: CDPSession | null = null;
  const heap: Partial<Record<'heapBaselineMb' | 'heapPeakMb' | 'heapAllBaselineMb' | 'heapAllPeakMb' | 'rssBaselineMb' | 'rssPeakMb', number>> = {};
  let polling = false;
  let poller: Promise<void> = Promise.resolve();
  if (options.heap) {
    cdp = await cdpOf(bob);
    const c = cdp;
    const pids = rendererPids(bob.name);
    await c.send('HeapProfiler.enable');
    await c.send('HeapProfiler.collectGarbage');
    await new Promise((r) => setTimeout(r, 500));
    const u = await c.send('Runtime.getHeapUsage');
    heap.heapBaselineMb = heap.heapPeakMb = u.usedSize / MB;
    heap.heapAllBaselineMb = heap.heapAllPeakMb = (u.usedSize + u.embedderHeapUsedSize + u.backingStorageSize) / MB;
    heap.rssBaselineMb = heap.rssPeakMb = rssBytes(pids) / MB;
    polling = true;
    poller = (async () => {
      while (polling) {
        try {
          const h = await c.send('Runtime.getHeapUsage');
          heap.heapPeakMb = Math.max(heap.heapPeakMb ?? 0, h.usedSize / MB);
          heap.heapAllPeakMb = Math.max(heap.heapAllPeakMb ?? 0, (h.usedSize + h.embedderHeapUsedSize + h.backingStorageSize) / MB);
        } catch {
          /* page busy or gone: next tick */
        }
        heap.rssPeakMb = Math.max(heap.rssPeakMb ?? 0, rssBytes(pids) / MB);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
  }
  try {
    await bobPage.evaluate(RECEIVER_WATCH);
    const cpu0 = browserCpuMs([alice.name, bob.name]);
    await alice.setFiles('Attach file', [file]);
    const deadline = Date.now() + timeoutMs;
    let w: Watch;
    let lastPct = -1;
    for (;;) {
      w = (await bobPage.evaluate('({ ...globalThis.__benchWatch, timer: undefined })')) as Watch;
      if (w.failed) throw new Error(`transfer ${w.failed}`);
      if (w.verifiedAt !== null) break;
      if (Date.now() > deadline) throw new Error(`transfer not verified within ${timeoutMs} ms (at ${w.pct} %)`);
      if (w.pct !== lastPct && w.pct % 10 === 0) options.onProgress?.(w.pct);
      lastPct = w.pct;
      await new Promise((r) => setTimeout(r, 250));
    }
    const cpuMsPerMb = (browserCpuMs([alice.name, bob.name]) - cpu0) / (bytes / MB);
    const verifiedAt = w.verifiedAt as number;
    const offeredAt = w.offeredAt ?? NaN;
    const startAt = w.acceptedAt ?? offeredAt;
    const chunkMs = (w.lastChunkAt ?? NaN) - (w.firstChunkAt ?? NaN);
    const chunks = w.lastChunks - w.chunks0;
    // The window starts when the counter was first seen moving: it covers the chunks after that.
    const chunkBytes = chunks > 1 ? (bytes * (w.lastChunks - w.firstChunks)) / chunks : NaN;
    return {
      bytes,
      mbPerSecond: bytes / MB / ((verifiedAt - startAt) / 1000),
      chunkMbPerSecond: chunkBytes / MB / (chunkMs / 1000),
      offerToVerifiedMs: verifiedAt - offeredAt,
      acceptToVerifiedMs: verifiedAt - startAt,
      tailMs: verifiedAt - (w.lastChunkAt ?? NaN),
      chunks,
      cpuMsPerMb,
      ...heap,
    };
  } finally {
    polling = false;
    await poller;
    await cdp?.detach().catch(() => undefined);
  }
}

/** Both open the conversation (bob must see the offer card to accept it). */
export async function openBoth(pair: AppPair): Promise<void> {
  await openConversation(pair.alice, 'bob');
  await openConversation(pair.bob, 'alice');
  await pair.alice.waitForText('end-to-end encrypted', 30_000);
  await pair.bob.waitForText('end-to-end encrypted', 30_000);
}
