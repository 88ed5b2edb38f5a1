// Reply, reactions, edit, delete for me and delete for everyone (recall) between Chromium (alice)
// and Firefox (bob), end to end over the real sealed sessions: what each side shows, and that a
// recall removes the text from the receiver's IndexedDB (read in the page). The menus are
// audited with axe in light and dark.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test test/e2e/message-actions.test.ts

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser, type Step } from './browsers';
import { messageListName, openConversation, register, send, shownMessages, startTestServer, stepTracker, ui, waitForMessage, waitLinkReady, type TestServer } from './app-helpers';
import { escapeRe, inPage, pattern, waitInPage } from './page-queries';
import { auditScreen } from './a11y-audit';

describe('message actions between Chromium and Firefox', { timeout: 180_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    srv = await startTestServer();
    [alice, bob] = await Promise.all([launchBrowser('chromium', { name: 'alice-chromium' }), launchBrowser('firefox', { name: 'bob-firefox' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob].filter(Boolean), 'message-actions');
    await closeAllBrowsers();
    await srv?.dispose();
  });

  /** The message item whose text contains `text` (and not `unless`: a reply quoting it also contains it). */
  function item(user: BrowserUser, text: string, unless?: string): Step[] {
    const re = unless ? `^(?![\\s\\S]*${escapeRe(unless)})[\\s\\S]*${escapeRe(text)}` : escapeRe(text);
    return [{ role: 'list', name: messageListName(user) }, { role: 'listitem', text: pattern(new RegExp(re)) }];
  }

  /** Opens a message's menu with its "⋯" button and picks `choice` (a button's name). */
  async function choose(user: BrowserUser, text: string, choice: string, unless?: string): Promise<void> {
    await user.clickWhere([...item(user, text, unless), { role: 'button', name: ui(user)`Message actions` }]);
    await user.waitForRole('group', ui(user)`Message actions`);
    await user.click(choice);
  }

  /** Waits until the item with `text` has a button named by `name` (a quote, a reaction chip). */
  async function waitButtonIn(user: BrowserUser, text: string, name: RegExp, unless?: string): Promise<void> {
    await waitInPage(user, (q, steps) => q.queryAll(steps).length === 1, [...item(user, text, unless), { role: 'button', name: pattern(name) }], 15_000, `${name} on ${JSON.stringify(text)}`);
  }

  /** Waits until no message item shows `text` (the live region may still have said it). */
  async function waitGone(user: BrowserUser, text: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await shownMessages(user)).some((m) => m.text.includes(text))) {
      if (Date.now() > deadline) throw new Error(`${user.name}: ${JSON.stringify(text)} is still shown`);
      await new Promise((r) => setTimeout(r, 100)); // poll interval
    }
  }

  /** Every message and conversation record of the user's database, as JSON (read in the page). */
  function storedJson(user: BrowserUser, account: string): Promise<string> {
    return user.evaluate(async (name: string) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const all = (store: string) =>
        new Promise<unknown[]>((resolve, reject) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      const out = JSON.stringify({ messages: await all('messages'), conversations: await all('conversations') });
      db.close();
      return out;
    }, `peerchat-${account}`);
  }

  step('both open the conversation and a first message arrives', async () => {
    await register(alice, srv.url, 'alice');
    await register(bob, srv.url, 'bob');
    await alice.waitForRole('button', 'bob, online, not verified');
    await bob.waitForRole('button', 'alice, online, not verified');
    await openConversation(alice, 'bob');
    await openConversation(bob, 'alice');
    await send(alice, 'Original words');
    await waitForMessage(bob, 'Original words', 'received', 30_000);
    await waitForMessage(alice, 'Original words', 'delivered');
    await waitLinkReady(alice);
    await waitLinkReady(bob);
  });

  step('reply: the quote shows on both sides, and pressing it reveals the original', async () => {
    await choose(bob, 'Original words', 'Reply');
    await bob.waitForText('Replying to alice');
    await send(bob, 'My reply');
    await bob.waitForNoText('Replying to alice');
    await waitButtonIn(bob, 'My reply', /^In reply to alice Original words$/);
    await waitButtonIn(alice, 'My reply', /^In reply to You Original words$/);
    await alice.clickWhere([...item(alice, 'My reply'), { role: 'button', name: pattern(/^In reply to/) }]);
    const highlighted = await alice.waitFor(() => {
      const list = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot?.querySelector('pc-message-list');
      return list?.shadowRoot?.querySelector('li.msg.highlight .text')?.textContent ?? '';
    });
    assert.equal(highlighted, 'Original words');
  });

  step('react: counts and who reacted, on both sides', async () => {
    await choose(alice, 'My reply', '👍');
    await waitButtonIn(bob, 'My reply', /^👍 1: alice$/);
    await choose(bob, 'My reply', '👍');
    await waitButtonIn(alice, 'My reply', /^👍 2: You, bob$/);
    await waitButtonIn(bob, 'My reply', /^👍 2: alice, You$/);
    // Pressing my chip again takes my reaction back.
    await bob.clickWhere([...item(bob, 'My reply'), { role: 'button', name: pattern(/^👍 2/) }]);
    await waitButtonIn(alice, 'My reply', /^👍 1: You$/);
  });

  step('edit: the new text, marked edited, on both sides', async () => {
    // Escape leaves edit mode, and the message's text leaves the box.
    await choose(alice, 'Original words', 'Edit', 'My reply');
    await alice.waitForText('Editing your message');
    assert.equal(await alice.value('Message'), 'Original words');
    await alice.press('Escape');
    await alice.waitForNoText('Editing your message');
    assert.equal(await alice.value('Message'), '');
    await choose(alice, 'Original words', 'Edit', 'My reply');
    await alice.waitForText('Editing your message');
    await send(alice, 'Better words');
    // The next message, sent at once, is a new message (not a second edit).
    await send(alice, 'Right after');
    await waitForMessage(bob, 'Right after', 'received');
    await waitForMessage(bob, 'Better words');
    for (const u of [alice, bob]) {
      const meta = await inPage(u, (q, steps) => q.queryAll(steps).map((li) => q.composedText(li)), item(u, 'Better words', 'My reply'));
      assert.match(meta[0] ?? '', /· edited/, `${u.name}: marked edited`);
    }
    // The reply's quote follows the edit (it shows this device's copy of the quoted message).
    await waitButtonIn(bob, 'My reply', /^In reply to alice Better words$/);
  });

  step('delete for me: gone here, still there', async () => {
    await send(alice, 'Throwaway line');
    await waitForMessage(bob, 'Throwaway line', 'received');
    await choose(bob, 'Throwaway line', 'Delete for me');
    await waitGone(bob, 'Throwaway line');
    assert.ok((await shownMessages(alice)).some((m) => m.text === 'Throwaway line'));
    assert.doesNotMatch(await storedJson(bob, 'bob'), /Throwaway/);
  });

  step('recall: both show it deleted, and the text is gone from the receiver’s database', async () => {
    await send(alice, 'Secret to recall');
    await waitForMessage(bob, 'Secret to recall', 'received');
    await waitForMessage(alice, 'Secret to recall', 'delivered');
    assert.match(await storedJson(bob, 'bob'), /Secret to recall/, 'stored before the recall');
    await alice.clickWhere([...item(alice, 'Secret to recall'), { role: 'button', name: 'Message actions' }]);
    await auditScreen(alice, 'conversation with the message menu open');
    await alice.click('Delete for everyone…');
    await alice.waitForText('Delete this message for everyone?');
    await alice.click('Delete for everyone');
    for (const u of [alice, bob]) {
      await waitGone(u, 'Secret to recall');
      await waitForMessage(u, 'This message was deleted');
    }
    // Nowhere on bob's page either (the live region had announced it).
    await bob.waitForNoText('Secret to recall');
    const stored = await storedJson(bob, 'bob');
    assert.doesNotMatch(stored, /secret/i, 'no trace of the text (nor its search tokens, nor the preview)');
    const records = JSON.parse(stored) as { messages: Array<{ text: string; recalledAt?: number; tokens?: string[] }> };
    const recalled = records.messages.filter((m) => m.recalledAt !== undefined);
    assert.equal(recalled.length, 1);
    assert.deepEqual([recalled[0]?.text, recalled[0]?.tokens], ['', []]);
    await auditScreen(alice, 'conversation with a reply, reactions, an edited and a deleted message');
    const texts = ['Better words', 'My reply', 'Right after', 'Throwaway line', 'This message was deleted'];
    assert.deepEqual((await shownMessages(alice)).map((m) => m.text), texts);
    assert.deepEqual((await shownMessages(bob)).map((m) => m.text), texts.filter((x) => x !== 'Throwaway line'));
  });
});
