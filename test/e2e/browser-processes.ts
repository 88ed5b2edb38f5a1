// Every browser an e2e test launches is registered here and closed by closeAllBrowsers() (use it
// in an after() hook) or, as a last resort, killed synchronously when the test process exits.
// Browsers are found by their unique profile folder on their command line, so only our own
// processes are ever killed.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import type { BrowserUser } from './browser-types';

const open = new Set<BrowserUser>();
/** Users whose close() has started: their pending waits stop instead of polling a dead browser. */
const closing = new WeakSet<BrowserUser>();
const profileDirs = new Set<string>();
let counter = 0;

process.once('exit', () => {
  // Synchronous last resort: both drivers also kill their browsers on exit, this catches the rest.
  for (const dir of profileDirs) killProcessesUsingSync(dir);
});

/** Closes every browser launched by this module. Never throws; bounded in time. */
export async function closeAllBrowsers(): Promise<void> {
  await Promise.allSettled([...open].map((user) => user.close()));
}

/** A default name for a user: the engine and a counter, e.g. "chromium-1". */
export function nextName(kind: string): string {
  return `${kind}-${++counter}`;
}

export function registerUser(user: BrowserUser): void {
  open.add(user);
}

/** Marks `user` as closing (its waits give up) and forgets it. */
export function markClosing(user: BrowserUser): void {
  closing.add(user);
  open.delete(user);
}

export function isClosing(user: BrowserUser): boolean {
  return closing.has(user);
}

export function registerProfileDir(dir: string): void {
  profileDirs.add(dir);
}

export function assertInNamespace(): void {
  if (process.env.PEERCHAT_NETNS !== '1' && process.env.PEERCHAT_E2E_ALLOW_HOST_NETWORK !== '1') {
    throw new Error(
      'e2e browsers must run in a loopback-only network namespace: run the tests through\n'
        + '  node test/e2e/run-in-netns.mjs node --import tsx --test test/e2e/<file>.test.ts\n'
        + '(or `npm run test:e2e`). Set PEERCHAT_E2E_ALLOW_HOST_NETWORK=1 to override.',
    );
  }
}

export function safe(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 40);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** PIDs whose command line mentions `dir` (our unique profile folder): only our own browsers. */
async function pidsUsing(dir: string): Promise<number[]> {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = await readdir('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(dir)) pids.push(Number(entry));
    } catch {
      // process exited meanwhile
    }
  }
  return pids;
}

export async function killProcessesUsing(dir: string): Promise<void> {
  for (const pid of await pidsUsing(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function killProcessesUsingSync(dir: string): void {
  // Only used from process 'exit', where async work is impossible.
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone
    }
  }
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // best effort
  }
}

export async function cleanupDir(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch {
    // best effort: a browser child may still be writing; the OS tmp cleaner gets the rest
  }
  profileDirs.delete(dir);
}
