// A hostile contact: bob's page forges frames to alice over the real, sealed session (as a
// modified app would, from inside its own page through `pc-app`'s service), and sends a web page
// as a file. Real server, two SEPARATE Chromium processes (plus carol, registered and then
// offline), real data channels and IndexedDB.
//  - A `file-offer` whose file id is one of alice's message ids is refused: the message keeps its
//    text, in the list and in the database, and no file card takes its place.
//  - An `ack` from bob for alice's message to carol changes nothing: it stays Waiting and in the
//    outbox.
//  - A received `page.html` is only ever saved (a download, as application/octet-stream), never
//    opened as a page; its script never runs.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/hostile-contact.test.ts

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, stepTracker, waitForMessage, waitLinkReady } from './app-helpers';
import { clickInCard, shownCards, startFilePair, waitForCard, type FilePair } from './file-helpers';

interface StoredRow {
  id: string;
  conv: string;
  text: string;
  state: string;
  fileId: string | null;
  inOutbox: boolean;
}

/** The stored message with this text in `user`'s history database (read in the page). */
function storedMessage(user: BrowserUser, username: string, text: string): Promise<StoredRow | null> {
  return user.evaluate(
    async ({ dbName, text }) => {
      const req = <T>(r: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      const db = await req(indexedDB.open(dbName));
      try {
        const tx = db.transaction(['messages', 'outbox']);
        const all = (await req(tx.objectStore('messages').getAll())) as Array<{ id: string; conv: string; text: string; state: string; fileId?: string }>;
        const m = all.find((x) => x.text === text);
        if (!m) return null;
        const inOutbox = (await req(tx.objectStore('outbox').getKey(m.id))) !== undefined;
        return { id: m.id, conv: m.conv, text: m.text, state: m.state, fileId: m.fileId ?? null, inOutbox };
      } finally {
        db.close();
      }
    },
    { dbName: `peerchat-${username}`, text },
  );
}

/** A stored message by id (null: none). */
function storedById(user: BrowserUser, username: string, id: string): Promise<{ text: string; fileId: string | null } | null> {
  return user.evaluate(
    async ({ dbName, id }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(dbName);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      try {
        const m = await new Promise<{ text: string; fileId?: string } | undefined>((resolve, reject) => {
          const r = db.transaction('messages').objectStore('messages').get(id);
          r.onsuccess = () => resolve(r.result as { text: string; fileId?: string } | undefined);
          r.onerror = () => reject(r.error);
        });
        return m ? { text: m.text, fileId: m.fileId ?? null } : null;
      } finally {
        db.close();
      }
    },
    { dbName: `peerchat-${username}`, id },
  );
}

/** Sends `msg` as a sealed peer frame from `user`'s page to `peer`, bypassing the app's own logic. */
function forge(user: BrowserUser, peer: string, msg: Record<string, unknown>): Promise<boolean> {
  return user.evaluate(
    ({ peer, msg }) => {
      const svc = (document.querySelector('pc-app') as unknown as { service: Record<string, unknown> }).service;
      const manager = svc['links'] as { get(conv: string): { send(m: unknown): boolean } | undefined } | null;
      return manager?.get(peer)?.send(msg) ?? false;
    },
    { peer, msg },
  );
}

function hasLog(user: BrowserUser, text: string): boolean {
  return user.logs().some((l) => l.includes(text));
}

/** Polls `cond` until it holds (what the pages do is observed, not timed). */
async function waitUntil(cond: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a hostile contact', () => {
  let pair: FilePair;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const steps = stepTracker(test);

  before(async () => {
    pair = await startFilePair('hostile-contact');
    ({ alice, bob } = pair);
  });

  after(async () => {
    await pair?.dispose(steps.failed);
    await closeAllBrowsers();
  });

  steps.step('a file offer under one of alice’s message ids is refused; the message is untouched', async () => {
    const original = 'Original words from alice';
    await send(alice, original);
    await waitForMessage(alice, original, 'delivered');
    const mine = await storedMessage(alice, 'alice', original);
    assert.ok(mine, 'alice stored her message');

    const offer = { type: 'file-offer', fileId: mine.id, name: 'replaced.txt', mime: 'text/plain', size: 5, chunkSize: 65536, chunkCount: 1, ts: Date.now() };
    assert.equal(await forge(bob, 'alice', offer), true, 'bob forged the offer');
    // Alice handled the offer: she logged its refusal (a line, never the content), or (as an
    // older version did) stored it over her message.
    const refusal = 'refused an offer whose file id is already in use';
    await waitUntil(async () => hasLog(alice, refusal) || !!(await storedById(alice, 'alice', mine.id))?.fileId, 'alice handled the offer');

    assert.deepEqual(await storedById(alice, 'alice', mine.id), { text: original, fileId: null }, 'the stored message keeps its text and is no file');
    await alice.reload();
    await openConversation(alice, 'bob');
    await waitForMessage(alice, original, 'delivered');
    assert.equal((await shownCards(alice)).filter((c) => c.name === 'replaced.txt').length, 0, 'no file card took its place');
    assert.ok(hasLog(alice, refusal), 'alice logged the refusal');
  });

  steps.step('an offer under the id of a received file of another account on this browser is refused; the file is untouched', async () => {
    // The received-files folder is shared by the accounts of one browser: a file another account
    // received (here written directly) has no record in alice's history.
    const id = 'cd'.repeat(16);
    const bytes = [1, 2, 3, 4, 5, 6, 7, 8];
    await alice.evaluate(async ({ id, bytes }) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('peerchat-files', { create: true });
      const w = await (await dir.getFileHandle(id, { create: true })).createWritable();
      await w.write(new Uint8Array(bytes));
      await w.close();
    }, { id, bytes });
    // A small image: it would be accepted without asking, reopening that file for writing.
    const offer = { type: 'file-offer', fileId: id, name: 'other.png', mime: 'image/png', size: 70, chunkSize: 65536, chunkCount: 1, ts: Date.now() };
    await waitLinkReady(bob);
    const refusal = 'refused an offer whose file id is already in use';
    const refusalsBefore = alice.logs().filter((l) => l.includes(refusal)).length;
    assert.equal(await forge(bob, 'alice', offer), true, 'bob forged the offer');
    await waitUntil(
      async () => alice.logs().filter((l) => l.includes(refusal)).length > refusalsBefore || (await shownCards(alice)).some((c) => c.name === 'other.png'),
      'alice handled the offer',
    );
    assert.equal((await shownCards(alice)).filter((c) => c.name === 'other.png').length, 0, 'no card for the offer');
    const after = await alice.evaluate(async (id: string) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('peerchat-files');
      return [...new Uint8Array(await (await (await dir.getFileHandle(id)).getFile()).arrayBuffer())];
    }, id);
    assert.deepEqual(after, bytes, 'the other account’s file is untouched');
  });

  steps.step('an ack from bob for alice’s message to carol changes nothing', async () => {
    // Carol exists; alice opens their conversation while carol is online, then carol leaves.
    const carol = await launchBrowser('chromium', { name: 'carol' });
    await register(carol, pair.srv.url, 'carol');
    await openConversation(alice, 'carol');
    await carol.close();
    await alice.waitForRole('button', 'carol, online, not verified', { hidden: true, timeoutMs: 15_000 });
    const text = 'For carol only';
    await send(alice, text);
    await waitForMessage(alice, text, 'waiting');
    const toCarol = await storedMessage(alice, 'alice', text);
    assert.ok(toCarol?.inOutbox, 'the message to carol waits in the outbox');

    await waitLinkReady(bob);
    assert.equal(await forge(bob, 'alice', { type: 'ack', id: toCarol.id }), true, 'bob forged the ack');
    // A real message after the forged ack, on the same ordered channel: once alice shows it, she
    // has handled the ack.
    await send(bob, 'After the forged ack');
    await openConversation(alice, 'bob');
    await waitForMessage(alice, 'After the forged ack', 'received');
    // Alice handled the ack: she logged that she ignored it, or (as an older version did) took it.
    const ignored = 'ignored a receipt for a message not sent to this contact';
    await waitUntil(async () => hasLog(alice, ignored) || (await storedMessage(alice, 'alice', text))?.state === 'delivered', 'alice handled the ack');

    const after = await storedMessage(alice, 'alice', text);
    assert.equal(after?.state, 'waiting', 'still waiting');
    assert.equal(after?.inOutbox, true, 'still in the outbox');
    await openConversation(alice, 'carol');
    await waitForMessage(alice, text, 'waiting');
    assert.ok(hasLog(alice, ignored), 'alice logged the ignored receipt');
  });

  steps.step('a received page.html is only saved, as a download; its script never runs', async () => {
    await openConversation(alice, 'bob');
    const file = path.join(pair.dir, 'page.html');
    writeFileSync(file, '<!doctype html><title>page</title><script>localStorage.setItem("pc-hostile-ran", "1"); document.title = "ran";</script><p>hello</p>\n');
    await bob.setFiles('Attach file', [file]);
    await waitForCard(alice, 'page.html', (c) => c.state === 'offered', 15_000, 'offered');
    await clickInCard(alice, 'page.html', 'Accept');
    const card = await waitForCard(alice, 'page.html', (c) => c.state === 'done', 30_000, 'done');
    assert.ok(!/\bOpen\b/.test(card.text), `the card offers no Open: ${card.text}`);
    assert.equal(card.imageWidth, null, 'nothing is shown inline');

    assert.equal(alice.raw.kind, 'chromium');
    if (alice.raw.kind !== 'chromium') return;
    const { page, context } = alice.raw;
    // What the Save hands to the browser: the type of each Blob made into a URL from now on.
    await alice.evaluate(() => {
      const w = window as unknown as { pcSavedTypes: string[] };
      w.pcSavedTypes = [];
      const create = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (obj: Blob | MediaSource) => {
        if (obj instanceof Blob) w.pcSavedTypes.push(obj.type);
        return create(obj);
      };
    });
    const pagesBefore = context.pages().length;
    const download = page.waitForEvent('download', { timeout: 15_000 });
    await clickInCard(alice, 'page.html', 'Save');
    const saved = await download;
    assert.equal(saved.suggestedFilename(), 'page.html');
    assert.deepEqual(await alice.evaluate(() => (window as unknown as { pcSavedTypes: string[] }).pcSavedTypes), ['application/octet-stream'], 'saved as bytes no browser renders');
    await saved.path();
    assert.equal(context.pages().length, pagesBefore, 'no tab or window was opened');
    assert.equal(await alice.evaluate(() => localStorage.getItem('pc-hostile-ran')), null, 'the page’s script never ran');
    assert.equal(await alice.evaluate(() => location.pathname), '/', 'the app was not navigated away');
  });
});
