// The uniform handle the e2e tests drive a browser through (one per simulated person), whatever
// the engine: see test/e2e/browsers.ts for how to launch one and how elements are found.

import type { UiLocale } from './ui-text';
import type { BrowserContext, Page as PwPage } from 'playwright-core';
import type { Browser as PpBrowser, Page as PpPage } from 'puppeteer-core';
import type { Step } from './in-page/queries';

export type BrowserKind = 'chromium' | 'firefox';

/** ARIA roles accepted by `click`/`waitForRole` (the common ones; implicit roles of HTML elements count). */
export type AriaRole =
  | 'button' | 'link' | 'tab' | 'menuitem' | 'checkbox' | 'radio' | 'switch' | 'option' | 'treeitem'
  | 'listitem' | 'row' | 'gridcell' | 'heading' | 'dialog' | 'textbox' | 'combobox' | 'img' | 'status'
  | 'alert' | 'progressbar' | 'list' | 'region' | 'navigation' | 'main' | 'log' | 'group';

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
  /**
   * The browser's language (default 'en'): 'zh-CN' starts Chromium with `--lang=zh-CN` and a
   * Chinese `navigator.languages` and Accept-Language, as a Chinese-speaking person's browser.
   * Firefox runs in English only.
   */
  locale?: UiLocale;
}

/** Escape hatch to the underlying driver, for what the uniform API does not cover. */
export type RawDriver =
  | { kind: 'chromium'; page: PwPage; context: BrowserContext }
  | { kind: 'firefox'; page: PpPage; browser: PpBrowser };

export interface BrowserUser {
  readonly name: string;
  /** The language the browser (and so the app) runs in; the e2e helpers find translated names with it. */
  readonly locale: UiLocale;
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
  /**
   * Clicks the one element the lookup leads to (see Step in test/e2e/in-page/queries.ts), e.g.
   * `[{ role: 'button', name: 'Accept', description: 'photo.png' }]`; waits for it and for it to be
   * clickable; throws if several match.
   */
  clickWhere(steps: readonly Step[], options?: { timeoutMs?: number }): Promise<void>;
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
