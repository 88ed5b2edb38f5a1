// Settings and search in a real Chromium against the real server:
// - the theme, read receipts and typing choices apply at once and survive a reload;
// - search over a history stored on the device before the search index existed (written straight
//   into IndexedDB without tokens, as an older version of the app left it): the background
//   backfill indexes it; an English partial word and a Chinese word are found, with the
//   matching text highlighted; choosing a result opens the conversation at that message (older
//   than the newest page), scrolled into view and highlighted.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test test/e2e/settings-search.test.ts

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { register, startTestServer, stepTracker, type TestServer } from './app-helpers';
import { inPage, waitInPage } from './page-queries';

const ENGLISH = 'The quarterly report is ready for review';
const CHINESE = '明天下午三点在会议室开会，别迟到';

/** Seeds `count` messages with bob (ids m0000…), without search tokens, into alice's database. */
function seedHistory(arg: { count: number; english: number; chinese: number; english_text: string; chinese_text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('peerchat-alice');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['messages', 'conversations'], 'readwrite');
      const messages = tx.objectStore('messages');
      const start = Date.now() - arg.count * 60_000;
      let seq = 1000;
      for (let i = 0; i < arg.count; i++) {
        const text = i === arg.english ? arg.english_text : i === arg.chinese ? arg.chinese_text : `Filler line number ${i}`;
        const outgoing = i % 3 === 0;
        messages.put({ id: `m${String(i).padStart(4, '0')}`, conv: 'bob', from: outgoing ? 'alice' : 'bob', outgoing, text, ts: start + i * 60_000, state: outgoing ? 'delivered' : 'received', seq: ++seq });
      }
      tx.objectStore('conversations').put({ conv: 'bob', peerName: 'bob', lastText: 'Filler', lastTs: start + arg.count * 60_000, unread: 0, contact: 'contact', answering: true });
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

/** The highlighted message in the open conversation, and whether it is inside the list's view. */
async function highlighted(user: BrowserUser, id: string): Promise<boolean> {
  const found = await waitInPage(
    user,
    (q, target) => {
      const list = q.queryAll([{ role: 'list', name: 'Messages with bob' }])[0];
      const li = list?.querySelector(`li[data-id="${target}"]`);
      if (!list || !li || !li.classList.contains('highlight')) return null;
      const host = (list.getRootNode() as ShadowRoot).host;
      const a = li.getBoundingClientRect();
      const b = host.getBoundingClientRect();
      return a.bottom > b.top && a.top < b.bottom ? 'in view' : null;
    },
    id,
    15_000,
    `message ${id} highlighted in view`,
  );
  return found === 'in view';
}

describe('settings and search', { timeout: 180_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    srv = await startTestServer();
    alice = await launchBrowser('chromium', { name: 'alice' });
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice].filter(Boolean), 'settings-search');
    await closeAllBrowsers();
    await srv?.dispose();
  });

  step('theme, read receipts and typing apply at once and are kept after a reload', async () => {
    await register(alice, srv.url, 'alice');
    await alice.click('Settings');
    await alice.click('Dark', { role: 'radio' });
    const bg = () => alice.evaluate(() => getComputedStyle(document.querySelector('pc-app') as Element).backgroundColor);
    assert.equal(await bg(), 'rgb(18, 20, 24)');
    await alice.click('Read receipts', { role: 'switch' });
    await alice.click('Typing indicator', { role: 'switch' });
    await alice.reload();
    await alice.waitForText('Signed in as alice');
    assert.equal(await bg(), 'rgb(18, 20, 24)');
    await alice.click('Settings');
    await alice.waitForRole('heading', 'Settings');
    const shown = await inPage(alice, (q) => ({
      dark: (q.queryOne([{ role: 'radio', name: 'Dark' }]) as HTMLInputElement | null)?.checked,
      receipts: (q.queryOne([{ role: 'switch', name: 'Read receipts' }]) as HTMLInputElement | null)?.checked,
      typing: (q.queryOne([{ role: 'switch', name: 'Typing indicator' }]) as HTMLInputElement | null)?.checked,
    }));
    assert.deepEqual(shown, { dark: true, receipts: false, typing: false });
    await alice.click('Light', { role: 'radio' });
    assert.equal(await bg(), 'rgb(255, 255, 255)');
    await alice.click('Back');
  });

  step('search finds an English partial word and Chinese text and opens each message in place', async () => {
    await alice.evaluate(seedHistory, { count: 300, english: 12, chinese: 40, english_text: ENGLISH, chinese_text: CHINESE });
    // The app indexes what it finds at start-up (the history predates the index).
    await alice.reload();
    await alice.waitForText('Signed in as alice');
    await alice.click('Search');
    await alice.fill('Search messages', 'quarter');
    await alice.waitForText('1 message found');
    const marks = await inPage(alice, (q) => q.queryAll([{ role: 'button', text: 'report is ready' }]).map((b) => [...b.querySelectorAll('mark')].map((m) => m.textContent)));
    assert.deepEqual(marks, [['quarter']]);
    await alice.clickWhere([{ role: 'button', text: 'report is ready' }]);
    await alice.waitForRole('heading', 'bob');
    assert.ok(await highlighted(alice, 'm0012'));

    await alice.click('Search');
    await alice.fill('Search messages', '会议');
    await alice.waitForText('1 message found');
    await alice.clickWhere([{ role: 'button', text: '会议室' }]);
    assert.ok(await highlighted(alice, 'm0040'));

    await alice.click('Search');
    await alice.fill('Search messages', 'nothing-like-this');
    await alice.waitForText('No messages found.');
  });

  step('export downloads the conversation as HTML, Markdown and JSON with its messages', async () => {
    if (alice.raw.kind !== 'chromium') throw new Error('chromium expected');
    const page = alice.raw.page;
    // The save-file dialog cannot be answered here: the download path is the one tested.
    await alice.evaluate(() => void delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
    await alice.click('Back');
    await alice.click('Settings');
    for (const [button, check] of [
      ['Web page (HTML)', (t: string) => t.startsWith('<!DOCTYPE html>') || t.toLowerCase().startsWith('<!doctype html>')],
      ['Text (Markdown)', (t: string) => t.startsWith('# ')],
      ['Data (JSON)', (t: string) => (JSON.parse(t) as { messages: unknown[] }).messages.length === 300],
    ] as const) {
      const download = page.waitForEvent('download');
      await alice.click(button);
      const d = await download;
      const body = readFileSync(await d.path(), 'utf8');
      assert.ok(check(body), `${button}: ${body.slice(0, 80)}`);
      assert.ok(body.includes('quarterly report') && body.includes('会议室'), `${button} holds the messages`);
      assert.match(d.suggestedFilename(), /^Peerchat-bob-.*\.(html|md|json)$/);
    }
  });
});
