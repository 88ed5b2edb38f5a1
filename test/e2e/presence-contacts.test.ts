// Presence in `contacts` mode, with three SEPARATE Chromium processes and a real server:
//  - alice and bob become contacts on a server in `open` mode (a first message, accepted).
//  - The server restarts in `contacts` mode on the same port and data: both browsers reconnect,
//    learn the mode from `welcome`, subscribe to the people in their conversation lists, and see
//    each other online again; bob leaving shows on alice's screen.
//  - carol, logged in on the same server and nobody's contact, is never told about alice or bob:
//    the server's test tap sees no presence frame naming them go to her connection, and her
//    contact list shows nobody online.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/presence-contacts.test.ts

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PresenceMode } from '../../shared/limits';
import { createSignalServer, type SignalServer } from '../../signal-server/src/server';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, startTestServer, STATIC_DIR, stepTracker, waitContactLabel, waitForMessage, type TestServer } from './app-helpers';

interface Frame {
  dir: 'in' | 'out';
  conn: string;
  msg: Record<string, unknown>;
}

/** Every frame the server received or sent, parsed (the server's test tap). */
const frames: Frame[] = [];

const tap = {
  tapFrame(dir: 'in' | 'out', conn: string, frame: string) {
    try {
      frames.push({ dir, conn, msg: JSON.parse(frame) as Record<string, unknown> });
    } catch {
      // not JSON: not ours to read
    }
  },
};

/** The connections that logged in as `username` (from the welcomes the server sent). */
function connsOf(username: string): Set<string> {
  return new Set(frames.filter((f) => f.dir === 'out' && f.msg.type === 'welcome' && f.msg.username === username).map((f) => f.conn));
}

/** Presence frames the server sent to `conns` that name any of `names`. */
function presenceAbout(conns: Set<string>, names: string[]): Frame[] {
  return frames.filter((f) => {
    if (f.dir !== 'out' || !conns.has(f.conn)) return false;
    if (f.msg.type === 'presence-update') return names.includes(String(f.msg.username));
    if (f.msg.type === 'presence') return (f.msg.online as string[]).some((n) => names.includes(n));
    return false;
  });
}

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100)); // poll interval
  }
}

describe('presence in contacts mode', { timeout: 240_000 }, () => {
  let first: TestServer;
  let server: SignalServer | undefined;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let carol: BrowserUser;
  const steps = stepTracker(test);
  const { step } = steps;

  /** The same server as startTestServer's, on the same port and data folder, in `mode`. */
  async function restartIn(presence: PresenceMode): Promise<void> {
    await (server ?? first.server).close();
    server = await createSignalServer({
      port: first.server.address.port,
      host: '127.0.0.1',
      dataDir: first.dataDir,
      staticDir: STATIC_DIR,
      scrypt: { N: 2 ** 12 },
      heartbeatMs: 2000,
      authRateLimit: { perSecond: 100, burst: 100 },
      presence,
      testHooks: tap,
    });
  }

  before(async () => {
    first = await startTestServer({ testHooks: tap });
    [alice, bob, carol] = await Promise.all([
      launchBrowser('chromium', { name: 'alice' }),
      launchBrowser('chromium', { name: 'bob' }),
      launchBrowser('chromium', { name: 'carol' }),
    ]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob, carol].filter(Boolean), 'presence-contacts');
    await closeAllBrowsers();
    await server?.close();
    await first?.dispose();
  });

  step('open mode: alice and bob become contacts; no presence-subscribe is sent', async () => {
    await register(alice, first.url, 'alice');
    await register(bob, first.url, 'bob');
    await openConversation(alice, 'bob');
    await send(alice, 'Hello Bob');
    await openConversation(bob, 'alice');
    await waitForMessage(bob, 'Hello Bob', 'received');
    await waitForMessage(alice, 'Hello Bob', 'delivered');
    assert.equal(frames.filter((f) => f.msg.type === 'welcome' && f.msg.presence !== 'open').length, 0, 'every welcome says open');
    assert.equal(frames.filter((f) => f.dir === 'in' && f.msg.type === 'presence-subscribe').length, 0, 'nobody subscribes in open mode');
  });

  step('contacts mode: after the reconnect both subscribe to each other and see each other online', async () => {
    const before = frames.length;
    await restartIn('contacts');
    await waitUntil(() => frames.slice(before).some((f) => f.msg.type === 'welcome' && f.msg.username === 'alice' && f.msg.presence === 'contacts'), 'alice is back');
    await waitUntil(() => frames.slice(before).some((f) => f.dir === 'in' && f.msg.type === 'presence-subscribe' && (f.msg.users as string[]).includes('bob')), 'alice follows bob');
    await waitUntil(() => frames.slice(before).some((f) => f.dir === 'in' && f.msg.type === 'presence-subscribe' && (f.msg.users as string[]).includes('alice')), 'bob follows alice');
    await waitContactLabel(alice, 'bob, online, not verified', 20_000);
    await waitContactLabel(bob, 'alice, online, not verified', 20_000);
    await send(bob, 'Back on the new server');
    await waitForMessage(alice, 'Back on the new server', 'received');
  });

  step('carol, logged in but nobody’s contact, is told nothing about alice or bob', async () => {
    const url = `http://127.0.0.1:${first.server.address.port}`;
    await register(carol, url, 'carol');
    await carol.waitForText('Nobody else is online yet');
    // bob leaves and comes back: alice hears both, carol neither.
    await bob.goto('about:blank');
    await waitContactLabel(alice, 'bob, offline, not verified', 20_000);
    await bob.goto(url);
    await waitContactLabel(alice, 'bob, online, not verified', 20_000);
    await carol.waitForText('Nobody else is online yet');
    const carols = connsOf('carol');
    assert.ok(carols.size > 0, 'carol logged in');
    assert.deepEqual(presenceAbout(carols, ['alice', 'bob']), [], 'no presence about alice or bob reached carol');
    // Only what alice subscribed to reached her: bob, never carol.
    assert.deepEqual(presenceAbout(connsOf('alice'), ['carol']), [], 'alice was not told about carol');
    assert.ok(presenceAbout(connsOf('alice'), ['bob']).length >= 2, 'alice was told about bob');
  });
});
