// The app by keyboard alone: alice (Chromium, 1280 px) registers, opens her conversation with bob,
// sends a message, attaches a file and opens and closes the verify dialog with Tab, Shift+Tab,
// Enter, Space and Escape only; never a click. On each control she lands on, the focus is visible
// (a computed outline or box-shadow, on the control or on the label drawn for a hidden input), and
// a closed dialog gives the focus back to the button that opened it. bob, the other side, is
// driven as usual.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/keyboard.test.ts

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { PASSWORD, openConversation, register, startTestServer, stepTracker, waitForMessage, waitLinkReady, type TestServer } from './app-helpers';
import { randomFile, waitForCard } from './file-helpers';
import { inPage } from './page-queries';
import { uiText } from './ui-text';

interface Focused {
  role: string | null;
  name: string;
  /** Why the focus shows (e.g. "outline 3px solid"), or '' when nothing marks it. */
  indicator: string;
}

function pageOf(user: BrowserUser): Page {
  if (user.raw.kind !== 'chromium') throw new Error('Chromium only');
  return user.raw.page;
}

/** The focused element (through shadow roots): its role, name, and what shows it is focused. */
function focused(user: BrowserUser): Promise<Focused | null> {
  return inPage(user, (q) => {
    const el = q.focused();
    if (!el || el === document.body) return null;
    const mark = (e: Element): string => {
      const s = getComputedStyle(e);
      if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) return `outline ${s.outlineWidth} ${s.outlineStyle}`;
      if (s.boxShadow && s.boxShadow !== 'none') return `box-shadow ${s.boxShadow}`;
      return '';
    };
    let indicator = mark(el);
    // A visually hidden input shows its focus on the label drawn in its place.
    const r = el.getBoundingClientRect();
    if (!indicator && (r.width <= 1 || r.height <= 1) && el instanceof HTMLInputElement) {
      for (const label of Array.from(el.labels ?? [])) indicator ||= mark(label) && `label: ${mark(label)}`;
    }
    return { role: q.roleOf(el), name: q.nameOf(el), indicator };
  });
}

/**
 * Presses `key` (Tab or Shift+Tab) until the focus is on the element with `role` ('*': any) whose name
 * matches; fails if it is not reached in `max` presses or if its focus is not visible there.
 */
async function tabTo(user: BrowserUser, role: string, name: string | RegExp, key: 'Tab' | 'Shift+Tab' = 'Tab', max = 40): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await user.press(key);
    const f = await focused(user);
    seen.push(f ? `${f.role} "${f.name}"` : '(body)');
    if (f && (role === '*' || f.role === role) && (typeof name === 'string' ? f.name === name : name.test(f.name))) {
      assert.ok(f.indicator, `${role} "${f.name}" has the focus but nothing shows it (no outline, no box-shadow)`);
      return f;
    }
  }
  throw new Error(`${key} never reached ${role} ${String(name)}; the focus went: ${seen.join(' → ')}`);
}

describe('keyboard only', { timeout: 180_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let dir: string;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pc-keyboard-'));
    srv = await startTestServer();
    [alice, bob] = await Promise.all([launchBrowser('chromium', { name: 'alice' }), launchBrowser('chromium', { name: 'bob', viewport: { width: 360, height: 740 } })]);
    await register(bob, srv.url, 'bob');
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob].filter(Boolean), 'keyboard');
    await closeAllBrowsers();
    await srv?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const t = uiText('en');

  step('register with the keyboard', async () => {
    await alice.goto(srv.url);
    await alice.waitForRole('button', t`Register`);
    await tabTo(alice, 'textbox', t`Username`);
    await pageOf(alice).keyboard.type('alice');
    await tabTo(alice, '*', t`Password`); // a password field has no ARIA role
    await pageOf(alice).keyboard.type(PASSWORD);
    await tabTo(alice, 'button', t`Register`);
    await alice.press('Enter');
    await alice.waitForText(/Signed in as\s+alice/, 15_000);
  });

  step('open the conversation and send a message', async () => {
    await alice.waitForRole('button', 'bob, online, not verified', { timeoutMs: 15_000 });
    await tabTo(alice, 'button', 'bob, online, not verified');
    await alice.press('Enter');
    await alice.waitForRole('heading', 'bob');
    // Opening a conversation puts the focus in its message box.
    const box = t.id('composer-label', 'Message');
    const deadline = Date.now() + 5000;
    let f = await focused(alice);
    while (f?.name !== box && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100)); // the conversation renders, then focuses its box
      f = await focused(alice);
    }
    assert.equal(f?.name, box);
    await pageOf(alice).keyboard.type('Hello bob, typed without a mouse');
    await alice.press('Enter');
    await waitForMessage(alice, 'Hello bob, typed without a mouse');
    // bob (not the keyboard user) accepts alice's first message, which opens the secure session.
    await openConversation(bob, 'alice');
    await waitForMessage(alice, 'Hello bob, typed without a mouse', 'delivered');
  });

  step('attach a file with Space on the attach control', async () => {
    await waitLinkReady(alice);
    const file = randomFile(path.join(dir, 'keyboard.bin'), 64 * 1024);
    const f = await tabTo(alice, '*', t`Attach file`, 'Shift+Tab');
    assert.match(f.indicator, /outline|box-shadow/);
    const chooser = pageOf(alice).waitForEvent('filechooser');
    await alice.press('Space');
    await (await chooser).setFiles(file);
    await waitForCard(alice, 'keyboard.bin', (c) => c.state === 'offered' || c.state === 'running' || c.state === 'done', 15_000, 'the sent card');
  });

  step('open the verify dialog with Enter, close it with Escape and with its Close button', async () => {
    const verify = t.id('verify-button', 'Verify');
    const dialog = t`Verify ${'bob'}`;
    await tabTo(alice, 'button', verify, 'Shift+Tab');
    await alice.press('Enter');
    await alice.waitForRole('dialog', dialog);
    const inside = await inPage(alice, (q, name) => {
      const d = q.queryAll([{ role: 'dialog', name }])[0];
      const f = q.focused();
      return !!d && !!f && (d.contains(f) || d.getRootNode() === f.getRootNode());
    }, dialog);
    assert.ok(inside, 'the focus moved into the dialog');
    await alice.press('Escape');
    await alice.waitForRole('dialog', dialog, { hidden: true });
    assert.deepEqual(await focused(alice).then((f) => f && [f.role, f.name]), ['button', verify], 'Escape gave the focus back to Verify');
    await alice.press('Enter');
    await alice.waitForRole('dialog', dialog);
    await tabTo(alice, 'button', t`Close`);
    await alice.press('Space');
    await alice.waitForRole('dialog', dialog, { hidden: true });
    const back = await focused(alice);
    assert.deepEqual(back && [back.role, back.name], ['button', verify], 'Close gave the focus back to Verify');
    assert.ok(back?.indicator, 'the focus shows on Verify again');
  });
});
