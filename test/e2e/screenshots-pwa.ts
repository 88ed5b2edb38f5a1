// Screenshots of the installable-app UI at 1280 and 360 px wide, to look at (not a test):
// install button, update prompt, share flow, offline state, the plain-HTTP note.
//   npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx test/e2e/screenshots-pwa.ts [outDir]
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createSignalServer } from '../../signal-server/src/server';
import { STATIC_DIR } from './app-helpers';
import { CHROMIUM_ARGS, closeAllBrowsers, launchBrowser, type BrowserUser } from './browsers';

const out = process.argv[2] ?? '/tmp/shots-pwa';
mkdirSync(out, { recursive: true });
const staticDir = mkdtempSync(path.join(tmpdir(), 'pc-try-pwa-static-'));
cpSync(STATIC_DIR, staticDir, { recursive: true });
const dataDir = mkdtempSync(path.join(tmpdir(), 'pc-try-pwa-'));
const opts = { port: 0, host: '127.0.0.1', dataDir, staticDir, scrypt: { N: 2 ** 12 }, allowedHosts: ['peerchat.lan'] };
let server = await createSignalServer(opts);
const port = server.address.port;
const url = `http://127.0.0.1:${port}`;

/** Resolves once the page has rendered two frames at the new size (the layout has settled). */
function laidOut(user: BrowserUser): Promise<unknown> {
  return user.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

async function both(user: BrowserUser, name: string): Promise<void> {
  if (user.raw.kind !== 'chromium') return;
  const page = user.raw.page;
  await page.setViewportSize({ width: 1280, height: 800 });
  await laidOut(user);
  await user.screenshot(`${out}/${name}-1280.png`);
  await page.setViewportSize({ width: 360, height: 740 });
  await laidOut(user);
  await user.screenshot(`${out}/${name}-360.png`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function register(user: BrowserUser, name: string): Promise<void> {
  await user.goto(url);
  await user.fill('Username', name);
  await user.fill('Password', 'correct horse battery');
  await user.click('Register');
  await user.waitForText(`Signed in as ${name}`, 15_000);
}

try {
  const alice = await launchBrowser('chromium', { name: 'alice', echoConsole: false });
  const bob = await launchBrowser('chromium', { name: 'bob' });
  await register(alice, 'alice');
  await register(bob, 'bob');
  await alice.waitFor(() => navigator.serviceWorker.getRegistration().then((r) => r?.active?.state === 'activated' || null), undefined, 20_000);
  await alice.waitForRole('button', 'Install app', { timeoutMs: 15_000 });
  await both(alice, '01-install-button');

  await alice.click('bob, online, not verified');
  await alice.fill('Message', 'Hello Bob, this stays on our devices.');
  await alice.press('Enter');
  await bob.waitForText('Hello Bob', 20_000);

  // Share flow: the OS posts to /share-target.
  await alice.evaluate(() => {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = '/share-target';
    form.enctype = 'multipart/form-data';
    for (const [k, v] of [['title', 'Weekend trip'], ['text', 'Train leaves 9:12 from platform 4. Bring the tickets!'], ['url', 'https://example.org/trip']]) {
      const i = document.createElement('input');
      i.type = 'hidden';
      i.name = k as string;
      i.value = v as string;
      form.append(i);
    }
    const files = document.createElement('input');
    files.type = 'file';
    files.name = 'files';
    files.multiple = true;
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(48_213)], 'tickets.pdf', { type: 'application/pdf' }));
    dt.items.add(new File([new Uint8Array(1_734_002)], 'IMG_2041.jpg', { type: 'image/jpeg' }));
    files.files = dt.files;
    form.append(files);
    document.body.append(form);
    form.submit();
  });
  await alice.waitForText('Choose a contact to send this to', 15_000);
  await both(alice, '02-share-choose');
  await alice.click('bob, online, not verified');
  await alice.waitForNoText('Choose a contact to send these files to');
  await both(alice, '03-share-composer');

  // Update available: a new deployment.
  appendFileSync(path.join(staticDir, 'sw.js'), '\n// deployment 2\n');
  await alice.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()).then(() => true));
  await alice.waitForText('Update available', 20_000);
  await both(alice, '04-update-prompt');
  await alice.evaluate(() => ((window as unknown as { old: boolean }).old = true));
  await alice.click('Reload');
  // The app reloads itself once the new version takes over.
  await alice.waitFor(() => (window as unknown as { old?: boolean }).old !== true && document.readyState === 'complete', undefined, 20_000);
  await alice.waitForText('Signed in as alice', 15_000);

  // Offline: the server stops, the app is reopened.
  await server.close();
  await alice.reload();
  await alice.waitForText("Offline: can't reach the server", 15_000);
  await alice.click('bob, offline, not verified');
  await alice.waitForText('Hello Bob');
  await both(alice, '05-offline');
  server = await createSignalServer({ ...opts, port });

  // Plain HTTP on a "LAN" name: not a secure context.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP peerchat.lan 127.0.0.1'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://peerchat.lan:${port}/`);
  await page.getByText('not using HTTPS').waitFor();
  await page.screenshot({ path: `${out}/06-insecure-1280.png` });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: `${out}/06-insecure-360.png` });
  await browser.close();
  console.log(`screenshots in ${out}`);
} catch (err) {
  console.error('FAILED', err);
  process.exitCode = 1;
} finally {
  await closeAllBrowsers();
  await server.close();
  rmSync(staticDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}
