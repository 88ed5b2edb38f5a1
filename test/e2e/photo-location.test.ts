// A photo's location stays on the sender's device unless the sender keeps it: a real JPEG (drawn
// and encoded by Chromium) with an Exif block carrying GPS coordinates is attached in alice's
// composer; the bytes bob's OPFS receives carry no coordinates. With "Keep photo location"
// ticked, the next photo arrives with them. Two SEPARATE Chromium processes, the real server,
// real data channels and OPFS.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/photo-location.test.ts

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stepTracker } from './app-helpers';
import type { BrowserUser } from './browsers';
import { startFilePair, waitForCard, type FilePair } from './file-helpers';

/** Big-endian TIFF: IFD0 with a GPS pointer; the GPS IFD holds latitude N 48° 51' 24". */
function exifSegment(): Buffer {
  const b: number[] = [];
  const u16 = (v: number) => b.push((v >> 8) & 0xff, v & 0xff);
  const u32 = (v: number) => b.push((v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
  b.push(...Buffer.from('Exif\0\0', 'latin1'));
  b.push(0x4d, 0x4d);
  u16(42);
  u32(8);
  u16(1);
  u16(0x8825); u16(4); u32(1); u32(26); // GPS IFD at 26
  u32(0);
  u16(2);
  u16(0x0001); u16(2); u32(2); b.push(0x4e, 0, 0, 0);
  u16(0x0002); u16(5); u32(3); u32(56);
  u32(0);
  for (const n of [48, 51, 24]) {
    u32(n);
    u32(1);
  }
  const len = b.length + 2;
  return Buffer.from([0xff, 0xe1, len >> 8, len & 0xff, ...b]);
}

/** The latitude's first two rationals as stored: 48/1, 51/1. */
const LATITUDE = Buffer.from([0, 0, 0, 48, 0, 0, 0, 1, 0, 0, 0, 51, 0, 0, 0, 1]);

/** A real JPEG from `user`'s Chromium with the GPS Exif block right after its start marker. */
async function photoWithLocation(user: BrowserUser, file: string): Promise<string> {
  const jpeg = await user.evaluate(async () => {
    const canvas = new OffscreenCanvas(64, 48);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#3a7';
    ctx.fillRect(0, 0, 64, 48);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
    return Array.from(bytes);
  });
  const bytes = Buffer.from(jpeg);
  assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8]);
  writeFileSync(file, Buffer.concat([bytes.subarray(0, 2), exifSegment(), bytes.subarray(2)]));
  return file;
}

/** The received file's bytes in `user`'s OPFS. */
async function receivedBytes(user: BrowserUser, fileId: string): Promise<Buffer> {
  const bytes = await user.evaluate(async (id: string) => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('peerchat-files');
    return Array.from(new Uint8Array(await (await (await dir.getFileHandle(id)).getFile()).arrayBuffer()));
  }, fileId);
  return Buffer.from(bytes);
}

describe('photo location', () => {
  let pair: FilePair;
  const steps = stepTracker(test);

  before(async () => {
    pair = await startFilePair('photo-location');
  });

  after(async () => {
    await pair?.dispose(steps.failed);
  });

  steps.step('a JPEG photo arrives without its GPS coordinates', async () => {
    const file = await photoWithLocation(pair.alice, path.join(pair.dir, 'holiday.jpg'));
    await pair.alice.setFiles('Attach file', [file]);
    // Small images from a contact are accepted on their own.
    const card = await waitForCard(pair.bob, 'holiday.jpg', (c) => c.state === 'done', 30_000, 'done');
    const got = await receivedBytes(pair.bob, card.id);
    assert.equal(got.subarray(0, 2).toString('hex'), 'ffd8', 'still a JPEG');
    assert.equal(got.includes(LATITUDE), false, 'no coordinates reached bob');
    assert.ok(card.imageWidth === null || card.imageWidth === 64, `the photo still shows: ${card.imageWidth}`);
  });

  steps.step('with "Keep photo location" ticked, the next photo keeps them', async () => {
    await pair.alice.click('Keep photo location (JPEG photos are sent without where they were taken)', { role: 'checkbox' });
    const file = await photoWithLocation(pair.alice, path.join(pair.dir, 'kept.jpg'));
    await pair.alice.setFiles('Attach file', [file]);
    const card = await waitForCard(pair.bob, 'kept.jpg', (c) => c.state === 'done', 30_000, 'done');
    assert.equal((await receivedBytes(pair.bob, card.id)).includes(LATITUDE), true, 'the coordinates were kept');
  });
});
