// Browser helpers for the e2e tests: one SEPARATE browser process per simulated user, driven
// through one uniform handle (BrowserUser, test/e2e/browser-types.ts) so that a test is written
// once and runs on Chromium or Firefox.
//
//   Chromium: playwright-core, Debian's /usr/bin/chromium, launchPersistentContext on a temp dir
//             (test/e2e/browser-chromium.ts).
//   Firefox:  puppeteer-core over WebDriver BiDi, Debian's /usr/bin/firefox-esr, temp profile
//             (test/e2e/browser-firefox.ts).
//
// Elements are found as people find them, by ARIA ROLE and ACCESSIBLE NAME (exact match,
// whitespace collapsed), never by CSS or component internals. The names come from
// dom-accessibility-api, bundled and installed in every page (test/e2e/in-page/queries.ts,
// test/e2e/page-queries.ts), which looks through open shadow roots and slots on both engines:
//   fill/focus/value/setFiles(label)  the form control whose accessible name is `label` (<label for>,
//                                     wrapping <label>, aria-label, aria-labelledby; not placeholder).
//   click(name, { role }) / waitForRole  the element with that role (default 'button') and name.
//   clickWhere(steps)                 several conditions and containers, e.g. the "Accept" button
//                                     described by a file's name (see Step).
// An action needs exactly one match: if several elements match, it waits and then says which.
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

import { launchChromium } from './browser-chromium';
import { launchFirefox } from './browser-firefox';
import type { BrowserKind, BrowserUser, LaunchOptions } from './browser-types';

export type { AriaRole, BrowserKind, BrowserUser, LaunchOptions, RawDriver } from './browser-types';
export type { Pattern, Seen, Step } from './in-page/queries';
export { CHROMIUM_ARGS, CHROMIUM_PERMISSIONS, FIREFOX_PREFS, trustArgs } from './browser-flags';
export { closeAllBrowsers } from './browser-processes';
export { DIAGNOSTICS_DIR, dumpDiagnostics } from './browser-diagnostics';
export { launchChromium } from './browser-chromium';
export { launchFirefox } from './browser-firefox';

/** Browsers to test, from env PEERCHAT_E2E_BROWSERS (comma list), default both. */
export function browserKinds(): BrowserKind[] {
  const env = process.env.PEERCHAT_E2E_BROWSERS;
  if (!env) return ['chromium', 'firefox'];
  return env.split(',').map((s) => s.trim()).filter((s): s is BrowserKind => s === 'chromium' || s === 'firefox');
}

export function launchBrowser(kind: BrowserKind, options: LaunchOptions = {}): Promise<BrowserUser> {
  return kind === 'chromium' ? launchChromium(options) : launchFirefox(options);
}
