// The walking skeleton, end to end: two SEPARATE Chromium processes, the real signal server,
// real WebRTC data channels and real IndexedDB. Tests run in order and share the two users.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test test/e2e/chat.test.ts

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { contactLabel, login, openConversation, register, send, shownMessages, startTestServer, waitContactLabel, waitForMessage, PASSWORD, stepTracker, type TestServer } from './app-helpers';
import { inPage, waitInPage } from './page-queries';

describe('chat between two Chromium browsers', { timeout: 240_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const steps = stepTracker(test);

  before(async () => {
    srv = await startTestServer();
    [alice, bob] = await Promise.all([launchBrowser('chromium', { name: 'alice' }), launchBrowser('chromium', { name: 'bob' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob].filter(Boolean), 'chat');
    await closeAllBrowsers();
    await srv?.dispose();
  });

  const { step } = steps;

  step('bad input on the login form gets a sentence next to the field', async () => {
    await alice.goto(srv.url);
    await alice.fill('Username', 'al');
    await alice.fill('Password', PASSWORD);
    await alice.click('Register');
    await alice.waitForText('Usernames are 3 to 32 characters');
    await alice.fill('Username', 'alice');
    await alice.fill('Password', 'short');
    await alice.click('Register');
    await alice.waitForText('Passwords need at least 8 characters.');
    await alice.fill('Username', 'nobody-here');
    await alice.fill('Password', PASSWORD);
    await alice.click('Log in');
    await alice.waitForText('There is no account with that username.');
  });

  step('both register and see each other online, live', async () => {
    await alice.fill('Username', 'alice');
    await alice.fill('Password', PASSWORD);
    await alice.click('Register');
    await alice.waitForText('Signed in as alice');
    await alice.waitForText('Nobody else is online yet');

    // Taken ignoring case; then a wrong password; then the real registration.
    await bob.goto(srv.url);
    await bob.fill('Username', 'ALICE');
    await bob.fill('Password', PASSWORD);
    await bob.click('Register');
    await bob.waitForText('That username is already taken.');
    await bob.fill('Username', 'alice');
    await bob.fill('Password', 'not the password');
    await bob.click('Log in');
    await bob.waitForText('Wrong password.');
    await register(bob, srv.url, 'bob');

    await alice.waitForRole('button', 'bob, online, not verified');
    await bob.waitForRole('button', 'alice, online, not verified');
  });

  step('a first message is a request; once accepted: order, sender, time, delivered, both ways', async () => {
    await openConversation(alice, 'bob');
    await send(alice, 'Hello Bob!');
    await send(alice, 'Second line\nwith a newline');
    // bob has not accepted alice: her messages reach him as a request, and no device confirmed them yet.
    await waitForMessage(alice, 'Hello Bob!', 'sent');
    await waitForMessage(alice, 'Second line\nwith a newline', 'sent');
    await bob.waitForRole('button', 'bob, online, not verified', { hidden: true }); // sanity: bob never lists himself
    await bob.waitForRole('button', 'alice, message request, 2 unread');

    await bob.click('alice, message request, 2 unread');
    await waitForMessage(bob, 'Hello Bob!', 'received');
    await bob.click('Accept');
    await waitForMessage(alice, 'Hello Bob!', 'delivered');
    await waitForMessage(alice, 'Second line\nwith a newline', 'delivered');
    await waitContactLabel(bob, 'alice, online, not verified');
    assert.equal(await contactLabel(bob, 'alice'), 'alice, online, not verified');
    await send(bob, 'Hi Alice');
    await waitForMessage(alice, 'Hi Alice', 'received');
    await waitForMessage(bob, 'Hi Alice', 'delivered');

    const onBob = await shownMessages(bob);
    assert.deepEqual(
      onBob.map((m) => [m.from, m.text]),
      [
        ['alice', 'Hello Bob!'],
        ['alice', 'Second line\nwith a newline'],
        ['You', 'Hi Alice'],
      ],
    );
    // Each message's time, as its <time datetime> says it to software (the text is hh:mm).
    const times = await inPage(bob, (q) =>
      q.queryAll([{ role: 'list', name: 'Messages with alice' }, { role: 'listitem' }]).flatMap((li) => q.attributeValues(li, 'datetime')),
    );
    assert.equal(times.length, 3);
    for (const t of times) assert.ok(t && Math.abs(Date.parse(t) - Date.now()) < 5 * 60_000, `bad time ${t}`);
  });

  step('Shift+Enter makes a newline instead of sending', async () => {
    await alice.fill('Message', 'line one');
    await alice.press('Shift+Enter');
    assert.equal(await alice.value('Message'), 'line one\n');
    await alice.fill('Message', '');
  });

  step('a reload keeps the session and the history, and shows nothing twice', async () => {
    await bob.reload();
    await bob.waitForText('Signed in as bob');
    await openConversation(bob, 'alice');
    await waitForMessage(bob, 'Hi Alice', 'delivered');
    const shown = await shownMessages(bob);
    assert.deepEqual(
      shown.map((m) => m.text),
      ['Hello Bob!', 'Second line\nwith a newline', 'Hi Alice'],
    );
    // The reconnected channel works both ways after the reload.
    await send(alice, 'After your reload');
    await waitForMessage(bob, 'After your reload', 'received');
    assert.equal((await shownMessages(bob)).filter((m) => m.text === 'After your reload').length, 1);
  });

  step('a message to an offline person waits in the outbox and is delivered when they log in', async () => {
    await bob.click('Log out');
    await bob.waitForRole('button', 'Log in');
    await alice.waitForRole('button', 'bob, offline, not verified', { timeoutMs: 15_000 });
    await send(alice, 'While you were away');
    await waitForMessage(alice, 'While you were away', 'waiting');
    await alice.waitForText('Waiting');

    await login(bob, 'bob');
    await waitForMessage(alice, 'While you were away', 'delivered', 30_000);
    await openConversation(bob, 'alice');
    await waitForMessage(bob, 'While you were away', 'received');
    assert.equal((await shownMessages(bob)).filter((m) => m.text === 'While you were away').length, 1);
  });

  step('the open channel keeps working while the server is down; both resume without a password', async () => {
    await waitForMessage(alice, 'While you were away', 'delivered');
    await alice.waitForText('Connected directly');
    await srv.stop();
    await alice.waitForText("Offline: can't reach the server", 15_000);
    await send(alice, 'Server is down, still here');
    await waitForMessage(bob, 'Server is down, still here', 'received');
    await waitForMessage(alice, 'Server is down, still here', 'delivered');

    await srv.restart();
    await alice.waitForNoText("Offline: can't reach the server", 30_000);
    await bob.waitForNoText("Offline: can't reach the server", 30_000);
    await alice.waitForText('Signed in as alice');
    await bob.waitForText('Signed in as bob');
    await alice.waitForRole('button', 'bob, online, not verified', { timeoutMs: 15_000 });
    await send(bob, 'Back again');
    await waitForMessage(alice, 'Back again', 'received');
  });

  step('older messages load as you scroll up', async () => {
    // Seed 130 older messages straight into bob's real IndexedDB, as an earlier history would be.
    await bob.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('peerchat-bob');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const tx = db.transaction('messages', 'readwrite');
      const base = Date.now() - 86_400_000;
      for (let i = 0; i < 130; i++) {
        const id = (i + 1).toString(16).padStart(32, '0');
        tx.objectStore('messages').put({ id, conv: 'alice', from: 'alice', outgoing: false, text: `old message ${i}`, ts: base + i * 1000, state: 'received' });
      }
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    });
    await bob.reload();
    await bob.waitForText('Signed in as bob');
    await openConversation(bob, 'alice');
    await waitForMessage(bob, 'Back again', 'delivered');
    const first = await shownMessages(bob);
    assert.equal(first.length, 50, 'the newest page only');
    assert.equal(first.at(-1)?.text, 'Back again');
    // Scroll to the top until the oldest message is there.
    await waitInPage(
      bob,
      (q) => {
        const list = q.queryOne([{ role: 'list', name: 'Messages with alice' }]);
        // What a person scrolls: the nearest scrolling box around the messages.
        let box: Element | null = list;
        while (box && !(box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY))) {
          box = box.parentElement ?? ((box.getRootNode() as ShadowRoot).host ?? null);
        }
        if (!list || !box) return false;
        box.scrollTop = 0;
        box.dispatchEvent(new Event('scroll'));
        return q.queryAll([{ role: 'listitem' }], list).some((li) => q.composedText(li.children[1] ?? li) === 'old message 0');
      },
      undefined,
      20_000,
      'the oldest message after scrolling up',
    );
    const all = await shownMessages(bob);
    assert.equal(all.length, 130 + 7);
    assert.equal(new Set(all.map((m) => m.text)).size, all.length, 'nothing shown twice');
    assert.equal(all[0]?.text, 'old message 0');
  });

  step('Enter twice sends once; what is typed right after Enter stays in the box', async () => {
    await openConversation(alice, 'bob');
    // In one go in the page, before the first send is stored: Enter, Enter again, then typing on.
    await alice.fill('Message', 'Only once please');
    await inPage(alice, (q) => {
      const box = q.queryOne([{ label: 'Message' }]) as HTMLTextAreaElement | null;
      if (!box) throw new Error('no message box');
      const enter = () => box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
      enter();
      enter();
      box.value += ' and the next one';
      box.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    });
    await waitForMessage(alice, 'Only once please', 'delivered');
    await waitInPage(alice, (q) => (q.queryOne([{ label: 'Message' }]) as HTMLTextAreaElement | null)?.value === ' and the next one', undefined, 10_000, 'the rest of the typing in the box');
    assert.equal((await shownMessages(alice)).filter((m) => m.text === 'Only once please').length, 1, 'sent once');
    await waitForMessage(bob, 'Only once please', 'received');
    assert.equal((await shownMessages(bob)).filter((m) => m.text === 'Only once please').length, 1, 'received once');
    await alice.fill('Message', '');
  });

  step('closing the browser takes the person offline within seconds', async () => {
    await bob.close();
    await alice.waitForRole('button', 'bob, offline, not verified', { timeoutMs: 15_000 });
  });
});
