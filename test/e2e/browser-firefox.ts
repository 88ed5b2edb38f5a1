// A BrowserUser on Firefox: puppeteer-core over WebDriver BiDi, Debian's /usr/bin/firefox-esr,
// a temp profile. Firefox's own accessibility locator (puppeteer's ::-p-aria) does not look
// inside shadow roots, so elements are found by the in-page queries (test/e2e/in-page/queries.ts)
// like on Chromium, and clicked through puppeteer's function locators, which wait for the element
// to be visible, stable and enabled.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser as PpBrowser, type ElementHandle, type Page as PpPage } from 'puppeteer-core';
import {
  CLOSE_TIMEOUT_MS,
  DEFAULT_ACTION_TIMEOUT_MS,
  DEFAULT_LAUNCH_TIMEOUT_MS,
  DEFAULT_VIEWPORT,
  FIREFOX_PATH,
  FIREFOX_PREFS,
  POLL_MS,
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
  sleep,
  withTimeout,
} from './browser-processes';
import type { BrowserUser, LaunchOptions } from './browser-types';
import { pollInPage, portable, waitForElement, waitForRoleImpl, waitForTextImpl, type AnyHandle, type UntypedEvaluate } from './browser-waits';
import type { Step } from './in-page/queries';
import { inPage, pageFunction, queriesScript } from './page-queries';

export async function launchFirefox(options: LaunchOptions = {}): Promise<BrowserUser> {
  assertInNamespace();
  const name = options.name ?? nextName('firefox');
  const actionTimeout = options.actionTimeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS;
  const launchTimeout = options.launchTimeoutMs ?? DEFAULT_LAUNCH_TIMEOUT_MS;
  const script = await queriesScript();
  const dir = await mkdtemp(path.join(tmpdir(), `peerchat-e2e-${safe(name)}-`));
  registerProfileDir(dir);
  let browser: PpBrowser;
  try {
    browser = await withTimeout(
      puppeteer.launch({
        browser: 'firefox',
        executablePath: FIREFOX_PATH,
        headless: true,
        userDataDir: dir,
        extraPrefsFirefox: { ...FIREFOX_PREFS },
        acceptInsecureCerts: (options.trustCertificates?.length ?? 0) > 0,
        defaultViewport: options.viewport ?? DEFAULT_VIEWPORT,
        timeout: launchTimeout,
        protocolTimeout: Math.max(30_000, actionTimeout * 3),
      }),
      launchTimeout + 5_000,
      `launching Firefox for ${name}`,
    );
  } catch (err) {
    await killProcessesUsing(dir);
    await cleanupDir(dir);
    throw err;
  }
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  page.setDefaultTimeout(actionTimeout);
  page.setDefaultNavigationTimeout(actionTimeout * 3);
  // Before any of the app's scripts, in every document of this page (a BiDi preload script).
  await page.evaluateOnNewDocument(script);
  const logs = captureLogs(name, options, (push) => {
    page.on('console', (m) => push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => push(`[pageerror] ${e instanceof Error ? e.message : String(e)}`));
  });
  let closed: Promise<void> | undefined;

  /** Puppeteer's errors don't say what was looked for; Playwright's do. */
  const act = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${name} (firefox): ${what}: ${message}`, { cause: err });
    }
  };
  const withHandle = <T>(what: string, steps: readonly Step[], use: (h: ElementHandle<Element>) => Promise<T>) =>
    act(what, async () => {
      const handle = await waitForElement(user, (fn) => page.evaluateHandle(fn) as Promise<AnyHandle<ElementHandle<Element>>>, steps, actionTimeout);
      try {
        return await use(handle);
      } finally {
        await handle.dispose().catch(() => undefined);
      }
    });
  const byLabel = (label: string): Step[] => [{ label }];

  const user: BrowserUser = {
    name,
    kind: 'firefox',
    locale: 'en',
    raw: { kind: 'firefox', page, browser },
    async goto(url) {
      await act(`goto ${url}`, () => page.goto(url, { waitUntil: 'load' }));
    },
    async reload() {
      await act('reload', () => page.reload({ waitUntil: 'load' }));
    },
    async fill(label, text) {
      // Not puppeteer's Locator.fill: it types short strings but sets long ones with a
      // non-composed 'input' event (invisible outside the shadow root), and fill('') fires no
      // event at all. Like Playwright: focus, select all, insertText -> one real input event.
      await withHandle(`fill label ${JSON.stringify(label)}`, byLabel(label), async (h) => {
        const deadline = Date.now() + actionTimeout;
        for (;;) {
          const result = await h.evaluate(fillInPage, text);
          if (result === 'ok') return;
          if (result !== 'not-editable-yet' || Date.now() > deadline) throw new Error(result);
          await sleep(POLL_MS);
        }
      });
    },
    async click(buttonName, opts = {}) {
      await user.clickWhere([{ role: opts.role ?? 'button', name: buttonName }], opts);
    },
    async clickWhere(steps, opts = {}) {
      // A function locator polls the page until the function returns an element (null: not yet).
      const find = pageFunction((q, s) => {
        try {
          return q.queryOne(s);
        } catch {
          return null; // several match: wait for the page to settle (the timeout error says what was looked for)
        }
      }, steps) as () => Element;
      await act(`click ${JSON.stringify(steps)}`, () => page.locator(find).setTimeout(opts.timeoutMs ?? actionTimeout).click());
    },
    async press(key) {
      const parts = key.split('+');
      const main = parts.pop() ?? key;
      const modifiers = parts as Parameters<PpPage['keyboard']['down']>[0][];
      await act(`press ${key}`, async () => {
        for (const m of modifiers) await page.keyboard.down(m);
        try {
          await page.keyboard.press(main as Parameters<PpPage['keyboard']['press']>[0]);
        } finally {
          for (const m of modifiers.reverse()) await page.keyboard.up(m);
        }
      });
    },
    async focus(label) {
      await withHandle(`focus label ${JSON.stringify(label)}`, byLabel(label), (h) => h.focus());
    },
    async value(label) {
      return await withHandle(`value of label ${JSON.stringify(label)}`, byLabel(label), (h) => h.evaluate((el) => (el as HTMLInputElement).value ?? ''));
    },
    async setFiles(label, filePaths) {
      // File inputs are often hidden behind a styled button: don't require visibility here.
      await withHandle(`set files on label ${JSON.stringify(label)}`, [{ label, hidden: true }], (h) => (h as ElementHandle<HTMLInputElement>).uploadFile(...filePaths));
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
      await page.screenshot({ path: filePath as `${string}.png`, fullPage: opts.fullPage ?? false });
    },
    logs: () => [...logs],
    close() {
      closed ??= (async () => {
        markClosing(user);
        const proc = browser.process();
        await withTimeout(browser.close(), CLOSE_TIMEOUT_MS, `closing ${name}`).catch(() => undefined);
        if (proc?.pid && proc.exitCode === null && proc.signalCode === null) {
          try {
            process.kill(-proc.pid, 'SIGKILL'); // puppeteer starts Firefox as a process-group leader
          } catch {
            proc.kill('SIGKILL');
          }
        }
        await killProcessesUsing(dir);
        await cleanupDir(dir);
      })();
      return closed;
    },
  };
  registerUser(user);
  return user;
}

/**
 * Runs IN THE PAGE on the element to fill: 'ok', 'not-editable-yet' (disabled/readonly: retry),
 * or an error message. Self-contained (serialised by puppeteer; no named inner functions).
 */
function fillInPage(el: Element, text: string): string {
  const input = el as HTMLInputElement | HTMLTextAreaElement;
  const isTextControl = el.localName === 'textarea'
    || (el.localName === 'input' && !['checkbox', 'radio', 'file', 'button', 'submit', 'reset', 'image', 'range', 'color']
      .includes((el as HTMLInputElement).type));
  if (el.localName === 'select') {
    (el as HTMLSelectElement).value = text;
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return 'ok';
  }
  const editableHost = (el as HTMLElement).isContentEditable;
  if (!isTextControl && !editableHost) return `element <${el.localName}${el.localName === 'input' ? ` type=${input.type}` : ''}> cannot be filled`;
  if (isTextControl && (input.disabled || input.readOnly)) return 'not-editable-yet';
  (el as HTMLElement).focus();
  if (isTextControl) input.select();
  else {
    const range = document.createRange();
    range.selectNodeContents(el);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  }
  const done = text === '' ? document.execCommand('delete') : document.execCommand('insertText', false, text);
  const current = isTextControl ? input.value : (el as HTMLElement).innerText;
  if (!done || current !== text) {
    // execCommand unavailable here: set it directly, with a composed event like a real edit.
    if (isTextControl) input.value = text;
    else (el as HTMLElement).innerText = text;
    el.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: text }));
  }
  return 'ok';
}
