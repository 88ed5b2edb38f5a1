// Diagnostic (not part of `npm run bench`): CPU profiles of both pages while messages go alice → bob,
// summarised as self time per function (top 25 per side). Run after `npm run build:e2e`:
//   node test/e2e/run-in-netns.mjs node --import tsx test/bench/profile-latency.ts [messages]
import { closeAllBrowsers } from '../e2e/browsers';
import { openBoth, pageOf, startPair, type AppPair } from './app-bench';
import { measureMessageLatency } from './message-latency';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function summarise(p: Profile, top: number): string[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]!);
    if (!n) continue;
    const f = n.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${v.toFixed(1).padStart(8)} ms  ${k}`);
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  let pair: AppPair | null = null;
  try {
    pair = await startPair();
    await openBoth(pair);
    await measureMessageLatency(pair, 10);
    const sessions = await Promise.all([pair.alice, pair.bob].map(async (u) => {
      const page = pageOf(u);
      const s = await page.context().newCDPSession(page);
      await s.send('Profiler.enable');
      await s.send('Profiler.setSamplingInterval', { interval: 100 });
      await s.send('Profiler.start');
      return s;
    }));
    const r = await measureMessageLatency(pair, count);
    console.log(`p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)}`);
    for (const [i, s] of sessions.entries()) {
      const { profile } = (await s.send('Profiler.stop')) as unknown as { profile: Profile };
      console.log(`--- ${i === 0 ? 'alice (sender)' : 'bob (receiver)'}`);
      for (const line of summarise(profile, 30)) console.log(line);
    }
  } finally {
    await pair?.close();
    await closeAllBrowsers();
  }
}
main().catch((e: unknown) => { console.error(e); process.exit(1); });
