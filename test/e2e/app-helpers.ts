// Helpers for e2e tests of the real app: a real signal server on port 0 serving the built
// web app, and small steps a person takes (register, open a conversation, send), expressed
// through the harness's accessible-name lookups.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSignalServer, type SignalServer, type SignalServerOptions } from '../../signal-server/src/server';
import type { BrowserUser } from './browsers';

/**
 * The web app the e2e tests serve: the e2e-mode build (`npm run build:e2e`), which keeps the
 * test-only diagnostics that web/src/test-hooks.ts drops from the production build. Override with
 * PEERCHAT_STATIC_DIR.
 */
export const STATIC_DIR = path.resolve(process.env.PEERCHAT_STATIC_DIR ?? 'web/dist-e2e');
export const PASSWORD = 'correct horse battery';

export interface TestServer {
  server: SignalServer;
  dataDir: string;
  url: string;
  /** Stops the server (browsers keep running). */
  stop(): Promise<void>;
  /** Starts a new server process-equivalent on the same port and data folder. */
  restart(): Promise<void>;
  /** Stops the server and deletes its data folder. */
  dispose(): Promise<void>;
}

/** A real server on 127.0.0.1:0 with fast (test-only) scrypt parameters. */
export async function startTestServer(extra: Partial<SignalServerOptions> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'peerchat-e2e-'));
  const opts: SignalServerOptions = {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    staticDir: STATIC_DIR,
    scrypt: { N: 2 ** 12 },
    heartbeatMs: 2000,
    authRateLimit: { perSecond: 100, burst: 100 },
    ...extra,
  };
  let server = await createSignalServer(opts);
  const port = server.address.port;
  const ts: TestServer = {
    get server() {
      return server;
    },
    dataDir,
    url: `http://127.0.0.1:${port}`,
    stop: () => server.close(),
    async restart() {
      server = await createSignalServer({ ...opts, port });
    },
    async dispose() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return ts;
}

/** "Signed in as <name>", also when the narrow layout wraps it onto two lines. */
function signedInAs(username: string): RegExp {
  return new RegExp(`Signed in as\\s+${username}`);
}

export async function register(user: BrowserUser, url: string, username: string): Promise<void> {
  await user.goto(url);
  await user.fill('Username', username);
  await user.fill('Password', PASSWORD);
  await user.click('Register');
  await user.waitForText(signedInAs(username), 15_000);
}

export async function login(user: BrowserUser, username: string): Promise<void> {
  await user.fill('Username', username);
  await user.fill('Password', PASSWORD);
  await user.click('Log in');
  await user.waitForText(signedInAs(username), 15_000);
}

/** Waits until the open conversation's secure session is up (status `data-link="ready"`). */
export async function waitLinkReady(user: BrowserUser, timeoutMs = 20_000): Promise<void> {
  await user.waitFor(
    () => document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot?.querySelector('[data-link]')?.getAttribute('data-link') === 'ready',
    undefined,
    timeoutMs,
  );
}

/**
 * Opens the conversation with `peer` from the contact list, whatever its status or unread
 * count. The row's accessible name changes as presence arrives, so read it and click it
 * again until the conversation heading shows.
 */
export async function openConversation(user: BrowserUser, peer: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const label = await user.waitFor(
      (p: string) => {
        const app = document.querySelector('pc-app')?.shadowRoot;
        const list = app?.querySelector('pc-contact-list')?.shadowRoot;
        const btn = list?.querySelector(`button[data-contact="${p.toLowerCase()}"]`);
        return btn?.getAttribute('aria-label') ?? null;
      },
      peer,
      Math.max(1000, deadline - Date.now()),
    );
    try {
      await user.click(label as string, { timeoutMs: 2000 });
      await user.waitForRole('heading', peer, { timeoutMs: 3000 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

export async function send(user: BrowserUser, text: string): Promise<void> {
  await user.fill('Message', text);
  await user.press('Enter');
}

export interface ShownMessage {
  text: string;
  outgoing: boolean;
  state: string;
  from: string;
}

/** The messages the open conversation shows, top to bottom. */
export function shownMessages(user: BrowserUser): Promise<ShownMessage[]> {
  return user.evaluate(() => {
    const app = document.querySelector('pc-app')?.shadowRoot;
    const conv = app?.querySelector('pc-conversation')?.shadowRoot;
    const list = conv?.querySelector('pc-message-list')?.shadowRoot;
    const items = Array.from(list?.querySelectorAll('li.msg') ?? []);
    return items.map((li) => ({
      text: li.querySelector('.text')?.textContent ?? '',
      outgoing: li.classList.contains('out'),
      state: li.getAttribute('data-state') ?? '',
      from: li.querySelector('.from')?.textContent ?? '',
    }));
  });
}

/** Waits until the open conversation shows a message with this text in this state. */
export async function waitForMessage(user: BrowserUser, text: string, state?: string, timeoutMs = 15_000): Promise<void> {
  await user.waitFor(
    (arg: { text: string; state: string | null }) => {
      const app = document.querySelector('pc-app')?.shadowRoot;
      const conv = app?.querySelector('pc-conversation')?.shadowRoot;
      const list = conv?.querySelector('pc-message-list')?.shadowRoot;
      return Array.from(list?.querySelectorAll('li.msg') ?? []).some(
        (li) => li.querySelector('.text')?.textContent === arg.text && (arg.state === null || li.getAttribute('data-state') === arg.state),
      );
    },
    { text, state: state ?? null },
    timeoutMs,
  );
}

/** The accessible label of a contact row, e.g. "bob, online, 2 unread". */
export function contactLabel(user: BrowserUser, peer: string): Promise<string | null> {
  return user.evaluate((p: string) => {
    const app = document.querySelector('pc-app')?.shadowRoot;
    const list = app?.querySelector('pc-contact-list')?.shadowRoot;
    return list?.querySelector(`button[data-contact="${p.toLowerCase()}"]`)?.getAttribute('aria-label') ?? null;
  }, peer);
}

/**
 * Tests that run in order and share browsers: `step` declares one, and `failed` tells the
 * suite's `after()` hook whether to dump diagnostics (screenshots, page text, console).
 */
export function stepTracker(test: (name: string, fn: () => Promise<void>) => unknown): { step: (name: string, fn: () => Promise<void>) => void; readonly failed: boolean } {
  let failed = false;
  return {
    get failed() {
      return failed;
    },
    step(name, fn) {
      test(name, async () => {
        try {
          await fn();
        } catch (err) {
          failed = true;
          throw err;
        }
      });
    },
  };
}
