// Edge sizes and names through the real transfer path: an empty file (no chunks at all),
// a file one byte over a chunk (the last chunk holds 1 byte), and a name with spaces, accents and
// markup (cleaned of the characters Windows forbids, and shown as text). Two SEPARATE Chromium processes,
// the real signal server, real data channels and OPFS; each must end "Verified" on both sides
// with the file's b2sum, and the receiver's OPFS bytes must hash to it.
//
// Screenshots of both conversations at the end: test-results/e2e/files-edge-{alice,bob}.png.
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/files-edge.test.ts

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stepTracker } from './app-helpers';
import { DIAGNOSTICS_DIR } from './browsers';
import { opfsHas, randomFile, sendVerified, shownCards, startFilePair, waitOpfsGone, type FilePair } from './file-helpers';
import { inPage } from './page-queries';

const CHUNK = 64 * 1024;

describe('file transfer: edge sizes and names', () => {
  let pair: FilePair;
  const steps = stepTracker(test);

  before(async () => {
    pair = await startFilePair('files-edge');
  });

  after(async () => {
    await pair?.dispose(steps.failed);
  });

  steps.step('an empty file arrives verified', async () => {
    const file = path.join(pair.dir, 'empty.txt');
    writeFileSync(file, '');
    await sendVerified(pair.alice, pair.bob, file);
    const card = (await shownCards(pair.bob)).find((c) => c.name === 'empty.txt');
    assert.match(card?.text ?? '', /0 B/, `bob's card shows the size: ${card?.text}`);
  });

  steps.step('a file one byte over a chunk arrives verified', async () => {
    const file = randomFile(path.join(pair.dir, 'one-over.bin'), CHUNK + 1);
    await sendVerified(pair.alice, pair.bob, file);
  });

  steps.step('a name with accents, spaces and markup arrives cleaned, and is shown as text', async () => {
    // < and > are not allowed in Windows names (a saved file must be savable anywhere): they
    // become "_"; the rest is kept as sent.
    const name = 'Résumé <img src=x onerror=alert(1)> & co (1).txt';
    const shown = 'Résumé _img src=x onerror=alert(1)_ & co (1).txt';
    const file = path.join(pair.dir, name);
    writeFileSync(file, 'hello from bob\n');
    await sendVerified(pair.bob, pair.alice, file, shown);
    // Every element of the composed tree (all shadow roots, hidden ones too), whatever its role
    // (an <img alt=""> would have none): none is an <img src=x> made from the name.
    const injected = await inPage(pair.alice, (q) => q.queryAll([{ hidden: true }]).filter((el) => el.localName === 'img' && el.getAttribute('src') === 'x').length);
    assert.equal(injected, 0, 'no element was made from the name');
    mkdirSync(DIAGNOSTICS_DIR, { recursive: true });
    await pair.alice.screenshot(path.join(DIAGNOSTICS_DIR, 'files-edge-alice.png'));
    await pair.bob.screenshot(path.join(DIAGNOSTICS_DIR, 'files-edge-bob.png'));
  });

  steps.step('at start, received files of transfers that no longer exist are removed; the others stay', async () => {
    const kept = await opfsNames(pair.bob);
    assert.ok(kept.length > 0, 'bob has received files');
    // A file the page left behind without a transfer record (as after a crash before the record
    // was stored, or a history deleted by hand): same folder, same kind of name.
    const stray = 'ab'.repeat(16);
    await pair.bob.evaluate(async (id: string) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('peerchat-files', { create: true });
      const w = await (await dir.getFileHandle(id, { create: true })).createWritable();
      await w.write(new Uint8Array(1000));
      await w.close();
    }, stray);
    assert.ok(await opfsHas(pair.bob, stray));
    await pair.bob.reload();
    await waitOpfsGone(pair.bob, stray, 15_000);
    for (const id of kept) assert.ok(await opfsHas(pair.bob, id), `the received file ${id} is kept`);
  });
});

/** Names of the files in the page's received-files folder. */
function opfsNames(user: FilePair['bob']): Promise<string[]> {
  return user.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('peerchat-files', { create: true });
    const names: string[] = [];
    for await (const key of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(key);
    return names;
  });
}
