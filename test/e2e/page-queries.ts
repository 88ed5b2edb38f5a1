// The Node side of the in-page queries (test/e2e/in-page/queries.ts): bundles them once per
// test process with esbuild (dom-accessibility-api included), installs the bundle in every page
// before the app's scripts run, and runs page functions that use them. Lookups by role and
// accessible name for both engines go through here, so Chromium and Firefox agree on names.
//
//   const rows = await inPage(user, (q, arg) => q.queryAll([{ role: 'list', name: arg }, { role: 'listitem' }]).map(q.describe), 'Contacts');

import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Queries from './in-page/queries';
import type { BrowserUser } from './browser-types';
import { isClosing, sleep } from './browser-processes';

export type { Pattern, Seen, Step } from './in-page/queries';
export type PageQueries = typeof Queries;

/** The global the bundle installs in each page. */
const GLOBAL = '__peerchatA11y';
/** Thrown in the page when a page function runs before the bundle is there (e.g. about:blank). */
const MISSING = 'peerchat page queries are not installed';
const POLL_MS = 100;

let bundle: Promise<string> | undefined;

/**
 * The queries as one self-contained script that defines `globalThis.__peerchatA11y` once (a second
 * run keeps the first) and evaluates to it. Built on first use, then cached.
 */
export function queriesScript(): Promise<string> {
  bundle ??= build({
    entryPoints: [path.join(path.dirname(fileURLToPath(import.meta.url)), 'in-page', 'queries.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__peerchatA11yBundle',
    target: 'es2022',
    platform: 'browser',
    logLevel: 'warning',
  }).then((result) => {
    const code = result.outputFiles[0]?.text;
    if (!code) throw new Error('esbuild produced no page-queries bundle');
    return `(() => { ${code}; return (globalThis.${GLOBAL} ??= __peerchatA11yBundle); })();`;
  });
  return bundle;
}

/**
 * Builds a page function from `fn(queries, arg)`: tsx (esbuild, keepNames) rewrites named inner
 * functions as `__name(fn, "fn")` calls and `__name` does not exist in the page, so the function
 * is rebuilt from its source with a no-op `__name` in scope. Both drivers serialise functions with
 * toString(): closures over Node variables never work, pass `arg`.
 */
function withQueries<A, R>(fn: (q: PageQueries, arg: A) => R): (arg: A) => R {
  return new Function(
    'arg',
    `"use strict"; const __name = (f) => f; const q = globalThis.${GLOBAL}; if (!q) throw new Error(${JSON.stringify(MISSING)}); return (${fn.toString()})(q, arg);`,
  ) as (arg: A) => R;
}

/** A no-argument page function returning `fn(queries, arg)`, or null while the queries are not installed. */
export function pageFunction<A, R>(fn: (q: PageQueries, arg: A) => R, arg: A): () => R | null {
  return new Function(
    `"use strict"; const __name = (f) => f; const q = globalThis.${GLOBAL}; return q ? (${fn.toString()})(q, ${JSON.stringify(arg)}) : null;`,
  ) as () => R | null;
}

/**
 * Evaluates the bundle in the current document. A string expression, not a page function calling
 * eval(): the drivers evaluate it through the DevTools/BiDi protocol, which the app's
 * Content-Security-Policy (no 'unsafe-eval') does not block.
 */
export async function installNow(user: BrowserUser): Promise<void> {
  const script = await queriesScript();
  if (user.raw.kind === 'chromium') await user.raw.page.evaluate(script);
  else await user.raw.page.evaluate(script);
}

/** Runs `fn(queries, arg)` in the page; installs the queries first if the page does not have them. */
export async function inPage<R, A = undefined>(user: BrowserUser, fn: (q: PageQueries, arg: A) => R | Promise<R>, arg?: A): Promise<R> {
  const run = withQueries(fn);
  try {
    return await user.evaluate(run, arg as A);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes(MISSING)) throw err;
    await installNow(user);
    return await user.evaluate(run, arg as A);
  }
}

/** Polls `fn(queries, arg)` in the page until it returns a truthy value; returns it. Throws with the last error or value seen. */
export async function waitInPage<R, A = undefined>(
  user: BrowserUser,
  fn: (q: PageQueries, arg: A) => R | Promise<R>,
  arg: A,
  timeoutMs: number,
  what: string,
): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await inPage(user, fn, arg);
      if (value) return value;
      last = value;
    } catch (err) {
      if (isClosing(user)) throw new Error(`${user.name} (${user.kind}): browser closed while waiting for ${what}`);
      last = err; // a navigation in progress, or an ambiguous lookup: retry until the deadline
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`${user.name} (${user.kind}): timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(POLL_MS);
  }
}

/** A Pattern (a RegExp that survives JSON) from a RegExp. */
export function pattern(re: RegExp): Queries.Pattern {
  return { re: re.source, flags: re.flags };
}

/** Escapes a string for use inside a RegExp source. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
