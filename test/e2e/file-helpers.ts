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
import { messageListName, openConversation, register, sentenceRe, startTestServer, ui, waitLinkReady, type TestServer } from './app-helpers';
import type { UiText } from './ui-text';
import { inPage } from './page-queries';

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
export async function startFilePair(label: string, locale: BrowserUser['locale'] = 'en'): Promise<FilePair> {
  const dir = mkdtempSync(path.join(tmpdir(), `pc-${label}-`));
  const srv = await startTestServer();
  const [alice, bob] = await Promise.all([
    launchBrowser('chromium', { name: 'alice', locale }),
    launchBrowser('chromium', { name: 'bob', viewport: { width: 360, height: 740 }, locale }),
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
  /** The transfer's id (the card's data-file-id): not shown, but the key of its bytes in OPFS. */
  id: string;
  /** The file name, the card's first line. */
  name: string;
  /**
   * What the card shows, as a state: 'offered' (Accept/Decline, or "Waiting for … to accept"),
   * 'running' (a progress bar), 'done' ("Verified ✓"), 'cancelled', 'declined', 'failed' (an
   * alert), '' (still loading).
   */
  state: string;
  /** In a message sent by "You". */
  outgoing: boolean;
  /** The progress bar's value (aria-valuenow), or null. */
  pct: number | null;
  /** The card's rendered text, whitespace collapsed. */
  text: string;
  /** Full hash, from the tooltip of the "BLAKE2b …" line. */
  hash: string | null;
  /** naturalWidth of the image named like the file, or null when none is shown (or not loaded). */
  imageWidth: number | null;
}

interface CardSeen {
  from: string;
  lines: string[];
  text: string;
  buttons: string[];
  progress: number | null | undefined;
  statuses: string[];
  alerts: number;
  ids: string[];
  /** The item is an outgoing message (its class). */
  out: boolean;
  titles: Array<{ text: string; title: string }>;
  images: Array<{ name: string; width: number | null }>;
}

/** The sentences of a transfer cancelled or declined (web/src/l10n/error-text.ts), in `t`'s language. */
function endSentences(t: UiText): { cancelled: RegExp[]; declined: RegExp[] } {
  const whole = (s: string): RegExp => new RegExp(`^${sentenceRe(s).source}$`);
  return {
    cancelled: [t`Cancelled by you`, t`Cancelled by {name}`].map(whole),
    declined: [
      t.id('transfer-declined', 'Declined'),
      t`Declined by {name}`,
      t`Declined: the file is too large for this device.`,
      t`Declined: the file is too large for {name}’s device.`,
      t`Declined: not enough storage space on this device.`,
      t`Declined: not enough storage space on {name}’s device.`,
      t`Declined automatically: too many files from this person were already waiting.`,
      t`Declined automatically: {name} already has many of your files waiting. Send it again once {name} has answered those.`,
    ].map(whole),
  };
}

function cardState(t: UiText, c: CardSeen): string {
  const ends = endSentences(t);
  if (c.alerts > 0) return 'failed';
  if (c.statuses.some((s) => ends.cancelled.some((re) => re.test(s)))) return 'cancelled';
  if (c.statuses.some((s) => ends.declined.some((re) => re.test(s)))) return 'declined';
  if (c.progress !== undefined) return 'running';
  if (c.text.includes(t.id('file-verified', 'Verified ✓'))) return 'done';
  if (c.buttons.includes(t.id('file-accept', 'Accept')) || sentenceRe(t`Waiting for ${'\uE000'} to accept…`).test(c.text)) return 'offered';
  return '';
}

/** The file cards of the open conversation, top to bottom. */
export async function shownCards(user: BrowserUser): Promise<ShownCard[]> {
  const seen = await inPage(user, (q, name) =>
    q.queryAll([{ role: 'list', name }, { role: 'listitem' }]).flatMap((li): CardSeen[] => {
      const ids = q.attributeValues(li, 'data-file-id');
      if (ids.length === 0) return [];
      // The author's name is left out over the second of two messages in a row from one person.
      const card = li.querySelector('pc-file-card') ?? li.children[1] ?? li;
      const lines = q.renderedText(card).split('\n');
      const bars = q.queryAll([{ role: 'progressbar' }], li);
      const titled = q.queryAll([{ text: 'BLAKE2b' }], card).filter((el) => el.hasAttribute('title'));
      return [
        {
          from: q.composedText(li.children[0] ?? li),
          out: li.classList.contains('out'),
          lines,
          text: lines.join(' ').replace(/\s+/g, ' '),
          buttons: q.queryAll([{ role: 'button' }], li).map((b) => q.nameOf(b)),
          progress: bars[0] ? q.describe(bars[0]).value : undefined,
          statuses: q.queryAll([{ role: 'status' }], li).map((el) => q.renderedText(el)),
          alerts: q.queryAll([{ role: 'alert' }], li).length,
          ids,
          titles: titled.map((el) => ({ text: q.renderedText(el), title: el.getAttribute('title') ?? '' })),
          images: q.queryAll([{ role: 'img' }], li).map((img) => ({
            name: q.nameOf(img),
            width: (img as HTMLImageElement).complete ? (img as HTMLImageElement).naturalWidth : null,
          })),
        },
      ];
    }),
    messageListName(user),
  );
  const t = ui(user);
  return seen.map((c) => {
    const name = c.lines[0] ?? '';
    return {
      id: c.ids[0] ?? '',
      name,
      state: cardState(t, c),
      outgoing: c.out || c.from === t.id('message-from-me', 'You'),
      pct: c.progress ?? null,
      text: c.text,
      hash: c.titles.find((t) => t.text.startsWith('BLAKE2b'))?.title || null,
      imageWidth: c.images.find((i) => i.name === name)?.width ?? null,
    };
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
    await new Promise((r) => setTimeout(r, 100)); // poll interval
  }
}

/** Clicks the button named `button` (Accept, Decline, Cancel, Save) of the card of file `name`: the button is described by the file's name. */
export async function clickInCard(user: BrowserUser, name: string, button: 'Accept' | 'Decline' | 'Cancel' | 'Save'): Promise<void> {
  const ids = { Accept: 'file-accept', Decline: 'file-decline', Cancel: 'file-cancel', Save: 'file-save' } as const;
  await user.clickWhere([{ role: 'button', name: ui(user).id(ids[button], button), description: name }]);
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
  await from.setFiles(ui(from)`Attach file`, [filePath]);
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
