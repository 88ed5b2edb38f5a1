// Renders the message actions to PNGs for a person to look at (not a test), and audits them:
//   npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx test/e2e/screenshots-actions.ts [outDir] [en|zh-CN]
// A conversation with a reply, reactions, an edited and a deleted message, with the menu closed
// and open, at 1280 px and 360 px, light and dark; axe (auditScreen) with the menu closed and open.
import { mkdirSync } from 'node:fs';
import { closeAllBrowsers, launchBrowser, type BrowserUser, type Step } from './browsers';
import { messageListName, openConversation, register, send, startTestServer, waitForMessage } from './app-helpers';
import { uiText, type UiLocale } from './ui-text';
import { escapeRe, pattern } from './page-queries';
import { auditScreen } from './a11y-audit';

const locale: UiLocale = process.argv[3] === 'zh-CN' ? 'zh-CN' : 'en';
const out = process.argv[2] ?? `/tmp/actions-shots-${locale}`;
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

function item(u: BrowserUser, text: string, unless?: string): Step[] {
  const re = unless ? `^(?![\\s\\S]*${escapeRe(unless)})[\\s\\S]*${escapeRe(text)}` : escapeRe(text);
  return [{ role: 'list', name: messageListName(u) }, { role: 'listitem', text: pattern(new RegExp(re)) }];
}

async function choose(u: BrowserUser, text: string, choice: string, unless?: string): Promise<void> {
  await u.clickWhere([...item(u, text, unless), { role: 'button', name: t`Message actions` }]);
  await u.click(choice);
}

const srv = await startTestServer();
try {
  const [alice, bob] = await Promise.all([launchBrowser('chromium', { name: 'alice', locale }), launchBrowser('chromium', { name: 'bob', locale })]);
  await register(alice, srv.url, 'alice');
  await register(bob, srv.url, 'bob');
  await openConversation(alice, 'bob');
  await openConversation(bob, 'alice');
  const first = locale === 'zh-CN' ? '明天下午三点在图书馆见？' : 'Shall we meet at the library at 3 tomorrow?';
  const reply = locale === 'zh-CN' ? '好的，我会带上笔记。' : 'Yes! I will bring the notes.';
  const typo = locale === 'zh-CN' ? '别忘了带计算器' : 'Dont forget the calculater';
  const fixed = locale === 'zh-CN' ? '别忘了带计算器和尺子' : "Don't forget the calculator";
  const oops = locale === 'zh-CN' ? '发错了，这条不是给你的' : 'Oops, wrong chat';
  await send(alice, first);
  await waitForMessage(bob, first, 'received', 30_000);
  await choose(bob, first, t`Reply`);
  await send(bob, reply);
  await waitForMessage(alice, reply, 'received');
  await choose(alice, reply, '❤️');
  await choose(bob, reply, '👍');
  await send(alice, typo);
  await waitForMessage(bob, typo, 'received');
  await choose(alice, typo, t`Edit`);
  await send(alice, fixed);
  await waitForMessage(bob, fixed, 'received');
  await send(alice, oops);
  await waitForMessage(bob, oops, 'received');
  await choose(alice, oops, t`Delete for everyone…`);
  await alice.click(t`Delete for everyone`);
  await bob.waitForText(t`This message was deleted`);
  await alice.waitForText(t`This message was deleted`);
  await new Promise((r) => setTimeout(r, 500)); // let the last frames settle for the picture
  await shootAll(alice, 'actions');
  await shootAll(bob, 'actions-bob');
  await auditScreen(alice, `message actions, menu closed (${locale})`);
  await alice.clickWhere([...item(alice, reply), { role: 'button', name: t`Message actions` }]);
  await shootAll(alice, 'actions-menu');
  await auditScreen(alice, `message actions, menu open (${locale})`);
  await alice.press('Escape');
  // My own message: Edit and Delete for everyone too, then the confirmation.
  await alice.clickWhere([...item(alice, fixed), { role: 'button', name: t`Message actions` }]);
  await shootAll(alice, 'actions-menu-own');
  await alice.click(t`Delete for everyone…`);
  await shootAll(alice, 'actions-menu-confirm');
  await auditScreen(alice, `message actions, recall confirmation (${locale})`);
  await alice.press('Escape');
  await choose(alice, reply, t`Reply`);
  await shootAll(alice, 'actions-replying');
  console.log(`screenshots in ${out}; audits passed`);
} finally {
  await closeAllBrowsers();
  await srv.dispose();
}
