// `npm run bench` (after `npm run build:e2e`, inside a loopback-only network namespace): prints one
// JSON object per line, {"name": …, "value": …, "unit": …}. Not part of `npm test`. Progress and
// per-run figures go to stderr. See test/bench/README.md for what each figure means.
//
//   1. connect_ms: click on the contact → "end-to-end encrypted" in the real app (app-bench.ts).
//   2. raw_mb_s: the raw RTCDataChannel baseline (raw-datachannel.ts), BENCH_MIB, interleaved with
//      transfer_mb_s: BENCH_MIB of random bytes through the app's real path (Attach file → Accept
//      → Verified); transfer_vs_raw = transfer_mb_s / raw_mb_s from this same run.
//      sealed_raw_mb_s: the raw channel plus only the app's per-chunk crypto (XChaCha20-Poly1305
//      + BLAKE2b both sides), same run: the ceiling any sealed + hashed transfer can reach here.
//   3. receiver_peak_heap_mb: the receiver's JS heap during a BENCH_GIB_MIB transfer.
//   0. First, the server benchmarks (server-bench.ts): server_conn_kb, relay_vs_bare_ws and
//      presence_login_ms_open/_contacts, each beside a bare `ws` server in the same run; then
//      relay_two_instances_vs_one (cluster-bench.ts: two instances on a real redis-server ÷ one).
//
// Options (env): BENCH_MIB (default 256), BENCH_GIB_MIB (default 1024; 0 skips step 4),
// BENCH_RUNS (default 3: medians; the machine's speed drifts between runs), BENCH_CONNECT_RUNS (default 5), BENCH_RAW_256K
// (default 1; 0 skips the second raw baseline with 256 KiB messages), BENCH_SEALED (default 1; 0 skips
// the sealed ceiling), BENCH_MESSAGES (default 200; 0 skips the message latency), BENCH_SERVER
// (default 1; 0 skips the server benchmarks), BENCH_APP (default 1; 0 runs the server ones only),
// and server-bench.ts's own (BENCH_CONNS, BENCH_RELAY_FRAMES, BENCH_RELAY_RUNS, BENCH_LOGINS).
//
// Run: npm run build:e2e   (once)   then   node test/e2e/run-in-netns.mjs npx tsx test/bench/run.ts

import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { closeAllBrowsers } from '../e2e/browsers';
import { browserCpuMs, freeBytes, measureConnect, measureTransfer, median, MiB, openBoth, startPair, tempFiles, type AppPair, type TempFiles } from './app-bench';
import { benchLine, measureRaw } from './raw-datachannel';
import { messageLatencyFigures } from './message-latency';
import { runServerBenches } from './server-bench';
import { benchTwoInstances } from './cluster-bench';

function envNumber(name: string, fallback: number, allowZero = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  return Number.isFinite(v) && (v > 0 || (allowZero && v === 0)) ? v : fallback;
}

const t0 = Date.now();
const log = (msg: string): void => console.error(`[bench +${((Date.now() - t0) / 1000).toFixed(1)} s] ${msg}`);
const out = (name: string, value: number, unit: string): void => console.log(benchLine(name, value, unit));

async function main(): Promise<void> {
  if (envNumber('BENCH_SERVER', 1, true) !== 0) {
    const phase = Date.now();
    await runServerBenches(out, log);
    await benchTwoInstances(out, log, envNumber('BENCH_RELAY_RUNS', 5), envNumber('BENCH_RELAY_FRAMES', 40_000));
    log(`server benchmarks took ${((Date.now() - phase) / 1000).toFixed(1)} s`);
  }
  if (envNumber('BENCH_APP', 1, true) === 0) return;
  const mib = envNumber('BENCH_MIB', 256);
  const bigMib = envNumber('BENCH_GIB_MIB', 1024, true);
  const runs = Math.round(envNumber('BENCH_RUNS', 3));
  const connectRuns = Math.round(envNumber('BENCH_CONNECT_RUNS', 5));
  // The raw baseline again with 256 KiB messages (the app's chunk size for large files); on this
  // machine message size changes the raw rate (64 KiB ≈ 0.8 × 256 KiB), unlike on the first machine these figures were taken on.
  const raw256 = envNumber('BENCH_RAW_256K', 1, true) !== 0;
  const sealedCeiling = envNumber('BENCH_SEALED', 1, true) !== 0;
  const messages = Math.round(envNumber('BENCH_MESSAGES', 200, true));

  // Disk: the source file, the receiver's OPFS copy and (Chromium keeps the File the sender's
  // IndexedDB stores for resume) possibly a sender-side copy, for the largest file; plus slack.
  const largest = Math.max(mib, bigMib) * MiB;
  const need = (mib + bigMib) * MiB + 2 * largest + 2 * 1024 * MiB;
  const free = await freeBytes();
  if (free < need) {
    throw new Error(`not enough free disk in ${tmpdir()}: ${(free / 2 ** 30).toFixed(1)} GiB free, ${(need / 2 ** 30).toFixed(1)} GiB needed (lower BENCH_GIB_MIB)`);
  }
  log(`free disk ${(free / 2 ** 30).toFixed(1)} GiB; BENCH_MIB=${mib} BENCH_GIB_MIB=${bigMib} BENCH_RUNS=${runs}`);

  let files: TempFiles | null = null;
  let pair: AppPair | null = null;
  try {
    let phase = Date.now();
    files = await tempFiles();
    const small = await files.make(`bench-${mib}MiB.bin`, mib * MiB);
    log(`generated ${mib} MiB in ${((Date.now() - phase) / 1000).toFixed(1)} s`);

    // 1. connect_ms
    phase = Date.now();
    pair = await startPair();
    log(`server + 2 browsers + register: ${((Date.now() - phase) / 1000).toFixed(1)} s`);
    phase = Date.now();
    const connects = await measureConnect(pair, connectRuns, (ms, i) => log(`connect ${i + 1}/${connectRuns}: ${ms.toFixed(0)} ms`));
    out('connect_ms', median(connects), 'ms');
    log(`connect_ms took ${((Date.now() - phase) / 1000).toFixed(1)} s`);
    await openBoth(pair);

    // 1b. message latency: Send in alice's page → text shown in bob's, beside a bare data channel
    // between the same two pages in the same run (message-latency.ts).
    if (messages > 0) {
      phase = Date.now();
      for (const [name, value, unit] of await messageLatencyFigures(pair, messages, log)) out(name, value, unit);
      log(`message latency (${messages} messages) took ${((Date.now() - phase) / 1000).toFixed(1)} s`);
    }

    // 2. raw baseline and app transfer, interleaved (raw i right before transfer i): this machine's
    // load changes by the minute, so adjacent runs make the ratio comparable. The raw baseline runs
    // in its own two browsers while the app's two sit idle.
    const raws: number[] = [];
    const raws256: number[] = [];
    const sealedRaws: number[] = [];
    const rawCpu: number[] = [];
    const cpu: number[] = [];
    const rawConnects: number[] = [];
    const rates: number[] = [];
    const chunkRates: number[] = [];
    const offerMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      phase = Date.now();
      let c0 = 0;
      let c1 = 0;
      const rawNames = ['raw-sender', 'raw-receiver'];
      const raw = await measureRaw({
        bytes: mib * MiB,
        runs: 1,
        onStart: () => (c0 = browserCpuMs(rawNames)),
        onEnd: () => (c1 = browserCpuMs(rawNames)),
      });
      raws.push(raw.mbPerSecond);
      rawCpu.push((c1 - c0) / ((mib * MiB) / 1e6));
      rawConnects.push(raw.connectMs);
      log(`raw run ${i + 1}/${runs} (64 KiB): ${raw.mbPerSecond.toFixed(2)} MB/s; wall ${((Date.now() - phase) / 1000).toFixed(1)} s`);
      if (raw256) {
        phase = Date.now();
        const r256 = await measureRaw({ bytes: mib * MiB, runs: 1, chunkSize: 256 * 1024 });
        raws256.push(r256.mbPerSecond);
        log(`raw run ${i + 1}/${runs} (256 KiB): ${r256.mbPerSecond.toFixed(2)} MB/s; wall ${((Date.now() - phase) / 1000).toFixed(1)} s`);
      }
      if (sealedCeiling) {
        phase = Date.now();
        const sealed = await measureRaw({ bytes: mib * MiB, runs: 1, mode: 'sealed' });
        sealedRaws.push(sealed.mbPerSecond);
        log(`sealed raw run ${i + 1}/${runs}: ${sealed.mbPerSecond.toFixed(2)} MB/s (${(sealed.mbPerSecond / raw.mbPerSecond).toFixed(2)} × raw); wall ${((Date.now() - phase) / 1000).toFixed(1)} s`);
      }
      phase = Date.now();
      const r = await measureTransfer(pair, small, mib * MiB, { onProgress: (p) => log(`  ${mib} MiB: ${p} %`) });
      rates.push(r.mbPerSecond);
      chunkRates.push(r.chunkMbPerSecond);
      offerMs.push(r.offerToVerifiedMs);
      cpu.push(r.cpuMsPerMb);
      log(
        `transfer ${i + 1}/${runs}: ${r.mbPerSecond.toFixed(2)} MB/s accept→verified (${(r.acceptToVerifiedMs / 1000).toFixed(1)} s), `
          + `${r.chunkMbPerSecond.toFixed(2)} MB/s first→last chunk, tail ${r.tailMs.toFixed(0)} ms, ${r.chunks} chunks; `
          + `ratio ${(r.mbPerSecond / raw.mbPerSecond).toFixed(2)}; CPU ${r.cpuMsPerMb.toFixed(0)} ms/MB vs raw ${(rawCpu[i] ?? NaN).toFixed(0)}; wall ${((Date.now() - phase) / 1000).toFixed(1)} s`,
      );
    }
    const rawMbs = median(raws);
    const transfer = median(rates);
    out('raw_mb_s', rawMbs, 'MB/s');
    out('raw_connect_ms', median(rawConnects), 'ms');
    out('transfer_mb_s', transfer, 'MB/s');
    out('transfer_chunks_mb_s', median(chunkRates), 'MB/s');
    out('transfer_offer_to_verified_ms', median(offerMs), 'ms');
    out('transfer_vs_raw', transfer / rawMbs, 'ratio');
    out('raw_cpu_ms_per_mb', median(rawCpu), 'ms/MB');
    out('transfer_cpu_ms_per_mb', median(cpu), 'ms/MB');
    out('transfer_vs_raw_cpu', median(rawCpu) / median(cpu), 'ratio');
    if (raw256) {
      out('raw_256k_mb_s', median(raws256), 'MB/s');
      out('transfer_vs_raw_256k', transfer / median(raws256), 'ratio');
    }
    if (sealedCeiling) {
      out('sealed_raw_mb_s', median(sealedRaws), 'MB/s');
      out('sealed_raw_vs_raw', median(sealedRaws) / rawMbs, 'ratio');
      out('transfer_vs_sealed_raw', transfer / median(sealedRaws), 'ratio');
    }
    await rm(small, { force: true });

    // 3. receiver heap for the big file
    if (bigMib > 0) {
      phase = Date.now();
      const big = await files.make(`bench-${bigMib}MiB.bin`, bigMib * MiB);
      log(`generated ${bigMib} MiB in ${((Date.now() - phase) / 1000).toFixed(1)} s`);
      phase = Date.now();
      const r = await measureTransfer(pair, big, bigMib * MiB, { heap: true, onProgress: (p) => log(`  ${bigMib} MiB: ${p} %`) });
      log(
        `${bigMib} MiB: ${r.mbPerSecond.toFixed(2)} MB/s, heap ${r.heapBaselineMb?.toFixed(1)} → peak ${r.heapPeakMb?.toFixed(1)} MB, `
          + `heap+buffers ${r.heapAllBaselineMb?.toFixed(1)} → ${r.heapAllPeakMb?.toFixed(1)} MB, renderer RSS ${r.rssBaselineMb?.toFixed(0)} → ${r.rssPeakMb?.toFixed(0)} MB; `
          + `wall ${((Date.now() - phase) / 1000).toFixed(1)} s`,
      );
      out('receiver_peak_heap_mb', r.heapPeakMb ?? NaN, 'MB');
      out('receiver_peak_heap_mb_baseline', r.heapBaselineMb ?? NaN, 'MB');
      out('receiver_peak_heap_all_mb', r.heapAllPeakMb ?? NaN, 'MB');
      out('receiver_peak_heap_all_mb_baseline', r.heapAllBaselineMb ?? NaN, 'MB');
      out('receiver_peak_rss_mb', r.rssPeakMb ?? NaN, 'MB');
      out('receiver_peak_rss_mb_baseline', r.rssBaselineMb ?? NaN, 'MB');
      out('transfer_big_mb_s', r.mbPerSecond, 'MB/s');
      await rm(big, { force: true });
    }
  } finally {
    await pair?.close();
    await files?.dispose();
    log('done');
  }
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => closeAllBrowsers());
