// Helpers for the file-transfer e2e tests (test/e2e/files*.test.ts): the usual pair of users with
// their conversation open, test files on disk (random bytes, a real PNG), their BLAKE2b-256
// (`b2sum -l 256`), and reading/clicking the file cards of the open conversation.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { openSync, writeSync, closeSync, writeFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, startTestServer, waitLinkReady, type TestServer } from './app-helpers';

export interface FilePair {
  srv: TestServer;
  /** Chromium at 1280 px: usually the sender. */
  alice: BrowserUser;
  /** Chromium at 360 px (the phone layout): usually the receiver. */
  bob: BrowserUser;
  /** A temp folder for the test's files. */
  dir: string;
  /** Diagnostics (when `failed`), browsers, server and temp folder away. */
  dispose(failed: boolean): Promise<void>;
}

/**
 * A real server on port 0, two SEPARATE Chromium processes registered as alice and bob, each with
 * the other's conversation open and the end-to-end session ready.
 */
export async function startFilePair(label: string): Promise<FilePair> {
  const dir = mkdtempSync(path.join(tmpdir(), `pc-${label}-`));
  const srv = await startTestServer();
  const [alice, bob] = await Promise.all([
    launchBrowser('chromium', { name: 'alice' }),
    launchBrowser('chromium', { name: 'bob', viewport: { width: 360, height: 740 } }),
  ]);
  await register(alice, srv.url, 'alice');
  await register(bob, srv.url, 'bob');
  await openConversation(alice, 'bob');
  await openConversation(bob, 'alice');
  await waitLinkReady(alice);
  await waitLinkReady(bob);
  return {
    srv,
    alice,
    bob,
    dir,
    async dispose(failed) {
      if (failed) await dumpDiagnostics([alice, bob], label);
      await closeAllBrowsers();
      await srv.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A file of `bytes` random bytes, written in 1 MiB pieces. */
export function randomFile(path: string, bytes: number): string {
  const fd = openSync(path, 'w');
  for (let done = 0; done < bytes; ) {
    const n = Math.min(1024 * 1024, bytes - done);
    writeSync(fd, randomBytes(n));
    done += n;
  }
  closeSync(fd);
  return path;
}

/** BLAKE2b-256 hex of a file, as the app shows it. */
export function b2sum256(path: string): string {
  return execFileSync('b2sum', ['-l', '256', path], { encoding: 'utf8' }).split(/\s/)[0] ?? '';
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A real RGB PNG (a colour gradient) of w × h pixels. */
export function pngFile(path: string, w: number, h: number): string {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    for (let x = 0; x < w; x++) {
      raw[row + 1 + x * 3] = (x * 255) / w;
      raw[row + 2 + x * 3] = (y * 255) / h;
      raw[row + 3 + x * 3] = 160;
    }
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  writeFileSync(path, Buffer.concat([sig, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]));
  return path;
}

export interface ShownCard {
  id: string;
  name: string;
  state: string;
  outgoing: boolean;
  /** aria-valuenow of the progress bar, or null. */
  pct: number | null;
  text: string;
  /** Full hash from the verified line's title. */
  hash: string | null;
  /** naturalWidth of the full image, or null when none is shown. */
  imageWidth: number | null;
}

/** The file cards of the open conversation, top to bottom. */
export function shownCards(user: BrowserUser): Promise<ShownCard[]> {
  return user.evaluate(() => {
    const app = document.querySelector('pc-app')?.shadowRoot;
    const conv = app?.querySelector('pc-conversation')?.shadowRoot;
    const list = conv?.querySelector('pc-message-list')?.shadowRoot;
    return Array.from(list?.querySelectorAll('li.msg') ?? []).flatMap((li) => {
      const root = li.querySelector('pc-file-card')?.shadowRoot;
      const card = root?.querySelector('.card');
      if (!root || !card) return [];
      const bar = root.querySelector('[role=progressbar]');
      const img = root.querySelector('img.full') as HTMLImageElement | null;
      return [
        {
          id: card.getAttribute('data-file-id') ?? '',
          name: root.querySelector('.name')?.textContent ?? '',
          state: card.getAttribute('data-state') ?? '',
          outgoing: li.classList.contains('out'),
          pct: bar?.hasAttribute('aria-valuenow') ? Number(bar.getAttribute('aria-valuenow')) : null,
          text: (card.textContent ?? '').replace(/\s+/g, ' '),
          hash: root.querySelector('.verified code')?.getAttribute('title') ?? null,
          imageWidth: img && img.complete ? img.naturalWidth : null,
        },
      ];
    });
  });
}

/** Waits until the card named `name` satisfies `pred`; returns it. */
export async function waitForCard(user: BrowserUser, name: string, pred: (c: ShownCard) => boolean, timeoutMs = 30_000, what = ''): Promise<ShownCard> {
  const deadline = Date.now() + timeoutMs;
  let last: ShownCard | undefined;
  for (;;) {
    last = (await shownCards(user)).find((c) => c.name === name);
    if (last && pred(last)) return last;
    if (Date.now() > deadline) throw new Error(`${user.name}: card ${name} ${what}: last seen ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Clicks the button with this text inside the card named `name`. */
export async function clickInCard(user: BrowserUser, name: string, button: string): Promise<void> {
  const ok = await user.evaluate(
    (a: { name: string; button: string }) => {
      const app = document.querySelector('pc-app')?.shadowRoot;
      const conv = app?.querySelector('pc-conversation')?.shadowRoot;
      const list = conv?.querySelector('pc-message-list')?.shadowRoot;
      for (const el of Array.from(list?.querySelectorAll('pc-file-card') ?? [])) {
        const root = el.shadowRoot;
        if (root?.querySelector('.name')?.textContent !== a.name) continue;
        const btn = Array.from(root.querySelectorAll('button')).find((b) => b.textContent?.trim() === a.button);
        if (btn) {
          btn.click();
          return true;
        }
      }
      return false;
    },
    { name, button },
  );
  if (!ok) throw new Error(`${user.name}: no "${button}" in card ${name}`);
}

/** Whether the receiver still has a file for this id in OPFS. */
export function opfsHas(user: BrowserUser, fileId: string): Promise<boolean> {
  return user.evaluate(opfsHasInPage, fileId);
}

/** Waits until the file for this id is gone from the receiver's OPFS (a cancel deletes it). */
export async function waitOpfsGone(user: BrowserUser, fileId: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await opfsHas(user, fileId)) {
    if (Date.now() > deadline) throw new Error(`${user.name}: file ${fileId} still in OPFS after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not a synchronisation sleep
  }
}

/** Runs IN THE PAGE (serialised: self-contained). */
async function opfsHasInPage(id: string): Promise<boolean> {
  try {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('peerchat-files');
    await dir.getFileHandle(id);
    return true;
  } catch {
    return false;
  }
}

/** BLAKE2b-256 of the received file read back from OPFS in the page. */
export function hashInPage(user: BrowserUser, fileId: string): Promise<string | null> {
  return user.evaluate(
    (id: string) => (window as unknown as { peerchatTransfers: { hashStored(id: string): Promise<string | null> } }).peerchatTransfers.hashStored(id),
    fileId,
  );
}

/**
 * Waits until the receiver has stored a snapshot of its verified chunks for transfer `fileId`
 * (IndexedDB, 200 ms after the first chunk, then once a second: what a reload resumes from); returns how many it holds.
 */
export async function waitPersisted(user: BrowserUser, fileId: string, timeoutMs = 10_000): Promise<number> {
  return (await user.waitFor(
    (id: string) => (window as unknown as { peerchatTransfers: { persisted: Record<string, number> } }).peerchatTransfers.persisted[id] ?? 0,
    fileId,
    timeoutMs,
  )) as number;
}

/**
 * `from` attaches the file at `filePath`, `to` accepts it, and both cards (found by `name`, the
 * name as shown: the file's own unless the app had to clean it) end "done" with the file's b2sum, which the bytes in `to`'s OPFS hash to as well. Returns the accept → done rate
 * on `to`, MB/s.
 */
export async function sendVerified(from: BrowserUser, to: BrowserUser, filePath: string, name = path.basename(filePath)): Promise<number> {
  const want = b2sum256(filePath);
  await from.setFiles('Attach file', [filePath]);
  await waitForCard(to, name, (c) => c.state === 'offered', 15_000, 'offered');
  await clickInCard(to, name, 'Accept');
  const t0 = Date.now();
  const got = await waitForCard(to, name, (c) => c.state === 'done', 90_000, 'done');
  const mbPerSecond = statSync(filePath).size / 1e6 / ((Date.now() - t0) / 1000);
  const sent = await waitForCard(from, name, (c) => c.state === 'done', 10_000, 'done');
  assert.equal(got.hash, want, `${to.name} shows the file's hash`);
  assert.equal(sent.hash, want, `${from.name} shows the file's hash`);
  assert.equal(await hashInPage(to, got.id), want, `the bytes in ${to.name}'s OPFS hash to it`);
  return mbPerSecond;
}
