// Diagnostic (not part of `npm run bench`): what the receiver's main thread spends its time on
// while messages arrive: a Chrome trace of bob's page over `messages` messages, summarised as
// total ms per top-level task type on the renderer's main thread.
//   node test/e2e/run-in-netns.mjs node --import tsx test/bench/trace-latency.ts [messages] [alice|bob]
import { closeAllBrowsers } from '../e2e/browsers';
import { openBoth, pageOf, startPair, type AppPair } from './app-bench';
import { measureMessageLatency } from './message-latency';

interface TraceEvent { name: string; cat: string; ph: string; dur?: number; tid: number; pid: number; ts: number; args?: { data?: { type?: string; functionName?: string; url?: string } } }

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100);
  const who = process.argv[3] === 'alice' ? 'alice' : 'bob';
  let pair: AppPair | null = null;
  try {
    pair = await startPair();
    await openBoth(pair);
    await measureMessageLatency(pair, 10);
    const page = pageOf(who === 'alice' ? pair.alice : pair.bob);
    const s = await page.context().newCDPSession(page);
    const events: TraceEvent[] = [];
    s.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as TraceEvent[])));
    const done = new Promise<void>((r) => s.once('Tracing.tracingComplete', () => r()));
    await s.send('Tracing.start', {
      transferMode: 'ReportEvents',
      traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'toplevel'] },
    } as never);
    const r = await measureMessageLatency(pair, count);
    await s.send('Tracing.end');
    await done;
    console.log(`p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)}; ${events.length} events`);
    // The renderer main thread: the thread with the most 'RunTask' time among CrRendererMain.
    const names = events.filter((e) => e.name === 'thread_name' && (e as unknown as { args: { name: string } }).args.name === 'CrRendererMain');
    const mains = new Set(names.map((e) => `${e.pid}:${e.tid}`));
    const on = events.filter((e) => mains.has(`${e.pid}:${e.tid}`) && e.ph === 'X' && e.dur !== undefined);
    const total = new Map<string, number>();
    for (const e of on) {
      const key = e.name === 'EventDispatch' || e.name === 'FunctionCall' || e.name === 'TimerFire' ? `${e.name}:${e.args?.data?.type ?? e.args?.data?.functionName ?? ''}` : e.name;
      total.set(key, (total.get(key) ?? 0) + (e.dur ?? 0) / 1000);
    }
    for (const [k, v] of [...total.entries()].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`${v.toFixed(1).padStart(9)} ms  ${k}`);
    if (process.env.TRACE_ARGS) {
      const mojo = new Map<string, number>();
      for (const e of on.filter((x) => x.name === process.env.TRACE_ARGS)) {
        const k = JSON.stringify(e.args).slice(0, 200);
        mojo.set(k, (mojo.get(k) ?? 0) + (e.dur ?? 0) / 1000);
      }
      for (const [k, v] of [...mojo.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${v.toFixed(1).padStart(9)} ms  ${k}`);
    }
  } finally {
    await pair?.close();
    await closeAllBrowsers();
  }
}
main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
