// A BrowserUser on Chromium: playwright-core driving Debian's /usr/bin/chromium through
// launchPersistentContext on a temp profile. Elements are found by the in-page queries
// (test/e2e/in-page/queries.ts) and acted on through Playwright element handles, which wait for
// the element to be visible, stable, enabled and hit by the click.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type ElementHandle } from 'playwright-core';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  CHROMIUM_PERMISSIONS,
  CLOSE_TIMEOUT_MS,
  DEFAULT_ACTION_TIMEOUT_MS,
  DEFAULT_LAUNCH_TIMEOUT_MS,
  DEFAULT_VIEWPORT,
  trustArgs,
} from './browser-flags';
import { captureLogs } from './browser-diagnostics';
import {
  assertInNamespace,
  cleanupDir,
  killProcessesUsing,
  markClosing,
  nextName,
  registerProfileDir,
  registerUser,
  safe,
  withTimeout,
} from './browser-processes';
import type { BrowserUser, LaunchOptions } from './browser-types';
import { pollInPage, portable, waitForElement, waitForRoleImpl, waitForTextImpl, type AnyHandle, type UntypedEvaluate } from './browser-waits';
import type { Step } from './in-page/queries';
import { inPage, queriesScript } from './page-queries';

export async function launchChromium(options: LaunchOptions = {}): Promise<BrowserUser> {
  assertInNamespace();
  const name = options.name ?? nextName('chromium');
  const actionTimeout = options.actionTimeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS;
  const script = await queriesScript();
  const dir = await mkdtemp(path.join(tmpdir(), `peerchat-e2e-${safe(name)}-`));
  registerProfileDir(dir);
  let context: BrowserContext;
  try {
    context = await withTimeout(
      chromium.launchPersistentContext(dir, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [...CHROMIUM_ARGS, ...trustArgs(options.trustCertificates), ...(options.locale === 'zh-CN' ? ['--lang=zh-CN'] : []), ...(options.chromiumArgs ?? [])],
        viewport: options.viewport ?? DEFAULT_VIEWPORT,
        ...(options.locale === 'zh-CN' ? { locale: 'zh-CN' } : {}),
        timeout: options.launchTimeoutMs ?? DEFAULT_LAUNCH_TIMEOUT_MS,
      }),
      (options.launchTimeoutMs ?? DEFAULT_LAUNCH_TIMEOUT_MS) + 5_000,
      `launching Chromium for ${name}`,
    );
  } catch (err) {
    await cleanupDir(dir);
    throw err;
  }
  context.setDefaultTimeout(actionTimeout);
  context.setDefaultNavigationTimeout(actionTimeout * 3);
  // Before any of the app's scripts, in every document of every page.
  await context.addInitScript({ content: script });
  const page = context.pages()[0] ?? (await context.newPage());
  const logs = captureLogs(name, options, (push) => {
    page.on('console', (m) => push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => push(`[pageerror] ${e.message}`));
  });
  const granted = new Set<string>();
  let closed: Promise<void> | undefined;

  /**
   * Finds the element, then acts on it with what is left of the time; if it was replaced in
   * between (a re-render), finds it again.
   */
  const onElement = async <T>(what: string, steps: readonly Step[], timeoutMs: number, use: (el: ElementHandle, msLeft: number) => Promise<T>): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const el = await waitForElement(user, (fn) => page.evaluateHandle(fn) as Promise<AnyHandle<ElementHandle>>, steps, Math.max(1, deadline - Date.now()));
      try {
        return await use(el, Math.max(1, deadline - Date.now()));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!/not attached|detached/i.test(message) || Date.now() >= deadline) throw new Error(`${name} (chromium): ${what}: ${message}`, { cause: err });
      } finally {
        await el.dispose().catch(() => undefined);
      }
    }
  };
  const byLabel = (label: string): Step[] => [{ label }];

  const user: BrowserUser = {
    name,
    kind: 'chromium',
    locale: options.locale ?? 'en',
    raw: { kind: 'chromium', page, context },
    async goto(url) {
      const { origin, protocol } = new URL(url);
      if ((protocol === 'http:' || protocol === 'https:') && !granted.has(origin)) {
        await context.grantPermissions([...CHROMIUM_PERMISSIONS], { origin });
        granted.add(origin);
      }
      await page.goto(url, { waitUntil: 'load' });
    },
    async reload() {
      await page.reload({ waitUntil: 'load' });
    },
    async fill(label, text) {
      await onElement(`fill label ${JSON.stringify(label)}`, byLabel(label), actionTimeout, (el, timeout) => el.fill(text, { timeout }));
    },
    async click(buttonName, opts = {}) {
      await user.clickWhere([{ role: opts.role ?? 'button', name: buttonName }], opts);
    },
    async clickWhere(steps, opts = {}) {
      await onElement(`click ${JSON.stringify(steps)}`, steps, opts.timeoutMs ?? actionTimeout, (el, timeout) => el.click({ timeout }));
    },
    async press(key) {
      await page.keyboard.press(key);
    },
    async focus(label) {
      await onElement(`focus label ${JSON.stringify(label)}`, byLabel(label), actionTimeout, (el) => el.focus());
    },
    async value(label) {
      return await onElement(`value of label ${JSON.stringify(label)}`, byLabel(label), actionTimeout, (el, timeout) => el.inputValue({ timeout }));
    },
    async setFiles(label, filePaths) {
      // File inputs are often hidden behind a styled button: don't require visibility here.
      await onElement(`set files on label ${JSON.stringify(label)}`, [{ label, hidden: true }], actionTimeout, (el, timeout) => el.setInputFiles(filePaths, { timeout }));
    },
    async text() {
      return await inPage(user, (q) => q.renderedText());
    },
    waitForText: (text, timeoutMs) => waitForTextImpl(user, text, true, timeoutMs ?? actionTimeout),
    waitForNoText: (text, timeoutMs) => waitForTextImpl(user, text, false, timeoutMs ?? actionTimeout),
    waitForRole: (role, roleName, opts = {}) => waitForRoleImpl(user, role, roleName, opts.hidden ?? false, opts.timeoutMs ?? actionTimeout),
    async evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
      return (await (page as unknown as UntypedEvaluate).evaluate(portable(fn), arg)) as R;
    },
    waitFor: (fn, arg, timeoutMs) => pollInPage(user, fn, arg, timeoutMs ?? actionTimeout),
    async screenshot(filePath, opts = {}) {
      await page.screenshot({ path: filePath, fullPage: opts.fullPage ?? false });
    },
    logs: () => [...logs],
    close() {
      closed ??= (async () => {
        markClosing(user);
        await withTimeout(context.close(), CLOSE_TIMEOUT_MS, `closing ${name}`).catch(() => undefined);
        await killProcessesUsing(dir);
        await cleanupDir(dir);
      })();
      return closed;
    },
  };
  registerUser(user);
  return user;
}
