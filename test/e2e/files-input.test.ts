// The ways into a transfer: one or several files or images sent to a contact from the
// conversation with the file button, by drag and drop onto the conversation, or by pasting an
// image. Two SEPARATE Chromium processes (alice 1280 wide, bob 360 wide), the real signal server,
// real data channels. Tests run in order and share the users. What the drags and pastes read in
// the page is in test/e2e/drag-drop-helpers.ts.
//
// The drags are real browser drags: DevTools' Input.dispatchDragEvent with files from disk, as
// when files are dragged in from the desktop, so the page gets the browser's own (trusted)
// dragenter/dragover/dragleave/drop events and a DataTransfer holding real File objects. Like
// Blink does for a real drag, an update that moves onto another element fires only
// dragenter/dragleave there; dragover follows on the next update over the same element.
// The image paste is real too: a PNG is put on the (headless) clipboard and Ctrl+V is pressed in
// the message box, so the page gets the browser's paste event, whose image Chromium names
// "image.png" as for a screenshot. A second paste is a dispatched ClipboardEvent carrying a named
// File (as when a file is copied in a file manager), whose exact bytes the test knows.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/files-input.test.ts
// The screenshot taken while dragging goes to test-results/e2e/files-input-drop-hint.png.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CDPSession, Page } from 'playwright-core';
import { drag, dropZone, pointOf, record, recorded, waitSeen, waitZone, HINT } from './drag-drop-helpers';
import { closeAllBrowsers, DIAGNOSTICS_DIR, type BrowserUser } from './browsers';
import { send, waitForMessage, stepTracker, type TestServer } from './app-helpers';
import { inPage, waitInPage } from './page-queries';
import { b2sum256, clickInCard, pngFile, randomFile, shownCards, startFilePair, waitForCard, type FilePair, type ShownCard } from './file-helpers';

const PASTED_NAME = /^pasted-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.png$/;

function pageOf(user: BrowserUser): Page {
  if (user.raw.kind !== 'chromium') throw new Error('Chromium only');
  return user.raw.page;
}

const names = (cards: ShownCard[]): string[] => cards.map((c) => c.name);

function pageErrors(user: BrowserUser): number {
  return user.logs().filter((l) => l.startsWith('[pageerror]')).length;
}

describe('sending from the conversation: drag and drop, paste, several files at once', { timeout: 120_000 }, () => {
  let pair: FilePair;
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let cdp: CDPSession;
  let dir: string;
  const steps = stepTracker(test);

  before(async () => {
    mkdirSync(DIAGNOSTICS_DIR, { recursive: true });
    pair = await startFilePair('files-input');
    ({ srv, alice, bob, dir } = pair);
    const page = pageOf(alice);
    cdp = await page.context().newCDPSession(page);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
  });

  after(async () => {
    await cdp?.detach().catch(() => undefined);
    await pair?.dispose(steps.failed);
    await closeAllBrowsers();
  });

  const { step } = steps;

  step('several files dropped onto the conversation: a drop zone while over it, one offer per file, all verified', async () => {
    const one = randomFile(path.join(dir, 'notes-one.bin'), 300 * 1024 + 17);
    const two = randomFile(path.join(dir, 'notes-two.bin'), 1024 * 1024 + 5);
    const png = pngFile(path.join(dir, 'dropped.png'), 320, 200);
    const files = [one, two, png];
    const dropped = files.map((f) => path.basename(f));
    const want = new Map(files.map((f) => [path.basename(f), b2sum256(f)]));
    const before = { alice: names(await shownCards(alice)), bob: names(await shownCards(bob)) };
    await alice.waitForText('No messages yet. Say hello to bob!');

    await record(alice);
    await drag(cdp, 'dragEnter', await pointOf(alice, 'list'), { files });
    await drag(cdp, 'dragOver', await pointOf(alice, 'list', 4), { files });
    const over = await waitZone(alice, true, 'files over the messages');
    assert.equal(over.outline, 'dashed', 'the messages get the dashed drop outline');
    assert.equal(over.hint, 'Drop to send to bob', 'the hint says what a drop does');
    const shot = path.join(DIAGNOSTICS_DIR, 'files-input-drop-hint.png');
    await pageOf(alice).screenshot({ path: shot });

    // On over the message box (an update onto it, then one over it) and back: one drop zone.
    await drag(cdp, 'dragOver', await pointOf(alice, 'box'), { files });
    await drag(cdp, 'dragOver', await pointOf(alice, 'box', 2), { files });
    const overBox = await waitSeen(alice, 'dragover', 'textarea');
    assert.equal(overBox.prevented, true, 'the message box is part of the drop zone');
    assert.equal((await dropZone(alice)).on, true, 'still a drop zone over the message box');
    await drag(cdp, 'dragOver', await pointOf(alice, 'list'), { files });
    await drag(cdp, 'drop', await pointOf(alice, 'list', 4), { files });

    const drop = await waitSeen(alice, 'drop');
    assert.equal(drop.trusted, true, 'a real browser drop');
    assert.deepEqual(drop.names, dropped, 'the drop carried the three files');
    assert.equal(drop.prevented, true, 'the app took the drop (the browser does not open the file)');
    const after = await waitZone(alice, false, 'after the drop');
    assert.equal(after.hint, null, 'the hint is gone after the drop');
    assert.equal(after.outline, 'none', 'the outline is gone after the drop');
    const r = await recorded(alice);
    const overs = r.events.filter((e) => e.type === 'dragover');
    assert.ok(overs.length >= 3 && overs.every((e) => e.prevented && e.types.includes('Files')), `every dragover with files is taken: ${JSON.stringify(overs)}`);
    assert.deepEqual(r.zone, [true, false], 'the drop zone showed once, without flicker, and went away on the drop');

    // Bob: one card per file; the image is accepted by itself, the others wait for Accept.
    const img = await waitForCard(bob, 'dropped.png', (c) => c.state === 'done' && (c.imageWidth ?? 0) > 0, 20_000, 'done with image');
    assert.equal(img.imageWidth, 320);
    for (const name of ['notes-one.bin', 'notes-two.bin']) {
      const c = await waitForCard(bob, name, (x) => x.state === 'offered', 15_000, 'offered');
      assert.match(c.text, /Accept/);
    }
    for (const name of ['notes-one.bin', 'notes-two.bin']) await clickInCard(bob, name, 'Accept');
    for (const name of dropped) {
      const b = await waitForCard(bob, name, (c) => c.state === 'done', 20_000, 'done');
      const a = await waitForCard(alice, name, (c) => c.state === 'done', 10_000, 'done');
      assert.match(b.text, /Verified ✓/, `${name}: verified for bob`);
      assert.match(a.text, /Verified ✓/, `${name}: verified for alice`);
      assert.equal(b.hash, want.get(name), `${name}: bob's hash is the file's`);
      assert.equal(a.hash, want.get(name), `${name}: alice's hash is the file's`);
      assert.equal(a.outgoing, true);
      assert.equal(b.outgoing, false);
    }
    assert.deepEqual(names(await shownCards(bob)), [...before.bob, ...dropped], 'bob got exactly one card per dropped file, in order');
    assert.deepEqual(names(await shownCards(alice)), [...before.alice, ...dropped], 'alice shows exactly one card per dropped file');
    assert.ok(statSync(shot).size > 10_000, 'the drop-zone screenshot was saved');
  });

  step('files dragged away again, text dragged or dropped, and empty drops send nothing and leave the UI working', async () => {
    const file = randomFile(path.join(dir, 'never-sent.bin'), 1000);
    const before = { alice: names(await shownCards(alice)), bob: names(await shownCards(bob)) };
    const errorsBefore = pageErrors(alice);

    // Files dragged over the conversation, then on to the contact list: the drop zone goes away.
    await record(alice);
    await drag(cdp, 'dragEnter', await pointOf(alice, 'list'), { files: [file] });
    await drag(cdp, 'dragOver', await pointOf(alice, 'list', 4), { files: [file] });
    await waitZone(alice, true, 'files over the messages');
    await drag(cdp, 'dragOver', await pointOf(alice, 'contacts'), { files: [file] });
    const away = await waitZone(alice, false, 'files dragged on to the contact list');
    assert.equal(away.hint, null);
    assert.deepEqual((await recorded(alice)).zone, [true, false]);
    // A file drag or drop outside the conversation is refused by the app (default prevented,
    // dropEffect 'none'), never left to the browser, which would open the file in place of the app
    // and end every running transfer. Checked with dispatched events on the contact list: the
    // DevTools drop above never navigates, so only the handlers' verdict tells.
    const refused = await inPage(alice, (q) => {
      const contacts = q.queryOne([{ role: 'list', name: 'Contacts' }]);
      if (!contacts) throw new Error('no contact list');
      return ['dragover', 'drop'].map((type) => {
        const dt = new DataTransfer();
        dt.items.add(new File(['x'], 'stray.bin'));
        const ev = new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true, composed: true });
        contacts.dispatchEvent(ev);
        return { type, prevented: ev.defaultPrevented, effect: dt.dropEffect };
      });
    });
    assert.deepEqual(refused, [
      { type: 'dragover', prevented: true, effect: 'none' },
      { type: 'drop', prevented: true, effect: 'none' },
    ]);

    // Text dragged over the messages and dropped there: not a file drop, no drop zone, nothing taken.
    await record(alice);
    const words = 'just some dragged words';
    await drag(cdp, 'dragEnter', await pointOf(alice, 'list'), { text: words });
    await drag(cdp, 'dragOver', await pointOf(alice, 'list', 4), { text: words });
    const textOver = await waitSeen(alice, 'dragover');
    assert.deepEqual(textOver.types, ['text/plain']);
    assert.equal(textOver.prevented, false, 'a text drag is left to the browser');
    await drag(cdp, 'drop', await pointOf(alice, 'list', 8), { text: words });
    // Then the same text dropped into the message box: the browser puts it there, as usual.
    await drag(cdp, 'dragEnter', await pointOf(alice, 'box'), { text: words });
    await drag(cdp, 'dragOver', await pointOf(alice, 'box', 2), { text: words });
    await drag(cdp, 'drop', await pointOf(alice, 'box', 3), { text: words });
    await waitInPage(alice, (q, w) => (q.queryOne([{ label: 'Message' }]) as HTMLTextAreaElement | null)?.value === w, words, 10_000, 'the dropped words in the message box');
    const t = await recorded(alice);
    assert.deepEqual(t.zone, [], 'the drop zone never showed for text');
    assert.ok(t.events.every((e) => !(e.type === 'drop' && e.target !== 'textarea')), `no drop on the messages: ${JSON.stringify(t.events)}`);
    assert.ok(t.events.every((e) => !e.prevented), 'the app took none of the text drag');
    await alice.fill('Message', '');

    // Drops carrying nothing at all (no DataTransfer; an empty one), as a script could send.
    const empty = await inPage(
      alice,
      async (q, hint) => {
        const list = q.queryOne([{ role: 'list', name: { re: '^Messages with ' } }]);
        if (!list) throw new Error('no conversation open');
        const out: boolean[] = [];
        for (const dataTransfer of [undefined, new DataTransfer()]) {
          const init = { bubbles: true, composed: true, cancelable: true, ...(dataTransfer ? { dataTransfer } : {}) };
          const over = new DragEvent('dragover', init);
          list.dispatchEvent(over);
          const drop = new DragEvent('drop', init);
          list.dispatchEvent(drop);
          await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))); // rendered
          out.push(over.defaultPrevented, drop.defaultPrevented, q.queryAll([{ text: hint, hidden: true, visible: true }]).length > 0);
        }
        return out;
      },
      HINT,
    );
    assert.deepEqual(empty, [false, false, false, false, false, false], 'empty drops: not taken, no drop zone');

    // Nothing was sent and nothing broke: a message still goes both ways, and by the time it has
    // arrived the card lists (where a file would show before it) are unchanged.
    await send(alice, 'after the empty drops');
    await waitForMessage(bob, 'after the empty drops', undefined, 10_000);
    await waitForMessage(alice, 'after the empty drops', 'delivered', 10_000);
    assert.deepEqual(names(await shownCards(alice)), before.alice, 'alice sent no file');
    assert.deepEqual(names(await shownCards(bob)), before.bob, 'bob got no file');
    assert.equal(pageErrors(alice), errorsBefore, 'no page errors');
    assert.equal(await alice.value('Message'), '', 'the message box is empty again');
    assert.equal((await dropZone(alice)).on, false);
  });

  step('a pasted image is sent and shows inline on both sides; pasted text goes into the message box', async () => {
    const png = pngFile(path.join(dir, 'clip.png'), 240, 150);
    const before = { alice: names(await shownCards(alice)), bob: names(await shownCards(bob)) };

    // Copy an image (as after taking a screenshot), then Ctrl+V in the message box.
    await alice.evaluate(async (b64: string) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': new Blob([bytes], { type: 'image/png' }) })]);
    }, readFileSync(png).toString('base64'));
    await record(alice);
    await alice.focus('Message');
    await alice.press('Control+V');
    const pasted = await waitSeen(alice, 'paste');
    assert.equal(pasted.trusted, true, 'a real paste');
    assert.equal(pasted.target, 'textarea', 'pasted into the message box');
    assert.deepEqual(pasted.names, ['image.png'], 'Chromium names a pasted image image.png');
    assert.equal(pasted.prevented, true, 'the app took the image paste');

    await waitInPage(alice, (q, n) => q.queryAll([{ role: 'list', name: { re: '^Messages with ' } }, { role: 'listitem' }]).filter((li) => q.attributeValues(li, 'data-file-id').length > 0).length > n, before.alice.length, 10_000, 'a new file card');
    const fresh = (await shownCards(alice)).slice(before.alice.length);
    assert.equal(fresh.length, 1, `one card for one pasted image: ${JSON.stringify(names(fresh))}`);
    const name = fresh[0]?.name ?? '';
    assert.match(name, PASTED_NAME, 'the pasted image is named pasted-<date and time>.png');
    const b = await waitForCard(bob, name, (c) => c.state === 'done' && (c.imageWidth ?? 0) > 0, 20_000, 'done with image');
    const a = await waitForCard(alice, name, (c) => c.state === 'done' && (c.imageWidth ?? 0) > 0, 10_000, 'done with image');
    assert.equal(b.imageWidth, 240, 'bob sees the image inline, loaded, at its size');
    assert.equal(a.imageWidth, 240, 'alice sees the image inline, loaded, at its size');
    assert.match(b.text, /Verified ✓/);
    assert.match(a.text, /Verified ✓/);
    // Chromium re-encodes clipboard images, so the bytes are compared between the two sides.
    assert.ok(b.hash && b.hash === a.hash, 'the same bytes on both sides');
    assert.equal(await alice.value('Message'), '', 'nothing was pasted into the message box');

    // A copied file (it keeps its name) pasted into the box: the exact bytes arrive.
    const copied = pngFile(path.join(dir, 'copied-photo.png'), 200, 120);
    await record(alice);
    await alice.focus('Message');
    const taken = await inPage(alice, (q, b64: string) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const box = q.queryOne([{ label: 'Message' }]);
      if (!box || q.focused() !== box) throw new Error('the message box has no focus');
      const clipboardData = new DataTransfer();
      clipboardData.items.add(new File([bytes], 'copied-photo.png', { type: 'image/png' }));
      const ev = new ClipboardEvent('paste', { clipboardData, bubbles: true, composed: true, cancelable: true });
      box.dispatchEvent(ev);
      return ev.defaultPrevented;
    }, readFileSync(copied).toString('base64'));
    assert.equal(taken, true, 'the app took the pasted file');
    const cb = await waitForCard(bob, 'copied-photo.png', (c) => c.state === 'done' && (c.imageWidth ?? 0) > 0, 20_000, 'done with image');
    const ca = await waitForCard(alice, 'copied-photo.png', (c) => c.state === 'done' && (c.imageWidth ?? 0) > 0, 10_000, 'done with image');
    assert.equal(cb.imageWidth, 200);
    assert.equal(cb.hash, b2sum256(copied), "bob's hash is the copied file's");
    assert.equal(ca.hash, cb.hash);

    // Text on the clipboard pastes as text and sends no file.
    await alice.evaluate(() => navigator.clipboard.writeText('pasted words, not a file'));
    await record(alice);
    await alice.focus('Message');
    await alice.press('Control+V');
    const textPaste = await waitSeen(alice, 'paste');
    assert.equal(textPaste.trusted, true);
    assert.deepEqual(textPaste.names, [], 'no file on the clipboard');
    assert.equal(textPaste.prevented, false, 'a text paste is left to the browser');
    assert.equal(await alice.value('Message'), 'pasted words, not a file', 'the text is in the message box');
    await alice.press('Enter');
    await waitForMessage(bob, 'pasted words, not a file', undefined, 10_000);
    await waitForMessage(alice, 'pasted words, not a file', 'delivered', 10_000);
    assert.deepEqual(names(await shownCards(alice)), [...before.alice, name, 'copied-photo.png'], 'the text paste sent no file');
    assert.deepEqual(names(await shownCards(bob)), [...before.bob, name, 'copied-photo.png'], 'bob got the two pasted images, nothing else');
  });

  step('the file button takes several files at once and sends them all', async () => {
    const one = randomFile(path.join(dir, 'picked-one.bin'), 64 * 1024 + 3);
    const two = randomFile(path.join(dir, 'picked-two.bin'), 700 * 1024 + 9);
    const before = { alice: names(await shownCards(alice)), bob: names(await shownCards(bob)) };
    await alice.setFiles('Attach file', [one, two]);
    for (const f of [one, two]) {
      const name = path.basename(f);
      await waitForCard(bob, name, (c) => c.state === 'offered', 15_000, 'offered');
      await clickInCard(bob, name, 'Accept');
    }
    for (const f of [one, two]) {
      const name = path.basename(f);
      const b = await waitForCard(bob, name, (c) => c.state === 'done', 20_000, 'done');
      const a = await waitForCard(alice, name, (c) => c.state === 'done', 10_000, 'done');
      assert.match(b.text, /Verified ✓/);
      assert.match(a.text, /Verified ✓/);
      assert.equal(b.hash, b2sum256(f), `${name}: bob's hash is the file's`);
      assert.equal(a.hash, b.hash);
    }
    assert.deepEqual(names(await shownCards(bob)), [...before.bob, 'picked-one.bin', 'picked-two.bin'], 'both files, once each');
    assert.deepEqual(names(await shownCards(alice)), [...before.alice, 'picked-one.bin', 'picked-two.bin']);
  });
});
