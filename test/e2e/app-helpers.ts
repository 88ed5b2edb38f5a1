// Helpers for e2e tests of the real app: a real signal server on port 0 serving the built
// web app, and small steps a person takes (register, open a conversation, send) and what they
// see (messages, contact rows), found by role and accessible name (test/e2e/page-queries.ts).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSignalServer, type SignalServer, type SignalServerOptions } from '../../signal-server/src/server';
import type { BrowserUser, Step } from './browsers';
import { escapeRe, inPage, pattern, waitInPage } from './page-queries';
import { uiText, type UiText } from './ui-text';

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

/** The texts `user`'s browser shows (its language: test/e2e/ui-text.ts). */
export function ui(user: BrowserUser): UiText {
  return uiText(user.locale);
}

/** A RegExp for a translated sentence with slots: `{name}`-style ones and "\uE000" (any text there). */
export function sentenceRe(text: string, flags = ''): RegExp {
  return new RegExp(escapeRe(text).replace(/\\\{\w+\\\}|\uE000/g, '.+'), flags);
}

/** "Signed in as <name>", also when the narrow layout wraps it onto two lines. */
function signedInAs(user: BrowserUser, username: string): RegExp {
  // Chinese runs the label and the name together ("当前账号：alice").
  return new RegExp(`${escapeRe(ui(user)`Signed in as `.trim())}${user.locale === 'en' ? '\\s+' : '\\s*'}${username}`);
}

export async function register(user: BrowserUser, url: string, username: string): Promise<void> {
  const t = ui(user);
  await user.goto(url);
  await user.fill(t`Username`, username);
  await user.fill(t`Password`, PASSWORD);
  await user.click(t`Register`);
  await user.waitForText(signedInAs(user, username), 15_000);
}

export async function login(user: BrowserUser, username: string): Promise<void> {
  const t = ui(user);
  await user.fill(t`Username`, username);
  await user.fill(t`Password`, PASSWORD);
  await user.click(t`Log in`);
  await user.waitForText(signedInAs(user, username), 15_000);
}

/** The status line under the conversation's name while the secure session is up. */
export const LINK_READY_TEXT = 'Connected directly · end-to-end encrypted';

/** Waits until the open conversation says its secure session is up (its status line). */
export async function waitLinkReady(user: BrowserUser, timeoutMs = 20_000): Promise<void> {
  const text = ui(user)`Connected directly · end-to-end encrypted`;
  await waitInPage(user, (q, text) => q.queryAll([{ role: 'status', text }]).length > 0, text, timeoutMs, 'the secure session');
}

/** The row of `peer` in the contact list: a button named "<peer>, online|offline[, N unread], [not ]verified". */
function contactRow(t: UiText, peer: string): Step[] {
  const sep = escapeRe(t.id('part-separator', ', '));
  return [{ role: 'list', name: t`Contacts` }, { role: 'button', name: pattern(new RegExp(`^${escapeRe(peer)}${sep}(${escapeRe(t`online`)}|${escapeRe(t`offline`)})`, 'i')) }];
}

/** The row of `peer` under "Requests" (someone who wrote first and is not a contact yet). */
function requestRow(t: UiText, peer: string): Step[] {
  const sep = escapeRe(t.id('part-separator', ', '));
  return [{ role: 'list', name: t.id('requests-heading', 'Requests') }, { role: 'button', name: pattern(new RegExp(`^${escapeRe(peer)}${sep}${escapeRe(t`message request`)}`, 'i')) }];
}

/**
 * Opens the conversation with `peer` from the contact list, whatever its status or unread
 * count: clicks the row until the conversation heading shows (the row is re-rendered as presence
 * arrives). When `peer` wrote first and waits under "Requests", opens that and accepts it, as a
 * person who means to talk to them does.
 */
export async function openConversation(user: BrowserUser, peer: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const t = ui(user);
  for (;;) {
    try {
      const isRequest = await inPage(user, (q, steps) => q.queryAll(steps).length > 0, requestRow(t, peer));
      await user.clickWhere(isRequest ? requestRow(t, peer) : contactRow(t, peer), { timeoutMs: Math.max(1000, Math.min(5000, deadline - Date.now())) });
      await user.waitForRole('heading', peer, { timeoutMs: 3000 });
      // Their request may have landed between looking at the list and the click: the
      // conversation then shows the request bar, as it would to a person, who accepts it.
      const barShown = await inPage(user, (q, name) => q.queryAll([{ role: 'region', name }]).length > 0, t`Message request from ${peer}`);
      if (isRequest || barShown) {
        await user.click(t.id('request-accept', 'Accept'), { timeoutMs: 3000 });
        await user.waitForRole('region', t`Message request from ${peer}`, { hidden: true, timeoutMs: 3000 });
      }
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

export async function send(user: BrowserUser, text: string): Promise<void> {
  await user.fill(ui(user).id('composer-label', 'Message'), text);
  await user.press('Enter');
}

export interface ShownMessage {
  text: string;
  outgoing: boolean;
  /** 'waiting' | 'sent' | 'delivered' | 'read' (what an outgoing message says), 'received' (incoming). */
  state: string;
  /** "You", or the sender's name. */
  from: string;
}

/** The items of the open conversation's message list, each as its lines: sender, text (or file card), time · state. */
/** The accessible name of the open conversation's message list ("Messages with <peer>"), as a pattern. */
export function messageListName(user: BrowserUser): ReturnType<typeof pattern> {
  return pattern(new RegExp(`^${sentenceRe(ui(user)`Messages with ${'\uE000'}`).source}$`));
}

function shownItems(user: BrowserUser): Promise<string[][]> {
  return inPage(
    user,
    (q, name) => q.queryAll([{ role: 'list', name }, { role: 'listitem' }]).map((li) => Array.from(li.children, (part) => q.composedText(part))),
    messageListName(user),
  );
}

/** What an outgoing message's state reads ("Delivered", "已送达") back to its key ('delivered'). */
function stateKey(t: UiText, said: string): string {
  const labels: Record<string, string> = {
    [t.id('message-waiting', 'Waiting').toLowerCase()]: 'waiting',
    [t.id('message-sent', 'Sent').toLowerCase()]: 'sent',
    [t.id('message-delivered', 'Delivered').toLowerCase()]: 'delivered',
    [t.id('message-read', 'Read').toLowerCase()]: 'read',
  };
  return labels[said] ?? said;
}

function toMessage(t: UiText, parts: string[]): ShownMessage {
  const from = parts[0] ?? '';
  const outgoing = from === t.id('message-from-me', 'You');
  const said = (parts[2] ?? '').split('·')[1]?.trim().toLowerCase() ?? '';
  return { from, text: parts[1] ?? '', outgoing, state: outgoing ? stateKey(t, said) : 'received' };
}

/**
 * The messages the open conversation shows, top to bottom (day separators left out). A file's
 * item shows a card instead of a text: see shownCards in test/e2e/file-helpers.ts.
 */
export async function shownMessages(user: BrowserUser): Promise<ShownMessage[]> {
  const t = ui(user);
  return (await shownItems(user)).filter((parts) => parts.length >= 3).map((parts) => toMessage(t, parts));
}

/**
 * Waits until the open conversation shows a message with this text in this state. 'delivered'
 * is also met by 'read' (the contact read it: delivered, and more); wait for 'read' itself to
 * tell them apart.
 */
export async function waitForMessage(user: BrowserUser, text: string, state?: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: ShownMessage[] = [];
  for (;;) {
    try {
      last = await shownMessages(user);
      if (last.some((m) => m.text === text && (state === undefined || m.state === state || (state === 'delivered' && m.state === 'read')))) return;
    } catch {
      // a reload in progress: try again
    }
    if (Date.now() > deadline) {
      throw new Error(`${user.name}: no message ${JSON.stringify(text)}${state ? ` (${state})` : ''} after ${timeoutMs} ms; shown: ${JSON.stringify(last.slice(-5))}`);
    }
    await new Promise((r) => setTimeout(r, 100)); // poll interval
  }
}

/** The accessible name of a contact row, e.g. "bob, online, 2 unread". */
export async function contactLabel(user: BrowserUser, peer: string): Promise<string | null> {
  const names = await inPage(user, (q, steps) => q.queryAll(steps).map((el) => q.nameOf(el)), contactRow(ui(user), peer));
  return names[0] ?? null;
}

/** Waits until a contact row has exactly this accessible name, e.g. "alice, online, 2 unread". */
export async function waitContactLabel(user: BrowserUser, label: string, timeoutMs = 15_000): Promise<void> {
  const steps: Step[] = [{ role: 'list', name: ui(user)`Contacts` }, { role: 'button', name: label }];
  await waitInPage(user, (q, steps) => q.queryAll(steps).length === 1, steps, timeoutMs, `contact row ${JSON.stringify(label)}`);
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
