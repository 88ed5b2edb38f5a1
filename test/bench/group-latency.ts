// Group fan-out for `npm run bench`: a group of BENCH_GROUP_SIZE members (default 6), each in its
// own Chromium process, the real app and server over real WebRTC. From the click on Send in the
// author's group conversation to the text shown in EVERY other member's open group conversation
// (the slowest member decides), p50 and p99 over BENCH_GROUP_MESSAGES messages (default 100), one
// every PACED_GAP_MS as in message-latency.ts. Beside it, in the same run and the same processes,
// the 1:1 figure between the author and one member.
//
// Prints JSON lines: group_members, group_p50_ms, group_p99_ms, group_one_p50_ms (the first
// member to show it), dm_p50_ms, dm_p99_ms, group_vs_dm_p50.
//
// Alone: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx test/bench/group-latency.ts

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeAllBrowsers, launchBrowser, type BrowserUser } from '../e2e/browsers';
import { openConversation, register, startTestServer } from '../e2e/app-helpers';
import { openBoth, pageOf, type AppPair } from './app-bench';
import { benchLine } from './raw-datachannel';
import { PACED_GAP_MS, SEND, measureMessageLatency, percentile } from './message-latency';

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj'];

/** Finds an element by selector anywhere below `document`, through open shadow roots. */
const DEEP_FIND = /* js */ `(sel) => {
  const walk = (root) => {
    const hit = root.querySelector(sel);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) { const h = walk(el.shadowRoot); if (h) return h; }
    return null;
  };
  return walk(document);
}`;

/** In a member's page: timestamps each text as it appears in the open group conversation. */
const OBSERVE_GROUP = /* js */ `(() => {
  const seen = new Map();
  const waiting = new Map();
  globalThis.__groupWait = (text) => seen.has(text) ? seen.get(text) : new Promise((resolve) => waiting.set(text, resolve));
  const now = () => performance.timeOrigin + performance.now();
  const root = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-group-conversation')?.shadowRoot
    ?.querySelector('pc-message-list')?.shadowRoot;
  if (!root) throw new Error('no open group conversation');
  new MutationObserver(() => {
    const at = now();
    for (const el of root.querySelectorAll('li.msg.in .text')) {
      const t = el.textContent || '';
      if (!t.startsWith('glat-') || seen.has(t)) continue;
      seen.set(t, at);
      waiting.get(t)?.(at);
      waiting.delete(t);
    }
  }).observe(root, { childList: true, subtree: true, characterData: true });
  return true;
})()`;

async function openGroup(user: BrowserUser, id: string): Promise<void> {
  const page = pageOf(user);
  await page.waitForFunction(`!!(${DEEP_FIND})('[data-group="${id}"]')`, undefined, { timeout: 60_000 });
  await page.evaluate(`(${DEEP_FIND})('[data-group="${id}"]').click()`);
  await page.waitForFunction(
    `!!document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-group-conversation')?.shadowRoot?.querySelector('pc-message-list')`,
    undefined,
    { timeout: 20_000 },
  );
}

/** Runs the whole figure set on its own server and browsers; returns the JSON lines' fields. */
export async function groupLatencyFigures(requested: number, count: number, log: (m: string) => void): Promise<Array<[string, number, string]>> {
  const size = Math.min(NAMES.length, Math.max(3, requested));
  const srv = await startTestServer();
  const users: BrowserUser[] = [];
  try {
    for (const name of NAMES.slice(0, size)) users.push(await launchBrowser('chromium', { name: `bench-${name}`, actionTimeoutMs: 30_000 }));
    const [author, ...members] = users as [BrowserUser, ...BrowserUser[]];
    for (const [i, u] of users.entries()) await register(u, srv.url, NAMES[i]!);
    log(`${size} members registered`);

    // The 1:1 figure first, in the same processes: author ↔ the first member.
    const pair: AppPair = { srv, alice: author, bob: members[0]!, close: async () => undefined };
    await openBoth(pair);
    await measureMessageLatency(pair, 10);
    const dm = await measureMessageLatency(pair, count);
    log(`1:1 p50 ${dm.p50} ms`);

    // Every member has the author as a contact (an invitation from a contact opens connections).
    for (const u of members.slice(1)) await openConversation(u, 'alice');
    const id = (await pageOf(author).evaluate(
      `window.peerchatGroups.actions.create('Bench', ${JSON.stringify(NAMES.slice(1, size))})`,
    )) as string;
    for (const u of users) await openGroup(u, id);
    for (const u of members) await pageOf(u).evaluate(OBSERVE_GROUP);
    log(`group ${id} open on every member`);

    const runId = Math.random().toString(36).slice(2, 8);
    const all: number[] = [];
    const first: number[] = [];
    let lastClick = 0;
    for (let i = -10; i < count; i++) {
      const text = `glat-${runId}-${i}`;
      const wait = lastClick + PACED_GAP_MS - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      lastClick = Date.now();
      const shown = members.map((u) => pageOf(u).evaluate(`globalThis.__groupWait(${JSON.stringify(text)})`) as Promise<number>);
      const t0 = (await pageOf(author).evaluate(`(${SEND})('pc-group-conversation', ${JSON.stringify(text)})`)) as number;
      let timer: NodeJS.Timeout | undefined;
      const times = await Promise.race([
        Promise.all(shown),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`group message ${i} not shown on every member within 30 s`)), 30_000);
        }),
      ]).finally(() => clearTimeout(timer));
      if (i < 0) continue; // the first ten warm the paths up
      all.push(Math.max(...times) - t0);
      first.push(Math.min(...times) - t0);
      if ((i + 1) % 25 === 0) log(`${i + 1}/${count}`);
    }
    const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
    const g = sorted(all);
    return [
      ['group_members', size, 'count'],
      ['group_p50_ms', percentile(g, 50), 'ms'],
      ['group_p99_ms', percentile(g, 99), 'ms'],
      ['group_one_p50_ms', percentile(sorted(first), 50), 'ms'],
      ['dm_p50_ms', dm.p50, 'ms'],
      ['dm_p99_ms', dm.p99, 'ms'],
      ['group_vs_dm_p50', percentile(g, 50) / dm.p50, 'ratio'],
    ];
  } finally {
    await Promise.allSettled(users.map((u) => u.close()));
    await srv.dispose();
  }
}

async function main(): Promise<void> {
  const log = (m: string): void => console.error(`[group-latency] ${m}`);
  try {
    const lines = await groupLatencyFigures(Number(process.env.BENCH_GROUP_SIZE ?? 6) || 6, Number(process.env.BENCH_GROUP_MESSAGES ?? 100) || 100, log);
    for (const [name, value, unit] of lines) console.log(benchLine(name, value, unit));
  } finally {
    await closeAllBrowsers();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
