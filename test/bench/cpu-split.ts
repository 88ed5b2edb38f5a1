// Where the CPU goes, per side, process type and THREAD: BENCH_RUNS rounds (default 1) of the raw
// data-channel baseline and the app's transfer through the real UI, BENCH_MIB each (default
// 128), alternating so the machine's changing speed hits both alike; prints the mean ms of CPU
// per MB of each thread for raw and app side by side. Diagnostic only.
// Run: BENCH_RUNS=3 node test/e2e/run-in-netns.mjs npx tsx test/bench/cpu-split.ts

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

const mib = Number(process.env.BENCH_MIB) || 128;
const rounds = Math.max(1, Number(process.env.BENCH_RUNS) || 1);
const bytes = mib * MiB;
const mb = bytes / 1e6;

/** Per-thread CPU ms/MB, summed over the rounds (divide by rounds for the mean). */
function add(into: Map<string, number>, a: Map<string, number>, b: Map<string, number>, role: (k: string) => string): void {
  for (const [k, v] of b) {
    const ms = v - (a.get(k) ?? 0);
    const key = role(k);
    into.set(key, (into.get(key) ?? 0) + ms / mb);
  }
}

const rawSum = new Map<string, number>();
const appSum = new Map<string, number>();
let rawWall = 0;
let appWall = 0;
const files = await tempFiles();
const pair = await startPair();
try {
  const file = await files.make('split.bin', bytes);
  await openBoth(pair);
  const names = [pair.alice.name, pair.bob.name];
  for (let round = 0; round < rounds; round++) {
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
    rawWall += t1 - t0;
    add(rawSum, a, b, (k) => k.replace('raw-sender', 'sender').replace('raw-receiver', 'receiver'));
    a = snapshot(names);
    const r = await measureTransfer(pair, file, bytes);
    b = snapshot(names);
    appWall += r.acceptToVerifiedMs;
    add(appSum, a, b, (k) => k.replace(pair.alice.name, 'sender').replace(pair.bob.name, 'receiver'));
    console.log(`round ${round + 1}: raw ${(mb / ((t1 - t0) / 1000)).toFixed(2)} MB/s, app ${r.mbPerSecond.toFixed(2)} MB/s`);
  }
} finally {
  await pair.close();
  await files.dispose();
  await closeAllBrowsers();
}

console.log(`\nmean of ${rounds} round(s), ms of CPU per MB: raw (${((rounds * mb) / (rawWall / 1000)).toFixed(2)} MB/s) | app (${((rounds * mb) / (appWall / 1000)).toFixed(2)} MB/s) | app − raw`);
const keys = [...new Set([...rawSum.keys(), ...appSum.keys()])];
const rows = keys
  .map((k) => [k, (rawSum.get(k) ?? 0) / rounds, (appSum.get(k) ?? 0) / rounds] as const)
  .filter(([, r, a]) => r >= 0.5 || a >= 0.5)
  .sort((x, y) => y[2] - x[2]);
let rawTotal = 0;
let appTotal = 0;
for (const [k, r, a] of rows) {
  console.log(`${k.padEnd(48)} ${r.toFixed(1).padStart(6)} | ${a.toFixed(1).padStart(6)} | ${(a - r).toFixed(1).padStart(6)}`);
}
for (const v of rawSum.values()) rawTotal += v / rounds;
for (const v of appSum.values()) appTotal += v / rounds;
console.log(`${'total'.padEnd(48)} ${rawTotal.toFixed(1).padStart(6)} | ${appTotal.toFixed(1).padStart(6)} | ${(appTotal - rawTotal).toFixed(1).padStart(6)}   CPU ratio ${(rawTotal / appTotal).toFixed(3)}`);
