// The installable app in real Chromium processes, against the real server and the built app
// (run `npm run build:e2e` first):
//  - the manifest and the service worker are served, the worker activates and controls the page,
//    and Chromium finds the app installable;
//  - with the server STOPPED, a second visit (same browser profile) still renders the app, the
//    stored history and a clear offline state; a message written meanwhile is delivered once the
//    server is back;
//  - the Web Share Target: a POST to /share-target (as the OS sends it) is taken by the service
//    worker, the app asks for a contact and puts the text into that contact's composer;
//  - a new deployment (a changed sw.js) shows "Update available" and "Reload" switches to it.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/pwa.test.ts

import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSignalServer, type SignalServer, type SignalServerOptions } from '../../signal-server/src/server';
import { STATIC_DIR, waitForMessage } from './app-helpers';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { waitForCard } from './file-helpers';
import { escapeRe, pattern, waitInPage } from './page-queries';

const DIST = STATIC_DIR;
const PASSWORD = 'correct horse battery';

/** Reads a PNG's width and height from its IHDR chunk. */
function pngSize(buf: Buffer): { width: number; height: number } {
  assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Runs in the page (self-contained): whether an activated worker controls this page. */
function controlled(): Promise<boolean | null> {
  return navigator.serviceWorker.getRegistration().then((r) => (r?.active?.state === 'activated' && !!navigator.serviceWorker.controller) || null);
}

/**
 * Runs in the page (self-contained): shares like the OS does, a form POST navigation to the share
 * target, with `text` and files (`size` zero bytes, or `fill` as the content).
 */
function submitShare(arg: { text: string; files: Array<{ name: string; size: number; fill: string }> }): void {
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = '/share-target';
  form.enctype = 'multipart/form-data';
  const input = document.createElement('input');
  input.type = 'hidden';
  input.name = 'text';
  input.value = arg.text;
  form.append(input);
  const files = document.createElement('input');
  files.type = 'file';
  files.name = 'files';
  files.multiple = true;
  const dt = new DataTransfer();
  for (const f of arg.files) dt.items.add(new File([f.fill || new Uint8Array(f.size)], f.name));
  files.files = dt.files;
  form.append(files);
  document.body.append(form);
  form.submit();
}

describe('installable app (Chromium)', () => {
  let staticDir: string;
  let dataDir: string;
  let server: SignalServer;
  let port: number;
  let url: string;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const users: BrowserUser[] = [];
  const opts = (): SignalServerOptions => ({
    port,
    host: '127.0.0.1',
    dataDir,
    staticDir,
    scrypt: { N: 2 ** 12 },
    heartbeatMs: 2000,
    authRateLimit: { perSecond: 100, burst: 100 },
  });

  before(async () => {
    assert.ok(existsSync(path.join(DIST, 'sw.js')), `${DIST} has no sw.js: run npm run build:e2e`);
    // A copy of the build, so "a new deployment" can change it without touching the original.
    staticDir = mkdtempSync(path.join(tmpdir(), 'peerchat-pwa-static-'));
    cpSync(DIST, staticDir, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), 'peerchat-pwa-data-'));
    port = 0;
    server = await createSignalServer(opts());
    port = server.address.port;
    url = `http://127.0.0.1:${port}`;
    alice = await launchBrowser('chromium', { name: 'alice' });
    bob = await launchBrowser('chromium', { name: 'bob' });
    users.push(alice, bob);
  });

  after(async () => {
    await closeAllBrowsers();
    await server.close();
    rmSync(staticDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      await dumpDiagnostics(users, `pwa-${label}`);
      throw err;
    }
  }

  async function register(user: BrowserUser, name: string): Promise<void> {
    await user.goto(url);
    await user.fill('Username', name);
    await user.fill('Password', PASSWORD);
    await user.click('Register');
    await user.waitForText(`Signed in as ${name}`, 15_000);
  }

  /** The accessible name of a contact row, whatever its status ("bob, online", "bob, offline, 1 unread"). */
  async function contactLabel(user: BrowserUser, name: string, online?: boolean): Promise<string> {
    const want = pattern(new RegExp(`^${escapeRe(name)}, ${online === undefined ? '(online|offline)' : online ? 'online' : 'offline'}`));
    // waitInPage only returns once the value is truthy, so never null here.
    return (await waitInPage(user, (q, rowName) => {
      const rows = q.queryAll([{ role: 'list', name: 'Contacts' }, { role: 'button', name: rowName }]);
      return rows[0] ? q.nameOf(rows[0]) : null;
    }, want, 20_000, `the contact row of ${name}`)) as string;
  }

  test('the manifest and the service worker are served, the worker activates, and Chromium finds the app installable', () =>
    step('served', async () => {
      const res = await fetch(`${url}/manifest.webmanifest`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/manifest\+json/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      const manifest = (await res.json()) as {
        name: string;
        short_name: string;
        start_url: string;
        scope: string;
        display: string;
        theme_color: string;
        background_color: string;
        icons: { src: string; sizes: string; type: string; purpose: string }[];
        share_target: { action: string; method: string; enctype: string; params: { files: { name: string }[] } };
      };
      assert.equal(manifest.name, 'Peerchat');
      assert.equal(manifest.short_name, 'Peerchat');
      assert.deepEqual([manifest.start_url, manifest.scope, manifest.display], ['/', '/', 'standalone']);
      assert.ok(manifest.theme_color && manifest.background_color);
      for (const [size, purpose] of [['192x192', 'any'], ['512x512', 'any'], ['512x512', 'maskable']]) {
        const icon = manifest.icons.find((i) => i.sizes === size && i.purpose === purpose);
        assert.ok(icon, `icon ${size} ${purpose}`);
        const png = await fetch(`${url}${icon.src}`);
        assert.equal(png.headers.get('content-type'), 'image/png');
        const { width, height } = pngSize(Buffer.from(await png.arrayBuffer()));
        assert.equal(`${width}x${height}`, size, `${icon.src} is really ${size}`);
      }
      assert.deepEqual(
        [manifest.share_target.action, manifest.share_target.method, manifest.share_target.enctype, manifest.share_target.params.files[0]?.name],
        ['/share-target', 'POST', 'multipart/form-data', 'files'],
      );

      const sw = await fetch(`${url}/sw.js`);
      assert.equal(sw.status, 200);
      assert.match(sw.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(sw.headers.get('cache-control'), 'no-cache');
      const csp = (await fetch(url)).headers.get('content-security-policy') ?? '';
      assert.match(csp, /worker-src 'self'/);
      assert.match(csp, /manifest-src 'self'/);

      await alice.goto(url);
      await alice.waitFor(controlled, undefined, 20_000);
      const script = await alice.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.active?.scriptURL ?? null));
      assert.equal(script, `${url}/sw.js`);

      // Chromium's own verdict on installability (manifest, icons, worker with a fetch handler).
      if (alice.raw.kind !== 'chromium') throw new Error('chromium only');
      const cdp = await alice.raw.context.newCDPSession(alice.raw.page);
      const manifestInfo = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
      assert.deepEqual(manifestInfo.errors, []);
      assert.equal(manifestInfo.url, `${url}/manifest.webmanifest`);
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
      assert.deepEqual(installabilityErrors.map((e) => e.errorId), []);
      await cdp.detach();
    }));

  test('with the server stopped, the app still opens with its history and says it is offline; sending resumes when it is back', () =>
    step('offline', async () => {
      await register(alice, 'alice');
      await register(bob, 'bob');
      // bob opens alice's conversation too: she is his contact, so her first message is not a request.
      await bob.click(await contactLabel(bob, 'alice', true));
      await alice.click(await contactLabel(alice, 'bob', true));
      await alice.fill('Message', 'Hello before the outage');
      await alice.press('Enter');
      await bob.waitForText('Hello before the outage', 20_000);
      await waitForMessage(alice, 'Hello before the outage', 'delivered', 15_000); // or Read: bob has the conversation open
      // Served by the worker from now on (it took control on the first visit).
      await alice.waitFor(controlled, undefined, 10_000);

      await server.close();
      try {
        await offlineVisit();
      } finally {
        server = await createSignalServer(opts());
      }
      for (const user of [alice, bob]) {
        // Skip the backoff wait, as a person would (unless it already reconnected by itself).
        if ((await user.text()).includes('Retry now')) await user.click('Retry now', { timeoutMs: 2_000 }).catch(() => undefined);
      }
      await alice.waitForNoText("Offline: can't reach the server", 30_000);
      await bob.waitForText('Written while offline', 30_000);
    }));

  async function offlineVisit(): Promise<void> {
    // The server is down: a second visit with the same browser profile.
    assert.equal(await fetch(`${url}/healthz`).then(() => 'up', () => 'down'), 'down');

    await alice.reload();
    await alice.waitForText('Signed in as alice', 15_000);
    await alice.waitForText("Offline: can't reach the server", 15_000);
    await alice.waitForText('Who is online shows again when the server can be reached.');
    await alice.waitForText('Hello before the outage', 10_000);
    await alice.click(await contactLabel(alice, 'bob', false));
    await alice.waitForText('Hello before the outage');
    await alice.waitForRole('heading', 'bob');

    // Written while the server is down: kept on the device, delivered later.
    await alice.fill('Message', 'Written while offline');
    await alice.press('Enter');
    await alice.waitForText(/Written while offline\n.*Waiting/);
  }

  test('content shared to the app goes to the composer of the contact chosen; files wait with a note', () =>
    step('share', async () => {
      await alice.waitFor(controlled, undefined, 10_000);

      // What the worker answers to a share (fetch follows its redirect).
      const viaFetch = await alice.evaluate(async () => {
        const form = new FormData();
        form.append('title', 'Probe');
        form.append('text', 'probe text');
        const res = await fetch('/share-target', { method: 'POST', body: form });
        return { redirected: res.redirected, url: res.url, status: res.status };
      });
      assert.deepEqual(viaFetch, { redirected: true, url: `${url}/?share=1`, status: 200 });
      // The probe waits as a share of its own; it is not part of the share below.
      await alice.evaluate(() => caches.delete('peerchat-share-v1'));

      // The OS opens the share target as a form POST navigation; do exactly that, with a file.
      await alice.evaluate(() => {
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = '/share-target';
        form.enctype = 'multipart/form-data';
        const field = (name: string, value: string) => {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.append(input);
        };
        field('title', 'Trip plan');
        field('text', 'Meet at the station at 9');
        field('url', 'https://example.org/trip');
        const files = document.createElement('input');
        files.type = 'file';
        files.name = 'files';
        files.multiple = true;
        const dt = new DataTransfer();
        dt.items.add(new File(['ticket bytes'], 'ticket.pdf', { type: 'application/pdf' }));
        files.files = dt.files;
        form.append(files);
        document.body.append(form);
        form.submit();
      });
      await alice.waitForText('Choose a contact to send this to', 15_000);
      assert.equal(await alice.evaluate(() => location.pathname + location.search), '/', 'the ?share=1 marker is removed from the address');
      const text = await alice.text();
      assert.match(text, /Trip plan\nMeet at the station at 9\nhttps:\/\/example\.org\/trip/);
      assert.match(text, /ticket\.pdf/);
      assert.match(text, /The file is offered to the contact you choose; the text goes into the chat/);

      await alice.click(await contactLabel(alice, 'bob', true));
      await alice.waitForRole('heading', 'bob');
      await waitInPage(alice, (q) => !!(q.queryOne([{ label: 'Message' }]) as HTMLTextAreaElement | null)?.value, undefined, 10_000, 'the shared text in the message box');
      assert.equal(await alice.value('Message'), 'Trip plan\nMeet at the station at 9\nhttps://example.org/trip');
      // The text went into the composer; the file was offered to bob and the share is gone.
      await alice.waitForNoText('Choose a contact to send this to');
      await waitForCard(alice, 'ticket.pdf', () => true, 10_000, 'shown');
      assert.equal(await alice.evaluate(() => caches.has('peerchat-share-v1')), false);

      // Sending the draft works like any message.
      await alice.focus('Message');
      await alice.press('Enter');
      await bob.waitForText('Meet at the station at 9', 20_000);
    }));

  test('a second share waits beside the first; a share over 100 MiB is refused and says so; the panel says it came from another app', () =>
    step('share-limits', async () => {
      await alice.waitFor(controlled, undefined, 10_000);
      // The first share arrives while the app is open in another window (fetch: no navigation).
      const first = await alice.evaluate(async () => {
        const form = new FormData();
        form.append('text', 'First shared words');
        form.append('files', new File(['first bytes'], 'first.txt', { type: 'text/plain' }));
        return (await fetch('/share-target', { method: 'POST', body: form })).url;
      });
      assert.equal(first, `${url}/?share=1`);
      await alice.evaluate(submitShare, { text: 'Second shared words', files: [{ name: 'second.txt', size: 0, fill: 'second bytes' }] });
      await alice.waitForText('Choose a contact to send this to', 15_000);
      const text = await alice.text();
      assert.match(text, /First shared words\n+Second shared words/, 'both texts wait, the first one first');
      assert.match(text, /first\.txt/);
      assert.match(text, /second\.txt/);
      assert.match(text, /Shared to Peerchat from another app/);

      // Over the cap: refused whole, said in a sentence, and what waited stays.
      await alice.evaluate(submitShare, { text: 'Too big', files: [{ name: 'huge.bin', size: 100 * 1024 * 1024 + 1, fill: '' }] });
      await alice.waitForText(/too large to keep \(at most 100 MiB/, 30_000);
      const after = await alice.text();
      assert.doesNotMatch(after, /huge\.bin|Too big/);
      assert.match(after, /First shared words\n+Second shared words/);
      assert.match(after, /second\.txt/);
      await alice.click('OK');
      await alice.click('Discard');
      await alice.waitForNoText('Choose a contact to send this to');
      assert.equal(await alice.evaluate(() => caches.has('peerchat-share-v1')), false);
    }));

  test('a new deployment shows "Update available" and Reload switches to it', () =>
    step('update', async () => {
      await alice.waitFor(controlled, undefined, 10_000);
      await alice.evaluate(() => {
        (window as unknown as { beforeUpdate: boolean }).beforeUpdate = true;
      });
      // A new build: the worker script changes (its precache list would, in a real build).
      appendFileSync(path.join(staticDir, 'sw.js'), '\n// deployment 2\n');
      await alice.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()).then(() => true));
      await alice.waitForText('Update available', 20_000);
      // It waits for the person: nothing reloads on its own.
      assert.equal(await alice.evaluate(() => (window as unknown as { beforeUpdate?: boolean }).beforeUpdate === true), true);
      assert.equal(await alice.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => !!r?.waiting)), true);

      await alice.click('Reload');
      await alice.waitFor(() => (window as unknown as { beforeUpdate?: boolean }).beforeUpdate !== true && document.readyState === 'complete', undefined, 20_000);
      await alice.waitForText('Signed in as alice', 15_000);
      const after = await alice.waitFor(
        () => navigator.serviceWorker.getRegistration().then((r) => (r && !r.waiting && r.active?.state === 'activated' && navigator.serviceWorker.controller ? true : null)),
        undefined,
        15_000,
      );
      assert.equal(after, true);
      await alice.waitForNoText('Update available');
    }));
});
