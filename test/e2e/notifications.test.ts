// A system notification for a new message while the page is hidden (Chromium, permission
// granted): alice turns notifications on in Settings, her page is hidden, bob writes;
// the app shows a Notification with bob's name and the text; with "Hide message previews" on,
// the next one does not show the text. The unread total is in the title.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test test/e2e/notifications.test.ts

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, startTestServer, stepTracker, waitForMessage, type TestServer } from './app-helpers';

interface Shown {
  title: string;
  body: string;
}

describe('notifications', { timeout: 180_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    srv = await startTestServer();
    [alice, bob] = await Promise.all([launchBrowser('chromium', { name: 'alice' }), launchBrowser('chromium', { name: 'bob' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob].filter(Boolean), 'notifications');
    await closeAllBrowsers();
    await srv?.dispose();
  });

  step('a message to a hidden page shows a notification with the sender and text; hidden previews hide the text', async () => {
    if (alice.raw.kind !== 'chromium') throw new Error('chromium expected');
    await register(alice, srv.url, 'alice');
    await register(bob, srv.url, 'bob');
    await openConversation(alice, 'bob');
    await send(alice, 'hi bob');
    await openConversation(bob, 'alice');
    await waitForMessage(bob, 'hi bob');
    await send(bob, 'first');
    await waitForMessage(alice, 'first', 'received', 20_000);

    await alice.raw.context.grantPermissions(['notifications'], { origin: srv.url });
    await alice.click('Settings');
    // The permission is granted already (as after "Turn on notifications"): the switch is offered.
    await alice.click('Notify me of new messages', { role: 'switch' });
    // Record what the app shows (the real Notification still runs).
    await alice.evaluate(() => {
      const Real = window.Notification;
      const shown: { title: string; body: string }[] = [];
      (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
      class Recording extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push({ title, body: options?.body ?? '' });
        }
      }
      window.Notification = Recording as typeof Notification;
    });
    await alice.click('Back');

    // Headless Chromium keeps a page visible behind another tab: emulate hidden, as the page
    // API reports it when the person switched away.
    const setHidden = (hidden: boolean) =>
      alice.evaluate((h: boolean) => {
        if (h) Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        else delete (document as { visibilityState?: unknown }).visibilityState;
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);

    await send(bob, 'Are you coming tonight?');
    const first = await alice.waitFor(() => (window as unknown as { shownNotifications: Shown[] }).shownNotifications[0]);
    assert.deepEqual(first, { title: 'bob', body: 'Are you coming tonight?' });

    await setHidden(false);
    await alice.click('Settings');
    await alice.click('Hide message previews', { role: 'switch' });
    await alice.click('Back');
    await setHidden(true);
    await send(bob, 'secret plans');
    const second = await alice.waitFor(() => (window as unknown as { shownNotifications: Shown[] }).shownNotifications[1]);
    assert.deepEqual(second, { title: 'bob', body: 'New message' });
    // The unread total follows the stored message (the notification may come first).
    await alice.waitFor(() => /^\(\d+\) Peerchat$/.test(document.title), undefined, 10_000);
  });
});
