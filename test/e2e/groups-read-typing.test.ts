// "Read by k of n" and "typing…" in a group, with three Chromium processes (alice, bob, carol)
// against the real server over real WebRTC:
// - alice writes; bob opens the group: alice sees "Read by 1 of 2"; carol opens it: "Read by 2 of 2";
// - bob types: alice and carol see "bob is typing…", gone once his message arrives;
// - carol turns read receipts off: her reads of new messages are not sent nor counted;
// - carol turns typing off: she sends no `group-typing` while she types.
//
// Groups are set up through the e2e-build-only `window.peerchatGroups`
// (web/src/groups/group-test-hook.ts), as test/e2e/groups.test.ts does; reading and typing go
// through the screens.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/groups-read-typing.test.ts

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, startTestServer, stepTracker, type TestServer } from './app-helpers';
import { pattern } from './page-queries';
import { auditScreen } from './a11y-audit';

interface Counters {
  flushes: number;
  readSent: number;
  typingSent: number;
}

function counters(u: BrowserUser): Promise<Counters> {
  return u.evaluate(() => ({ ...(window as unknown as { peerchatGroupReceipts: Counters }).peerchatGroupReceipts }));
}

function act(user: BrowserUser, what: string, args: unknown[]): Promise<unknown> {
  return user.evaluate(
    async (a: { what: string; args: unknown[] }) => {
      const actions = window.peerchatGroups!.actions as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>;
      return (await actions[a.what]!(...a.args)) ?? null;
    },
    { what, args },
  );
}

/** Who read the line with this text, as stored in `user`'s history. */
async function readersOf(user: BrowserUser, gid: string, text: string): Promise<string[] | undefined> {
  return user.evaluate(
    async (a: { gid: string; text: string }) => {
      const rows = (await window.peerchatGroups?.history(`group:${a.gid}`)) ?? [];
      const m = rows.find((x) => x.text === a.text) as unknown as { readBy?: string[] } | undefined;
      return m?.readBy;
    },
    { gid, text },
  );
}

async function waitForText(user: BrowserUser, gid: string, text: string, timeoutMs = 30_000): Promise<void> {
  await user.waitFor(
    async (a: { gid: string; text: string }) => ((await window.peerchatGroups?.history(`group:${a.gid}`)) ?? []).some((m) => m.text === a.text),
    { gid, text },
    timeoutMs,
  );
}

async function waitForReaders(user: BrowserUser, gid: string, text: string, readers: string[]): Promise<void> {
  await user.waitFor(
    async (a: { gid: string; text: string; readers: string[] }) => {
      const rows = (await window.peerchatGroups?.history(`group:${a.gid}`)) ?? [];
      const m = rows.find((x) => x.text === a.text) as unknown as { readBy?: string[] } | undefined;
      return JSON.stringify(m?.readBy ?? []) === JSON.stringify(a.readers);
    },
    { gid, text, readers },
    30_000,
  );
}

describe('group read receipts and typing', { timeout: 150_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let carol: BrowserUser;
  let gid = '';
  const secret = randomBytes(4).toString('hex');
  const groupName = `Tea ${secret}`;
  const t = { hello: `hello ${secret}`, first: `kettle on ${secret}`, reply: `two sugars ${secret}`, later: `biscuits ${secret}` };
  const steps = stepTracker(test);
  const { step } = steps;

  const openGroup = (u: BrowserUser) => u.clickWhere([{ role: 'list', name: 'Groups' }, { role: 'button', name: pattern(new RegExp(`^${groupName}, group`)) }]);

  before(async () => {
    srv = await startTestServer();
    [alice, bob, carol] = await Promise.all([launchBrowser('chromium', { name: 'alice' }), launchBrowser('chromium', { name: 'bob' }), launchBrowser('chromium', { name: 'carol' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob, carol].filter((u): u is BrowserUser => !!u), 'groups-read-typing');
    await closeAllBrowsers();
    await srv?.dispose().catch(() => undefined);
  });

  step('alice writes; bob opens the group: Read by 1 of 2; carol opens it: Read by 2 of 2', async () => {
    for (const [u, name] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol']] as const) await register(u, srv.url, name);
    // A member must know alice's key first (as in test/e2e/groups.test.ts).
    for (const u of [bob, carol]) await openConversation(u, 'alice');
    gid = (await act(alice, 'create', [groupName, ['bob', 'carol']])) as string;
    for (const u of [alice, bob, carol]) {
      await u.waitFor((id: string) => window.peerchatGroups?.groups().find((g) => g.id === id)?.members.length === 3, gid, 30_000);
    }
    await openGroup(alice);
    await act(alice, 'sendText', [gid, t.first]);
    for (const u of [bob, carol]) await waitForText(u, gid, t.first);
    await alice.waitForText('Delivered to 2 of 2');
    assert.deepEqual((await readersOf(alice, gid, t.first)) ?? [], [], 'nobody has looked yet');
    await openGroup(bob);
    await waitForReaders(alice, gid, t.first, ['bob']);
    await alice.waitForText('Read by 1 of 2');
    await openGroup(carol);
    await waitForReaders(alice, gid, t.first, ['bob', 'carol']);
    await alice.waitForText('Read by 2 of 2');
  });

  step('bob types: alice and carol see “bob is typing…”, gone once his message arrives', async () => {
    // Typing never dials: carol writes first, so her device and bob's connect (sendTo dials).
    await act(carol, 'sendText', [gid, t.hello]);
    await waitForText(bob, gid, t.hello);
    await bob.fill('Message', t.reply);
    // bob keeps typing (a key a second), so `typing on` is sent again over links that came up since.
    let keys = 0;
    const keepTyping = setInterval(() => void bob.press(keys++ % 2 ? 'Backspace' : '!').catch(() => undefined), 1000);
    try {
      for (const u of [alice, carol]) await u.waitForText('bob is typing…', 20_000);
      await auditScreen(alice, 'group header with typing… and Read by');
    } finally {
      clearInterval(keepTyping);
    }
    await bob.fill('Message', t.reply);
    await bob.press('Enter');
    for (const u of [alice, carol]) {
      await waitForText(u, gid, t.reply);
      await u.waitForNoText('bob is typing…');
    }
  });

  step('carol turns read receipts off: her reads of new messages are neither sent nor counted', async () => {
    await carol.click('Settings');
    await carol.click('Read receipts', { role: 'switch' });
    await carol.click('Back');
    await openGroup(carol);
    const before = await counters(carol);
    await act(alice, 'sendText', [gid, t.later]);
    await waitForText(carol, gid, t.later);
    // carol has the group open: she decided about the new message without sending a read.
    await carol.waitFor((n: number) => (window as unknown as { peerchatGroupReceipts: Counters }).peerchatGroupReceipts.flushes > n, before.flushes, 10_000);
    assert.equal((await counters(carol)).readSent, before.readSent, 'carol sent no read');
    // bob still has it open: his read counts, carol's does not.
    await waitForReaders(alice, gid, t.later, ['bob']);
    assert.deepEqual(await readersOf(alice, gid, t.later), ['bob']);
  });

  step('carol turns typing off: typing in the group sends nothing', async () => {
    const on = await counters(carol);
    await carol.fill('Message', 'checking');
    await carol.waitFor((n: number) => (window as unknown as { peerchatGroupReceipts: Counters }).peerchatGroupReceipts.typingSent > n, on.typingSent, 10_000);
    await carol.fill('Message', '');
    await carol.click('Settings');
    await carol.click('Typing indicator', { role: 'switch' });
    await carol.click('Back');
    await openGroup(carol);
    const before = await counters(carol);
    await carol.fill('Message', 'quietly');
    assert.equal((await counters(carol)).typingSent, before.typingSent, 'carol sent no typing');
  });
});
