// Message requests and blocking, with three SEPARATE Chromium processes and a real server.
//  - carol (a stranger) writes to bob: bob sees it under "Requests" as plain text; bob's page
//    answers none of carol's connection offers (the server sees carol's offers come in and no
//    signal at all from bob to carol), so carol learns nothing about bob's device; carol's file
//    is neither accepted nor stored; carol's message says "sent", not "delivered".
//  - Accept: the link comes up, the request's messages are delivered once (no duplicates) and
//    later messages flow both ways; carol's row says "not verified".
//  - dave's request is deleted (gone from the list and the database), his next one is blocked,
//    and later requests from him never show (the server relays them; bob's page drops them).
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/requests.test.ts

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, shownMessages, startTestServer, stepTracker, waitForMessage, waitLinkReady, type TestServer } from './app-helpers';
import { pngFile, shownCards } from './file-helpers';
import { inPage, pattern, waitInPage } from './page-queries';

/** Frames the server received, as parsed JSON (the server's test tap). */
const inbound: Array<Record<string, unknown>> = [];
const outbound: Array<Record<string, unknown>> = [];

function count(list: Array<Record<string, unknown>>, pred: (f: Record<string, unknown>) => boolean): number {
  return list.filter(pred).length;
}

/** Signals a browser sent to `to` (every offer, answer and candidate goes through the server). */
const signalsTo = (to: string): number => count(inbound, (f) => f.type === 'signal' && String(f.to).toLowerCase() === to);
/** Requests the server relayed from `from`. */
const requestsFrom = (from: string): number => count(outbound, (f) => f.type === 'request' && f.from === from);

async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100)); // poll interval
  }
}

/** The row of `peer` in the Requests section (a button named "<peer>, message request…" or "<peer>, blocked"). */
function requestRow(peer: string, kind: 'message request' | 'blocked' = 'message request') {
  return [{ role: 'list' as const, name: 'Requests' }, { role: 'button' as const, name: pattern(new RegExp(`^${peer}, ${kind}`)) }];
}

function requestRows(user: BrowserUser): Promise<string[]> {
  return inPage(user, (q) => q.queryAll([{ role: 'list', name: 'Requests' }, { role: 'button' }]).map((el) => q.nameOf(el)));
}

/** Every stored message text of `username`'s conversation with `conv`, and its transfers (read in the page). */
function stored(user: BrowserUser, username: string, conv: string): Promise<{ texts: string[]; transfers: number; conversation: boolean }> {
  return user.evaluate(
    async ({ dbName, conv }) => {
      const req = <T>(r: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      const db = await req(indexedDB.open(dbName));
      try {
        const tx = db.transaction(['messages', 'transfers', 'conversations']);
        const all = (await req(tx.objectStore('messages').getAll())) as Array<{ conv: string; text: string }>;
        const transfers = (await req(tx.objectStore('transfers').getAll())) as Array<{ conv: string }>;
        const c = await req(tx.objectStore('conversations').get(conv));
        return { texts: all.filter((m) => m.conv === conv).map((m) => m.text), transfers: transfers.filter((t) => t.conv === conv).length, conversation: c !== undefined };
      } finally {
        db.close();
      }
    },
    { dbName: `peerchat-${username}`, conv },
  );
}

/** Whether `user`'s app has (or is setting up) a peer connection with `conv`. */
function hasLink(user: BrowserUser, conv: string): Promise<boolean> {
  return user.evaluate((conv) => {
    const svc = (document.querySelector('pc-app') as unknown as { service: { peers: { get(): { links: Map<string, string> } } } }).service;
    return svc.peers.get().links.has(conv);
  }, conv);
}

describe('message requests and blocking', { timeout: 300_000 }, () => {
  let srv: TestServer;
  let bob: BrowserUser;
  let carol: BrowserUser;
  let dave: BrowserUser;
  let dir: string;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pc-requests-'));
    srv = await startTestServer({
      testHooks: {
        tapFrame(direction, _conn, frame) {
          try {
            (direction === 'in' ? inbound : outbound).push(JSON.parse(frame) as Record<string, unknown>);
          } catch {
            // not JSON: not ours to count
          }
        },
      },
    });
    [bob, carol, dave] = await Promise.all([
      launchBrowser('chromium', { name: 'bob' }),
      launchBrowser('chromium', { name: 'carol' }),
      launchBrowser('chromium', { name: 'dave', viewport: { width: 360, height: 740 } }),
    ]);
    await register(bob, srv.url, 'bob');
    await register(carol, srv.url, 'carol');
    await register(dave, srv.url, 'dave');
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([bob, carol, dave].filter(Boolean), 'requests');
    await closeAllBrowsers();
    await srv?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  step('a stranger’s message is a request: plain text, no connection answered, no file accepted', async () => {
    await openConversation(carol, 'bob');
    await send(carol, 'Hello from a stranger https://example.org');
    await bob.waitForRole('list', 'Requests');
    await bob.clickWhere(requestRow('carol'));
    await bob.waitForRole('heading', 'carol');
    await waitForMessage(bob, 'Hello from a stranger https://example.org', 'received');
    await bob.waitForRole('region', 'Message request from carol');
    await bob.waitForText('Peerchat’s server is not told');
    // No composer, no Verify for a request; the text is shown as text (no link element).
    assert.equal(await inPage(bob, (q) => q.queryAll([{ role: 'textbox', name: 'Message' }]).length), 0, 'no composer');
    assert.equal(await inPage(bob, (q) => q.queryAll([{ role: 'list', name: { re: '^Messages with ' } }, { role: 'link' }]).length), 0, 'no link in the message');
    assert.equal(await inPage(bob, (q) => q.queryAll([{ role: 'list', name: { re: '^Messages with ' } }, { role: 'button', name: 'Message actions' }]).length), 0, 'no message menu (no reply or reaction before Accept)');

    // carol offered a connection (she is dialling bob), and bob's page answered nothing.
    await waitUntil(() => signalsTo('bob') > 0, 'carol offered a connection');
    assert.equal(signalsTo('carol'), 0, 'bob sent no signal to carol');
    assert.equal(await hasLink(bob, 'carol'), false, 'bob has no peer connection for carol');
    assert.ok(bob.logs().some((l) => l.includes('offer from someone who is not a contact was not answered')), 'bob logged the refusal');

    // carol attaches a picture, then writes again: the text arrives, the picture does not.
    await carol.setFiles('Attach file', [pngFile(path.join(dir, 'photo.png'), 64, 48)]);
    await send(carol, 'Did you get my photo?');
    await waitForMessage(bob, 'Did you get my photo?', 'received');
    assert.equal((await shownCards(bob)).length, 0, 'no file card on bob');
    const s = await stored(bob, 'bob', 'carol');
    assert.equal(s.transfers, 0, 'no transfer stored on bob');
    assert.deepEqual(s.texts.sort(), ['Did you get my photo?', 'Hello from a stranger https://example.org']);
    assert.equal(signalsTo('carol'), 0, 'still no signal from bob to carol');
    // carol's message went, but nobody's device has confirmed it.
    await waitForMessage(carol, 'Hello from a stranger https://example.org', 'sent');
  });

  step('Accept: the link comes up, nothing shows twice, messages flow both ways', async () => {
    await bob.click('Accept');
    await bob.waitForRole('region', 'Message request from carol', { hidden: true });
    await waitLinkReady(bob);
    await waitForMessage(carol, 'Hello from a stranger https://example.org', 'delivered');
    await waitForMessage(carol, 'Did you get my photo?', 'delivered');
    await send(bob, 'Welcome, carol');
    await waitForMessage(carol, 'Welcome, carol', 'received');
    await send(carol, 'Thanks!');
    await waitForMessage(bob, 'Thanks!', 'received');
    const texts = (await shownMessages(bob)).map((m) => m.text);
    assert.equal(texts.filter((t) => t === 'Hello from a stranger https://example.org').length, 1, 'the request message shows once');
    assert.ok(signalsTo('carol') > 0, 'now bob signals carol');
    // A contact now, listed with its verification state.
    await bob.waitForRole('button', 'carol, online, not verified');
    assert.deepEqual(await requestRows(bob), []);
  });

  step('Delete removes a request; Block refuses the account’s later requests', async () => {
    await openConversation(dave, 'bob');
    await send(dave, 'Buy my stuff');
    await bob.clickWhere(requestRow('dave'));
    await waitForMessage(bob, 'Buy my stuff', 'received');
    await bob.click('Delete');
    await waitInPage(bob, (q) => q.queryAll([{ role: 'list', name: 'Requests' }]).length === 0, undefined, 10_000, 'no Requests section');
    assert.deepEqual(await stored(bob, 'bob', 'dave'), { texts: [], transfers: 0, conversation: false });

    await send(dave, 'Buy my stuff, again');
    await bob.clickWhere(requestRow('dave'));
    await waitForMessage(bob, 'Buy my stuff, again', 'received');
    await bob.click('Block');
    await bob.waitForRole('region', 'You blocked dave');
    await bob.waitForText('Peerchat’s server is not told');
    assert.ok((await requestRows(bob)).some((n) => n.startsWith('dave, blocked')));

    const relayed = requestsFrom('dave');
    await send(dave, 'Blocked yet?');
    await waitUntil(() => requestsFrom('dave') > relayed, 'the server relayed dave’s next request');
    await waitUntil(() => bob.logs().some((l) => l.includes('request from a blocked account was dropped')), 'bob dropped it');
    assert.ok(!(await stored(bob, 'bob', 'dave')).texts.includes('Blocked yet?'), 'not stored');
    assert.ok(!(await shownMessages(bob)).some((m) => m.text === 'Blocked yet?'), 'not shown');
    assert.equal(signalsTo('dave'), 0, 'bob never signalled dave');
    assert.equal(await hasLink(bob, 'dave'), false);

    await bob.click('Unblock');
    await bob.waitForRole('region', 'Message request from dave');
  });
});
