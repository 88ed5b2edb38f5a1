// Group conversations with four browser processes (alice, bob and carol in Chromium, dave in
// Firefox) against the real server over real WebRTC. alice is the others' contact; bob, carol and
// dave are not each other's: being in a group together is what lets their devices connect.
// - alice creates a group with bob, carol and dave: it appears on every member's device;
// - they chat; "Delivered to 3 of 3" for alice's message;
// - an image to the group shows inline in the group's conversation on every member (one sealed
//   copy served to each);
// - carol is offline while alice writes, alice makes bob an admin and goes offline, carol comes
//   back and gets alice's messages from bob (checked against alice's device signature);
// - bob removes dave: dave's app says he was removed, and nothing written after reaches him;
// - the server's data folder, logs and relayed frames hold no group name and no message text.
//
// The group screens may not be there yet: the test drives the group service through the
// e2e-build-only `window.peerchatGroups` (web/src/groups/group-test-hook.ts).
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/groups.test.ts

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createLogger } from '../../signal-server/src/logger';
import type { TestHooks } from '../../signal-server/src/test-hooks';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, startTestServer, stepTracker, type TestServer } from './app-helpers';
import { waitForCard } from './file-helpers';
import { pattern } from './page-queries';

function filesUnder(dir: string): Array<{ file: string; bytes: Buffer }> {
  const out: Array<{ file: string; bytes: Buffer }> = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) out.push(...filesUnder(file));
    else out.push({ file, bytes: readFileSync(file) });
  }
  return out;
}

interface Line {
  text: string;
  from: string;
  state: string;
  deliveredTo?: string[];
}

/** The stored lines of a group's conversation on one device. */
function groupLines(user: BrowserUser, id: string): Promise<Line[]> {
  return user.evaluate(async (gid: string) => {
    const hook = window.peerchatGroups;
    const rows = hook ? await hook.history(`group:${gid}`) : [];
    return rows.map((m) => ({ text: m.text, from: m.from, state: m.state, deliveredTo: m.deliveredTo }));
  }, id);
}

async function waitForGroupText(user: BrowserUser, id: string, text: string, timeoutMs = 30_000): Promise<void> {
  await user.waitFor(
    async (a: { gid: string; text: string }) => {
      const rows = (await window.peerchatGroups?.history(`group:${a.gid}`)) ?? [];
      return rows.some((m) => m.text === a.text);
    },
    { gid: id, text },
    timeoutMs,
  );
}

/** Waits until the group is on the device with this many members and this standing. */
async function waitForGroup(user: BrowserUser, id: string, pred: { members?: number; me?: string; name?: string }, timeoutMs = 30_000): Promise<void> {
  await user.waitFor(
    (a: { gid: string; members?: number; me?: string; name?: string }) => {
      const g = window.peerchatGroups?.groups().find((x) => x.id === a.gid);
      if (!g) return false;
      return (a.members === undefined || g.members.length === a.members) && (a.me === undefined || g.me.kind === a.me) && (a.name === undefined || g.name === a.name);
    },
    { gid: id, ...pred },
    timeoutMs,
  );
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

describe('group conversations', { timeout: 480_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let carol: BrowserUser;
  let dave: BrowserUser;
  let groupId = '';
  const frames: string[] = [];
  const logFile = path.join('/tmp', `peerchat-groups-log-${process.pid}.jsonl`);
  const secret = randomBytes(8).toString('hex');
  const groupName = `Plans ${secret}`;
  const photoName = `photo-${secret}.png`;
  const texts = { hello: `hello-${secret}`, reply: `reply-${secret}`, away1: `away1-${secret}`, away2: `away2-${secret}`, after: `after-removal-${secret}` };
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    const hooks: TestHooks = { tapFrame: (_dir, _conn, frame) => void frames.push(frame) };
    srv = await startTestServer({ testHooks: hooks, logger: createLogger('debug', pino.destination({ dest: logFile, sync: true })) });
    [alice, bob, carol, dave] = await Promise.all([
      launchBrowser('chromium', { name: 'alice' }),
      launchBrowser('chromium', { name: 'bob' }),
      launchBrowser('chromium', { name: 'carol' }),
      launchBrowser('firefox', { name: 'dave' }),
    ]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob, carol, dave].filter((u): u is BrowserUser => !!u), 'groups');
    await closeAllBrowsers();
    await srv?.dispose().catch(() => undefined);
  });

  step('alice creates a group; it appears on every member’s device with its name and members', async () => {
    for (const [u, name] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol'], [dave, 'dave']] as const) await register(u, srv.url, name);
    // alice is a contact of each (they opened a conversation with her): a stranger's invitation
    // does not get a connection to their devices. Bob, carol and dave are not each other's
    // contacts: the group lets them connect.
    for (const u of [bob, carol, dave]) await openConversation(u, 'alice');
    groupId = (await act(alice, 'create', [groupName, ['bob', 'carol', 'dave']])) as string;
    assert.match(groupId, /^[0-9a-f]{32}$/);
    for (const u of [alice, bob, carol, dave]) await waitForGroup(u, groupId, { members: 4, me: 'member', name: groupName });
  });

  step('chat: every member gets each message, and alice’s shows delivered to 3 of 3', async () => {
    await act(alice, 'sendText', [groupId, texts.hello]);
    for (const u of [bob, carol, dave]) await waitForGroupText(u, groupId, texts.hello);
    await act(bob, 'sendText', [groupId, texts.reply]);
    for (const u of [alice, carol, dave]) await waitForGroupText(u, groupId, texts.reply);
    await alice.waitFor(
      async (a: { gid: string; text: string }) => {
        const rows = (await window.peerchatGroups?.history(`group:${a.gid}`)) ?? [];
        return rows.find((m) => m.text === a.text)?.deliveredTo?.length === 3;
      },
      { gid: groupId, text: texts.hello },
      30_000,
    );
    const seen = await groupLines(carol, groupId);
    assert.deepEqual(seen.map((l) => [l.from, l.text]), [['alice', texts.hello], ['bob', texts.reply]], 'in order, once each, with their authors');
  });

  step('an image to the group reaches every member', async () => {
    await alice.evaluate(async (a: { gid: string; name: string }) => {
      const canvas = document.createElement('canvas');
      canvas.width = 40;
      canvas.height = 30;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#c33';
      ctx.fillRect(0, 0, 40, 30);
      const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/png'));
      await window.peerchatGroups!.actions.sendFiles(a.gid, [new File([blob], a.name, { type: 'image/png' })]);
    }, { gid: groupId, name: photoName });
    for (const u of [bob, carol, dave]) {
      await u.clickWhere([{ role: 'list', name: 'Groups' }, { role: 'button', name: pattern(new RegExp(`^${groupName}, group`)) }]);
      await waitForCard(u, photoName, (c) => !c.outgoing && c.state === 'done' && c.imageWidth === 40, 30_000, 'the group image, shown in the group');
    }
  });

  step('carol is away while alice writes; alice leaves; carol gets alice’s messages from bob', async () => {
    // dave is away too, so bob is the only member who can hand them on.
    await dave.goto('about:blank');
    await carol.goto('about:blank');
    await act(alice, 'sendText', [groupId, texts.away1]);
    await act(alice, 'sendText', [groupId, texts.away2]);
    for (const t of [texts.away1, texts.away2]) await waitForGroupText(bob, groupId, t);
    // Bob becomes an admin before alice goes (the removal below is his).
    await act(alice, 'makeAdmin', [groupId, 'bob']);
    await bob.waitFor((gid: string) => window.peerchatGroups?.groups().find((g) => g.id === gid)?.me.kind === 'member' && window.peerchatGroups.groups().find((g) => g.id === gid)!.members.find((m) => m.key === 'bob')?.admin === true, groupId, 30_000);
    await alice.goto('about:blank');
    await carol.goto(srv.url);
    await carol.waitForText(/Signed in as\s+carol/, 15_000);
    for (const t of [texts.away1, texts.away2]) await waitForGroupText(carol, groupId, t, 45_000);
    const seen = await groupLines(carol, groupId);
    assert.equal(seen.filter((l) => l.text === texts.away1).length, 1, 'shown once');
    assert.deepEqual(seen.filter((l) => l.text.startsWith('away')).map((l) => l.from), ['alice', 'alice'], 'as alice’s');
    await dave.goto(srv.url);
    await dave.waitForText(/Signed in as\s+dave/, 15_000);
    for (const t of [texts.away1, texts.away2]) await waitForGroupText(dave, groupId, t, 45_000);
  });

  step('bob removes dave: dave’s app says so, and nothing written after reaches him', async () => {
    await act(bob, 'removeMember', [groupId, 'dave']);
    await waitForGroup(dave, groupId, { me: 'removed' });
    await waitForGroup(carol, groupId, { members: 3 });
    await act(bob, 'sendText', [groupId, texts.after]);
    await waitForGroupText(carol, groupId, texts.after);
    // A 1:1 message bob writes to dave afterwards goes over the same link: once it is there, a
    // group message sent before it would have been too.
    const marker = `marker-${secret}`;
    await openConversation(bob, 'dave');
    await send(bob, marker);
    await dave.waitFor(async (m: string) => ((await window.peerchatGroups?.history('bob')) ?? []).some((x) => x.text === m), marker, 30_000);
    const daves = await groupLines(dave, groupId);
    assert.equal(daves.some((l) => l.text === texts.after), false, 'dave got nothing after his removal');
    assert.ok(daves.some((l) => l.text === texts.hello), 'his old history stays');
    const err = await dave.evaluate(async (gid: string) => {
      try {
        await window.peerchatGroups!.actions.sendText(gid, 'still here?');
        return null;
      } catch (e) {
        return (e as { code?: string }).code ?? String(e);
      }
    }, groupId);
    assert.equal(err, 'GROUP_NOT_MEMBER');
  });

  step('privacy canary: no group name or message text on the server’s disk, logs or relayed frames', async () => {
    assert.ok(frames.some((f) => f.includes('"type":"signal"')), 'signalling was captured');
    const needles = [groupName, photoName, ...Object.values(texts)];
    for (const n of needles) assert.deepEqual(frames.filter((f) => f.includes(n)), [], `"${n}" in no frame`);
    const files = filesUnder(srv.dataDir);
    assert.ok(files.some((f) => f.file.endsWith('.sqlite')), 'the database is there');
    const log = readFileSync(logFile);
    assert.ok(log.length > 0, 'the server logged something');
    for (const n of needles) {
      for (const f of files) assert.equal(f.bytes.includes(Buffer.from(n)), false, `"${n}" not in ${f.file}`);
      assert.equal(log.includes(Buffer.from(n)), false, `"${n}" not in the logs`);
    }
  });
});
