// Renders a group conversation with a reply, reactions, an edited and a deleted message to PNGs
// for a person to look at (not a test), and audits it (axe, light and dark; touch targets):
//   npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx test/e2e/screenshots-group-actions.ts [outDir] [en|zh-CN]
// Three Chromium processes (alice, bob, carol) in one real group; every action through the
// message menu of the group conversation, at 1280 px and 360 px, light and dark.
import { mkdirSync } from 'node:fs';
import { closeAllBrowsers, launchBrowser, type BrowserUser, type Step } from './browsers';
import { openConversation, register, send, startTestServer } from './app-helpers';
import { uiText, type UiLocale } from './ui-text';
import { escapeRe, pattern } from './page-queries';
import { auditScreen } from './a11y-audit';

const locale: UiLocale = process.argv[3] === 'zh-CN' ? 'zh-CN' : 'en';
const out = process.argv[2] ?? `/tmp/group-actions-shots-${locale}`;
const t = uiText(locale);
mkdirSync(out, { recursive: true });

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

const GROUP = locale === 'zh-CN' ? '物理小组' : 'Physics study group';

function item(u: BrowserUser, text: string): Step[] {
  return [{ role: 'list', name: pattern(new RegExp(escapeRe(GROUP))) }, { role: 'listitem', text: pattern(new RegExp(escapeRe(text))) }];
}

async function choose(u: BrowserUser, text: string, choice: string): Promise<void> {
  await u.clickWhere([...item(u, text), { role: 'button', name: t`Message actions` }]);
  await u.click(choice);
}

async function waitText(u: BrowserUser, text: string): Promise<void> {
  await u.waitForText(text, 30_000);
}

const srv = await startTestServer();
try {
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => launchBrowser('chromium', { name, locale })));
  for (const [u, name] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol']] as const) await register(u!, srv.url, name);
  for (const u of [bob!, carol!]) await openConversation(u, 'alice');
  const gid = await alice!.evaluate((name: string) => window.peerchatGroups!.actions.create(name, ['bob', 'carol']), GROUP);
  for (const u of [alice!, bob!, carol!]) {
    await u.waitFor((id: string) => window.peerchatGroups?.groups().find((g) => g.id === id)?.members.length === 3, gid, 30_000);
    await u.clickWhere([{ role: 'list', name: t`Groups` }, { role: 'button', name: pattern(new RegExp(`^${escapeRe(GROUP)}`)) }]);
  }
  const q = locale === 'zh-CN' ? '周四的实验报告谁来写？' : 'Who writes up the lab report on Thursday?';
  const a = locale === 'zh-CN' ? '我来写，周三晚上发给大家。' : 'I will, and send it round on Wednesday night.';
  const typo = locale === 'zh-CN' ? '数据在共想文件夹里' : 'The data is in the shred folder';
  const fixed = locale === 'zh-CN' ? '数据在共享文件夹里' : 'The data is in the shared folder';
  const oops = locale === 'zh-CN' ? '发错群了' : 'Oops, wrong group';
  await send(bob!, q);
  await waitText(alice!, q);
  await choose(alice!, q, t`Reply`);
  await send(alice!, a);
  await waitText(carol!, a);
  await choose(carol!, a, '👍');
  await waitText(bob!, a);
  await choose(bob!, a, '❤️');
  await send(bob!, typo);
  await waitText(alice!, typo);
  await choose(bob!, typo, t`Edit`);
  await send(bob!, fixed);
  await waitText(alice!, fixed);
  await send(carol!, oops);
  await waitText(alice!, oops);
  await choose(carol!, oops, t`Delete for everyone…`);
  await carol!.click(t`Delete for everyone`);
  await alice!.waitForText(t`This message was deleted`, 30_000);
  await shootAll(alice!, 'group-actions');
  await auditScreen(alice!, `group message actions (${locale})`);
  await alice!.clickWhere([...item(alice!, fixed), { role: 'button', name: t`Message actions` }]);
  await shootAll(alice!, 'group-actions-menu');
  await auditScreen(alice!, `group message actions, menu open (${locale})`);
  console.log(`screenshots in ${out}; audits passed`);
} finally {
  await closeAllBrowsers();
  await srv.dispose();
}
