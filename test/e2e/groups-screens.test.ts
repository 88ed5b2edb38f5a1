// The group screens with real browsers and real peers: alice, bob and carol in Chromium, dave in
// Firefox, each driven only by clicking and typing, against the real server over real WebRTC.
//  - alice creates a group in the New group dialog (name, bob, carol and dave ticked): all four
//    see it in the Groups section;
//  - bob writes in the group's composer and presses Enter: everyone sees it, with bob as author;
//  - alice attaches an image: it shows inline in the GROUP conversation on bob, carol and dave
//    (once verified), and not in their 1:1 conversations with alice;
//  - alice attaches two files: bob accepts both on his device (verified, the same BLAKE2b as on
//    disk); carol declines one and leaves the other waiting; dave decides nothing; alice's
//    messages say "Delivered to 3 of 3";
//  - bob reloads while a large file arrives: the download resumes without starting over;
//  - the conversation with an image and a file card passes axe-core (light and dark);
//  - alice renames the group from its info dialog: a change line on every member;
//  - alice goes offline; carol accepts the file she left waiting: bob, whose copy verified,
//    serves her the same sealed chunks, and her copy verifies against the hash alice signed.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/groups-screens.test.ts

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, shownMessages, startTestServer, stepTracker, waitForMessage, type TestServer } from './app-helpers';
import { b2sum256, clickInCard, hashInPage, pngFile, randomFile, shownCards, waitForCard, waitPersisted } from './file-helpers';
import { auditScreen } from './a11y-audit';
import { pattern } from './page-queries';

function groupRow(name: string) {
  return [{ role: 'list' as const, name: 'Groups' }, { role: 'button' as const, name: pattern(new RegExp(`^${name}, group`)) }];
}

async function openGroup(u: BrowserUser, name: string): Promise<void> {
  await u.clickWhere(groupRow(name), { timeoutMs: 20_000 });
  await u.waitForRole('heading', name, { timeoutMs: 5_000 });
}

describe('group screens with real peers', { timeout: 240_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let carol: BrowserUser;
  let dave: BrowserUser;
  const dir = mkdtempSync(path.join(tmpdir(), 'peerchat-group-screens-'));
  const photo = pngFile(path.join(dir, 'hike-photo.png'), 64, 48);
  const plan = randomFile(path.join(dir, 'route-plan.bin'), 300 * 1024);
  const map = randomFile(path.join(dir, 'trail-map.bin'), 200 * 1024);
  const groupName = 'Weekend hike';
  const renamed = 'Sunday hike';
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    srv = await startTestServer();
    [alice, bob, carol, dave] = await Promise.all([
      launchBrowser('chromium', { name: 'alice' }),
      launchBrowser('chromium', { name: 'bob' }),
      launchBrowser('chromium', { name: 'carol' }),
      launchBrowser('firefox', { name: 'dave' }),
    ]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob, carol, dave].filter((u): u is BrowserUser => !!u), 'groups-screens');
    await closeAllBrowsers();
    await srv?.dispose().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  step('alice creates the group in the New group dialog; all four see it in the Groups section', async () => {
    for (const [u, name] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol'], [dave, 'dave']] as const) await register(u, srv.url, name);
    // bob, carol and dave talk with alice: she is their contact (and they have a 1:1 conversation).
    for (const u of [bob, carol, dave]) await openConversation(u, 'alice');
    await alice.click('New group');
    await alice.waitForRole('dialog', 'New group');
    await alice.fill('Group name', groupName);
    await alice.click('bob', { role: 'checkbox', timeoutMs: 15_000 });
    await alice.click('carol', { role: 'checkbox', timeoutMs: 15_000 });
    await alice.click('dave', { role: 'checkbox', timeoutMs: 15_000 });
    await alice.click('Create group');
    await alice.waitForRole('dialog', 'New group', { hidden: true });
    await alice.waitForRole('heading', groupName, { timeoutMs: 10_000 });
    for (const u of [alice, bob, carol, dave]) await u.waitForRole('list', 'Groups', { timeoutMs: 20_000 });
    for (const u of [bob, carol, dave]) await openGroup(u, groupName);
    await alice.waitForText('You created the group Weekend hike', 5_000);
    for (const u of [bob, carol, dave]) await u.waitForText('alice created the group Weekend hike', 10_000);
  });

  step('bob writes in the composer and presses Enter; everyone sees it with bob as author', async () => {
    const text = 'I can bring the tent';
    await send(bob, text);
    for (const u of [alice, carol, dave]) await waitForMessage(u, text, undefined, 20_000);
    for (const u of [alice, carol, dave]) assert.equal((await shownMessages(u)).find((m) => m.text === text)?.from, 'bob', `${u.name} shows bob as the author`);
    assert.equal((await shownMessages(bob)).find((m) => m.text === text)?.outgoing, true);
  });

  step('alice attaches an image: inline in the group conversation on bob, carol and dave, not in their 1:1 with alice', async () => {
    await alice.setFiles('Attach file', [photo]);
    await waitForCard(alice, 'hike-photo.png', (c) => c.outgoing && c.imageWidth === 64, 15_000, 'alice’s own image');
    for (const u of [bob, carol, dave]) {
      const card = await waitForCard(u, 'hike-photo.png', (c) => !c.outgoing && c.state === 'done' && c.imageWidth === 64, 30_000, 'the image, verified and shown inline');
      assert.ok(card.hash, 'its BLAKE2b is shown');
      assert.equal(card.hash, b2sum256(photo));
      assert.equal((await shownMessages(u)).find((m) => m.text.includes('hike-photo.png'))?.from, 'alice', 'under alice’s name');
    }
    for (const u of [bob, carol, dave]) {
      await openConversation(u, 'alice');
      assert.deepEqual((await shownCards(u)).map((c) => c.name), [], `${u.name}: nothing in the 1:1 conversation with alice`);
      await openGroup(u, groupName);
    }
  });

  step('files: bob accepts (verified), carol declines one and leaves one; alice reads "Delivered to 3 of 3" (or "Read by 3 of 3": they have the group open)', async () => {
    await alice.setFiles('Attach file', [plan, map]);
    for (const u of [bob, carol, dave]) for (const f of ['route-plan.bin', 'trail-map.bin']) await waitForCard(u, f, (c) => !c.outgoing && c.state === 'offered', 30_000, 'offered');
    await clickInCard(bob, 'route-plan.bin', 'Accept');
    await clickInCard(bob, 'trail-map.bin', 'Accept');
    await clickInCard(carol, 'route-plan.bin', 'Decline');
    for (const [f, p] of [['route-plan.bin', plan], ['trail-map.bin', map]] as const) {
      const got = await waitForCard(bob, f, (c) => c.state === 'done', 30_000, 'received and verified');
      assert.equal(got.hash, b2sum256(p), 'the file bob has is the file alice sent');
    }
    await waitForCard(carol, 'route-plan.bin', (c) => c.state === 'declined', 10_000, 'declined');
    assert.equal((await shownCards(carol)).find((c) => c.name === 'trail-map.bin')?.state, 'offered', 'carol has not decided on the other');
    await alice.waitFor(() => {
      const walk = (root: Document | ShadowRoot): number =>
        [...root.querySelectorAll('*')].reduce((n, el) => n + (el.tagName === 'PC-GROUP-DELIVERY' && /(Delivered to|Read by) 3 of 3/.test(el.shadowRoot?.textContent ?? '') ? 1 : 0) + (el.shadowRoot ? walk(el.shadowRoot) : 0), 0);
      return walk(document) >= 3;
    }, undefined, 20_000);
  });

  step('bob reloads while a large file arrives: the download resumes without starting over', async () => {
    const big = randomFile(path.join(dir, 'hike-video.bin'), 40 * 1024 * 1024);
    const chunks = (40 * 1024 * 1024) / (64 * 1024);
    await alice.setFiles('Attach file', [big]);
    await waitForCard(bob, 'hike-video.bin', (c) => c.state === 'offered', 30_000, 'offered');
    await clickInCard(bob, 'hike-video.bin', 'Accept');
    const at = await waitForCard(bob, 'hike-video.bin', (c) => c.state === 'running' && (c.pct ?? 0) >= 20, 30_000, 'running ≥ 20 %');
    await waitPersisted(bob, at.id);
    await bob.reload();
    await bob.waitForText(/Signed in as\s+bob/, 15_000);
    await openGroup(bob, groupName);
    const done = await waitForCard(bob, 'hike-video.bin', (c) => c.state === 'done', 90_000, 'done after the reload');
    const counters = await bob.evaluate(() => (window as unknown as { peerchatTransfers: { chunksReceived: number; resumedFrom: Record<string, number> } }).peerchatTransfers);
    const kept = counters.resumedFrom[done.id] ?? 0;
    assert.ok(kept > 0, 'chunks from before the reload were kept');
    assert.equal(counters.chunksReceived + kept, chunks, 'exactly the missing chunks were sent');
    assert.equal(done.hash, b2sum256(big));
    assert.equal(await hashInPage(bob, done.id), done.hash, 'the bytes on bob’s disk hash to it');
  });

  step('the group conversation with an image and a file card passes axe-core, light and dark', async () => {
    await auditScreen(bob, 'group conversation with an image and a file card');
  });

  step('alice renames the group from its info dialog: a change line everywhere', async () => {
    await alice.click(`Group info: ${groupName}`);
    await alice.waitForRole('dialog', groupName);
    await alice.fill('Group name', renamed);
    await alice.click('Rename');
    await alice.waitForText(`You renamed the group to ${renamed}`, 10_000);
    await alice.press('Escape');
    for (const u of [bob, carol, dave]) await u.waitForText(`alice renamed the group to ${renamed}`, 20_000);
    for (const u of [bob, carol, dave]) await u.waitForRole('heading', renamed, { timeoutMs: 5_000 });
  });

  step('alice is offline: carol accepts the file she left waiting and gets it from bob', async () => {
    await alice.goto('about:blank');
    await clickInCard(carol, 'trail-map.bin', 'Accept');
    const got = await waitForCard(carol, 'trail-map.bin', (c) => c.state === 'done', 45_000, 'served by bob, verified');
    assert.equal(got.hash, b2sum256(map), 'the copy bob served is the file alice sent');
  });
});
