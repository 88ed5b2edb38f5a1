// Profiles a file transfer through the real app (CPU profiles of sender and receiver, via CDP)
// and prints the functions with the most self time. A tool for finding the hot path, not a test:
//   npm run build && node test/e2e/run-in-netns.mjs npx tsx test/bench/profile-transfer.ts [MiB]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeAllBrowsers, launchBrowser, type BrowserUser } from '../e2e/browsers';
import { openConversation, register, startTestServer } from '../e2e/app-helpers';
import { clickInCard, randomFile, waitForCard } from '../e2e/file-helpers';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }

const mib = Number(process.argv[2] ?? 64);
const srv = await startTestServer();
const dir = await mkdtemp(path.join(tmpdir(), 'pc-prof-'));
try {
  const alice = await launchBrowser('chromium', { name: 'alice' });
  const bob = await launchBrowser('chromium', { name: 'bob' });
  await register(alice, srv.url, 'alice');
  await register(bob, srv.url, 'bob');
  await openConversation(alice, 'bob');
  await openConversation(bob, 'alice');
  await alice.waitForText('end-to-end encrypted', 20_000);
  const file = randomFile(path.join(dir, 'big.bin'), mib * 1024 * 1024);
  const cdp = async (u: BrowserUser) => {
    if (u.raw.kind !== 'chromium') throw new Error('chromium only');
    const s = await u.raw.context.newCDPSession(u.raw.page);
    await s.send('Profiler.enable');
    await s.send('Profiler.setSamplingInterval', { interval: 200 });
    return s;
  };
  const [sa, sb] = await Promise.all([cdp(alice), cdp(bob)]);
  await alice.setFiles('Attach file', [file]);
  await waitForCard(bob, 'big.bin', (c) => /Accept/.test(c.text), 30_000);
  await Promise.all([sa.send('Profiler.start'), sb.send('Profiler.start')]);
  const t0 = Date.now();
  await clickInCard(bob, 'big.bin', 'Accept');
  await waitForCard(bob, 'big.bin', (c) => /Verified/.test(c.text), 600_000);
  const secs = (Date.now() - t0) / 1000;
  console.log(`${mib} MiB in ${secs.toFixed(1)} s = ${((mib * 1.048576) / secs).toFixed(2)} MB/s`);
  for (const [name, s] of [['sender', sa], ['receiver', sb]] as const) {
    const { profile } = (await s.send('Profiler.stop')) as unknown as { profile: { nodes: Node[]; samples: number[] } };
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (const id of profile.samples) {
      const n = byId.get(id);
      if (!n) continue;
      const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + 1);
    }
    const total = profile.samples.length;
    console.log(`--- ${name}: top self time (of ${total} samples)`);
    for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 18)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
} finally {
  await closeAllBrowsers();
  await srv.dispose();
  await rm(dir, { recursive: true, force: true });
}
