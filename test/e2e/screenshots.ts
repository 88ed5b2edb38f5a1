// Renders the main screens to PNGs for a person to look at (not a test):
//   npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx test/e2e/screenshots.ts [outDir]
import { mkdirSync } from 'node:fs';
import { closeAllBrowsers, launchBrowser, type BrowserUser } from './browsers';
import { PASSWORD, openConversation, register, send, startTestServer, waitForMessage } from './app-helpers';

const out = process.argv[2] ?? 'test-results/screens';

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
  const second = await launchBrowser('chromium', { name: 'second' });
  await second.goto(srv.url);
  await second.fill('Username', 'alice');
  await second.fill('Password', PASSWORD);
  await second.click('Log in');
  await second.waitForRole('dialog', 'New device: Chromium on Linux wants to join').catch(() => undefined);
  await first.waitForRole('dialog', 'New device: Chromium on Linux wants to join', { timeoutMs: 15_000 });
  await second.waitForText('One of your devices answered', 15_000);
  await shootAll(second, 'link-pending-code');
  await shootAll(first, 'link-approve');
  await second.click('I lost all my devices: start over with a new key');
  await shootAll(second, 'link-pending-start-over');
  await second.click('Cancel');
  await second.click('The codes match');
  await second.waitForText('Now approve this device on your other device', 5_000);
  await shootAll(second, 'link-pending-confirmed');
  await first.click('Approve');
  await second.waitForText(/Signed in as\s+alice/, 15_000);
  await first.click('Devices');
  await first.waitForText('Online now', 15_000);
  await shootAll(first, 'devices');
  await first.clickWhere([{ role: 'listitem', text: 'This device' }, { role: 'button', name: { re: '^Rename ' } }]);
  await shootAll(first, 'devices-rename');
  await first.click('Cancel');
  await first.clickWhere([{ role: 'button', name: { re: '^Unlink ' } }]);
  await shootAll(first, 'devices-unlink');
  await first.press('Escape');
  await first.click('Reset the account key…');
  await shootAll(first, 'devices-reset');
  await first.click('Cancel');
  await second.close();
}
/**
 * Message requests: a stranger (carol) writes to alice: the Requests section above the contacts,
 * the request bar in the conversation, and the bar once carol is blocked (then unblocked).
 */
async function requestScreens(u: BrowserUser): Promise<void> {
  if (u.raw.kind !== 'chromium') return;
  const page = u.raw.page;
  const carol = await launchBrowser('chromium', { name: 'carol' });
  await register(carol, srv.url, 'carol');
  await openConversation(carol, 'alice');
  await send(carol, 'Hi alice, we met at the meetup yesterday. Could I send you the slides?');
  await u.waitForRole('list', 'Requests', { timeoutMs: 15_000 });
  // The list: wide beside the open conversation; at 360 px the list alone.
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await u.screenshot(`${out}/wide-requests-list${scheme === 'dark' ? '-dark' : ''}.png`);
  }
  await page.setViewportSize({ width: 360, height: 740 });
  await u.click('Back to contacts').catch(() => undefined);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await u.screenshot(`${out}/phone-requests-list${scheme === 'dark' ? '-dark' : ''}.png`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
  await u.click('carol, message request, 1 unread');
  await u.waitForRole('region', 'Message request from carol');
  await shootAll(u, 'request-bar');
  await u.click('Block');
  await u.waitForRole('region', 'You blocked carol');
  await shootAll(u, 'request-blocked');
  await u.click('Unblock');
  await u.waitForRole('region', 'Message request from carol');
  await carol.close();
}

mkdirSync(out, { recursive: true });
const srv = await startTestServer();
try {
  const wide = await launchBrowser('chromium', { name: 'wide' });
  const phone = await launchBrowser('chromium', { name: 'phone', viewport: { width: 360, height: 740 } });
  const dark = async (u: BrowserUser, on: boolean) => {
    if (u.raw.kind === 'chromium') await u.raw.page.emulateMedia({ colorScheme: on ? 'dark' : 'light' });
  };
  await phone.goto(srv.url);
  await phone.screenshot(`${out}/phone-login.png`);
  await register(wide, srv.url, 'alice');
  await wide.screenshot(`${out}/wide-empty.png`);
  await register(phone, srv.url, 'bob');
  await phone.screenshot(`${out}/phone-contacts.png`);
  await openConversation(wide, 'bob');
  await send(wide, 'Hi Bob! This is a longer message that should wrap nicely on a narrow phone screen without any horizontal scrolling at all.');
  await openConversation(phone, 'alice');
  await waitForMessage(phone, 'Hi Bob! This is a longer message that should wrap nicely on a narrow phone screen without any horizontal scrolling at all.');
  await send(phone, 'Hello Alice 👋\nTwo lines.');
  await waitForMessage(wide, 'Hello Alice 👋\nTwo lines.');
  await phone.screenshot(`${out}/phone-conversation.png`);
  await wide.screenshot(`${out}/wide-conversation.png`);
  await dark(wide, true);
  await wide.screenshot(`${out}/wide-conversation-dark.png`);
  await dark(phone, true);
  await phone.screenshot(`${out}/phone-conversation-dark.png`);
  await dark(wide, false);
  await dark(phone, false);
  await requestScreens(wide);
  await devicesScreens(wide);
  await srv.stop();
  await wide.waitForText("Offline: can't reach the server", 15_000);
  await wide.screenshot(`${out}/wide-offline-dark.png`);
  const scroll = await phone.evaluate(() => document.documentElement.scrollWidth);
  console.log('phone scrollWidth', scroll);
} finally {
  await closeAllBrowsers();
  await srv.dispose().catch(() => undefined);
}
