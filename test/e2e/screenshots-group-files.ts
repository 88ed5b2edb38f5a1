// Renders a group conversation with an image and a file card to PNGs for a person to look at (not
// a test): alice (English) creates a group with bob and sends a photo and a file through the
// composer; bob's screen, in English or Simplified Chinese, is shot at 1280 and 360 px, light and
// dark, with the file waiting for his Accept and again once accepted, and audited with axe-core.
//   npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx test/e2e/screenshots-group-files.ts [outDir] [en|zh-CN]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeAllBrowsers, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, startTestServer, ui } from './app-helpers';
import { clickInCard, pngFile, randomFile, waitForCard } from './file-helpers';
import { auditScreen } from './a11y-audit';
import { pattern } from './page-queries';
import type { UiLocale } from './ui-text';

const locale: UiLocale = process.argv[3] === 'zh-CN' ? 'zh-CN' : 'en';
const out = process.argv[2] ?? (locale === 'en' ? 'test-results/screens-group-files' : 'test-results/screens-group-files-zh-CN');

async function shootAll(u: BrowserUser, name: string): Promise<void> {
  if (u.raw.kind !== 'chromium') return;
  const page = u.raw.page;
  for (const [size, viewport] of [['wide', { width: 1280, height: 800 }], ['phone', { width: 360, height: 740 }]] as const) {
    await page.setViewportSize(viewport);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await u.screenshot(`${out}/${size}-${name}${scheme === 'dark' ? '-dark' : ''}.png`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

mkdirSync(out, { recursive: true });
const dir = mkdtempSync(path.join(tmpdir(), 'peerchat-group-shots-'));
const srv = await startTestServer();
try {
  const [alice, bob] = await Promise.all([launchBrowser('chromium', { name: 'alice' }), launchBrowser('chromium', { name: 'bob', locale })]);
  await register(alice, srv.url, 'alice');
  await register(bob, srv.url, 'bob');
  await openConversation(bob, 'alice');
  await alice.click('New group');
  await alice.fill('Group name', 'Weekend hike');
  await alice.click('bob', { role: 'checkbox', timeoutMs: 15_000 });
  await alice.click('Create group');
  await alice.waitForRole('heading', 'Weekend hike', { timeoutMs: 10_000 });
  const t = ui(bob);
  await bob.clickWhere([{ role: 'list', name: t`Groups` }, { role: 'button', name: pattern(/^Weekend hike/) }], { timeoutMs: 20_000 });
  await send(bob, locale === 'en' ? 'I can bring the tent' : '我可以带帐篷');
  await alice.setFiles('Attach file', [pngFile(path.join(dir, 'summit.png'), 480, 320)]);
  await alice.setFiles('Attach file', [randomFile(path.join(dir, 'route-plan.gpx'), 180 * 1024)]);
  await waitForCard(bob, 'summit.png', (c) => c.state === 'done', 30_000);
  await waitForCard(bob, 'route-plan.gpx', (c) => c.state === 'offered', 30_000);
  await shootAll(bob, 'group-files-offered');
  await auditScreen(bob, `group conversation with an image and a file card (${locale})`);
  await clickInCard(bob, 'route-plan.gpx', 'Accept');
  await waitForCard(bob, 'route-plan.gpx', (c) => c.state === 'done', 30_000);
  await shootAll(bob, 'group-files-done');
  await auditScreen(bob, `group conversation with a received file (${locale})`);
  await shootAll(alice, 'group-files-sender');
  console.log(`screens written to ${out}; axe-core and touch targets passed`);
} finally {
  await closeAllBrowsers();
  await srv.dispose().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
