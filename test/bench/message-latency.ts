// Message latency for `npm run bench`: from the click on Send in alice's page to the text shown in
// bob's (two SEPARATE Chromium processes, the real app, one conversation open on both sides), one
// message at a time, BENCH_MESSAGES of them (default 200). Beside it, in the same run, the same
// figure for a bare RTCDataChannel between two fresh pages of the same browsers (send → onmessage),
// so the app's cost reads as a ratio against the channel itself.
//
// Timing: both times come from the same wall clock (performance.timeOrigin + performance.now() in
// each process); the driver's round trips are outside the measured span. Bob's page timestamps a
// message when a MutationObserver sees its text in the message list (before the next paint).
//
// BENCH_SETTINGS='{"typingIndicators":false}' (JSON) sets device settings on both pages first, to
// see what a feature costs (read receipts and typing are on by default, as for a new user). Paced
// messages are typed half a gap before Send, as people type before sending.
//
// Prints JSON lines: message_p50_ms, message_p99_ms (paced, one message every PACED_GAP_MS), bare_p50_ms,
// bare_p99_ms (paced the same), message_vs_bare_p50, message_burst_p50_ms, message_burst_p99_ms (each
// message sent as soon as the one before is shown).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeAllBrowsers } from '../e2e/browsers';
import { openBoth, pageOf, startPair, type AppPair } from './app-bench';
import { benchLine } from './raw-datachannel';
import { measureBareLatency } from './bare-latency';

/**
 * Installed in bob's page: records when each text appears in the open conversation, and lets the
 * driver wait for one (`__latencyWait(text)` resolves with its time) instead of polling bob's page,
 * whose evaluations would take his main thread away from the app while messages arrive.
 */
const RECEIVER_OBSERVE = /* js */ `(() => {
  const seen = new Map();
  const waiting = new Map();
  globalThis.__latencySeen = seen;
  globalThis.__latencyWait = (text) => seen.has(text) ? seen.get(text) : new Promise((resolve) => waiting.set(text, resolve));
  const now = () => performance.timeOrigin + performance.now();
  // The time is taken as the observer is called, before looking for the text: searching a list
  // that grows with every message is the bench's own cost, not the app's.
  const scan = (root, at) => {
    for (const el of root.querySelectorAll('li.msg.in .text')) {
      const t = el.textContent || '';
      if (!t.startsWith('lat-') || seen.has(t)) continue;
      seen.set(t, at);
      waiting.get(t)?.(at);
      waiting.delete(t);
    }
  };
  const list = () => document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot
    ?.querySelector('pc-message-list')?.shadowRoot;
  const root = list();
  if (!root) throw new Error('bob has no open message list');
  new MutationObserver(() => scan(root, now())).observe(root, { childList: true, subtree: true, characterData: true });
  return true;
})()`;

/**
 * Runs in the author's page: types `text` into the composer of the open conversation (`host`:
 * `pc-conversation`, or `pc-group-conversation` for a group) and clicks Send; returns the click time.
 */
export const SEND = /* js */ `(host, text, typed) => {
  const composer = document.querySelector('pc-app')?.shadowRoot?.querySelector(host)?.shadowRoot
    ?.querySelector('pc-composer')?.shadowRoot;
  const box = composer?.querySelector('textarea');
  const button = composer?.querySelector('button[type=submit]');
  if (!box || !button) throw new Error('no composer in ' + host);
  if (!typed) {
    box.value = text;
    box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  }
  // Lit renders the enabled Send button in a microtask; click once it is enabled.
  return new Promise((resolve) => {
    const go = () => {
      if (button.disabled) return void queueMicrotask(go);
      const t0 = performance.timeOrigin + performance.now();
      button.click();
      resolve(t0);
    };
    go();
  });
}`;

/**
 * Runs in the author's page: types `text` into the composer (the `input` event the app sees for a
 * keystroke, which starts "typing…" on the other side), without sending.
 */
export const TYPE = /* js */ `(host, text) => {
  const box = document.querySelector('pc-app')?.shadowRoot?.querySelector(host)?.shadowRoot
    ?.querySelector('pc-composer')?.shadowRoot?.querySelector('textarea');
  if (!box) throw new Error('no composer in ' + host);
  box.value = text;
  box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}`;

export interface LatencyStats {
  p50: number;
  p99: number;
  samples: number[];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

export function stats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples };
}

/** Sends `count` messages alice → bob through the app, one at a time; latencies in ms. */
export interface LatencyOptions {
  /**
   * Least time from one click on Send to the next (ms). 0 sends each message as soon as the one
   * before is shown: a burst, in which a message also waits for the work the one before left (its
   * write, its receipt, its frame). The default paces messages like a fast conversation, so each
   * one's own latency is measured, not a queue's.
   */
  gapMs?: number;
  onProgress?: (done: number) => void;
  onClick?: (t0: number) => void;
}

/** The default {@link LatencyOptions.gapMs}: 20 messages a second, faster than anyone types. */
export const PACED_GAP_MS = 50;

/** Sends `count` messages alice → bob through the app, one at a time; latencies in ms. */
export async function measureMessageLatency(pair: AppPair, count: number, opts: LatencyOptions = {}): Promise<LatencyStats> {
  const { gapMs = PACED_GAP_MS, onProgress, onClick } = opts;
  const alice = pageOf(pair.alice);
  const bob = pageOf(pair.bob);
  await bob.evaluate(RECEIVER_OBSERVE);
  const out: number[] = [];
  const runId = Math.random().toString(36).slice(2, 8);
  let lastClick = 0;
  for (let i = 0; i < count; i++) {
    const text = `lat-${runId}-${i}`;
    // Paced: the text is typed half a gap before Send, as a person types before sending (the
    // keystroke's `typing` frame then reaches bob before the message, not beside it). Burst:
    // typed and sent at once.
    if (gapMs > 0) {
      const typeWait = lastClick + gapMs / 2 - Date.now();
      if (typeWait > 0) await new Promise((r) => setTimeout(r, typeWait));
      await alice.evaluate(`(${TYPE})('pc-conversation', ${JSON.stringify(text)})`);
    }
    const wait = lastClick + gapMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lastClick = Date.now();
    // Waiting starts before the click, so the text cannot be missed; one evaluation per message.
    const shown = bob.evaluate(`globalThis.__latencyWait(${JSON.stringify(text)})`) as Promise<number>;
    const t0 = (await alice.evaluate(`(${SEND})('pc-conversation', ${JSON.stringify(text)}, ${gapMs > 0})`)) as number;
    onClick?.(t0);
    let timer: NodeJS.Timeout | undefined;
    const t1 = await Promise.race([
      shown,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`message ${i} not shown on bob within 15 s`)), 15_000);
      }),
    ]).finally(() => clearTimeout(timer));
    out.push(t1 - t0);
    if ((i + 1) % 50 === 0) onProgress?.(i + 1);
  }
  return stats(out);
}

/**
 * The whole figure set, on a pair whose conversation is open on both sides: a warm-up, the bare
 * channel, the app paced, the app in a burst. Returns the JSON lines' fields.
 */
export async function messageLatencyFigures(pair: AppPair, count: number, log: (m: string) => void): Promise<Array<[string, number, string]>> {
  // Warm up both paths (first frames pay for lazy code and JIT), then measure.
  await measureMessageLatency(pair, 10);
  const bare = await measureBareLatency(pair, count, PACED_GAP_MS);
  const app = await measureMessageLatency(pair, count, { onProgress: (n) => log(`paced ${n}/${count}`) });
  const burst = await measureMessageLatency(pair, count, { gapMs: 0, onProgress: (n) => log(`burst ${n}/${count}`) });
  return [
    ['message_p50_ms', app.p50, 'ms'],
    ['message_p99_ms', app.p99, 'ms'],
    ['bare_p50_ms', bare.p50, 'ms'],
    ['bare_p99_ms', bare.p99, 'ms'],
    ['message_vs_bare_p50', app.p50 / bare.p50, 'ratio'],
    ['message_burst_p50_ms', burst.p50, 'ms'],
    ['message_burst_p99_ms', burst.p99, 'ms'],
  ];
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_MESSAGES ?? 200) || 200;
  const log = (m: string): void => console.error(`[message-latency] ${m}`);
  let pair: AppPair | null = null;
  try {
    pair = await startPair();
    await openBoth(pair);
    const over = process.env.BENCH_SETTINGS;
    if (over) for (const u of [pair.alice, pair.bob]) await pageOf(u).evaluate(`(() => { const k = 'peerchat.settings'; const v = JSON.stringify({ ...JSON.parse(localStorage.getItem(k) || '{}'), ...${over} }); localStorage.setItem(k, v); window.dispatchEvent(new StorageEvent('storage', { key: k, newValue: v })); })()`);
    for (const [name, value, unit] of await messageLatencyFigures(pair, count, log)) console.log(benchLine(name, value, unit));
  } finally {
    await pair?.close();
    await closeAllBrowsers();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
