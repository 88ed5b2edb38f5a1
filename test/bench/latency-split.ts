// Diagnostic (not part of `npm run bench`): where a message's latency goes. Sends messages alice →
// bob through the app like message-latency.ts and splits each one, from in-page timestamps on the
// same wall clock:
//   click → send   alice: the click on Send to the first RTCDataChannel.send() after it
//   send → event   the channel, plus bob's main thread being busy (the MessageEvent's timeStamp)
//   event → shown  bob: from the message event to the text in the list (decrypt, parse, render)
// Run after `npm run build:e2e`:
//   node test/e2e/run-in-netns.mjs node --import tsx test/bench/latency-split.ts [messages]
// BENCH_GAP_MS: least time between clicks (default: message-latency.ts's paced gap; 0 = burst).
import { closeAllBrowsers } from '../e2e/browsers';
import { openBoth, pageOf, startPair, type AppPair } from './app-bench';
import { PACED_GAP_MS, measureMessageLatency, percentile } from './message-latency';

/** Records every channel send (alice) and every channel message event (bob) with its time. */
const TAP = /* js */ `(() => {
  const sends = [];
  const events = [];
  globalThis.__tap = { sends, events };
  const abs = (t) => performance.timeOrigin + t;
  const seen = new WeakSet();
  const orig = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    sends.push(abs(performance.now()));
    if (!seen.has(this)) {
      seen.add(this);
      this.addEventListener('message', (e) => events.push(abs(e.timeStamp)));
    }
    return orig.call(this, data);
  };
  return true;
})()`;

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  let pair: AppPair | null = null;
  try {
    pair = await startPair();
    await openBoth(pair);
    const alice = pageOf(pair.alice);
    const bob = pageOf(pair.bob);
    await alice.evaluate(TAP);
    await bob.evaluate(TAP);
    // Warm-up: bob acknowledges, so his channel is tapped from then on.
    await measureMessageLatency(pair, 10);
    await alice.evaluate('globalThis.__tap.sends.length = 0');
    await bob.evaluate('globalThis.__tap.events.length = 0');
    const t0s: number[] = [];
    const r = await measureMessageLatency(pair, count, { gapMs: Number(process.env.BENCH_GAP_MS ?? PACED_GAP_MS), onClick: (t0) => t0s.push(t0) });
    const sends = (await alice.evaluate('globalThis.__tap.sends')) as number[];
    const events = (await bob.evaluate('globalThis.__tap.events')) as number[];
    const shown = (await bob.evaluate('[...globalThis.__latencySeen.values()].slice(-' + count + ')')) as number[];
    const parts = { clickToSend: [] as number[], sendToEvent: [] as number[], eventToShown: [] as number[] };
    for (let i = 0; i < t0s.length; i++) {
      const t0 = t0s[i]!;
      const s = sends.find((x) => x >= t0);
      const sh = shown[i]!;
      // The last message event on bob at or before the text was shown.
      const e = [...events].reverse().find((x) => x <= sh && x >= (s ?? t0));
      if (s === undefined || e === undefined) continue;
      parts.clickToSend.push(s - t0);
      parts.sendToEvent.push(e - s);
      parts.eventToShown.push(sh - e);
    }
    const fmt = (xs: number[]): string => {
      const s = [...xs].sort((a, b) => a - b);
      return `p50 ${percentile(s, 50).toFixed(2)}  p90 ${percentile(s, 90).toFixed(2)}  p99 ${percentile(s, 99).toFixed(2)}`;
    };
    console.log(`total          p50 ${r.p50.toFixed(2)}  p99 ${r.p99.toFixed(2)}  (n=${r.samples.length}, split n=${parts.clickToSend.length})`);
    console.log(`click → send   ${fmt(parts.clickToSend)}`);
    console.log(`send → event   ${fmt(parts.sendToEvent)}`);
    console.log(`event → shown  ${fmt(parts.eventToShown)}`);
  } finally {
    await pair?.close();
    await closeAllBrowsers();
  }
}
main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
