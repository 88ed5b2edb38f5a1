// Browser helpers for the e2e tests: one SEPARATE browser process per simulated user, driven
// through one uniform handle so that a test is written once and runs on Chromium or Firefox.
//
//   Chromium: playwright-core, Debian's /usr/bin/chromium, launchPersistentContext on a temp dir.
//   Firefox:  puppeteer-core over WebDriver BiDi, Debian's /usr/bin/firefox-esr, temp profile.
//
// Elements are found by ACCESSIBLE NAME (exact match, whitespace collapsed), never by CSS:
//   fill/focus/value/setFiles(label)  ~ Playwright getByLabel(label, { exact: true }): <label for>,
//                                       wrapping <label>, aria-label, aria-labelledby. NOT placeholder.
//   click(name, { role }) / waitForRole ~ Playwright getByRole(role, { name, exact: true }).
// Open shadow roots (Lit) are looked into on both engines: Playwright does it natively; for
// Firefox an in-page resolver walks the composed tree (puppeteer's ::-p-aria selectors, i.e.
// Firefox's BiDi accessibility locator, do NOT see inside shadow roots). Playwright is strict:
// if two elements match on Chromium the action throws; the Firefox resolver takes the first.
// See test/e2e/smoke-webrtc.test.ts for a runnable example.
//
// Functions given to evaluate()/waitFor() are serialised with toString(): they cannot use
// variables from the test's scope (pass `arg`), and must return JSON-serialisable values.
//
// Usage:
//   import { after } from 'node:test';
//   import { launchBrowser, closeAllBrowsers } from './browsers';
//   after(closeAllBrowsers);                       // kills everything even if a test failed
//   const alice = await launchBrowser('chromium', { name: 'alice' });
//   await alice.goto(url);
//   await alice.fill('Username', 'alice');
//   await alice.click('Register');
//   await alice.waitForText('Welcome, alice');

import { X509Certificate, createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page as PwPage } from 'playwright-core';
import puppeteer, { type Browser as PpBrowser, type Page as PpPage, type ElementHandle } from 'puppeteer-core';

export type BrowserKind = 'chromium' | 'firefox';

/** ARIA roles accepted by `click`/`waitForRole` (the common ones; implicit roles of HTML elements count). */
export type AriaRole =
  | 'button' | 'link' | 'tab' | 'menuitem' | 'checkbox' | 'radio' | 'switch' | 'option' | 'treeitem'
  | 'listitem' | 'row' | 'gridcell' | 'heading' | 'dialog' | 'textbox' | 'combobox' | 'img' | 'status'
  | 'alert' | 'progressbar' | 'list' | 'region' | 'navigation' | 'main' | 'log';

export interface LaunchOptions {
  /** Label used in logs, screenshots and errors (default: kind + counter, e.g. "chromium-1"). */
  name?: string;
  /** Viewport in CSS px (default 1280x800). Use { width: 360, height: 740 } for phone layouts. */
  viewport?: { width: number; height: number };
  /** Max time to launch the browser (default 30 s). */
  launchTimeoutMs?: number;
  /** Default time for each action (fill, click, goto, ...) to succeed (default 10 s). */
  actionTimeoutMs?: number;
  /** Forward the page's console and errors to stderr as they happen (default: env PEERCHAT_E2E_CONSOLE=1). */
  echoConsole?: boolean;
  /**
   * PEM certificates (or chains) to trust for HTTPS, like a person who accepted them: on Chromium
   * only these public keys are let through (`--ignore-certificate-errors-spki-list`, so service
   * workers work too); Firefox accepts any certificate (`acceptInsecureCerts`).
   */
  trustCertificates?: string[];
  /** Extra Chromium command-line flags (e.g. a fake camera playing a file); ignored on Firefox. */
  chromiumArgs?: readonly string[];
}

/** Escape hatch to the underlying driver, for what the uniform API does not cover. */
export type RawDriver =
  | { kind: 'chromium'; page: PwPage; context: BrowserContext }
  | { kind: 'firefox'; page: PpPage; browser: PpBrowser };

export interface BrowserUser {
  readonly name: string;
  readonly kind: BrowserKind;
  /** Navigates and waits for `load`. On Chromium, grants camera+microphone to the URL's origin first. */
  goto(url: string): Promise<void>;
  /** Reloads the page and waits for `load`. */
  reload(): Promise<void>;
  /** Replaces the value of the form control whose accessible name is exactly `label`. */
  fill(label: string, text: string): Promise<void>;
  /** Clicks the element with role `role` (default 'button') and accessible name exactly `name`. */
  click(name: string, options?: { role?: AriaRole; timeoutMs?: number }): Promise<void>;
  /** Presses a key on the focused element; Playwright syntax, e.g. 'Enter', 'Shift+Enter', 'Escape'. */
  press(key: string): Promise<void>;
  /** Focuses the control whose accessible name is exactly `label`. */
  focus(label: string): Promise<void>;
  /** Current value of the form control whose accessible name is exactly `label`. */
  value(label: string): Promise<string>;
  /** Sets files on the <input type=file> whose accessible name is exactly `label`. */
  setFiles(label: string, filePaths: string[]): Promise<void>;
  /** Rendered text of the whole page, INCLUDING open shadow roots (document.body.innerText is not). */
  text(): Promise<string>;
  /** Waits until text() contains `text` (or matches the RegExp). Throws with the last text seen. */
  waitForText(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Waits until text() no longer contains `text` (or matches the RegExp). */
  waitForNoText(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Waits until an element with this role and exact accessible name is visible (or gone with `hidden`). */
  waitForRole(role: AriaRole, name: string, options?: { hidden?: boolean; timeoutMs?: number }): Promise<void>;
  /** Runs `fn(arg)` in the page and returns its (JSON-serialisable) result. */
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Polls `fn(arg)` in the page until it returns a truthy value; returns that value. */
  waitFor<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A, timeoutMs?: number): Promise<R>;
  /** Saves a PNG of the viewport (or the full page). */
  screenshot(filePath: string, options?: { fullPage?: boolean }): Promise<void>;
  /** Console messages and page errors seen so far, as "[type] text" lines. */
  logs(): string[];
  /** Kills the browser process(es) and deletes the profile folder. Safe to call twice. */
  close(): Promise<void>;
  /** The underlying driver objects. */
  readonly raw: RawDriver;
}

const CHROMIUM_PATH = process.env.PEERCHAT_CHROMIUM ?? '/usr/bin/chromium';
const FIREFOX_PATH = process.env.PEERCHAT_FIREFOX ?? '/usr/bin/firefox-esr';
const DEFAULT_VIEWPORT = { width: 1280, height: 800 };
const DEFAULT_LAUNCH_TIMEOUT_MS = 30_000;
const DEFAULT_ACTION_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 5_000;
const POLL_MS = 100;

/**
 * Chromium flags (see shared/SPIKE.md). Playwright adds --headless, --no-sandbox and its own
 * --disable-features=…; do NOT add a second --disable-features here, it would override Playwright's.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Without this, no ICE candidates at all in a loopback-only namespace (plus the permission grant).
  '--allow-loopback-in-peer-connection',
];

/** Chromium flag trusting the public keys of every certificate in `pems` (base64 SHA-256 of each SPKI). */
export function trustArgs(pems: readonly string[] = []): string[] {
  const hashes = pems
    .flatMap((pem) => pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [])
    .map((one) => createHash('sha256').update(new X509Certificate(one).publicKey.export({ type: 'spki', format: 'der' })).digest('base64'));
  return hashes.length ? [`--ignore-certificate-errors-spki-list=${hashes.join(',')}`] : [];
}

/** Permissions granted to every origin visited on Chromium; camera+microphone make ICE enumerate lo. */
export const CHROMIUM_PERMISSIONS: readonly string[] = ['camera', 'microphone'];

/** Firefox prefs (see shared/SPIKE.md). Do NOT set media.peerconnection.ice.default_address_only. */
export const FIREFOX_PREFS: Readonly<Record<string, unknown>> = {
  // Both needed for ICE candidates in a loopback-only namespace.
  'media.peerconnection.ice.loopback': true,
  'permissions.default.microphone': 1,
  'permissions.default.camera': 1,
  // No permission prompts, fake devices if the page ever calls getUserMedia.
  'media.navigator.permission.disabled': true,
  'media.navigator.streams.fake': true,
  // Quiet: nothing can leave the namespace anyway, don't waste time trying.
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
};

// ---------------------------------------------------------------------------------------------
// Registry: everything launched is closed by closeAllBrowsers() (use it in an after() hook) and,
// as a last resort, killed synchronously when the test process exits.

const open = new Set<BrowserUser>();
/** Users whose close() has started: their pending waits stop instead of polling a dead browser. */
const closing = new WeakSet<BrowserUser>();
const profileDirs = new Set<string>();
let counter = 0;

process.once('exit', () => {
  // Synchronous last resort: both drivers also kill their browsers on exit, this catches the rest.
  for (const dir of profileDirs) killProcessesUsingSync(dir);
});

/** Closes every browser launched by this module. Never throws; bounded in time. */
export async function closeAllBrowsers(): Promise<void> {
  await Promise.allSettled([...open].map((user) => user.close()));
}

/** Browsers to test, from env PEERCHAT_E2E_BROWSERS (comma list), default both. */
export function browserKinds(): BrowserKind[] {
  const env = process.env.PEERCHAT_E2E_BROWSERS;
  if (!env) return ['chromium', 'firefox'];
  return env.split(',').map((s) => s.trim()).filter((s): s is BrowserKind => s === 'chromium' || s === 'firefox');
}

export function launchBrowser(kind: BrowserKind, options: LaunchOptions = {}): Promise<BrowserUser> {
  return kind === 'chromium' ? launchChromium(options) : launchFirefox(options);
}

function assertInNamespace(): void {
  if (process.env.PEERCHAT_NETNS !== '1' && process.env.PEERCHAT_E2E_ALLOW_HOST_NETWORK !== '1') {
    throw new Error(
      'e2e browsers must run in a loopback-only network namespace: run the tests through\n'
        + '  node test/e2e/run-in-netns.mjs node --import tsx --test test/e2e/<file>.test.ts\n'
        + '(or `npm run test:e2e`). Set PEERCHAT_E2E_ALLOW_HOST_NETWORK=1 to override.',
    );
  }
}

/** Where dumpDiagnostics() writes screenshots (gitignored). */
export const DIAGNOSTICS_DIR = path.resolve('test-results', 'e2e');

/**
 * For a failing test: saves a full-page screenshot of each user to test-results/e2e/ and prints
 * each user's page text and recent console lines to stderr. Never throws; bounded in time.
 */
export async function dumpDiagnostics(users: readonly BrowserUser[], label: string): Promise<void> {
  await mkdir(DIAGNOSTICS_DIR, { recursive: true }).catch(() => undefined);
  for (const user of users) {
    const file = path.join(DIAGNOSTICS_DIR, `${safe(label)}-${safe(user.name)}.png`);
    const shot = await withTimeout(user.screenshot(file, { fullPage: true }), CLOSE_TIMEOUT_MS, 'screenshot')
      .then(() => file, (err: unknown) => `<no screenshot: ${err instanceof Error ? err.message : String(err)}>`);
    const text = await withTimeout(user.text(), CLOSE_TIMEOUT_MS, 'reading text')
      .catch((err: unknown) => `<no text: ${err instanceof Error ? err.message : String(err)}>`);
    process.stderr.write(
      `\n===== ${user.name} (${user.kind}) — ${label}\nscreenshot: ${shot}\n--- page text ---\n${text.slice(0, 4000)}`
        + `\n--- console (last 50) ---\n${user.logs().slice(-50).join('\n')}\n`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Chromium (playwright-core)

export async function launchChromium(options: LaunchOptions = {}): Promise<BrowserUser> {
  assertInNamespace();
  const name = options.name ?? `chromium-${++counter}`;
  const actionTimeout = options.actionTimeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS;
  const dir = await mkdtemp(path.join(tmpdir(), `peerchat-e2e-${safe(name)}-`));
  profileDirs.add(dir);
  let context: BrowserContext;
  try {
    context = await withTimeout(
      chromium.launchPersistentContext(dir, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [...CHROMIUM_ARGS, ...trustArgs(options.trustCertificates), ...(options.chromiumArgs ?? [])],
        viewport: options.viewport ?? DEFAULT_VIEWPORT,
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
  const page = context.pages()[0] ?? (await context.newPage());
  const logs = captureLogs(name, options, (push) => {
    page.on('console', (m) => push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => push(`[pageerror] ${e.message}`));
  });
  const granted = new Set<string>();
  let closed: Promise<void> | undefined;

  const user: BrowserUser = {
    name,
    kind: 'chromium',
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
      await page.getByLabel(label, { exact: true }).fill(text);
    },
    async click(buttonName, opts = {}) {
      await page
        .getByRole(opts.role ?? 'button', { name: buttonName, exact: true })
        .click(opts.timeoutMs ? { timeout: opts.timeoutMs } : {});
    },
    async press(key) {
      await page.keyboard.press(key);
    },
    async focus(label) {
      await page.getByLabel(label, { exact: true }).focus();
    },
    async value(label) {
      return await page.getByLabel(label, { exact: true }).inputValue();
    },
    async setFiles(label, filePaths) {
      await page.getByLabel(label, { exact: true }).setInputFiles(filePaths);
    },
    async text() {
      return await user.evaluate(deepTextInPage);
    },
    waitForText: (text, timeoutMs) => waitForTextImpl(user, text, true, timeoutMs ?? actionTimeout),
    waitForNoText: (text, timeoutMs) => waitForTextImpl(user, text, false, timeoutMs ?? actionTimeout),
    async waitForRole(role, roleName, opts = {}) {
      await page
        .getByRole(role, { name: roleName, exact: true })
        .first()
        .waitFor({ state: opts.hidden ? 'hidden' : 'visible', timeout: opts.timeoutMs ?? actionTimeout });
    },
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
        closing.add(user);
        open.delete(user);
        await withTimeout(context.close(), CLOSE_TIMEOUT_MS, `closing ${name}`).catch(() => undefined);
        await killProcessesUsing(dir);
        await cleanupDir(dir);
      })();
      return closed;
    },
  };
  open.add(user);
  return user;
}

// ---------------------------------------------------------------------------------------------
// Firefox (puppeteer-core over WebDriver BiDi)

export async function launchFirefox(options: LaunchOptions = {}): Promise<BrowserUser> {
  assertInNamespace();
  const name = options.name ?? `firefox-${++counter}`;
  const actionTimeout = options.actionTimeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS;
  const launchTimeout = options.launchTimeoutMs ?? DEFAULT_LAUNCH_TIMEOUT_MS;
  const dir = await mkdtemp(path.join(tmpdir(), `peerchat-e2e-${safe(name)}-`));
  profileDirs.add(dir);
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
  const logs = captureLogs(name, options, (push) => {
    page.on('console', (m) => push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => push(`[pageerror] ${e instanceof Error ? e.message : String(e)}`));
  });
  let closed: Promise<void> | undefined;

  // Firefox's BiDi accessibility locator (behind puppeteer's ::-p-aria) does NOT look inside
  // shadow roots, so elements are found by an in-page resolver instead (see findInPage).
  // A function locator waits until the function returns a truthy value (null = not yet there).
  const locate = (query: FindQuery) => page.locator(finderFor(query) as () => Element).setTimeout(actionTimeout);
  const handleFor = async (query: FindQuery, timeoutMs = actionTimeout): Promise<ElementHandle<Element>> =>
    (await locate(query).setTimeout(timeoutMs).waitHandle()) as ElementHandle<Element>;
  const byLabel = (label: string, visible = true): FindQuery => ({ mode: 'label', name: label, role: null, visible });
  /** Puppeteer's errors don't say what was looked for; Playwright's do. */
  const act = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${name} (firefox): ${what}: ${message}`, { cause: err });
    }
  };
  const withHandle = <T>(what: string, query: FindQuery, timeoutMs: number, use: (h: ElementHandle<Element>) => Promise<T>) =>
    act(what, async () => {
      const handle = await handleFor(query, timeoutMs);
      try {
        return await use(handle);
      } finally {
        await handle.dispose().catch(() => undefined);
      }
    });

  const user: BrowserUser = {
    name,
    kind: 'firefox',
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
      await withHandle(`fill label ${JSON.stringify(label)}`, byLabel(label), actionTimeout, async (h) => {
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
      const role = opts.role ?? 'button';
      await act(`click ${role} ${JSON.stringify(buttonName)}`, () =>
        locate({ mode: 'role', name: buttonName, role, visible: true })
          .setTimeout(opts.timeoutMs ?? actionTimeout)
          .click(),
      );
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
      await withHandle(`focus label ${JSON.stringify(label)}`, byLabel(label), actionTimeout, (h) => h.focus());
    },
    async value(label) {
      return await withHandle(`value of label ${JSON.stringify(label)}`, byLabel(label), actionTimeout, (h) =>
        h.evaluate((el) => (el as HTMLInputElement).value ?? ''),
      );
    },
    async setFiles(label, filePaths) {
      // File inputs are often hidden behind a styled button: don't require visibility here.
      await withHandle(`set files on label ${JSON.stringify(label)}`, byLabel(label, false), actionTimeout, (h) =>
        (h as ElementHandle<HTMLInputElement>).uploadFile(...filePaths),
      );
    },
    async text() {
      return await user.evaluate(deepTextInPage);
    },
    waitForText: (text, timeoutMs) => waitForTextImpl(user, text, true, timeoutMs ?? actionTimeout),
    waitForNoText: (text, timeoutMs) => waitForTextImpl(user, text, false, timeoutMs ?? actionTimeout),
    async waitForRole(role, roleName, opts = {}) {
      const query: FindQuery = { mode: 'role', name: roleName, role, visible: true };
      const timeoutMs = opts.timeoutMs ?? actionTimeout;
      const what = `wait for ${role} ${JSON.stringify(roleName)}${opts.hidden ? ' to be hidden' : ''}`;
      if (opts.hidden) await act(what, () => pollInPage(user, noMatchInPage(), query, timeoutMs));
      else await withHandle(what, query, timeoutMs, async () => undefined);
    },
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
        closing.add(user);
        open.delete(user);
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
  open.add(user);
  return user;
}

/**
 * tsx (esbuild, keepNames) rewrites named inner functions as `__name(fn, "fn")` calls, and
 * `__name` does not exist in the page: any function passed to evaluate() that declares a named
 * function or `const f = () => …` fails there with "ReferenceError: __name is not defined".
 * Rebuild the function from its source with a no-op `__name` in scope. Both drivers serialise
 * functions with toString(), so closures over Node variables never work anyway: pass `arg`.
 */
function portable<A, R>(fn: (arg: A) => R): (arg: A) => R {
  return new Function('arg', `"use strict"; const __name = (f) => f; return (${fn.toString()})(arg);`) as (arg: A) => R;
}

/** Both drivers' evaluate() have elaborate generic signatures; ours is simpler. */
interface UntypedEvaluate {
  evaluate(fn: unknown, arg: unknown): Promise<unknown>;
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

/** What the Firefox resolver looks for. `label` mode mirrors Playwright's getByLabel, `role` mode getByRole. */
interface FindQuery {
  mode: 'label' | 'role';
  name: string;
  role: string | null;
  /** Only elements with a box and not visibility:hidden (and not aria-hidden/inert). */
  visible: boolean;
}

/** A no-argument page function returning the first match (or null), for puppeteer's page.locator(). */
function finderFor(query: FindQuery): () => Element | null {
  return new Function(
    `"use strict"; const __name = (f) => f; return (${findInPage.toString()})(${JSON.stringify(query)})[0] ?? null;`,
  ) as () => Element | null;
}

/** A page function telling whether nothing matches `query` (argument: the query). */
function noMatchInPage(): (query: FindQuery) => boolean {
  return new Function('q', `"use strict"; const __name = (f) => f; return (${findInPage.toString()})(q).length === 0;`) as (
    query: FindQuery,
  ) => boolean;
}

/**
 * Runs IN THE PAGE (self-contained, serialised): every element of the composed tree (open
 * shadow roots included, in tree order) whose accessible name is exactly `q.name` (whitespace
 * collapsed) and, in role mode, whose role is `q.role`. A pragmatic subset of accname/html-aam:
 *   label mode: aria-labelledby > aria-label > <label for>/wrapping <label> (el.labels)
 *   role mode:  the above, then input button values, img alt, text content (for roles named
 *               from content: button, link, heading, tab, option, …), then title/placeholder.
 * Implicit roles cover the usual HTML elements; an explicit role="…" wins.
 */
function findInPage(q: FindQuery): Element[] {
  const norm = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();
  const NAME_FROM_CONTENT = new Set([
    'button', 'link', 'heading', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'treeitem',
    'checkbox', 'radio', 'switch', 'cell', 'gridcell', 'columnheader', 'rowheader', 'row', 'tooltip', 'listitem',
  ]);
  const byIdInScope = (el: Element, id: string): Element | null => {
    const root = el.getRootNode() as Document | ShadowRoot;
    return typeof root.getElementById === 'function' ? root.getElementById(id) : null;
  };
  const roleOf = (el: Element): string | null => {
    const explicit = norm(el.getAttribute('role')).split(' ')[0];
    if (explicit) return explicit;
    const tag = el.localName;
    switch (tag) {
      case 'button': case 'summary': return 'button';
      case 'a': case 'area': return el.hasAttribute('href') ? 'link' : null;
      case 'input': {
        const type = (el.getAttribute('type') ?? 'text').toLowerCase();
        if (['button', 'submit', 'reset', 'image'].includes(type)) return 'button';
        if (type === 'checkbox' || type === 'radio') return type;
        if (type === 'range') return 'slider';
        if (type === 'number') return 'spinbutton';
        if (type === 'search') return el.hasAttribute('list') ? 'combobox' : 'searchbox';
        if (['text', 'email', 'tel', 'url', ''].includes(type)) return el.hasAttribute('list') ? 'combobox' : 'textbox';
        return null;
      }
      case 'textarea': return 'textbox';
      case 'select': return (el as HTMLSelectElement).multiple || (el as HTMLSelectElement).size > 1 ? 'listbox' : 'combobox';
      case 'option': return 'option';
      case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6': return 'heading';
      case 'ul': case 'ol': case 'menu': return 'list';
      case 'li': return 'listitem';
      case 'img': return el.getAttribute('alt') === '' ? 'presentation' : 'img';
      case 'dialog': return 'dialog';
      case 'progress': return 'progressbar';
      case 'meter': return 'meter';
      case 'output': return 'status';
      case 'main': return 'main';
      case 'nav': return 'navigation';
      case 'aside': return 'complementary';
      case 'article': return 'article';
      case 'section': return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'region' : null;
      case 'form': return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'form' : null;
      case 'fieldset': case 'details': return 'group';
      case 'table': return 'table';
      case 'tr': return 'row';
      case 'td': return 'cell';
      case 'th': return 'columnheader';
      case 'hr': return 'separator';
      case 'header': return 'banner';
      case 'footer': return 'contentinfo';
      default: return null;
    }
  };
  const isRendered = (el: Element): boolean => {
    const style = getComputedStyle(el);
    return style.display !== 'none';
  };
  // Text of the composed subtree (shadow roots, slots), skipping hidden parts.
  const textOf = (node: Node, skip: Element | null): string => {
    if (node.nodeType === Node.TEXT_NODE) return (node as Text).data;
    if (node.nodeType === Node.DOCUMENT_FRAGMENT_NODE) {
      return Array.from(node.childNodes, (c) => textOf(c, skip)).join('');
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return '';
    const el = node as Element;
    if (el === skip || ['script', 'style', 'template'].includes(el.localName)) return '';
    if (el.getAttribute('aria-hidden') === 'true' || !isRendered(el)) return '';
    const label = norm(el.getAttribute('aria-label'));
    if (label) return ` ${label} `;
    if (el.localName === 'img') return ` ${el.getAttribute('alt') ?? ''} `;
    if (el.localName === 'input') {
      const type = (el.getAttribute('type') ?? 'text').toLowerCase();
      return ['button', 'submit', 'reset'].includes(type) ? ` ${(el as HTMLInputElement).value} ` : '';
    }
    let inner: string;
    if (el.shadowRoot) inner = textOf(el.shadowRoot, skip);
    else if (el.localName === 'slot') {
      const assigned = (el as HTMLSlotElement).assignedNodes({ flatten: true });
      inner = (assigned.length ? assigned : Array.from(el.childNodes)).map((c) => textOf(c, skip)).join('');
    } else inner = Array.from(el.childNodes, (c) => textOf(c, skip)).join('');
    const display = getComputedStyle(el).display;
    return display.startsWith('inline') || display === 'contents' ? inner : ` ${inner} `;
  };
  const labelName = (el: Element): string => {
    const ids = norm(el.getAttribute('aria-labelledby'));
    if (ids) {
      const parts = ids.split(' ').map((id) => byIdInScope(el, id)).filter((n): n is Element => !!n);
      if (parts.length) return norm(parts.map((n) => norm(n.getAttribute('aria-label')) || textOf(n, null)).join(' '));
    }
    const aria = norm(el.getAttribute('aria-label'));
    if (aria) return aria;
    const labels = (el as HTMLInputElement).labels;
    if (labels && labels.length) return norm(Array.from(labels, (l) => textOf(l, el)).join(' '));
    return '';
  };
  const accessibleName = (el: Element, role: string | null): string => {
    const fromLabel = labelName(el);
    if (fromLabel) return fromLabel;
    if (el.localName === 'input') {
      const input = el as HTMLInputElement;
      if (input.type === 'submit') return norm(input.value) || 'Submit';
      if (input.type === 'reset') return norm(input.value) || 'Reset';
      if (input.type === 'button') return norm(input.value);
      if (input.type === 'image') return norm(input.alt);
    }
    if (el.localName === 'img') return norm(el.getAttribute('alt'));
    if (role && NAME_FROM_CONTENT.has(role)) {
      const content = norm(textOf(el, null));
      if (content) return content;
    }
    return norm(el.getAttribute('title')) || norm(el.getAttribute('placeholder'));
  };
  const hiddenFromAT = (el: Element): boolean => {
    // aria-hidden / inert anywhere up the composed tree
    for (let n: Element | null = el; n; ) {
      if (n.getAttribute('aria-hidden') === 'true' || n.hasAttribute('inert')) return true;
      const parent: Element | null = n.assignedSlot ?? n.parentElement;
      n = parent ?? ((n.getRootNode() as ShadowRoot).host ?? null);
    }
    return false;
  };
  const isVisible = (el: Element): boolean => {
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility === 'visible' && !hiddenFromAT(el);
  };

  const wanted = norm(q.name);
  const out: Element[] = [];
  const visit = (el: Element): void => {
    const role = roleOf(el);
    if (q.mode === 'label' ? labelName(el) === wanted : role === q.role && accessibleName(el, role) === wanted) {
      if (!q.visible || isVisible(el)) out.push(el);
    }
    if (el.shadowRoot) for (const child of Array.from(el.shadowRoot.children)) visit(child);
    for (const child of Array.from(el.children)) visit(child);
  };
  if (document.documentElement) visit(document.documentElement);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/**
 * Runs IN THE PAGE: the rendered text of the composed tree (shadow roots and slotted content
 * included), skipping display:none / visibility:hidden and script/style. Block boxes become
 * line breaks, whitespace is collapsed. Must be self-contained (it is serialised).
 */
function deepTextInPage(): string {
  const out: string[] = [];
  const SKIP = new Set(['script', 'style', 'template', 'noscript', 'head', 'title', 'meta', 'link']);
  const walk = (node: Node): void => {
    if (node.nodeType === Node.TEXT_NODE) {
      const parent = (node as Text).parentElement;
      if (!parent || getComputedStyle(parent).visibility === 'visible') out.push((node as Text).data);
      return;
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      const el = node as Element;
      if (SKIP.has(el.localName)) return;
      const style = getComputedStyle(el);
      if (style.display === 'none') return;
      if (el.localName === 'br') {
        out.push('\n');
        return;
      }
      // Block boxes break lines; atomic inline boxes (buttons, inputs, inline-block) get spaces.
      const block = style.display !== 'inline' && style.display !== 'contents' && !style.display.startsWith('inline');
      const atomic = style.display.startsWith('inline-');
      if (block) out.push('\n');
      else if (atomic) out.push(' ');
      if (el.shadowRoot) {
        // Light children are only rendered through <slot>s, which the walk reaches.
        walk(el.shadowRoot);
      } else if (el.localName === 'slot') {
        const assigned = (el as HTMLSlotElement).assignedNodes({ flatten: true });
        if (assigned.length > 0) assigned.forEach(walk);
        else el.childNodes.forEach(walk); // fallback content
      } else {
        el.childNodes.forEach(walk);
      }
      if (block) out.push('\n');
      else if (atomic) out.push(' ');
      return;
    }
    if (node.nodeType === Node.DOCUMENT_FRAGMENT_NODE || node.nodeType === Node.DOCUMENT_NODE) {
      node.childNodes.forEach(walk);
    }
  };
  if (document.body) walk(document.body);
  return out
    .join('')
    .replace(/[ \t\r\f\v\u00a0]+/g, ' ')
    .replace(/ *\n[ \n]*/g, '\n')
    .trim();
}

async function waitForTextImpl(
  user: BrowserUser,
  text: string | RegExp,
  present: boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      last = await user.text();
      const found = typeof text === 'string' ? last.includes(text) : text.test(last);
      if (found === present) return;
    } catch (err) {
      if (closing.has(user)) throw new Error(`${user.name} (${user.kind}): browser closed while waiting for text ${String(text)}`);
      // Navigation in progress (execution context destroyed): retry until the deadline.
      last = `<error reading text: ${err instanceof Error ? err.message : String(err)}>`;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${user.name} (${user.kind}): timed out after ${timeoutMs} ms waiting for text ${present ? '' : 'to disappear: '}`
          + `${String(text)}\n--- page text ---\n${last.slice(0, 2000)}\n--- recent console ---\n`
          + user.logs().slice(-20).join('\n'),
      );
    }
    await sleep(POLL_MS);
  }
}

async function pollInPage<R, A>(
  user: BrowserUser,
  fn: (arg: A) => R | Promise<R>,
  arg: A | undefined,
  timeoutMs: number,
): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await user.evaluate(fn, arg as A);
      if (value) return value;
    } catch (err) {
      if (closing.has(user)) throw new Error(`${user.name} (${user.kind}): browser closed during waitFor`);
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${user.name} (${user.kind}): waitFor timed out after ${timeoutMs} ms${detail}`);
    }
    await sleep(POLL_MS);
  }
}

function captureLogs(
  name: string,
  options: LaunchOptions,
  subscribe: (push: (line: string) => void) => void,
): string[] {
  const logs: string[] = [];
  const echo = options.echoConsole ?? process.env.PEERCHAT_E2E_CONSOLE === '1';
  subscribe((line) => {
    if (logs.length >= 1000) logs.shift();
    logs.push(line);
    if (echo) process.stderr.write(`[${name}] ${line}\n`);
  });
  return logs;
}

function safe(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 40);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** PIDs whose command line mentions `dir` (our unique profile folder): only our own browsers. */
async function pidsUsing(dir: string): Promise<number[]> {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = await readdir('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(dir)) pids.push(Number(entry));
    } catch {
      // process exited meanwhile
    }
  }
  return pids;
}

async function killProcessesUsing(dir: string): Promise<void> {
  for (const pid of await pidsUsing(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function killProcessesUsingSync(dir: string): void {
  // Only used from process 'exit', where async work is impossible.
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone
    }
  }
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // best effort
  }
}

async function cleanupDir(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch {
    // best effort: a browser child may still be writing; the OS tmp cleaner gets the rest
  }
  profileDirs.delete(dir);
}
