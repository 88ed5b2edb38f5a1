// Renders the main screens to PNGs for a person to look at (not a test):
//   npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx test/e2e/screenshots.ts [outDir] [en|zh-CN]
// With zh-CN, every browser runs in Simplified Chinese (default outDir test-results/screens-zh-CN).
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { closeAllBrowsers, launchBrowser, type BrowserUser } from './browsers';
import { PASSWORD, openConversation, register, send, sentenceRe, startTestServer, waitForMessage } from './app-helpers';
import { randomFile, waitForCard, clickInCard } from './file-helpers';
import { uiText, type UiLocale } from './ui-text';
import { pattern } from './page-queries';

const locale: UiLocale = process.argv[3] === 'zh-CN' ? 'zh-CN' : 'en';
const out = process.argv[2] ?? (locale === 'en' ? 'test-results/screens' : 'test-results/screens-zh-CN');
const t = uiText(locale);
const zh = locale === 'zh-CN';
/** Any text, in a sentence pattern (see sentenceRe). */
const ANY = '\uE000';
/** A row name of the contact list: its parts joined as the app joins them. */
const row = (...parts: string[]): string => parts.join(t.id('part-separator', ', '));

/** `name` at 1280 px and 360 px wide, light and dark (Chromium only), then back to how it was. */
async function shootAll(u: BrowserUser, name: string): Promise<void> {
  if (u.raw.kind !== 'chromium') return;
  const page = u.raw.page;
  const was = page.viewportSize();
  for (const [size, viewport] of [['wide', { width: 1280, height: 800 }], ['phone', { width: 360, height: 740 }]] as const) {
    await page.setViewportSize(viewport);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await u.screenshot(`${out}/${size}-${name}${scheme === 'dark' ? '-dark' : ''}.png`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (was) await page.setViewportSize(was);
}

/**
 * The devices screens: a second browser of alice's waiting to be approved (its code, with "The
 * codes match" / "They differ", and after the person confirmed there), the
 * approve dialog on alice's first browser, the devices screen, and the unlink confirmation.
 */
async function devicesScreens(first: BrowserUser): Promise<void> {
  const second = await launchBrowser('chromium', { name: 'second', locale });
  await second.goto(srv.url);
  await second.fill(t`Username`, 'alice');
  await second.fill(t`Password`, PASSWORD);
  await second.click(t`Log in`);
  const joining = t`New device: ${'Chromium on Linux'} wants to join`;
  await second.waitForRole('dialog', joining).catch(() => undefined);
  await first.waitForRole('dialog', joining, { timeoutMs: 15_000 });
  await second.waitForText(t`One of your devices answered. Does it show this same code?`, 15_000);
  await shootAll(second, 'link-pending-code');
  await shootAll(first, 'link-approve');
  await second.click(t`I lost all my devices: start over with a new key`);
  await shootAll(second, 'link-pending-start-over');
  await second.click(t.id('start-over-cancel', 'Cancel'));
  await second.click(t`The codes match`);
  await second.waitForText(t`Now approve this device on your other device.`, 5_000);
  await shootAll(second, 'link-pending-confirmed');
  await first.click(t`Approve`);
  await second.waitForText(new RegExp(`${t`Signed in as `.trim()}\\s*alice`), 15_000);
  await first.click(t`Devices`);
  await first.waitForText(t`Online now`, 15_000);
  await shootAll(first, 'devices');
  await first.clickWhere([{ role: 'listitem', text: t.id('this-device', 'This device') }, { role: 'button', name: pattern(sentenceRe(t`Rename ${ANY}`)) }]);
  await shootAll(first, 'devices-rename');
  await first.click(t.id('device-name-cancel', 'Cancel'));
  await first.clickWhere([{ role: 'button', name: pattern(sentenceRe(t`Unlink ${ANY}`)) }]);
  await shootAll(first, 'devices-unlink');
  await first.press('Escape');
  await first.click(t`Reset the account key…`);
  await shootAll(first, 'devices-reset');
  await first.click(t.id('reset-cancel', 'Cancel'));
  await second.close();
}
/**
 * Message requests: a stranger (carol) writes to alice: the Requests section above the contacts,
 * the request bar in the conversation, and the bar once carol is blocked (then unblocked).
 */
async function requestScreens(u: BrowserUser): Promise<void> {
  if (u.raw.kind !== 'chromium') return;
  const page = u.raw.page;
  const carol = await launchBrowser('chromium', { name: 'carol', locale });
  await register(carol, srv.url, 'carol');
  await openConversation(carol, 'alice');
  await send(carol, zh ? 'alice 你好，我们昨天在聚会上见过。可以把幻灯片发给你吗？' : 'Hi alice, we met at the meetup yesterday. Could I send you the slides?');
  await u.waitForRole('list', t.id('requests-heading', 'Requests'), { timeoutMs: 15_000 });
  // The list: wide beside the open conversation; at 360 px the list alone.
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await u.screenshot(`${out}/wide-requests-list${scheme === 'dark' ? '-dark' : ''}.png`);
  }
  await page.setViewportSize({ width: 360, height: 740 });
  await u.click(t`Back to contacts`).catch(() => undefined);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await u.screenshot(`${out}/phone-requests-list${scheme === 'dark' ? '-dark' : ''}.png`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
  await u.click(row('carol', t`message request`, t`${'1'} unread`));
  await u.waitForRole('region', t`Message request from ${'carol'}`);
  await shootAll(u, 'request-bar');
  await u.click(t`Block`);
  await u.waitForRole('region', t`You blocked ${'carol'}`);
  await shootAll(u, 'request-blocked');
  await u.click(t`Unblock`);
  await u.waitForRole('region', t`Message request from ${'carol'}`);
  await carol.close();
}

/** The verify dialog, and file cards: offered (receiver), waiting (sender), done on both. */
async function verifyAndFileScreens(wide: BrowserUser, phone: BrowserUser): Promise<void> {
  await wide.click(t.id('verify-button', 'Verify'));
  await wide.waitForRole('dialog', t`Verify ${'bob'}`);
  await wide.waitForRole('group', t`Safety number`, { timeoutMs: 10_000 });
  await shootAll(wide, 'verify');
  await wide.press('Escape');
  const name = zh ? '2026年第三季度报告（终稿）.pdf' : 'quarterly-report-2026-final.pdf';
  const file = randomFile(path.join(out, name), 3 * 1024 * 1024);
  await wide.setFiles(t`Attach file`, [file]);
  await waitForCard(phone, name, (c) => c.state === 'offered', 15_000, 'offered');
  await shootAll(phone, 'file-offer');
  await shootAll(wide, 'file-waiting');
  await clickInCard(phone, name, 'Accept');
  await waitForCard(phone, name, (c) => c.state === 'done', 30_000, 'done');
  await waitForCard(wide, name, (c) => c.state === 'done', 10_000, 'done');
  await shootAll(phone, 'file-done');
  await shootAll(wide, 'file-done-sender');
  rmSync(file);
}

/** Settings (top and scrolled to storage and backup), search results, and a result opened in place. */
async function settingsAndSearchScreens(u: BrowserUser, word: string): Promise<void> {
  await u.click(t`Settings`);
  await u.waitForRole('heading', t`Settings`);
  await shootAll(u, 'settings');
  await u.evaluate(() => document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-settings-screen')?.shadowRoot?.querySelector('pc-backup-panel')?.scrollIntoView());
  await shootAll(u, 'settings-backup');
  await u.click(t`Search`);
  await u.fill(t`Search messages`, word);
  await u.waitForText(new RegExp(`${word}`), 10_000);
  await u.waitFor(() => !!document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-search-screen')?.shadowRoot?.querySelector('mark'));
  await shootAll(u, 'search');
  await u.evaluate(() => (document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-search-screen')?.shadowRoot?.querySelector('button.hit') as HTMLElement | null)?.click());
  await u.waitFor(() => !!document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot?.querySelector('pc-message-list')?.shadowRoot?.querySelector('li.highlight'));
  await shootAll(u, 'search-opened');
}

mkdirSync(out, { recursive: true });
const srv = await startTestServer();
try {
  const wide = await launchBrowser('chromium', { name: 'wide', locale });
  const phone = await launchBrowser('chromium', { name: 'phone', viewport: { width: 360, height: 740 }, locale });
  const dark = async (u: BrowserUser, on: boolean) => {
    if (u.raw.kind === 'chromium') await u.raw.page.emulateMedia({ colorScheme: on ? 'dark' : 'light' });
  };
  await phone.goto(srv.url);
  await phone.screenshot(`${out}/phone-login.png`);
  await shootAll(phone, 'login');
  await register(wide, srv.url, 'alice');
  await wide.screenshot(`${out}/wide-empty.png`);
  await register(phone, srv.url, 'bob');
  await phone.screenshot(`${out}/phone-contacts.png`);
  await openConversation(wide, 'bob');
  const long = zh
    ? 'Bob 你好！这是一条比较长的消息，在窄屏手机上应该能自然换行，完全不需要横向滚动。'
    : 'Hi Bob! This is a longer message that should wrap nicely on a narrow phone screen without any horizontal scrolling at all.';
  const reply = zh ? '你好 Alice 👋\n两行。' : 'Hello Alice 👋\nTwo lines.';
  await send(wide, long);
  await openConversation(phone, 'alice');
  await waitForMessage(phone, long);
  await send(phone, reply);
  await waitForMessage(wide, reply);
  await phone.screenshot(`${out}/phone-conversation.png`);
  await wide.screenshot(`${out}/wide-conversation.png`);
  await dark(wide, true);
  await wide.screenshot(`${out}/wide-conversation-dark.png`);
  await dark(phone, true);
  await phone.screenshot(`${out}/phone-conversation-dark.png`);
  await dark(wide, false);
  await dark(phone, false);
  await settingsAndSearchScreens(wide, zh ? '消息' : 'longer');
  await verifyAndFileScreens(wide, phone);
  await requestScreens(wide);
  await devicesScreens(wide);
  await srv.stop();
  await wide.waitForText(t.id('error-SERVER_UNREACHABLE', "Offline: can't reach the server. Open conversations keep working."), 15_000);
  await wide.screenshot(`${out}/wide-offline-dark.png`);
  const scroll = await phone.evaluate(() => document.documentElement.scrollWidth);
  console.log('phone scrollWidth', scroll);
} finally {
  await closeAllBrowsers();
  await srv.dispose().catch(() => undefined);
}
