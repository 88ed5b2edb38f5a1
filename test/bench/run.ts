// `npm run bench` (after `npm run build`, inside a loopback-only network namespace): prints one
// JSON object per line, {"name": …, "value": …, "unit": …}. Not part of `npm test`.
//
// Now: the raw RTCDataChannel baseline (raw-datachannel.ts). After the file transfer is wired
// into the app (issue 4), the same run adds transfer_mb_s (256 MiB through the app's real path:
// seal, hash, OPFS), transfer_vs_raw, receiver_peak_heap_mb (1 GiB) and connect_ms, measured in
// the same run as the baseline so the ratio compares like with like.
//
// Options (env): BENCH_MIB (default 256), BENCH_RUNS (default 1).

import { closeAllBrowsers } from '../e2e/browsers';
import { benchLine, measureRaw } from './raw-datachannel';

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

async function main(): Promise<void> {
  const mib = envNumber('BENCH_MIB', 256);
  const runs = envNumber('BENCH_RUNS', 1);
  const raw = await measureRaw({
    bytes: mib * 1024 * 1024,
    runs,
    onRun: (mbs, i) => console.error(`raw run ${i + 1}/${runs}: ${mbs.toFixed(2)} MB/s`),
  });
  console.log(benchLine('raw_mb_s', raw.mbPerSecond, 'MB/s'));
  console.log(benchLine('raw_connect_ms', raw.connectMs, 'ms'));
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => closeAllBrowsers());
