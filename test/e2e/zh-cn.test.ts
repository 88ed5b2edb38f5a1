// The app in Simplified Chinese, end to end: two SEPARATE Chromium processes started with a
// Chinese locale (`--lang=zh-CN`, navigator.languages zh-CN), alice at 1280 px and bob at 360 px,
// the real signal server and real data channels. The main chat flow (register, a first message as
// a request, accept, delivered both ways) and the file flow (offer, accept, verified hash) once in
// Chinese, found by the translated names (test/e2e/ui-text.ts); then switching the language in
// the app, at once and kept on the device.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/zh-cn.test.ts

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, shownMessages, startTestServer, stepTracker, ui, waitForMessage, waitLinkReady, type TestServer } from './app-helpers';
import { randomFile, sendVerified, waitForCard } from './file-helpers';

function pageOf(user: BrowserUser): Page {
  if (user.raw.kind !== 'chromium') throw new Error('Chromium only');
  return user.raw.page;
}

function htmlLang(user: BrowserUser): Promise<string> {
  return user.evaluate(() => document.documentElement.lang);
}

/** Picks a language in the app's language control (the one on screen). */
async function chooseLanguage(user: BrowserUser, locale: 'en' | 'zh-CN'): Promise<void> {
  await pageOf(user).locator('select[data-testid="language"]:visible').selectOption(locale);
}

describe('the app in Simplified Chinese', { timeout: 300_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let dir: string;
  const steps = stepTracker(test);

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pc-zh-cn-'));
    srv = await startTestServer();
    [alice, bob] = await Promise.all([
      launchBrowser('chromium', { name: 'alice', locale: 'zh-CN' }),
      launchBrowser('chromium', { name: 'bob', locale: 'zh-CN', viewport: { width: 360, height: 740 } }),
    ]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob].filter(Boolean), 'zh-cn');
    await closeAllBrowsers();
    await srv?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const { step } = steps;

  step('a Chinese browser gets the app in Chinese from the first screen', async () => {
    await alice.goto(srv.url);
    await alice.waitForRole('button', '注册');
    await alice.waitForText('浏览器之间直接私聊');
    assert.equal(await htmlLang(alice), 'zh-CN');
    // A sentence from an error code, next to its field.
    await alice.fill('用户名', 'al');
    await alice.fill('密码', 'correct horse battery');
    await alice.click('注册');
    await alice.waitForText('用户名为 3 到 32 个字符');
  });

  step('both register; a first message is a request; accepted, delivered both ways', async () => {
    await register(alice, srv.url, 'alice');
    await register(bob, srv.url, 'bob');
    await alice.waitForRole('button', 'bob，在线，未验证');
    await openConversation(alice, 'bob');
    await send(alice, '你好，Bob！');
    await waitForMessage(alice, '你好，Bob！', 'sent');
    await bob.waitForRole('button', 'alice，消息请求，1 条未读');
    await bob.click('alice，消息请求，1 条未读');
    await bob.waitForRole('region', '来自 alice 的消息请求');
    await waitForMessage(bob, '你好，Bob！', 'received');
    await bob.click('接受');
    await waitForMessage(alice, '你好，Bob！', 'delivered');
    // Delivered, then Read at once: bob has the conversation open.
    await alice.waitForText(/已送达|已读/);
    await send(bob, '收到，谢谢');
    await waitForMessage(alice, '收到，谢谢', 'received');
    await waitForMessage(bob, '收到，谢谢', 'delivered');
    assert.deepEqual(
      (await shownMessages(bob)).map((m) => [m.from, m.text]),
      [
        ['alice', '你好，Bob！'],
        ['我', '收到，谢谢'],
      ],
    );
    // The day over the messages, in the locale's words (Intl.RelativeTimeFormat).
    await bob.waitForText('今天');
    await waitLinkReady(alice);
    await alice.waitForText('已直连 · 端到端加密');
  });

  step('a file is offered, accepted and verified, in Chinese', async () => {
    await waitLinkReady(bob);
    const file = randomFile(path.join(dir, 'report.bin'), 3 * 1024 * 1024);
    await sendVerified(alice, bob, file);
    const card = await waitForCard(bob, 'report.bin', (c) => c.state === 'done');
    assert.match(card.text, /已校验 ✓/);
    assert.match(card.text, /3 MiB/);
    await bob.waitForRole('button', ui(bob).id('file-save', 'Save'));
  });

  step('the language switches in the app at once, and stays after a reload', async () => {
    await alice.click('设备');
    await alice.waitForRole('heading', '你的设备');
    await chooseLanguage(alice, 'en');
    await alice.waitForRole('heading', 'Your devices');
    await alice.waitForRole('button', 'Log out');
    assert.equal(await htmlLang(alice), 'en');
    await alice.reload();
    await alice.waitForText(/Signed in as\s+alice/);
    assert.equal(await htmlLang(alice), 'en');
    await alice.click('Devices');
    await chooseLanguage(alice, 'zh-CN');
    await alice.waitForRole('heading', '你的设备');
    await alice.waitForRole('button', '退出登录');
    assert.equal(await htmlLang(alice), 'zh-CN');
    // bob's choice is his own: still Chinese, from his browser.
    await bob.waitForRole('button', '退出登录');
  });
});
