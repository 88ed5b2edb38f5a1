// Read receipts and "typing…" end to end, over real sessions between separate browsers:
// - alice (Chromium, in Chinese) writes, bob (Chromium) has the conversation open: she sees
//   已读 (Read); his message to her, while she looks, shows Read on his side;
// - bob types: alice's header says 正在输入… (typing…), gone when he clears the box, and again
//   gone when his message arrives (both conversations audited with axe while typing… and
//   Read show);
// - bob switches read receipts off: he sends none (alice sees Delivered for new messages) and
//   shows none (his own messages say Delivered, also those read before); back on, what he has
//   on screen is reported;
// - bob switches typing off: he sends none and shows none;
// - Chromium and Firefox: Read both ways.
// What a browser did not send is read from its counters (window.peerchatReceipts, e2e build
// only), taken after the decision was made, so no check waits on a clock.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/receipts-typing.test.ts

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, shownMessages, startTestServer, stepTracker, ui, waitForMessage, waitLinkReady, type TestServer } from './app-helpers';
import { auditScreen } from './a11y-audit';

interface Counters {
  flushes: number;
  readSent: number;
  typingSent: number;
  typingShown: number;
}

function counters(u: BrowserUser): Promise<Counters> {
  return u.evaluate(() => ({ ...(window as unknown as { peerchatReceipts: Counters }).peerchatReceipts }));
}

/** Waits until `u` decided about a `read` frame after `before` (it sent one, or withheld it). */
async function flushedSince(u: BrowserUser, before: Counters): Promise<Counters> {
  await u.waitFor((n: number) => (window as unknown as { peerchatReceipts: Counters }).peerchatReceipts.flushes > n, before.flushes, 10_000);
  return counters(u);
}

/** The state an outgoing message with this text shows now. */
async function stateOf(u: BrowserUser, text: string): Promise<string | undefined> {
  return (await shownMessages(u)).find((m) => m.text === text)?.state;
}

/** Waits until the message with this text shows exactly this state ('delivered' is not met by 'read' here). */
async function waitExactState(u: BrowserUser, text: string, state: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await stateOf(u, text)) !== state) {
    if (Date.now() > deadline) throw new Error(`${u.name}: ${JSON.stringify(text)} shows ${await stateOf(u, text)}, not ${state}`);
    await new Promise((r) => setTimeout(r, 100)); // poll interval
  }
}

/** Turns a switch of the Settings screen over (English UI), and goes back to the conversation. */
async function toggleSetting(u: BrowserUser, label: string, peer: string): Promise<void> {
  await u.click('Settings');
  await u.click(label, { role: 'switch' });
  await u.click('Back');
  await u.waitForRole('heading', peer);
}

describe('read receipts and typing between two Chromium browsers', { timeout: 150_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    srv = await startTestServer();
    [alice, bob] = await Promise.all([launchBrowser('chromium', { name: 'alice', locale: 'zh-CN' }), launchBrowser('chromium', { name: 'bob' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob].filter(Boolean), 'receipts-typing');
    await closeAllBrowsers();
    await srv?.dispose();
  });

  step('alice writes, bob has it open: she sees Read; his reply, while she looks, shows Read for him', async () => {
    await register(alice, srv.url, 'alice');
    await register(bob, srv.url, 'bob');
    // Both open the conversation, so each is the other's contact.
    await openConversation(alice, 'bob');
    await openConversation(bob, 'alice');
    await waitLinkReady(alice);
    await send(alice, 'one');
    await waitForMessage(bob, 'one', 'received');
    await waitForMessage(alice, 'one', 'read');
    await alice.waitForText('已读');
    await send(bob, 'two');
    await waitForMessage(alice, 'two', 'received');
    await waitForMessage(bob, 'two', 'read');
  });

  step('bob types: alice sees typing… until he clears the box, and again until his message arrives', async () => {
    const typing = ui(alice).id('typing-indicator', 'typing…');
    assert.equal(typing, '正在输入…');
    await bob.fill('Message', 'thinking about it');
    await alice.waitForText(typing);
    // The status line stays for screen readers (visually replaced while typing… shows).
    await waitLinkReady(alice);
    await bob.fill('Message', '');
    await alice.waitForNoText(typing);
    await bob.fill('Message', 'three o’clock?');
    await alice.waitForText(typing);
    await bob.press('Enter');
    await waitForMessage(alice, 'three o’clock?', 'received');
    await alice.waitForNoText(typing);
  });

  step('the conversation with typing… and Read shown passes axe in Chinese and English, light and dark', async () => {
    for (const [typist, viewer] of [
      [bob, alice],
      [alice, bob],
    ] as const) {
      const typing = ui(viewer).id('typing-indicator', 'typing…');
      const box = ui(typist).id('composer-label', 'Message');
      await typist.fill(box, 'a');
      await viewer.waitForText(typing);
      // Keep typing while the audit runs (a keystroke a second; "typing on" goes every 3 s).
      let keys = 0;
      const keepTyping = setInterval(() => void typist.press(keys++ % 2 ? 'Backspace' : 'b').catch(() => undefined), 1000);
      try {
        await auditScreen(viewer, `${viewer.locale} conversation with typing… and Read`);
        await viewer.waitForText(typing);
      } finally {
        clearInterval(keepTyping);
      }
      await typist.fill(box, '');
      await viewer.waitForNoText(typing);
    }
  });

  step('bob turns read receipts off: he sends none and shows none; back on, what he sees is reported', async () => {
    await toggleSetting(bob, 'Read receipts', 'alice');
    // Read before, shown as Delivered now.
    await waitExactState(bob, 'two', 'delivered');

    const bobBefore = await counters(bob);
    await send(alice, 'four');
    await waitForMessage(bob, 'four', 'received');
    const bobAfter = await flushedSince(bob, bobBefore);
    assert.equal(bobAfter.readSent, bobBefore.readSent, 'bob sent no read receipt');

    // alice (receipts on) reports bob's new message; bob does not apply it.
    const aliceBefore = await counters(alice);
    await send(bob, 'five');
    await waitForMessage(alice, 'five', 'received');
    const aliceAfter = await flushedSince(alice, aliceBefore);
    assert.ok(aliceAfter.readSent > aliceBefore.readSent, 'alice sent her read receipt');
    // Her next message travels behind her receipt on the same session.
    await send(alice, 'six');
    await waitForMessage(bob, 'six', 'received');
    await waitForMessage(alice, 'four', 'delivered');
    assert.equal(await stateOf(alice, 'four'), 'delivered');
    assert.equal(await stateOf(bob, 'five'), 'delivered');

    // On again: the messages bob has on screen are reported at once.
    await toggleSetting(bob, 'Read receipts', 'alice');
    await waitForMessage(alice, 'four', 'read');
    await waitForMessage(alice, 'six', 'read');
  });

  step('bob turns typing off: he sends none and sees none', async () => {
    await toggleSetting(bob, 'Typing indicator', 'alice');
    const bobBefore = await counters(bob);
    await bob.fill('Message', 'quietly');
    assert.equal((await counters(bob)).typingSent, bobBefore.typingSent, 'bob sent no typing');
    await bob.fill('Message', '');

    const aliceBefore = await counters(alice);
    await alice.fill(ui(alice).id('composer-label', 'Message'), 'are you there?');
    assert.ok((await counters(alice)).typingSent > aliceBefore.typingSent, 'alice sent typing');
    await alice.press('Enter');
    // Her typing came before her message on the same session: it was ignored.
    await waitForMessage(bob, 'are you there?', 'received');
    assert.equal((await counters(bob)).typingShown, bobBefore.typingShown, 'bob showed no typing…');
    assert.equal((await bob.text()).includes('typing…'), false);
  });
});

describe('read receipts between Chromium and Firefox', { timeout: 120_000 }, () => {
  let srv: TestServer;
  let chrome: BrowserUser;
  let fox: BrowserUser;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    srv = await startTestServer();
    [chrome, fox] = await Promise.all([launchBrowser('chromium', { name: 'carol-chromium' }), launchBrowser('firefox', { name: 'dave-firefox' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([chrome, fox].filter(Boolean), 'receipts-firefox');
    await closeAllBrowsers();
    await srv?.dispose();
  });

  step('Read both ways, and typing… from Firefox', async () => {
    await register(chrome, srv.url, 'carol');
    await register(fox, srv.url, 'dave');
    await openConversation(fox, 'carol');
    await openConversation(chrome, 'dave');
    await send(chrome, 'from Chromium');
    await waitForMessage(fox, 'from Chromium', 'received', 30_000);
    await waitForMessage(chrome, 'from Chromium', 'read');
    await send(fox, 'from Firefox');
    await waitForMessage(chrome, 'from Firefox', 'received');
    await waitForMessage(fox, 'from Firefox', 'read');
    await fox.fill('Message', 'typing in Firefox');
    await chrome.waitForText('typing…');
  });
});
