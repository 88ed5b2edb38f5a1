// Profiles, restore from the login screen and export from the header, in real Chromium
// processes against the real server:
// - alice sets a display name and an avatar (a PNG made in the page); bob sees both in his
//   contact list and the conversation header, and the avatar he stored is a small re-encoded
//   image, not alice's original bytes; alice renames herself while bob is online: it updates.
// - a notification from alice (bob's page hidden) says "Alice L." and shows her picture.
// - bob exports the conversation from its header (a Markdown download with the messages).
// - bob makes a backup; in a NEW browser profile he asks for a restore on the login screen,
//   logs in, and the restore dialog opens by itself: same history, alice still verified.
// New screens are audited with axe (light and dark); with PEERCHAT_SHOTS=<dir> they are also
// saved as screenshots (wide and 360 px, light and dark).
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test test/e2e/profile.test.ts

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { PASSWORD, openConversation, register, send, shownMessages, startTestServer, stepTracker, ui, waitForMessage, type TestServer } from './app-helpers';
import { pattern, waitInPage } from './page-queries';
import { auditScreen } from './a11y-audit';

const PASSPHRASE = 'seven blue horses at dawn';
const HELLO = 'Hello bob, this is alice';
const REPLY = 'Hi alice! Nice picture';
const SHOTS = process.env.PEERCHAT_SHOTS;

/** Saves `name` at 1280 and 360 px wide, light and dark, when PEERCHAT_SHOTS names a folder. */
async function shoot(u: BrowserUser, name: string): Promise<void> {
  if (!SHOTS || u.raw.kind !== 'chromium') return;
  mkdirSync(SHOTS, { recursive: true });
  const page = u.raw.page;
  const was = page.viewportSize();
  for (const [size, viewport] of [['wide', { width: 1280, height: 800 }], ['phone', { width: 360, height: 740 }]] as const) {
    await page.setViewportSize(viewport);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await u.screenshot(path.join(SHOTS, `${u.locale}-${size}-${name}${scheme === 'dark' ? '-dark' : ''}.png`));
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (was) await page.setViewportSize(was);
}

/** In the page: makes a noisy 640 x 480 PNG (large, so re-encoding must shrink it) and sets it on the profile's picture input. */
function pickNoisyPng(): Promise<{ size: number; head: number[] }> {
  const deep = (root: Document | ShadowRoot, sel: string): Element | null => {
    const hit = root.querySelector(sel);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
      const found = el.shadowRoot ? deep(el.shadowRoot, sel) : null;
      if (found) return found;
    }
    return null;
  };
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 480;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const img = ctx.createImageData(640, 480);
  for (let i = 0; i < img.data.length; i++) img.data[i] = i % 4 === 3 ? 255 : Math.floor(Math.random() * 256);
  ctx.putImageData(img, 0, 0);
  return new Promise((resolve, reject) =>
    canvas.toBlob(async (blob) => {
      if (!blob) return reject(new Error('no PNG'));
      const input = deep(document, 'pc-settings-profile') ? deep((deep(document, 'pc-settings-profile') as Element).shadowRoot as ShadowRoot, 'input[type=file]') : null;
      if (!(input instanceof HTMLInputElement)) return reject(new Error('no picture input'));
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'me.png', { type: 'image/png' }));
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      resolve({ size: blob.size, head: [...new Uint8Array(await blob.slice(0, 16).arrayBuffer())] });
    }, 'image/png'),
  );
}

/** In the page: the profile `conv` stored in `account`'s history database (avatar facts only). */
function storedProfile(arg: { account: string; conv: string }): Promise<{ name: string; mime?: string; size?: number; head?: number[] } | null> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(`peerchat-${arg.account}`);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('profiles').objectStore('profiles').get(arg.conv);
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        open.result.close();
        const p = req.result?.profile;
        if (!p) return resolve(null);
        resolve({ name: p.name, mime: p.avatar?.mime, size: p.avatar?.bytes.length, head: p.avatar ? [...p.avatar.bytes.slice(0, 16)] : undefined });
      };
    };
  });
}

/** In the page: the src of the avatar image shown in the contact row of `conv` and in the conversation header. */
function avatarSources(conv: string): { row: string | null; header: string | null; headerAlt: string | null } {
  const deepAll = (root: Document | ShadowRoot, sel: string, out: Element[] = []): Element[] => {
    out.push(...root.querySelectorAll(sel));
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) deepAll(el.shadowRoot, sel, out);
    return out;
  };
  const imgOf = (el: Element | undefined) => el?.shadowRoot?.querySelector('img') ?? null;
  const row = deepAll(document, `button[data-contact="${conv}"] ~ pc-avatar`)[0];
  const header = deepAll(document, 'pc-conversation').map((c) => c.shadowRoot?.querySelector('header pc-avatar') ?? undefined)[0];
  return { row: imgOf(row)?.getAttribute('src') ?? null, header: imgOf(header)?.getAttribute('src') ?? null, headerAlt: imgOf(header)?.getAttribute('alt') ?? null };
}

/** Waits for the contact row whose accessible name starts with `start` (then ", online…"). */
async function waitRowNamed(user: BrowserUser, start: RegExp): Promise<void> {
  const steps = [{ role: 'list' as const, name: ui(user)`Contacts` }, { role: 'button' as const, name: pattern(start) }];
  await waitInPage(user, (q, steps) => q.queryAll(steps).length === 1, steps, 20_000, `contact row ${start}`);
}

describe('profiles, restore from the login screen, export from the header', { timeout: 240_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let bobNew: BrowserUser;
  let dir: string;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pc-profile-'));
    srv = await startTestServer();
    [alice, bob] = await Promise.all([launchBrowser('chromium', { name: 'alice' }), launchBrowser('chromium', { name: 'bob' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob, bobNew].filter(Boolean), 'profile');
    await closeAllBrowsers();
    await srv?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  step('alice sets a name and a picture; bob sees them in his list and the header, re-encoded and small', async () => {
    await register(alice, srv.url, 'alice');
    await register(bob, srv.url, 'bob');
    await openConversation(alice, 'bob');
    await send(alice, HELLO);
    await openConversation(bob, 'alice');
    await waitForMessage(bob, HELLO);
    await send(bob, REPLY);
    await waitForMessage(alice, REPLY, 'received', 20_000);

    await alice.click('Settings');
    await alice.fill('Display name', 'Alice Liddell');
    const original = await alice.evaluate(pickNoisyPng);
    assert.ok(original.size > 100_000, `the original PNG is large (${original.size} bytes)`);
    await alice.waitForText('Change picture');
    await auditScreen(alice, 'settings with the profile section');
    await shoot(alice, 'settings-profile');
    await alice.click('Save profile');
    await alice.waitForText('Profile saved. Contacts get it when they are connected.');

    const mine = await alice.evaluate(storedProfile, { account: 'alice', conv: 'alice' });
    assert.equal(mine?.name, 'Alice Liddell');
    await bob.waitForRole('heading', 'Alice Liddell @alice', { timeoutMs: 20_000 });
    await waitRowNamed(bob, /^Alice Liddell @alice, /);
    const shown = await bob.waitFor(avatarSources, 'alice');
    assert.ok(shown.row?.startsWith('data:image/') && shown.header?.startsWith('data:image/'), JSON.stringify(shown).slice(0, 200));
    assert.equal(shown.headerAlt, 'Alice Liddell');
    const stored = await bob.evaluate(storedProfile, { account: 'bob', conv: 'alice' });
    assert.ok(stored?.size && stored.size <= 48 * 1024, `bob stored ${stored?.size} bytes`);
    assert.ok(stored.mime === 'image/webp' || stored.mime === 'image/jpeg', stored.mime);
    assert.notDeepEqual(stored.head, original.head, 'not the original bytes');
  });

  step('alice renames herself while bob is online: his header and list follow', async () => {
    await alice.fill('Display name', 'Alice L.');
    await alice.click('Save profile');
    await bob.waitForRole('heading', 'Alice L. @alice', { timeoutMs: 20_000 });
    await waitRowNamed(bob, /^Alice L\. @alice, /);
    await shoot(bob, 'list-and-header-with-avatar');
  });

  step('a notification from alice says her display name and shows her picture', async () => {
    if (bob.raw.kind !== 'chromium') throw new Error('chromium expected');
    await bob.raw.context.grantPermissions(['notifications'], { origin: srv.url });
    await bob.click('Settings');
    await bob.click('Notify me of new messages', { role: 'switch' });
    await bob.evaluate(() => {
      const Real = window.Notification;
      const shown: { title: string; icon: string }[] = [];
      (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
      class Recording extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push({ title, icon: options?.icon ?? '' });
        }
      }
      window.Notification = Recording as typeof Notification;
    });
    await bob.click('Back');
    // Headless Chromium keeps the page visible: emulate hidden, as when the person switched away.
    const setHidden = (hidden: boolean) =>
      bob.evaluate((h: boolean) => {
        if (h) Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        else delete (document as { visibilityState?: unknown }).visibilityState;
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await alice.click('Back'); // out of Settings, back to the conversation with bob
    await send(alice, 'Are you there?');
    const shown = await bob.waitFor(() => (window as unknown as { shownNotifications: { title: string; icon: string }[] }).shownNotifications[0]);
    await setHidden(false);
    assert.equal(shown?.title, 'Alice L.');
    assert.ok(shown?.icon.startsWith('data:image/'), shown?.icon.slice(0, 40));
  });

  step('bob exports the conversation from its header', async () => {
    if (bob.raw.kind !== 'chromium') throw new Error('chromium expected');
    await bob.evaluate(() => void delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
    await bob.click('Export conversation');
    await bob.waitForRole('button', 'Text (Markdown)');
    await auditScreen(bob, 'conversation header with the export menu');
    await shoot(bob, 'header-export-menu');
    const download = bob.raw.page.waitForEvent('download');
    await bob.click('Text (Markdown)');
    const d = await download;
    const file = path.join(dir, 'export.md');
    await d.saveAs(file);
    assert.match(d.suggestedFilename(), /\.md$/);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes(HELLO) && text.includes(REPLY) && text.includes('Are you there?'), text.slice(0, 400));
    await bob.press('Escape');
  });

  step('a new browser profile: restore asked for on the login screen brings back the history and the verified mark', async () => {
    if (bob.raw.kind !== 'chromium') throw new Error('chromium expected');
    await bob.evaluate(() => (document.querySelector('pc-app') as unknown as { service: { setVerified(n: string, v: boolean): Promise<void> } }).service.setVerified('alice', true));
    await bob.click('Settings');
    await bob.fill('Passphrase for the backup (at least 10 characters)', PASSPHRASE);
    const download = bob.raw.page.waitForEvent('download');
    await bob.click('Make a backup');
    const backup = path.join(dir, 'bob.peerchat-backup');
    await (await download).saveAs(backup);
    await bob.close();

    bobNew = await launchBrowser('chromium', { name: 'bob-new' });
    await bobNew.goto(srv.url);
    await bobNew.click('Restore from a backup');
    await bobNew.waitForText('A backup is restored into your account: log in above first');
    await auditScreen(bobNew, 'login with the restore explanation');
    await shoot(bobNew, 'login-restore');
    await bobNew.fill('Username', 'bob');
    await bobNew.fill('Password', PASSWORD);
    await bobNew.click('Log in');
    await bobNew.click('I lost all my devices: start over with a new key', { timeoutMs: 20_000 });
    await bobNew.click('Start over with a new key');
    // The restore dialog opens by itself on this empty browser.
    await bobNew.waitForRole('dialog', 'Restore from a backup', { timeoutMs: 30_000 });
    await auditScreen(bobNew, 'restore dialog after login');
    await shoot(bobNew, 'restore-dialog');
    await bobNew.setFiles('Backup file', [backup]);
    await bobNew.fill('Passphrase of the backup', PASSPHRASE);
    await bobNew.click('Restore');
    await bobNew.waitForText('Restored 3 messages. Reloading…', 60_000);
    await bobNew.waitForText('Signed in as bob', 30_000);
    await waitRowNamed(bobNew, /^(Alice L\. @)?alice, (online|offline), verified$/);
    await bobNew.waitForRole('dialog', 'Restore from a backup', { hidden: true });
    await bobNew.clickWhere([{ role: 'list', name: 'Contacts' }, { role: 'button', name: pattern(/^(Alice L\. @)?alice, /) }]);
    await waitForMessage(bobNew, HELLO);
    const texts = (await shownMessages(bobNew)).map((m) => m.text);
    assert.ok(texts.includes(HELLO) && texts.includes(REPLY), texts.join(' | '));
  });
});

describe('profiles in Chinese: the new parts audited', { timeout: 180_000 }, () => {
  let srv: TestServer;
  let li: BrowserUser;
  let wang: BrowserUser;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    srv = await startTestServer();
    [li, wang] = await Promise.all([launchBrowser('chromium', { name: 'li', locale: 'zh-CN' }), launchBrowser('chromium', { name: 'wang', locale: 'zh-CN' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([li, wang].filter(Boolean), 'profile-zh');
    await closeAllBrowsers();
    await srv?.dispose();
  });

  step('login with the restore explanation, Settings with the profile, the list and the header with export', async () => {
    const t = ui(li);
    await li.goto(srv.url);
    await li.click(t`Restore from a backup`);
    await li.waitForText(t`A backup is restored into your account: log in above first (on a new browser, link it to your account or start over with a new key). Right after that, Peerchat asks for the backup file and its passphrase.`);
    await auditScreen(li, 'login with the restore explanation');
    await shoot(li, 'login-restore');
    await register(li, srv.url, 'lilei');
    await register(wang, srv.url, 'wangxm');
    await openConversation(wang, 'lilei');
    await send(wang, '你好，我是小明');
    await openConversation(li, 'wangxm');
    await waitForMessage(li, '你好，我是小明');

    await wang.click(t`Settings`);
    await wang.fill(t`Display name`, '王小明');
    await wang.evaluate(pickNoisyPng);
    await wang.waitForText(t`Change picture`);
    await auditScreen(wang, 'settings with the profile section');
    await shoot(wang, 'settings-profile');
    await wang.click(t`Save profile`);

    await li.waitForRole('heading', '王小明 @wangxm', { timeoutMs: 20_000 });
    await waitRowNamed(li, /^王小明 @wangxm\b/);
    await li.click(t`Export conversation`);
    await li.waitForRole('button', t`Text (Markdown)`);
    await auditScreen(li, 'conversation header with the export menu');
    await shoot(li, 'header-export-menu');
    await li.press('Escape');
    await li.evaluate(() => (document.querySelector('pc-app') as unknown as { service: { open(n: string | null): Promise<void> } }).service.open(null));
    await shoot(li, 'list-with-avatar');
    // A group conversation has the export in its header too.
    await li.click(t`New group`);
    await li.fill(t`Group name`, '周末爬山');
    await li.click('wangxm', { role: 'checkbox', timeoutMs: 15_000 });
    await li.click(t`Create group`);
    await li.waitForRole('heading', '周末爬山', { timeoutMs: 10_000 });
    await li.click(t`Export conversation`);
    await li.waitForRole('button', t`Data (JSON)`);
    await auditScreen(li, 'group header with the export menu');
    await shoot(li, 'group-header-export-menu');
  });
});
