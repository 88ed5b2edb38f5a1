// Renders the main screens to PNGs for a person to look at (not a test):
//   npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx test/e2e/screenshots.ts [outDir]
import { mkdirSync } from 'node:fs';
import { closeAllBrowsers, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, startTestServer, waitForMessage } from './app-helpers';

const out = process.argv[2] ?? 'test-results/screens';
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
  await srv.stop();
  await wide.waitForText("Offline: can't reach the server", 15_000);
  await wide.screenshot(`${out}/wide-offline-dark.png`);
  const scroll = await phone.evaluate(() => document.documentElement.scrollWidth);
  console.log('phone scrollWidth', scroll);
} finally {
  await closeAllBrowsers();
  await srv.dispose().catch(() => undefined);
}
