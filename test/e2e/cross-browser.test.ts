// Chromium and Firefox chat both ways through the real app: nothing in Peerchat may be
// Chromium-only. Firefox is driven with puppeteer-core over WebDriver BiDi.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test test/e2e/cross-browser.test.ts

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, shownMessages, startTestServer, waitForMessage, type TestServer } from './app-helpers';

describe('chat between Chromium and Firefox', { timeout: 240_000 }, () => {
  let srv: TestServer;
  let chrome: BrowserUser;
  let fox: BrowserUser;

  before(async () => {
    srv = await startTestServer();
    [chrome, fox] = await Promise.all([launchBrowser('chromium', { name: 'carol-chromium' }), launchBrowser('firefox', { name: 'dave-firefox' })]);
  });

  after(async () => {
    await closeAllBrowsers();
    await srv?.dispose();
  });

  test('both register, see each other, and chat both ways with receipts', async (t) => {
    try {
      await register(chrome, srv.url, 'carol');
      await register(fox, srv.url, 'dave');
      await chrome.waitForRole('button', 'dave, online, not verified');
      await fox.waitForRole('button', 'carol, online, not verified');

      // Firefox dials this time (Chromium answers once it opens the conversation: before that,
      // dave is not one of carol's contacts).
      await openConversation(fox, 'carol');
      await openConversation(chrome, 'dave');
      await send(fox, 'Hello from Firefox');
      await waitForMessage(fox, 'Hello from Firefox', 'delivered', 30_000);

      await waitForMessage(chrome, 'Hello from Firefox', 'received');
      await send(chrome, 'Hello from Chromium');
      await waitForMessage(fox, 'Hello from Chromium', 'received');
      await waitForMessage(chrome, 'Hello from Chromium', 'delivered');

      // Firefox keeps its history in its own IndexedDB across a reload.
      await fox.reload();
      await fox.waitForText('Signed in as dave');
      await openConversation(fox, 'carol');
      await waitForMessage(fox, 'Hello from Chromium', 'received');
      assert.deepEqual(
        (await shownMessages(fox)).map((m) => m.text),
        ['Hello from Firefox', 'Hello from Chromium'],
      );
      await send(chrome, 'After the Firefox reload');
      await waitForMessage(fox, 'After the Firefox reload', 'received', 30_000);
    } catch (err) {
      await dumpDiagnostics([chrome, fox], t.name);
      throw err;
    }
  });
});
