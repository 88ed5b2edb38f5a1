// The emoji picker, links in messages, and video and audio played inline, end to end: two
// SEPARATE Chromium processes (alice 1280 wide in English, bob 360 wide in Chinese), the real
// signal server, real data channels, OPFS and IndexedDB. Steps run in order and share the users.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/media-emoji-links.test.ts
// Screenshots go to /tmp/media-shots/.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, startTestServer, stepTracker, ui, waitForMessage, waitLinkReady, type TestServer } from './app-helpers';
import { sendVerified } from './file-helpers';
import { auditScreen, colourScheme, smallTargets } from './a11y-audit';

const SHOTS = '/tmp/media-shots';

/** Every URL the browser context requests (pages, workers, the service worker), in order. */
function recordRequests(user: BrowserUser): string[] {
  const urls: string[] = [];
  if (user.raw.kind !== 'chromium') throw new Error('requests are recorded in Chromium');
  user.raw.context.on('request', (r) => urls.push(r.url()));
  return urls;
}

/** Those not from `origin` (blob: and data: URLs are the page's own). */
function foreign(urls: readonly string[], origin: string): string[] {
  return urls.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:') && new URL(u).origin !== origin);
}

/** A mono 16-bit PCM WAV of `seconds` of a 440 Hz tone at 8 kHz. */
function wavFile(file: string, seconds: number): string {
  const rate = 8000;
  const n = Math.round(rate * seconds);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([h, data]));
  return file;
}

/** A short WebM (VP8) made in the page: a canvas changing colour, recorded with MediaRecorder. */
async function webmFile(user: BrowserUser, file: string): Promise<string> {
  const b64 = await user.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const g = canvas.getContext('2d');
    if (!g) throw new Error('no 2d canvas');
    const rec = new MediaRecorder(canvas.captureStream(15), { mimeType: 'video/webm;codecs=vp8' });
    const parts: Blob[] = [];
    rec.ondataavailable = (e) => parts.push(e.data);
    const stopped = new Promise((resolve) => (rec.onstop = resolve));
    rec.start();
    // Frames to record: drawing one takes real time, which is what the recording measures.
    for (let i = 0; i < 10; i++) {
      g.fillStyle = `hsl(${i * 36}, 80%, 50%)`;
      g.fillRect(0, 0, 64, 48);
      await new Promise((r) => setTimeout(r, 40));
    }
    rec.stop();
    await stopped;
    const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  });
  writeFileSync(file, Buffer.from(b64, 'base64'));
  return file;
}

interface MediaSeen {
  tag: string;
  label: string;
  blob: boolean;
  controls: boolean;
  preload: string;
  readyState: number;
  duration: number | null;
}

/** The video and audio elements in the page, through shadow roots. */
function shownMedia(user: BrowserUser): Promise<MediaSeen[]> {
  return user.evaluate(() => {
    const out: MediaSeen[] = [];
    const walk = (root: Document | ShadowRoot): void => {
      for (const el of root.querySelectorAll('*')) {
        if (el instanceof HTMLMediaElement) {
          out.push({
            tag: el.localName,
            label: el.getAttribute('aria-label') ?? '',
            blob: el.src.startsWith('blob:'),
            controls: el.controls,
            preload: el.preload,
            readyState: el.readyState,
            duration: Number.isNaN(el.duration) ? null : el.duration === Infinity ? -1 : el.duration,
          });
        }
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return out;
  });
}

/** Waits until the page plays a `tag` named `label` inline with its metadata loaded. */
async function waitPlayable(user: BrowserUser, tag: 'video' | 'audio', label: string): Promise<MediaSeen> {
  const deadline = Date.now() + 15_000;
  let seen: MediaSeen[] = [];
  for (;;) {
    seen = await shownMedia(user);
    const m = seen.find((x) => x.tag === tag && x.label === label && x.readyState >= 1);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`${user.name}: no playable ${tag} ${label}; seen ${JSON.stringify(seen)}`);
    await new Promise((r) => setTimeout(r, 100)); // poll interval
  }
}

/** The links in the open conversation's messages, through shadow roots. */
function shownLinks(user: BrowserUser): Promise<Array<{ text: string; href: string; target: string; rel: string }>> {
  return user.evaluate(() => {
    const out: Array<{ text: string; href: string; target: string; rel: string }> = [];
    const walk = (root: Document | ShadowRoot): void => {
      for (const el of root.querySelectorAll('*')) {
        if (el instanceof HTMLAnchorElement && el.closest('li')) out.push({ text: el.textContent ?? '', href: el.href, target: el.target, rel: el.rel });
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return out;
  });
}

/** What has the focus, through shadow roots: its tag, accessible label and whether it is inside the emoji picker. */
function focused(user: BrowserUser): Promise<{ tag: string; label: string; inPicker: boolean }> {
  return user.evaluate(() => {
    let el: Element | null = document.activeElement;
    let inPicker = false;
    while (el?.shadowRoot?.activeElement) {
      if (el.localName === 'emoji-picker') inPicker = true;
      el = el.shadowRoot.activeElement;
    }
    return { tag: el?.localName ?? '', label: el?.getAttribute('aria-label') ?? '', inPicker };
  });
}

/** The emoji picker's state: shown, how many emoji it offers, and its message (loading, error). */
function pickerState(user: BrowserUser): Promise<{ shown: boolean; emoji: number; message: string; results: number; resultNames: string[]; selected: number; dark: boolean }> {
  return user.evaluate(() => {
    const find = (root: Document | ShadowRoot): Element | null => {
      for (const el of root.querySelectorAll('*')) {
        if (el.localName === 'emoji-picker') return el;
        const inner = el.shadowRoot && find(el.shadowRoot);
        if (inner) return inner;
      }
      return null;
    };
    const picker = find(document);
    const root = picker?.shadowRoot;
    return {
      shown: !!picker && picker.getClientRects().length > 0,
      emoji: root?.querySelectorAll('button.emoji').length ?? 0,
      message: root?.querySelector('.message:not(.gone)')?.textContent?.trim() ?? '',
      results: root?.querySelectorAll('#search-results [role=option]').length ?? 0,
      resultNames: [...(root?.querySelectorAll('#search-results [role=option]') ?? [])].map((el) => el.getAttribute('aria-label') ?? ''),
      selected: root?.querySelectorAll('#search-results [role=option][aria-selected=true]').length ?? 0,
      dark: picker?.classList.contains('dark') ?? false,
    };
  });
}

async function waitPicker(user: BrowserUser, pred: (s: Awaited<ReturnType<typeof pickerState>>) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last;
  for (;;) {
    last = await pickerState(user);
    if (pred(last)) return;
    if (Date.now() > deadline) throw new Error(`${user.name}: emoji picker ${what}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100)); // poll interval
  }
}

/** Closes the picker if a failed step left it open, as a click elsewhere does. */
async function closePicker(user: BrowserUser): Promise<void> {
  if ((await pickerState(user)).shown) await user.evaluate(() => document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true })));
}

/** Waits until the focus is inside the emoji picker (it moves there once the picker has drawn). */
async function waitFocusInPicker(user: BrowserUser): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await focused(user)).inPicker) {
    if (Date.now() > deadline) throw new Error(`${user.name}: the focus is not in the picker: ${JSON.stringify(await focused(user))}`);
    await new Promise((r) => setTimeout(r, 50)); // poll interval
  }
}

describe('emoji picker, links, inline video and audio', { timeout: 180_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let dir: string;
  let aliceRequests: string[];
  let bobRequests: string[];
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(path.join(tmpdir(), 'pc-media-'));
    srv = await startTestServer();
    [alice, bob] = await Promise.all([
      launchBrowser('chromium', { name: 'alice', locale: 'en' }),
      launchBrowser('chromium', { name: 'bob', viewport: { width: 360, height: 740 }, locale: 'zh-CN' }),
    ]);
    aliceRequests = recordRequests(alice);
    bobRequests = recordRequests(bob);
    await register(alice, srv.url, 'alice');
    await register(bob, srv.url, 'bob');
    await openConversation(alice, 'bob');
    await openConversation(bob, 'alice');
    await waitLinkReady(alice);
    await waitLinkReady(bob);
  });

  after(async () => {
    if (steps.failed && alice && bob) await dumpDiagnostics([alice, bob], 'media');
    await closeAllBrowsers();
    await srv?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  step('the emoji picker works offline: its code and data come from the service worker, never from another origin', async () => {
    if (bob.raw.kind !== 'chromium') throw new Error('chromium');
    // The service worker controls the page once it has precached the app (emoji data included).
    await bob.waitFor(() => navigator.serviceWorker.getRegistration().then((r) => (r?.active?.state === 'activated' && !!navigator.serviceWorker.controller) || null), undefined, 20_000);
    await bob.raw.context.setOffline(true);
    try {
      await bob.click(ui(bob).id('emoji-button', 'Emoji'));
      await waitPicker(bob, (s) => s.shown && s.emoji > 50, 'shows emoji while offline');
      const s = await pickerState(bob);
      assert.equal(s.message, '', 'no error message');
      await bob.screenshot(path.join(SHOTS, 'picker-360-zh-light.png'));
      await colourScheme(bob, 'dark');
      await bob.press('Escape');
      await bob.click(ui(bob).id('emoji-button', 'Emoji'));
      await waitPicker(bob, (x) => x.shown && x.dark, 'dark');
      await bob.screenshot(path.join(SHOTS, 'picker-360-zh-dark.png'));
      await auditScreen(bob, 'emoji picker open (zh-CN, 360 px)');
      await bob.press('Escape');
      await waitPicker(bob, (x) => !x.shown, 'closed');
    } finally {
      await closePicker(bob);
      await bob.raw.context.setOffline(false);
      await colourScheme(bob, 'light');
    }
    assert.deepEqual(foreign(bobRequests, new URL(srv.url).origin), []);
  });

  step('keyboard: Shift+Tab from the box reaches Emoji, Enter opens it with the focus in its search, Escape closes it and gives the focus back', async () => {
    const t = ui(alice);
    const emoji = t.id('emoji-button', 'Emoji');
    await alice.focus(t.id('composer-label', 'Message'));
    await alice.press('Shift+Tab');
    assert.deepEqual(await focused(alice), { tag: 'button', label: emoji, inPicker: false });
    await alice.press('Enter');
    await waitPicker(alice, (s) => s.shown && s.emoji > 50, 'open');
    await waitFocusInPicker(alice);
    assert.equal((await focused(alice)).tag, 'input', 'the search box has the focus');
    await alice.screenshot(path.join(SHOTS, 'picker-1280-en-light.png'));
    await colourScheme(alice, 'dark');
    await alice.screenshot(path.join(SHOTS, 'picker-1280-en-dark.png'));
    try {
      await auditScreen(alice, 'emoji picker open (en, 1280 px)');
    } catch (err) {
      await closePicker(alice);
      throw err;
    }
    await alice.press('Escape');
    await waitPicker(alice, (s) => !s.shown, 'closed');
    assert.deepEqual(await focused(alice), { tag: 'button', label: emoji, inPicker: false });
  });

  step('an emoji chosen from the keyboard goes in at the caret, and is sent', async () => {
    const t = ui(alice);
    const box = t.id('composer-label', 'Message');
    await alice.fill(box, 'hi ');
    await alice.focus(box);
    await alice.press('Shift+Tab');
    await alice.press('Enter');
    await waitPicker(alice, (s) => s.shown && s.emoji > 50, 'open');
    await waitFocusInPicker(alice);
    for (const key of 'grinning') await alice.press(key);
    // The results of the whole word (the picker searches as each letter is typed).
    await waitPicker(alice, (s) => s.resultNames[0]?.startsWith('😀,') ?? false, 'search results for "grinning"');
    await alice.press('ArrowDown');
    await waitPicker(alice, (s) => s.selected === 1, 'a result selected');
    await alice.press('Enter');
    await waitPicker(alice, (s) => !s.shown, 'closed after choosing');
    const value = await alice.value(box);
    assert.equal(value, 'hi 😀');
    assert.deepEqual((await focused(alice)).tag, 'textarea', 'the focus is back in the box');
    await alice.press('Enter');
    await waitForMessage(bob, value);
    assert.deepEqual(foreign(aliceRequests, new URL(srv.url).origin), [], 'no request left for another origin');
  });

  step('a web address in a message is a link that opens in a new tab with noopener, and is never fetched', async () => {
    const url = 'https://example.com/peerchat-link-test';
    await send(alice, `look <b>here</b>: ${url}. 看这个https://example.org/x很好`);
    await waitForMessage(bob, `look <b>here</b>: ${url}. 看这个https://example.org/x很好`);
    const links = await shownLinks(bob);
    assert.deepEqual(
      links.map((l) => l.text),
      [url, 'https://example.org/x'],
    );
    for (const l of links) {
      assert.equal(l.target, '_blank');
      assert.match(l.rel, /\bnoopener\b/);
      assert.match(l.rel, /\bnoreferrer\b/);
    }
    await bob.screenshot(path.join(SHOTS, 'link-360-zh-light.png'));
    await colourScheme(bob, 'dark');
    await bob.screenshot(path.join(SHOTS, 'link-360-zh-dark.png'));
    await colourScheme(bob, 'light');
    await alice.screenshot(path.join(SHOTS, 'link-1280-en-dark.png'));
    await colourScheme(alice, 'light');
    assert.deepEqual(
      [...aliceRequests, ...bobRequests].filter((u) => u.includes('example.')),
      [],
      'nobody fetched the linked pages',
    );
  });

  step('a video and an audio file play inline on both sides once verified', async () => {
    const webm = await webmFile(alice, path.join(dir, 'clip.webm'));
    const wav = wavFile(path.join(dir, 'tone.wav'), 0.5);
    await sendVerified(alice, bob, webm);
    const v = await waitPlayable(bob, 'video', 'clip.webm');
    assert.ok(v.blob && v.controls && v.preload === 'metadata', JSON.stringify(v));
    await waitPlayable(alice, 'video', 'clip.webm');
    await sendVerified(alice, bob, wav);
    const a = await waitPlayable(bob, 'audio', 'tone.wav');
    assert.ok(a.blob && a.controls && a.preload === 'metadata', JSON.stringify(a));
    assert.ok(a.duration !== null && a.duration > 0.4 && a.duration < 0.6, `duration ${a.duration}`);
    await waitPlayable(alice, 'audio', 'tone.wav');
    await bob.screenshot(path.join(SHOTS, 'media-360-zh-light.png'));
    await alice.screenshot(path.join(SHOTS, 'media-1280-en-light.png'));
    await colourScheme(bob, 'dark');
    await colourScheme(alice, 'dark');
    await bob.screenshot(path.join(SHOTS, 'media-360-zh-dark.png'));
    await alice.screenshot(path.join(SHOTS, 'media-1280-en-dark.png'));
    await colourScheme(bob, 'light');
    await colourScheme(alice, 'light');
    // Links inside a message's sentence are exempt from the target size (WCAG 2.5.5 and 2.5.8:
    // inline targets); every other control, the players' included, is measured.
    await auditScreen(bob, 'conversation with a link, a video and an audio (zh-CN, 360 px)', { targets: false });
    const small = (await smallTargets(bob)).filter((t) => !t.what.startsWith('pc-message-list > a '));
    assert.deepEqual(small, [], 'touch targets under 44 px');
    assert.deepEqual(foreign([...aliceRequests, ...bobRequests], new URL(srv.url).origin), []);
  });
});
