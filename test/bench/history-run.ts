// The history figures alone (search over BENCH_HISTORY stored messages, opening a conversation
// of that size): `node test/e2e/run-in-netns.mjs npx tsx test/bench/history-run.ts` after
// `npm run build:e2e`. `npm run bench` runs the same figures as one of its steps.
import { closeAllBrowsers, launchBrowser } from '../e2e/browsers';
import { register, startTestServer } from '../e2e/app-helpers';
import { benchLine } from './raw-datachannel';
import { historyFigures } from './history-bench';

const count = Number(process.env.BENCH_HISTORY ?? 100_000) || 100_000;
const t0 = Date.now();
const log = (m: string): void => console.error(`[bench +${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}`);

async function main(): Promise<void> {
  const srv = await startTestServer();
  try {
    const user = await launchBrowser('chromium', { name: 'history-bench', actionTimeoutMs: 120_000 });
    await register(user, srv.url, 'historian');
    for (const [name, value, unit] of await historyFigures(user, count, log)) console.log(benchLine(name, value, unit));
  } finally {
    await srv.dispose();
  }
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => closeAllBrowsers());
