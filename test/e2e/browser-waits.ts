// Waiting on what the page shows, shared by both engines: text, roles, page functions, and the
// one element a lookup leads to (as a driver handle to act on).

import { POLL_MS } from './browser-flags';
import { isClosing, sleep } from './browser-processes';
import type { AriaRole, BrowserUser } from './browser-types';
import type { Step } from './in-page/queries';
import { installNow, pageFunction, waitInPage } from './page-queries';

/**
 * tsx (esbuild, keepNames) rewrites named inner functions as `__name(fn, "fn")` calls, and
 * `__name` does not exist in the page: any function passed to evaluate() that declares a named
 * function or `const f = () => …` fails there with "ReferenceError: __name is not defined".
 * Rebuild the function from its source with a no-op `__name` in scope. Both drivers serialise
 * functions with toString(), so closures over Node variables never work anyway: pass `arg`.
 */
export function portable<A, R>(fn: (arg: A) => R): (arg: A) => R {
  return new Function('arg', `"use strict"; const __name = (f) => f; return (${fn.toString()})(arg);`) as (arg: A) => R;
}

/** Both drivers' evaluate() have elaborate generic signatures; ours is simpler. */
export interface UntypedEvaluate {
  evaluate(fn: unknown, arg: unknown): Promise<unknown>;
}

export async function waitForTextImpl(user: BrowserUser, text: string | RegExp, present: boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      last = await user.text();
      const found = typeof text === 'string' ? last.includes(text) : text.test(last);
      if (found === present) return;
    } catch (err) {
      if (isClosing(user)) throw new Error(`${user.name} (${user.kind}): browser closed while waiting for text ${String(text)}`);
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

export async function pollInPage<R, A>(user: BrowserUser, fn: (arg: A) => R | Promise<R>, arg: A | undefined, timeoutMs: number): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await user.evaluate(fn, arg as A);
      if (value) return value;
    } catch (err) {
      if (isClosing(user)) throw new Error(`${user.name} (${user.kind}): browser closed during waitFor`);
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${user.name} (${user.kind}): waitFor timed out after ${timeoutMs} ms${detail}`);
    }
    await sleep(POLL_MS);
  }
}

/** Waits until an element with this role and exact name is on screen, or (`hidden`) until none is. */
export async function waitForRoleImpl(user: BrowserUser, role: AriaRole, name: string, hidden: boolean, timeoutMs: number): Promise<void> {
  const steps: Step[] = [{ role, name, visible: true }];
  const what = `${role} ${JSON.stringify(name)}${hidden ? ' to be hidden' : ''}`;
  if (hidden) await waitInPage(user, (q, s) => q.queryAll(s).length === 0, steps, timeoutMs, what);
  else await waitInPage(user, (q, s) => q.queryAll(s).length > 0, steps, timeoutMs, what);
}

/** What both drivers' evaluateHandle() results offer. */
export interface AnyHandle<E> {
  asElement(): E | null;
  jsonValue(): Promise<unknown>;
  dispose(): Promise<void>;
}

/**
 * Waits for the one element `steps` lead to and returns a driver handle to it. The page function
 * returns the element, null (none yet) or the ambiguity message (several match): retried until
 * the deadline, then the last reason is thrown.
 */
export async function waitForElement<E>(
  user: BrowserUser,
  evaluateHandle: (fn: () => unknown) => Promise<AnyHandle<E>>,
  steps: readonly Step[],
  timeoutMs: number,
): Promise<E> {
  const find = pageFunction((q, s) => {
    try {
      return q.queryOne(s);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }, steps);
  const deadline = Date.now() + timeoutMs;
  let last = 'no element matches';
  let installed = false;
  for (;;) {
    try {
      const handle = await evaluateHandle(find);
      const element = handle.asElement();
      if (element) return element;
      const value = await handle.jsonValue();
      await handle.dispose();
      if (value === null && !installed) {
        // null is also what the page function says when the queries are not installed yet.
        installed = true;
        await installNow(user);
        continue;
      }
      if (typeof value === 'string') last = value;
    } catch (err) {
      if (isClosing(user)) throw new Error(`${user.name} (${user.kind}): browser closed while looking for ${JSON.stringify(steps)}`);
      last = err instanceof Error ? err.message : String(err); // navigation in progress
    }
    if (Date.now() >= deadline) {
      throw new Error(`${user.name} (${user.kind}): timed out after ${timeoutMs} ms looking for ${JSON.stringify(steps)}: ${last}`);
    }
    await sleep(POLL_MS);
  }
}
