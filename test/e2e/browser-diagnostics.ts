// What a failing e2e test leaves behind: each user's screenshot, page text and recent console.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CLOSE_TIMEOUT_MS } from './browser-flags';
import { safe, withTimeout } from './browser-processes';
import type { BrowserUser, LaunchOptions } from './browser-types';

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

/** Keeps the last 1000 console lines of a page (and echoes them when asked). */
export function captureLogs(
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
