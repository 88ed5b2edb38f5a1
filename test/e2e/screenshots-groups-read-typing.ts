// Renders a group conversation with "Read by" under alice's message and "bob is typing…" under
// the group's name to PNGs for a person to look at (not a test), and audits it (axe, light and
// dark):
//   npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx test/e2e/screenshots-groups-read-typing.ts [outDir] [en|zh-CN]
// Three Chromium processes (alice, bob, carol) in one real group, at 1280 px and 360 px.
import { mkdirSync } from 'node:fs';
import { closeAllBrowsers, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, startTestServer } from './app-helpers';
import { uiText, type UiLocale } from './ui-text';
import { escapeRe, pattern } from './page-queries';
import { auditScreen } from './a11y-audit';

const locale: UiLocale = process.argv[3] === 'zh-CN' ? 'zh-CN' : 'en';
const out = process.argv[2] ?? `/tmp/grouprt-shots-${locale}`;
const t = uiText(locale);
mkdirSync(out, { recursive: true });
const zh = locale === 'zh-CN';

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

const GROUP = zh ? '物理小组' : 'Physics study group';
const srv = await startTestServer();
try {
  const [alice, bob, carol] = (await Promise.all(['alice', 'bob', 'carol'].map((name) => launchBrowser('chromium', { name, locale })))) as [BrowserUser, BrowserUser, BrowserUser];
  for (const [u, name] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol']] as const) await register(u, srv.url, name);
  for (const u of [bob, carol]) await openConversation(u, 'alice');
  const gid = await alice.evaluate((name: string) => window.peerchatGroups!.actions.create(name, ['bob', 'carol']), GROUP);
  for (const u of [alice, bob, carol]) {
    await u.waitFor((id: string) => window.peerchatGroups?.groups().find((g) => g.id === id)?.members.length === 3, gid, 30_000);
    await u.clickWhere([{ role: 'list', name: t`Groups` }, { role: 'button', name: pattern(new RegExp(`^${escapeRe(GROUP)}`)) }]);
  }
  const hi = zh ? '大家好，我把实验数据放到共享文件夹了。' : 'Hi all, the lab data is in the shared folder.';
  const ok = zh ? '收到，谢谢！' : 'Got it, thanks!';
  await send(carol, ok);
  await bob.waitForText(ok, 30_000);
  await send(alice, hi);
  await alice.waitForText(zh ? '已读 2/2 人' : 'Read by 2 of 2', 30_000);
  await bob.fill(t.id('composer-label', 'Message'), zh ? '我周三' : 'I can do W');
  let keys = 0;
  const keepTyping = setInterval(() => void bob.press(keys++ % 2 ? 'Backspace' : 'x').catch(() => undefined), 1000);
  try {
    await alice.waitForText(zh ? 'bob 正在输入…' : 'bob is typing…', 30_000);
    await shootAll(alice, 'group-read-typing');
    await auditScreen(alice, `group read and typing (${locale})`);
    await alice.click(zh ? '已读 2/2 人' : 'Read by 2 of 2');
    await shootAll(alice, 'group-read-details');
    await auditScreen(alice, `group read details (${locale})`);
  } finally {
    clearInterval(keepTyping);
  }
  console.log(`screenshots in ${out}; audits passed`);
} finally {
  await closeAllBrowsers();
  await srv.dispose();
}
