// Per-contact caps on what a contact can make this device keep (shared/transfer/peer-caps.ts),
// through the real browser wiring: alice offers bob 21 small files at once; bob keeps the first
// 20 waiting for him to decide, the 21st is declined on its own ('busy') with nothing stored, bob
// sees one line saying so, and alice's card says why it was declined. Two SEPARATE Chromium
// processes, the real server, real data channels. Before that, the image budget: alice sends six
// 9 MiB images (real PNGs with padding after their end); the first five (45 MiB) are accepted on
// their own, the sixth (over 50 MiB in the hour) waits for bob with the reason on its card and
// no preview decoded, until bob accepts it.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/peer-caps.test.ts

import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stepTracker } from './app-helpers';
import { clickInCard, pngFile, randomFile, shownCards, startFilePair, waitForCard, type FilePair } from './file-helpers';
import { inPage } from './page-queries';

const FILES = 21;
const NOTICE = 'alice sent more files than Peerchat keeps waiting at once; the rest were declined.';
const HELD = 'Not opened automatically: alice sent many images in the last hour.';
const MiB = 1024 * 1024;
const BUSY = 'Declined automatically: bob already has many of your files waiting.';

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: last seen ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100)); // poll interval
  }
}

describe('per-contact caps', () => {
  let pair: FilePair;
  const steps = stepTracker(test);

  before(async () => {
    pair = await startFilePair('peer-caps');
  });

  after(async () => {
    await pair?.dispose(steps.failed);
  });

  steps.step('beyond 50 MiB of images in an hour, an image waits for bob, with no preview', async () => {
    const images = Array.from({ length: 6 }, (_, i) => {
      const file = pngFile(path.join(pair.dir, `img-${i}.png`), 64, 48);
      appendFileSync(file, randomBytes(9 * MiB));
      return file;
    });
    await pair.alice.setFiles('Attach file', images);
    for (let i = 0; i < 5; i++) await waitForCard(pair.bob, `img-${i}.png`, (c) => c.state === 'done', 60_000, 'accepted on its own');
    const held = await waitForCard(pair.bob, 'img-5.png', (c) => c.state === 'offered', 30_000, 'waiting');
    assert.ok(held.text.includes(HELD), held.text);
    const previews = await inPage(pair.bob, (q) => q.queryAll([{ role: 'img', name: 'Preview of img-5.png' }]).length);
    assert.equal(previews, 0, 'no preview of the held image is shown');
    await clickInCard(pair.bob, 'img-5.png', 'Accept');
    const done = await waitForCard(pair.bob, 'img-5.png', (c) => c.state === 'done', 60_000, 'accepted by bob');
    assert.ok(!done.text.includes(HELD), done.text);
  });

  steps.step('21 offers at once: 20 wait for bob, the 21st is declined with one notice', async () => {
    const files = Array.from({ length: FILES }, (_, i) => randomFile(path.join(pair.dir, `doc-${String(i).padStart(2, '0')}.bin`), 1024));
    await pair.alice.setFiles('Attach file', files);
    const sent = await until(
      'alice: one card declined as busy, the others waiting',
      async () => (await shownCards(pair.alice)).filter((c) => c.name.startsWith('doc-')),
      (cards) => cards.filter((c) => c.outgoing).length === FILES && cards.some((c) => c.state === 'declined'),
    );
    const declined = sent.filter((c) => c.state === 'declined');
    assert.equal(declined.length, 1, `one declined: ${JSON.stringify(declined)}`);
    assert.ok(declined[0]!.text.includes(BUSY), declined[0]!.text);
    assert.equal(sent.filter((c) => c.state === 'offered').length, FILES - 1);

    const got = await until(
      'bob: 20 offers waiting and the notice',
      async () => (await shownCards(pair.bob)).filter((c) => c.name.startsWith('doc-')),
      (cards) => cards.filter((c) => !c.outgoing).length === FILES - 1 && cards.some((c) => c.text.includes(NOTICE)),
    );
    assert.equal(got.filter((c) => c.state === 'offered').length, FILES - 1, 'every kept offer waits for bob');
    assert.equal(got.filter((c) => c.text.includes(NOTICE)).length, 1, 'the notice is shown once');
    assert.ok(!got.some((c) => c.name === declined[0]!.name), 'nothing of the declined offer is shown to bob');
  });
});
