// Where the app transfer's CPU goes: per browser (alice = sender, bob = receiver) and Chromium
// process type, for one BENCH_MIB (default 128) transfer through the real UI. Diagnostic only.
// Run: node test/e2e/run-in-netns.mjs npx tsx test/bench/cpu-split.ts

import { readFileSync } from 'node:fs';
import { closeAllBrowsers } from '../e2e/browsers';
import { browserTreePids, measureTransfer, MiB, openBoth, startPair, tempFiles } from './app-bench';

function snapshot(names: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of names) {
    for (const pid of browserTreePids([name])) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
        const sub = /--utility-sub-type=([a-zA-Z.]+)/.exec(cmd)?.[1];
        const key = `${name} ${sub ? sub.split('.').pop() : type}`;
        out.set(key, (out.get(key) ?? 0) + ((Number(f[11]) + Number(f[12])) * 10));
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

const mib = Number(process.env.BENCH_MIB) || 128;
const files = await tempFiles();
const pair = await startPair();
try {
  const file = await files.make('split.bin', mib * MiB);
  await openBoth(pair);
  const names = [pair.alice.name, pair.bob.name];
  const a = snapshot(names);
  const r = await measureTransfer(pair, file, mib * MiB);
  const b = snapshot(names);
  console.log(`${mib} MiB: ${r.mbPerSecond.toFixed(2)} MB/s, ${(r.acceptToVerifiedMs / 1000).toFixed(1)} s`);
  for (const [k, v] of [...b].sort()) {
    const ms = v - (a.get(k) ?? 0);
    if (ms > 50) console.log(`${k.padEnd(40)} ${(ms / 1000).toFixed(1)} s CPU  ${(ms / (r.bytes / 1e6)).toFixed(0)} ms/MB  ${((ms / r.acceptToVerifiedMs) * 100).toFixed(0)} % of a core`);
  }
} finally {
  await pair.close();
  await files.dispose();
  await closeAllBrowsers();
}
