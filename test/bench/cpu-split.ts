// Where the CPU goes, per browser, process type and THREAD, for one BENCH_MIB (default 128)
// transfer: first the raw data-channel baseline (raw-sender → raw-receiver), then the app's
// transfer through the real UI (alice = sender, bob = receiver). Diagnostic only.
// Run: node test/e2e/run-in-netns.mjs npx tsx test/bench/cpu-split.ts

import { readdirSync, readFileSync } from 'node:fs';
import { closeAllBrowsers } from '../e2e/browsers';
import { browserTreePids, measureTransfer, MiB, openBoth, startPair, tempFiles } from './app-bench';
import { measureRaw } from './raw-datachannel';

const CLK_MS = 10; // 1 tick = 10 ms (CLK_TCK 100)

/** CPU ms so far per "browser process-type thread-name" (threads with the same name summed). */
function snapshot(names: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of names) {
    for (const pid of browserTreePids([name])) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
        const sub = /--utility-sub-type=([a-zA-Z.]+)/.exec(cmd)?.[1];
        const proc = sub ? (sub.split('.').pop() ?? type) : type;
        for (const tid of readdirSync(`/proc/${pid}/task`)) {
          const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
          const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+$/, '#');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          const key = `${name} ${proc} ${comm}`;
          out.set(key, (out.get(key) ?? 0) + (Number(f[11]) + Number(f[12])) * CLK_MS);
        }
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

function report(title: string, a: Map<string, number>, b: Map<string, number>, wallMs: number, mb: number): void {
  console.log(`\n${title}: ${(mb / (wallMs / 1000)).toFixed(2)} MB/s, ${(wallMs / 1000).toFixed(1)} s`);
  let total = 0;
  const rows: [string, number][] = [];
  for (const [k, v] of b) {
    const ms = v - (a.get(k) ?? 0);
    total += ms;
    if (ms >= 100) rows.push([k, ms]);
  }
  rows.sort((x, y) => y[1] - x[1]);
  for (const [k, ms] of rows) console.log(`${k.padEnd(52)} ${(ms / mb).toFixed(1).padStart(6)} ms/MB  ${((ms / wallMs) * 100).toFixed(0).padStart(3)} % of a core`);
  console.log(`${'total'.padEnd(52)} ${(total / mb).toFixed(1).padStart(6)} ms/MB  ${((total / wallMs) * 100).toFixed(0).padStart(3)} % of a core`);
}

const mib = Number(process.env.BENCH_MIB) || 128;
const bytes = mib * MiB;

{
  let a = new Map<string, number>();
  let b = new Map<string, number>();
  let t0 = 0;
  let t1 = 0;
  await measureRaw({
    bytes,
    onStart: () => {
      a = snapshot(['raw-sender', 'raw-receiver']);
      t0 = performance.now();
    },
    onEnd: () => {
      t1 = performance.now();
      b = snapshot(['raw-sender', 'raw-receiver']);
    },
  });
  report('raw', a, b, t1 - t0, bytes / 1e6);
}

const files = await tempFiles();
const pair = await startPair();
try {
  const file = await files.make('split.bin', bytes);
  await openBoth(pair);
  const names = [pair.alice.name, pair.bob.name];
  const a = snapshot(names);
  const r = await measureTransfer(pair, file, bytes);
  const b = snapshot(names);
  report('app', a, b, r.acceptToVerifiedMs, r.bytes / 1e6);
} finally {
  await pair.close();
  await files.dispose();
  await closeAllBrowsers();
}
