// The accessibility audit of every screen (test/e2e/a11y-audit.ts), in English and in Simplified
// Chinese, light and dark: axe-core finds no serious or critical violation (contrast included),
// and every control is at least 44 x 44 CSS px at 360 px wide. alice runs at 1280 px, bob at
// 360 px; carol writes to alice first (the Requests section, the request bar); a second browser
// of alice's links itself (the pending and approve screens).
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/a11y.test.ts

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { PASSWORD, openConversation, register, send, sentenceRe, startTestServer, stepTracker, ui, waitForMessage, waitLinkReady, type TestServer } from './app-helpers';
import { clickInCard, randomFile, waitForCard } from './file-helpers';
import { pattern } from './page-queries';
import { announcements, auditScreen, recordAnnouncements } from './a11y-audit';
import type { UiLocale } from './ui-text';

for (const locale of ['en', 'zh-CN'] as const satisfies readonly UiLocale[]) {
  describe(`accessibility audit (${locale})`, { timeout: 420_000 }, () => {
    let srv: TestServer;
    let alice: BrowserUser;
    let bob: BrowserUser;
    let dir: string;
    const steps = stepTracker(test);
    const { step } = steps;
    const others: BrowserUser[] = [];

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'pc-a11y-'));
      srv = await startTestServer();
      [alice, bob] = await Promise.all([
        launchBrowser('chromium', { name: 'alice', locale }),
        launchBrowser('chromium', { name: 'bob', locale, viewport: { width: 360, height: 740 } }),
      ]);
    });

    after(async () => {
      if (steps.failed) await dumpDiagnostics([alice, bob, ...others].filter(Boolean), `a11y-${locale}`);
      await closeAllBrowsers();
      await srv?.dispose();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** Audits each screen in turn and fails once at the end of the step with every problem found. */
    function auditor(): { audit: (u: BrowserUser, screen: string) => Promise<void>; done: () => void } {
      const problems: string[] = [];
      return {
        async audit(u, screen) {
          // Touch targets are measured in the phone layout (360 px), as the rule asks.
          const phone = (u.raw.kind === 'chromium' ? u.raw.page.viewportSize()?.width : 1280) === 360;
          await auditScreen(u, screen, { targets: phone }).catch((err: Error) => problems.push(err.message));
        },
        done() {
          if (problems.length) throw new Error(problems.join('\n\n'));
        },
      };
    }

    step('login screen', async () => {
      const a = auditor();
      await bob.goto(srv.url);
      await bob.waitForRole('button', ui(bob)`Register`);
      await a.audit(bob, 'login');
      // A field error shown next to its field.
      await bob.fill(ui(bob)`Username`, 'b');
      await bob.fill(ui(bob)`Password`, PASSWORD);
      await bob.click(ui(bob)`Register`);
      await bob.waitForText(ui(bob).id('error-INVALID_USERNAME', 'Usernames are 3 to 32 characters: letters, digits, and _ . -')).catch(() => undefined);
      await a.audit(bob, 'login with an error');
      a.done();
    });

    step('contacts, conversation and the request bar', async () => {
      const a = auditor();
      await register(alice, srv.url, 'alice');
      await register(bob, srv.url, 'bob');
      await a.audit(bob, 'empty contact list');
      await openConversation(alice, 'bob');
      await a.audit(alice, 'empty conversation');
      await send(alice, 'Hello Bob');
      await bob.waitForRole('list', ui(bob).id('requests-heading', 'Requests'), { timeoutMs: 15_000 });
      await a.audit(bob, 'contact list with Requests');
      await openConversation(bob, 'alice').catch(() => undefined);
      await waitForMessage(bob, 'Hello Bob', 'received');
      // Screen readers: opening the conversation does not read its history out; a new message is said once.
      await recordAnnouncements(bob);
      assert.equal((await announcements(bob)).now, '', 'the history is not announced');
      await send(alice, 'Are you there?');
      await waitForMessage(bob, 'Are you there?', 'received');
      const message = ui(bob)`Message from ${'alice'}: ${'Are you there?'}`;
      await bob.waitFor((text) => {
        const w = window as unknown as { pcAnnounced?: string[] };
        return w.pcAnnounced?.includes(text);
      }, message, 10_000);
      assert.deepEqual((await announcements(bob)).said, [message]);
      await send(bob, 'Hi Alice');
      await waitForMessage(alice, 'Hi Alice', 'received');
      await a.audit(bob, 'conversation (phone)');
      await a.audit(alice, 'conversation (wide)');
      // A stranger writes: the request bar.
      const carol = await launchBrowser('chromium', { name: 'carol', locale });
      others.push(carol);
      await register(carol, srv.url, 'carol');
      await openConversation(carol, 'alice');
      await send(carol, 'Hi alice, it is carol');
      const t = ui(alice);
      await alice.waitForRole('list', t.id('requests-heading', 'Requests'), { timeoutMs: 15_000 });
      await a.audit(alice, 'contact list with Requests (wide)');
      await alice.clickWhere([{ role: 'list', name: t.id('requests-heading', 'Requests') }, { role: 'button' }]);
      await alice.waitForRole('region', t`Message request from ${'carol'}`);
      await a.audit(alice, 'request bar');
      await alice.click(t`Block`);
      await alice.waitForRole('region', t`You blocked ${'carol'}`);
      await a.audit(alice, 'request bar, blocked');
      await alice.click(t`Unblock`);
      await carol.close();
      await openConversation(alice, 'bob');
      a.done();
    });

    step('verify dialog', async () => {
      const a = auditor();
      const t = ui(alice);
      await alice.click(t.id('verify-button', 'Verify'));
      await alice.waitForRole('dialog', t`Verify ${'bob'}`);
      await alice.waitForRole('group', t`Safety number`, { timeoutMs: 10_000 });
      await a.audit(alice, 'verify dialog');
      await alice.press('Escape');
      await alice.waitForRole('dialog', t`Verify ${'bob'}`, { hidden: true });
      const tb = ui(bob);
      await bob.click(tb.id('verify-button', 'Verify'));
      await bob.waitForRole('group', tb`Safety number`, { timeoutMs: 10_000 });
      await a.audit(bob, 'verify dialog (phone)');
      await bob.press('Escape');
      a.done();
    });

    step('file cards: offered, in progress, verified', async () => {
      const a = auditor();
      await waitLinkReady(alice);
      await waitLinkReady(bob);
      const file = randomFile(path.join(dir, 'report-2026.pdf'), 24 * 1024 * 1024);
      await alice.setFiles(ui(alice)`Attach file`, [file]);
      await waitForCard(bob, 'report-2026.pdf', (c) => c.state === 'offered', 15_000, 'offered');
      await a.audit(bob, 'file card offered');
      await a.audit(alice, 'file card waiting');
      await recordAnnouncements(bob);
      await clickInCard(bob, 'report-2026.pdf', 'Accept');
      // Whatever the card shows when the audit runs (running, or already done) is audited; the
      // running card is what this waits for.
      await waitForCard(bob, 'report-2026.pdf', (c) => c.state === 'running' || c.state === 'done', 15_000, 'running');
      await a.audit(bob, 'file card in progress');
      await waitForCard(bob, 'report-2026.pdf', (c) => c.state === 'done', 60_000, 'done');
      await waitForCard(alice, 'report-2026.pdf', (c) => c.state === 'done', 15_000, 'done');
      // The transfer was said at its start, quarters and end, not at every percent.
      const tb = ui(bob);
      const name = 'report-2026.pdf';
      const done = tb`${name} received and verified`;
      await bob.waitFor((text) => (window as unknown as { pcAnnounced?: string[] }).pcAnnounced?.includes(text), done, 10_000);
      const said = (await announcements(bob)).said;
      const allowed = [tb`Receiving ${name}`, ...['25', '50', '75'].map((p) => tb`${name}: ${`${p}%`}`), done];
      assert.ok(said.length <= 5 && said.every((s) => allowed.includes(s)), `announced: ${JSON.stringify(said)}; allowed: ${JSON.stringify(allowed)}`);
      assert.equal(said.at(-1), done);
      await a.audit(bob, 'file card verified');
      await a.audit(alice, 'file card sent');
      a.done();
    });

    step('devices: link pending, approve, the devices screen and its dialogs', async () => {
      const a = auditor();
      const t = ui(alice);
      const second = await launchBrowser('chromium', { name: 'second', locale, viewport: { width: 360, height: 740 } });
      others.push(second);
      await second.goto(srv.url);
      await second.fill(t`Username`, 'alice');
      await second.fill(t`Password`, PASSWORD);
      await second.click(t`Log in`);
      const joining = t`New device: ${'Chromium on Linux'} wants to join`;
      await alice.waitForRole('dialog', joining, { timeoutMs: 15_000 });
      await second.waitForText(t`One of your devices answered. Does it show this same code?`, 15_000);
      await a.audit(second, 'link pending');
      await a.audit(alice, 'link approve');
      await second.click(t`I lost all my devices: start over with a new key`);
      await a.audit(second, 'link pending, start over');
      await second.click(t.id('start-over-cancel', 'Cancel'));
      await second.click(t`The codes match`);
      await second.waitForText(t`Now approve this device on your other device.`, 5_000);
      await a.audit(second, 'link pending, confirmed');
      await alice.click(t`Approve`);
      await second.waitForText(new RegExp(`${t`Signed in as `.trim()}\\s*alice`), 15_000);
      // On a phone the Devices screen is reached through Settings (the top bar has no room for it).
      await second.click(t`Settings`, { role: 'button' });
      await second.click(t`Your devices`, { role: 'button' });
      await second.waitForText(t`Online now`, 15_000);
      await a.audit(second, 'devices (phone)');
      await alice.click(t`Devices`);
      await alice.waitForText(t`Online now`, 15_000);
      await a.audit(alice, 'devices');
      await alice.clickWhere([{ role: 'listitem', text: t.id('this-device', 'This device') }, { role: 'button', name: pattern(sentenceRe(t`Rename ${'\uE000'}`)) }]);
      await a.audit(alice, 'devices, rename');
      await alice.click(t.id('device-name-cancel', 'Cancel'));
      await alice.clickWhere([{ role: 'button', name: pattern(sentenceRe(t`Unlink ${'\uE000'}`)) }]);
      await a.audit(alice, 'devices, unlink dialog');
      await alice.press('Escape');
      await alice.click(t`Reset the account key…`);
      await a.audit(alice, 'devices, reset');
      await alice.click(t.id('reset-cancel', 'Cancel'));
      await second.close();
      a.done();
    });
  });
}
