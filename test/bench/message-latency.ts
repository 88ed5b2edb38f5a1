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
// Prints JSON lines: message_p50_ms, message_p99_ms, bare_p50_ms, bare_p99_ms, message_vs_bare_p50.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeAllBrowsers } from '../e2e/browsers';
import { openBoth, pageOf, startPair, type AppPair } from './app-bench';
import { benchLine } from './raw-datachannel';
import { measureBareLatency } from './bare-latency';

/** Installed in bob's page: records when each text appears in the open conversation. */
const RECEIVER_OBSERVE = /* js */ `(() => {
  const seen = new Map();
  globalThis.__latencySeen = seen;
  const now = () => performance.timeOrigin + performance.now();
  const scan = (root) => {
    for (const el of root.querySelectorAll('li.msg.in .text')) {
      const t = el.textContent || '';
      if (t.startsWith('lat-') && !seen.has(t)) seen.set(t, now());
    }
  };
  const list = () => document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot
    ?.querySelector('pc-message-list')?.shadowRoot;
  const root = list();
  if (!root) throw new Error('bob has no open message list');
  new MutationObserver(() => scan(root)).observe(root, { childList: true, subtree: true, characterData: true });
  return true;
})()`;

/** Runs in alice's page: types `text` into the composer and clicks Send; returns the click time. */
const SEND = /* js */ `(text) => {
  const composer = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot
    ?.querySelector('pc-composer')?.shadowRoot;
  const box = composer?.querySelector('textarea');
  const button = composer?.querySelector('button[type=submit]');
  if (!box || !button) throw new Error('no composer');
  box.value = text;
  box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
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
export async function measureMessageLatency(pair: AppPair, count: number, onProgress?: (done: number) => void): Promise<LatencyStats> {
  const alice = pageOf(pair.alice);
  const bob = pageOf(pair.bob);
  await bob.evaluate(RECEIVER_OBSERVE);
  const out: number[] = [];
  const runId = Math.random().toString(36).slice(2, 8);
  for (let i = 0; i < count; i++) {
    const text = `lat-${runId}-${i}`;
    const t0 = (await alice.evaluate(`(${SEND})(${JSON.stringify(text)})`)) as number;
    const deadline = Date.now() + 15_000;
    let t1: number | null = null;
    while (t1 === null) {
      t1 = (await bob.evaluate(`globalThis.__latencySeen.get(${JSON.stringify(text)}) ?? null`)) as number | null;
      if (t1 === null) {
        if (Date.now() > deadline) throw new Error(`message ${i} not shown on bob within 15 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    out.push(t1 - t0);
    if ((i + 1) % 50 === 0) onProgress?.(i + 1);
  }
  return stats(out);
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_MESSAGES ?? 200) || 200;
  const log = (m: string): void => console.error(`[message-latency] ${m}`);
  let pair: AppPair | null = null;
  try {
    pair = await startPair();
    await openBoth(pair);
    // Warm up both paths (first frames pay for lazy code and JIT), then measure.
    await measureMessageLatency(pair, 10);
    const bare = await measureBareLatency(pair, count);
    const app = await measureMessageLatency(pair, count, (n) => log(`${n}/${count}`));
    console.log(benchLine('message_p50_ms', app.p50, 'ms'));
    console.log(benchLine('message_p99_ms', app.p99, 'ms'));
    console.log(benchLine('bare_p50_ms', bare.p50, 'ms'));
    console.log(benchLine('bare_p99_ms', bare.p99, 'ms'));
    console.log(benchLine('message_vs_bare_p50', app.p50 / bare.p50, 'ratio'));
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
