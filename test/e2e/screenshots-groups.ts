// Renders the group screens to PNGs for a person to look at (not a test), at 1280 and 360 px,
// light and dark, in English or Simplified Chinese:
//   npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx test/e2e/screenshots-groups.ts [outDir] [en|zh-CN]
// The groups come from the in-memory stand-in of test/e2e/group-fake.ts (one browser, no peers).
import { mkdirSync } from 'node:fs';
import { closeAllBrowsers, launchBrowser, type BrowserUser } from './browsers';
import { register, startTestServer } from './app-helpers';
import { installFakeGroups } from './group-fake';
import { HIKE, SETUP } from './group-fake-setup';
import { pattern } from './page-queries';
import { uiText, type UiLocale } from './ui-text';

const locale: UiLocale = process.argv[3] === 'zh-CN' ? 'zh-CN' : 'en';
const out = process.argv[2] ?? (locale === 'en' ? 'test-results/screens-groups' : 'test-results/screens-groups-zh-CN');
const t = uiText(locale);
/** A group's row in the list, by the start of its accessible name. */
const row = (name: string) => [{ role: 'list' as const, name: t`Groups` }, { role: 'button' as const, name: pattern(new RegExp(`^${name}`)) }];

/** `name` at 1280 px and 360 px wide, light and dark, then back to 1280 px light. */
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
const srv = await startTestServer();
try {
  const u = await launchBrowser('chromium', { name: 'alice', locale });
  await register(u, srv.url, 'alice');
  await installFakeGroups(u, SETUP);
  await u.waitForText('Weekend hike', 10_000);
  await shootAll(u, 'groups-list');

  await u.click(t`New group`);
  await u.waitForRole('dialog', t`New group`);
  await u.fill(t`Group name`, locale === 'en' ? 'Board games on Friday' : '周五桌游');
  await u.click('bob', { role: 'checkbox' });
  await u.click('carol', { role: 'checkbox' });
  await u.fill(t`Add by exact username`, 'not a name!');
  await u.click(t`Add`);
  await shootAll(u, 'group-new');
  await u.press('Escape');

  await u.clickWhere(row('Weekend hike'));
  await u.waitForText('Count me in', 10_000);
  await u.evaluate((id: string) => (window as unknown as { __groupFake: { arrive(id: string, f: string, t: string, a: number): Promise<void> } }).__groupFake.arrive(id, 'dave', 'Sorry, my phone was off — I will be there too!', 150), HIKE);
  await u.waitForText('my phone was off', 10_000);
  await u.click(t`Delivered to ${'2'} of ${'4'}`);
  await shootAll(u, 'group-conversation');

  await u.click(t`Group info: ${'Weekend hike'}`);
  await u.waitForRole('dialog', 'Weekend hike');
  await shootAll(u, 'group-info-admin');
  await u.click(t`Remove ${'carol'}`);
  await u.waitForRole('dialog', t`Remove ${'carol'} from ${'Weekend hike'}?`);
  await shootAll(u, 'group-remove-confirm');
  await u.press('Escape');
  await u.press('Escape');

  await u.clickWhere(row('Family'));
  await u.waitForText('Dinner on Sunday', 10_000);
  await u.click(t`Group info: ${'Family'}`);
  await u.waitForRole('dialog', 'Family');
  await shootAll(u, 'group-info-member');
  await u.press('Escape');

  await u.clickWhere(row('Book club'));
  await u.waitForText(t`${'bob'} removed you.`, 10_000);
  await shootAll(u, 'group-removed');
} finally {
  await closeAllBrowsers();
  await srv.dispose().catch(() => undefined);
}
