// relay_two_instances_vs_one (`npm run bench`, or alone: `node test/e2e/run-in-netns.mjs npx tsx
// test/bench/cluster-bench.ts`): relayed `signal` frames per second between two instances sharing
// a real redis-server (every sender on one instance, every receiver on the other, so each frame
// crosses Redis pub/sub), divided by the same pairs on one instance alone, in the same run.
// Medians of BENCH_RELAY_RUNS (default 5) alternating rounds of BENCH_RELAY_FRAMES (default 40,000).
// Both setups run `contacts` presence and the raised rate limits of server-child.ts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '../../shared/limits';
import { REDIS_SERVER, RedisProcess } from '../server/redis-process';
import { benchLine } from './raw-datachannel';
import { closeAll, inBatches, isSnapshot, open, registerAccounts, relayRate, startChild, type Log, type Out, type Pair } from './server-bench';

/** `n` sender/receiver pairs: accounts registered on `regPort`, senders resumed on `fromPort`, receivers on `toPort`. */
async function pairsAcross(regPort: number, fromPort: number, toPort: number, prefix: string, n: number): Promise<Pair[]> {
  const tokens = await registerAccounts(regPort, prefix, 2 * n);
  const resume = (port: number, k: number) => open(port, { type: 'resume', v: PROTOCOL_VERSION, token: tokens[k] }, isSnapshot);
  return inBatches(n, n, async (i) => ({ sender: await resume(fromPort, 2 * i), receiver: await resume(toPort, 2 * i + 1), to: `${prefix}${2 * i + 1}`, sent: 0, received: 0 }));
}

export async function benchTwoInstances(out: Out, log: Log, runs: number, frames: number): Promise<void> {
  if (!fs.existsSync(REDIS_SERVER)) {
    log(`relay_two_instances_vs_one skipped: no ${REDIS_SERVER}`);
    return;
  }
  const nPairs = 8;
  const window = 8;
  const redis = await RedisProcess.start();
  const cluster = { url: redis.url, prefix: 'bench:' };
  const one = await startChild({ kind: 'peerchat', presence: 'contacts' });
  const a = await startChild({ kind: 'peerchat', presence: 'contacts', redis: { ...cluster, instanceId: 'a' } });
  const b = await startChild({ kind: 'peerchat', presence: 'contacts', redis: { ...cluster, instanceId: 'b' } });
  try {
    const onePairs = await pairsAcross(one.port, one.port, one.port, 'single', nPairs);
    const twoPairs = await pairsAcross(a.port, a.port, b.port, 'cross', nPairs);
    const perPair = Math.ceil(frames / nPairs);
    await relayRate(onePairs, Math.ceil(perPair / 4), window);
    await relayRate(twoPairs, Math.ceil(perPair / 4), window);
    const ratios: number[] = [];
    const twoRates: number[] = [];
    for (let i = 0; i < runs; i++) {
      const single = await relayRate(onePairs, perPair, window);
      const two = await relayRate(twoPairs, perPair, window);
      ratios.push(two / single);
      twoRates.push(two);
      log(`two-instance relay run ${i + 1}/${runs}: one instance ${single.toFixed(0)} frames/s, across two via Redis ${two.toFixed(0)} frames/s`);
    }
    await closeAll([...onePairs, ...twoPairs].flatMap((p) => [p.sender, p.receiver]));
    const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
    out('relay_two_instances_frames_s', med(twoRates), 'frames/s');
    out('relay_two_instances_vs_one', med(ratios), 'ratio');
  } finally {
    await Promise.all([one.stop(), a.stop(), b.stop()]);
    await redis.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const t0 = Date.now();
  const log: Log = (msg) => console.error(`[cluster bench +${((Date.now() - t0) / 1000).toFixed(1)} s] ${msg}`);
  const envInt = (name: string, fallback: number): number => {
    const v = Number(process.env[name]);
    return Number.isInteger(v) && v > 0 ? v : fallback;
  };
  benchTwoInstances((name, value, unit) => console.log(benchLine(name, value, unit)), log, envInt('BENCH_RELAY_RUNS', 5), envInt('BENCH_RELAY_FRAMES', 40_000)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
