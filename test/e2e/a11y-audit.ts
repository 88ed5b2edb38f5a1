// Accessibility checks for the e2e tests, for any screen of the app (call them wherever a screen
// is shown):
//   await assertAccessible(user, 'login');          axe-core, serious and critical violations fail
//   await assertTouchTargets(user, 'login');        every control at least 44 x 44 CSS px
//   await auditScreen(user, 'login');               both, in light and in dark
// axe-core runs inside the page and looks into open shadow roots by itself (every Lit component
// here has one). It is evaluated as a string expression through the driver's protocol, which the
// app's Content-Security-Policy (no 'unsafe-eval', no inline scripts) does not block.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserUser } from './browsers';

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

function axeScript(): string {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** One axe violation, reduced to what a person needs to find and fix it. */
export interface A11yViolation {
  rule: string;
  impact: string;
  help: string;
  /** CSS selectors of the offending nodes; a nested array steps into a shadow root. */
  targets: string[];
  /** axe's summary of what is wrong with the first node. */
  summary: string;
}

/** Impacts that fail a screen. */
export const FAILING_IMPACTS: readonly string[] = ['serious', 'critical'];

async function evaluateExpression<R>(user: BrowserUser, expression: string): Promise<R> {
  // A string, not a function: evaluated through DevTools / WebDriver BiDi, so the CSP allows it.
  if (user.raw.kind === 'chromium') return (await user.raw.page.evaluate(expression)) as R;
  return (await user.raw.page.evaluate(expression)) as R;
}

/** Runs axe-core on the whole document (open shadow roots included) and returns its violations. */
export async function axeViolations(user: BrowserUser): Promise<A11yViolation[]> {
  const installed = await evaluateExpression<boolean>(user, 'typeof window.axe === "object"');
  if (!installed) await evaluateExpression(user, `${axeScript()}\n;void 0`);
  const json = await evaluateExpression<string>(
    user,
    `window.axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
      .then((r) => JSON.stringify(r.violations.map((v) => ({
        rule: v.id,
        impact: v.impact || 'unknown',
        help: v.help,
        targets: v.nodes.map((n) => JSON.stringify(n.target)),
        summary: (v.nodes[0] && v.nodes[0].failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300),
      }))))`,
  );
  return JSON.parse(json) as A11yViolation[];
}

/** A readable list: one violation per paragraph, rule, impact and where. */
export function formatViolations(violations: readonly A11yViolation[]): string {
  return violations
    .map((v) => `- ${v.rule} (${v.impact}): ${v.help}\n    ${v.targets.slice(0, 6).join('\n    ')}${v.targets.length > 6 ? `\n    … and ${v.targets.length - 6} more` : ''}\n    ${v.summary}`)
    .join('\n');
}

/** Fails with the list of serious and critical axe violations on the screen `user` shows now. */
export async function assertAccessible(user: BrowserUser, screen: string): Promise<void> {
  const failing = (await axeViolations(user)).filter((v) => FAILING_IMPACTS.includes(v.impact));
  if (failing.length) throw new Error(`${user.name}: accessibility violations on "${screen}" (${user.locale}):\n${formatViolations(failing)}`);
}

/** A control smaller than the minimum touch target. */
export interface SmallTarget {
  what: string;
  width: number;
  height: number;
}

/** The minimum touch target, in CSS px (WCAG 2.5.5, and the platforms' own guidelines). */
export const MIN_TARGET_PX = 44;

/**
 * Every visible control (buttons, links, inputs, selects, textareas, summaries, elements with a
 * control role or in the tab order) measured, through open shadow roots. A control drawn as a
 * visually hidden or transparent input with its <label> as the target (the attach button, "Scan
 * from a photo") is measured by that label; a checkbox or radio inside a label by the label.
 */
export function smallTargets(user: BrowserUser, min = MIN_TARGET_PX): Promise<SmallTarget[]> {
  return user.evaluate((min: number) => {
    const SELECTOR = 'button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button], [role=link], [role=switch], [role=checkbox], [role=tab], [tabindex]:not([tabindex="-1"])';
    const found: Element[] = [];
    const walk = (root: Document | ShadowRoot): void => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        if (el.matches(SELECTOR)) found.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const describe = (el: Element): string => {
      const name = el.getAttribute('aria-label') ?? (el as HTMLElement).innerText?.trim().slice(0, 40) ?? '';
      const host = (el.getRootNode() as ShadowRoot).host?.localName ?? 'document';
      return `${host} > ${el.localName}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${name}"`;
    };
    const out: { what: string; width: number; height: number }[] = [];
    const seen = new Set<Element>();
    for (const control of found) {
      let el: Element = control;
      const rect0 = control.getBoundingClientRect();
      const style = getComputedStyle(control);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      if (control instanceof HTMLInputElement) {
        const label = control.closest('label') ?? control.labels?.[0];
        // Hidden (1 px, or transparent over its label) or a box inside a label: the label is the target.
        if (rect0.width <= 1 || rect0.height <= 1 || style.opacity === '0' || control.type === 'checkbox' || control.type === 'radio') {
          if (!label) continue;
          el = label;
        }
      } else if (rect0.width <= 1 && rect0.height <= 1) continue; // visually hidden
      if (seen.has(el)) continue;
      seen.add(el);
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not rendered (display: none above it)
      // Off-screen or scrolled away still counts: the size is what matters, not the position.
      if (r.width + 0.5 < min || r.height + 0.5 < min) out.push({ what: describe(el), width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10 });
    }
    return out;
  }, min);
}

/** Fails with the list of controls smaller than 44 x 44 CSS px on the screen `user` shows now. */
export async function assertTouchTargets(user: BrowserUser, screen: string): Promise<void> {
  const small = await smallTargets(user);
  if (small.length) {
    throw new Error(`${user.name}: touch targets under ${MIN_TARGET_PX} px on "${screen}":\n${small.map((s) => `- ${s.what}: ${s.width} x ${s.height}`).join('\n')}`);
  }
}

/** Sets the emulated colour scheme (Chromium; Firefox keeps its own). */
export async function colourScheme(user: BrowserUser, scheme: 'light' | 'dark'): Promise<void> {
  if (user.raw.kind === 'chromium') await user.raw.page.emulateMedia({ colorScheme: scheme });
}

/**
 * The whole check of one screen: axe in light and in dark (then back to light), and the touch
 * targets. Collects every failure before throwing, so one run shows them all.
 */
export async function auditScreen(user: BrowserUser, screen: string, options: { targets?: boolean } = {}): Promise<void> {
  const problems: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await colourScheme(user, scheme);
    try {
      await assertAccessible(user, `${screen}, ${scheme}`);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  await colourScheme(user, 'light');
  if (options.targets ?? true) {
    try {
      await assertTouchTargets(user, screen);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new Error(problems.join('\n\n'));
}

/**
 * Starts recording what the open conversation's polite live region (data-testid="announcer")
 * says: every text it takes from now on, in order. Read them with `announcements`.
 */
export async function recordAnnouncements(user: BrowserUser): Promise<void> {
  await user.waitFor(() => {
    const find = (root: Document | ShadowRoot): Element | null => {
      const hit = root.querySelector('[data-testid="announcer"]');
      if (hit) return hit;
      for (const el of Array.from(root.querySelectorAll('*'))) {
        const inner = el.shadowRoot && find(el.shadowRoot);
        if (inner) return inner;
      }
      return null;
    };
    const region = find(document);
    if (!region) return false;
    const w = window as unknown as { pcAnnounced?: string[]; pcAnnouncer?: MutationObserver };
    w.pcAnnouncer?.disconnect();
    const said: string[] = [];
    w.pcAnnounced = said;
    w.pcAnnouncer = new MutationObserver(() => {
      const text = (region.textContent ?? '').trim();
      if (text && text !== said.at(-1)) said.push(text);
    });
    w.pcAnnouncer.observe(region, { childList: true, characterData: true, subtree: true });
    return true;
  }, undefined, 10_000);
}

/** What the live region said since `recordAnnouncements`, and what it says now. */
export function announcements(user: BrowserUser): Promise<{ said: string[]; now: string }> {
  return user.evaluate(() => {
    const w = window as unknown as { pcAnnounced?: string[] };
    const find = (root: Document | ShadowRoot): Element | null => {
      const hit = root.querySelector('[data-testid="announcer"]');
      if (hit) return hit;
      for (const el of Array.from(root.querySelectorAll('*'))) {
        const inner = el.shadowRoot && find(el.shadowRoot);
        if (inner) return inner;
      }
      return null;
    };
    return { said: [...(w.pcAnnounced ?? [])], now: (find(document)?.textContent ?? '').trim() };
  });
}
