// If either side reloads mid-transfer, the transfer continues from the chunks already verified
// once both are back; nothing starts over. This is the SENDER's side. files.test.ts covers the
// receiver reloading; here alice (the sender) reloads her page in the middle of a large file.
// Her session is kept in localStorage and the File in IndexedDB (transfer-service.ts), so her
// page signs in by itself, reconnects to bob, re-offers the file, and bob answers with the
// chunks he already has. Two SEPARATE Chromium processes, the real signal server, real data
// channels, OPFS and IndexedDB.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/files-sender-reload.test.ts

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, type BrowserUser } from './browsers';
import { LINK_READY_TEXT, openConversation, send, waitForMessage, stepTracker } from './app-helpers';
import { inPage } from './page-queries';
import { b2sum256, clickInCard, hashInPage, randomFile, startFilePair, waitForCard, waitPersisted, type FilePair, type ShownCard } from './file-helpers';

const MiB = 1024 * 1024;
const SIZE = 60 * MiB;
const CHUNK = 64 * 1024;

function chunksReceived(user: BrowserUser): Promise<number> {
  return user.evaluate(() => (window as unknown as { peerchatTransfers: { chunksReceived: number } }).peerchatTransfers.chunksReceived);
}

interface LinkEvent {
  link: string;
  chunks: number;
  /** Date.now() in bob's page (same machine clock as the test's). */
  t: number;
}

/**
 * In bob's page: records bob's chunk counter each time the status line of the open conversation
 * changes ("Connected directly · end-to-end encrypted" is recorded as 'ready', anything else as
 * its text), so the test knows exactly how many chunks arrived before the old session went down
 * and after the new one came up.
 */
function recordLinkChanges(user: BrowserUser): Promise<boolean> {
  return inPage(
    user,
    (q, ready) => {
      const w = window as unknown as { peerchatTransfers: { chunksReceived: number }; __linkEvents?: { link: string; chunks: number; t: number }[] };
      const el = q.queryAll([{ role: 'status', text: { re: '^(Connected directly|Offline|Connecting securely|Online)' } }])[0];
      if (!el) return false;
      const linkOf = (): string => (q.renderedText(el) === ready ? 'ready' : q.renderedText(el));
      const events: { link: string; chunks: number; t: number }[] = [];
      w.__linkEvents = events;
      let last = linkOf();
      new MutationObserver(() => {
        const now = linkOf();
        if (now === last) return;
        last = now;
        events.push({ link: now, chunks: w.peerchatTransfers.chunksReceived, t: Date.now() });
      }).observe(el, { subtree: true, childList: true, characterData: true });
      return true;
    },
    LINK_READY_TEXT,
  );
}

function linkEvents(user: BrowserUser): Promise<LinkEvent[]> {
  return user.evaluate(() => (window as unknown as { __linkEvents?: LinkEvent[] }).__linkEvents ?? []);
}

describe('files: the sender reloads mid-transfer', { timeout: 180_000 }, () => {
  let pair: FilePair;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let dir: string;
  const steps = stepTracker(test);

  before(async () => {
    pair = await startFilePair('files-sender-reload');
    ({ alice, bob, dir } = pair);
  });

  after(async () => {
    await pair?.dispose(steps.failed);
    await closeAllBrowsers();
  });

  const { step } = steps;

  step('the sender reloads mid-transfer and the transfer resumes without starting over', async () => {
    const file = randomFile(path.join(dir, 'sender-reload-60.bin'), SIZE);
    const want = b2sum256(file);
    const chunks = SIZE / CHUNK;
    await alice.setFiles('Attach file', [file]);
    await waitForCard(bob, 'sender-reload-60.bin', (c) => c.state === 'offered', 15_000, 'offered');
    assert.ok(await recordLinkChanges(bob), "bob's conversation shows the link state");
    await clickInCard(bob, 'sender-reload-60.bin', 'Accept');
    const at = await waitForCard(bob, 'sender-reload-60.bin', (c) => c.state === 'running' && (c.pct ?? 0) >= 25, 30_000, 'running ≥ 25 %');
    const tr = Date.now();
    await alice.reload();
    console.log(`# sender reload: page reloaded in ${Date.now() - tr} ms`);

    // Alice's session resumes by itself (no password retyped), and she reopens the conversation.
    await alice.waitForText(/Signed in as\s+alice/, 15_000);
    await openConversation(alice, 'bob');

    // The old session is gone: bob's link went down (at once when alice's page closed it; at the
    // latest when her new page's offer replaced it), and he had part of the file, not all of it.
    await bob.waitFor(() => ((window as unknown as { __linkEvents?: { link: string }[] }).__linkEvents ?? []).some((e) => e.link !== 'ready'), undefined, 20_000);
    const down = (await linkEvents(bob)).find((e) => e.link !== 'ready') as LinkEvent;
    console.log(`# sender reload: bob saw the link go down ${down.t - tr} ms after the reload began`);
    assert.ok((at.pct ?? 0) < 100);
    assert.ok(down.chunks > 0 && down.chunks < chunks, `bob had part of the file when alice reloaded: ${down.chunks} of ${chunks} chunks`);
    const seen: ShownCard[] = [];
    const a = await waitForCard(
      alice,
      'sender-reload-60.bin',
      (c) => {
        seen.push(c);
        return c.state === 'done';
      },
      120_000,
      'done after resume',
    );
    console.log(`# sender reload: reload → verified on alice in ${((Date.now() - tr) / 1000).toFixed(1)} s`);
    console.log(`# alice's card after the reload: ${[...new Set(seen.map((c) => `${c.state}${c.pct === null ? '' : ` ${c.pct} %`}`))].join(' → ')}`);
    const b = await waitForCard(bob, 'sender-reload-60.bin', (c) => c.state === 'done', 10_000, 'done');

    const events = await linkEvents(bob);
    const up = events.find((e, i) => e.link === 'ready' && i > events.indexOf(down));
    assert.ok(up, `bob's link came back: ${events.map((e) => e.link).join(' → ')}`);
    const total = await chunksReceived(bob);
    const afterReload = total - up.chunks;
    console.log(
      `# sender reload: reloaded at ≥ ${at.pct} %, bob had ${down.chunks} of ${chunks} chunks when the link went down, `
        + `${up.chunks} when it was back, ${afterReload} received after the reload (${total} in all); link: ${events.map((e) => e.link).join(' → ')}`,
    );
    assert.equal(up.chunks, down.chunks, 'no chunks arrived while alice was away');
    assert.ok(afterReload > 0, 'the rest was sent after the reload');
    assert.ok(afterReload < chunks, `did not start over: ${afterReload} of ${chunks} chunks after the reload`);
    assert.equal(afterReload + down.chunks, chunks, 'exactly the missing chunks were sent');
    assert.equal(total, chunks, 'every chunk reached bob exactly once');

    // Alice's card shows the transfer running again, from where bob was, never "0 %": until bob
    // answers it shows no number (pct null, "Paused until bob is connected" / "Resuming…"), then
    // what bob has minus what sits in her channel buffer (≤ 4 MiB, send-pump.ts).
    const unknown = seen.filter((c) => c.state === 'running' && c.pct === null);
    for (const c of unknown) assert.doesNotMatch(c.text, /\b0 %/, `no "0 %" while the progress is unknown: ${c.text}`);
    const shown = seen.filter((c) => c.state === 'running' && c.pct !== null).map((c) => c.pct ?? 0);
    const bobHadPct = Math.floor((100 * down.chunks) / chunks);
    assert.ok(shown.length > 0, `alice's card showed progress after the reload: ${JSON.stringify(seen.map((c) => [c.state, c.pct]))}`);
    assert.ok(Math.min(...shown) >= bobHadPct - 7, `alice's progress resumed near ${bobHadPct} %, not from 0: ${shown.join(', ')} %`);
    assert.match(a.text, /Verified ✓/);
    assert.match(b.text, /Verified ✓/);
    assert.equal(b.hash, want, 'receiver shows the right hash');
    assert.equal(a.hash, want, 'sender shows the right hash');
    assert.equal(await hashInPage(bob, b.id), want, 'the bytes in OPFS hash to the same');

    // Chat still flows both ways after the reload.
    await send(alice, 'back after my reload');
    await waitForMessage(bob, 'back after my reload', undefined, 10_000);
    await send(bob, 'got the whole file');
    await waitForMessage(alice, 'got the whole file', undefined, 10_000);
  });

  step('the receiver verifies while the sender reloads: the sender accepts the verdict afterwards', async () => {
    // Bob's page is paused (DevTools) while alice's last chunks and her file-done reach him, and
    // alice reloads before bob can answer: bob then verifies, stores "done" and answers into a
    // session that is gone. Back, alice re-offers and bob answers "verified" from his record;
    // alice must check that against the hash she stored, not fail the transfer for want of one.
    if (bob.raw.kind !== 'chromium') throw new Error('Chromium only');
    const name = 'verdict-while-away.bin';
    const file = randomFile(path.join(dir, name), 12 * MiB);
    const want = b2sum256(file);
    await alice.setFiles('Attach file', [file]);
    const offered = await waitForCard(bob, name, (c) => c.state === 'offered', 15_000, 'offered');
    const base = await chunksReceived(bob);
    await clickInCard(bob, name, 'Accept');
    await bob.waitFor((n: number) => (window as unknown as { peerchatTransfers: { chunksReceived: number } }).peerchatTransfers.chunksReceived > n, base, 15_000);
    const cdp = await bob.raw.context.newCDPSession(bob.raw.page);
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    try {
      // Alice sends everything into bob's queue, hashes the file, stores the hash, sends file-done.
      await alice.waitFor((id: string) => (window as unknown as { peerchatTransfers: { sentHashStored: Record<string, boolean> } }).peerchatTransfers.sentHashStored[id] === true, offered.id, 30_000);
      await alice.reload();
    } finally {
      await cdp.send('Debugger.resume');
      await cdp.send('Debugger.disable');
      await cdp.detach();
    }
    const b = await waitForCard(bob, name, (c) => c.state === 'done', 30_000, 'done on bob');
    assert.equal(b.hash, want);
    assert.equal(await chunksReceived(bob) - base, (12 * MiB) / CHUNK, 'bob got every chunk once, before alice came back: nothing to resume');
    await alice.waitForText(/Signed in as\s+alice/, 15_000);
    await openConversation(alice, 'bob');
    const seen: string[] = [];
    const a = await waitForCard(alice, name, (c) => {
      seen.push(c.state);
      return c.state !== 'running';
    }, 30_000, 'settled on alice');
    assert.equal(a.state, 'done', `alice's card: ${[...new Set(seen)].join(' → ')}: ${a.text}`);
    assert.equal(a.hash, want, 'alice shows the hash bob verified');
    assert.match(a.text, /Verified ✓/);
  });

  step('both sides away at once: the sender reloads while the receiver is gone; it finishes once both are back', async () => {
    const name = 'both-away.bin';
    const file = randomFile(path.join(dir, name), 40 * MiB);
    const want = b2sum256(file);
    const base = await chunksReceived(bob); // the counter covers bob's page, earlier files too
    await alice.setFiles('Attach file', [file]);
    await waitForCard(bob, name, (c) => c.state === 'offered', 15_000, 'offered');
    await clickInCard(bob, name, 'Accept');
    const running = await waitForCard(bob, name, (c) => c.state === 'running' && (c.pct ?? 0) >= 20, 30_000, 'running ≥ 20 %');
    await waitPersisted(bob, running.id); // what bob keeps is what he stored (first 200 ms in, then once a second)
    const before = (await chunksReceived(bob)) - base;
    const appUrl = pair.srv.url;
    await bob.goto('about:blank'); // bob's page is gone (his profile, IndexedDB and OPFS stay)
    await alice.reload();
    await alice.waitForText(/Signed in as\s+alice/, 15_000);
    await openConversation(alice, 'bob');
    // Alice cannot know how far bob got: no number, and never a wrong "0 %".
    const paused = await waitForCard(alice, name, (c) => c.state === 'running' && /Paused until bob is connected/.test(c.text), 15_000, 'paused, progress unknown');
    assert.equal(paused.pct, null, `no percentage while bob is away: ${paused.text}`);
    assert.doesNotMatch(paused.text, /%/);

    await bob.goto(appUrl); // bob comes back: his session resumes by itself
    await bob.waitForText(/Signed in as\s+bob/, 15_000);
    await openConversation(bob, 'alice');
    const b = await waitForCard(bob, name, (c) => c.state === 'done', 60_000, 'done');
    const a = await waitForCard(alice, name, (c) => c.state === 'done', 15_000, 'done');
    const resumed = await bob.evaluate(
      (id: string) => (window as unknown as { peerchatTransfers: { resumedFrom: Record<string, number> } }).peerchatTransfers.resumedFrom[id] ?? -1,
      b.id,
    );
    const chunks = (40 * MiB) / CHUNK;
    console.log(`# both away: bob had ${before} chunks before leaving, resumed from ${resumed} of ${chunks}`);
    assert.ok(resumed > 0 && resumed < chunks, `bob's page resumed from the chunks on disk, not from 0: ${resumed}`);
    assert.ok(resumed <= before, 'only chunks that had arrived count as kept');
    assert.equal(await chunksReceived(bob), chunks - resumed, 'only the missing chunks were sent to bob\'s new page');
    assert.equal(b.hash, want);
    assert.equal(a.hash, want);
    assert.equal(await hashInPage(bob, b.id), want);
  });
});
