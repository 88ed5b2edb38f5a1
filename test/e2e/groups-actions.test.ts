// Reply, reactions, edit and recall ("delete for everyone") in a group, with three Chromium
// processes (alice, bob, carol) against the real server over real WebRTC:
// - alice replies to bob's message: the quote shows on every member;
// - carol reacts: one reaction, counted on every member;
// - bob edits his message: the new text, marked edited, on every member;
// - carol is away while alice recalls her message; alice goes offline; carol comes back and
//   gets the recall from bob: the message shows deleted and its text is nowhere in carol's
//   IndexedDB (every store read in the page), nor in bob's; a message alice wrote and recalled
//   while carol was away never reaches her (the recall stands in for it).
//
// Groups are driven through the e2e-build-only `window.peerchatGroups`
// (web/src/groups/group-test-hook.ts), as test/e2e/groups.test.ts does.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/groups-actions.test.ts

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, startTestServer, stepTracker, type TestServer } from './app-helpers';
import { pattern } from './page-queries';
import { auditScreen } from './a11y-audit';

interface Line {
  id: string;
  text: string;
  from: string;
  reply?: { id: string; author: string; excerpt: string };
  editedAt?: number;
  recalledAt?: number;
  reactions?: Record<string, { emoji: string }>;
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

function lines(user: BrowserUser, gid: string): Promise<Line[]> {
  return user.evaluate(async (id: string) => ((await window.peerchatGroups?.history(`group:${id}`)) ?? []) as unknown as Line[], gid);
}

interface LineSpec {
  text?: string;
  edited?: boolean;
  recalled?: boolean;
  /** The only reaction, as reactor and emoji. */
  reaction?: [string, string];
}

/** Waits until a line of the group matches `spec`. */
async function waitForLine(user: BrowserUser, gid: string, id: string, spec: LineSpec, timeoutMs = 30_000): Promise<void> {
  await user.waitFor(
    async (a: { gid: string; id: string; spec: LineSpec }) => {
      const rows = (await window.peerchatGroups?.history(`group:${a.gid}`)) ?? [];
      const m = rows.find((x) => x.id === a.id) as unknown as Line | undefined;
      if (!m) return false;
      const s = a.spec;
      const reactions = Object.entries(m.reactions ?? {});
      return (
        (s.text === undefined || m.text === s.text) &&
        (s.edited === undefined || (m.editedAt !== undefined) === s.edited) &&
        (s.recalled === undefined || (m.recalledAt !== undefined) === s.recalled) &&
        (s.reaction === undefined || (reactions.length === 1 && reactions[0]![0] === s.reaction[0] && reactions[0]![1].emoji === s.reaction[1]))
      );
    },
    { gid, id, spec },
    timeoutMs,
  );
}

async function waitForText(user: BrowserUser, gid: string, text: string, timeoutMs = 30_000): Promise<string> {
  await user.waitFor(
    async (a: { gid: string; text: string }) => ((await window.peerchatGroups?.history(`group:${a.gid}`)) ?? []).some((m) => m.text === a.text),
    { gid, text },
    timeoutMs,
  );
  return (await lines(user, gid)).find((l) => l.text === text)!.id;
}

/** Every record of every store of the account's history database, as JSON text. */
function wholeDb(user: BrowserUser, account: string): Promise<string> {
  return user.evaluate(async (name: string) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(`peerchat-${name}`);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const parts: string[] = [];
    for (const store of Array.from(db.objectStoreNames)) {
      const rows = await new Promise<unknown[]>((resolve, reject) => {
        const r = db.transaction(store, 'readonly').objectStore(store).getAll();
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      parts.push(JSON.stringify(rows));
    }
    db.close();
    return parts.join('\n');
  }, account);
}

describe('group message actions', { timeout: 180_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let carol: BrowserUser;
  let gid = '';
  let bobsId = '';
  const secret = randomBytes(6).toString('hex');
  const t = { question: `lunch at noon ${secret}?`, fixed: `lunch at one ${secret}?`, answer: `yes ${secret}`, regret: `my pin is ${secret}`, never: `wrong group ${secret}` };
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    srv = await startTestServer();
    [alice, bob, carol] = await Promise.all([launchBrowser('chromium', { name: 'alice' }), launchBrowser('chromium', { name: 'bob' }), launchBrowser('chromium', { name: 'carol' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob, carol].filter((u): u is BrowserUser => !!u), 'groups-actions');
    await closeAllBrowsers();
    await srv?.dispose().catch(() => undefined);
  });

  step('alice replies to bob’s message: the quote shows on every member', async () => {
    for (const [u, name] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol']] as const) await register(u, srv.url, name);
    for (const u of [bob, carol]) await openConversation(u, 'alice');
    gid = (await act(alice, 'create', [`Lunch ${secret}`, ['bob', 'carol']])) as string;
    for (const u of [alice, bob, carol]) {
      await u.waitFor((id: string) => window.peerchatGroups?.groups().find((g) => g.id === id)?.members.length === 3, gid, 30_000);
    }
    await act(bob, 'sendText', [gid, t.question]);
    for (const u of [alice, carol]) bobsId = await waitForText(u, gid, t.question);
    await act(alice, 'sendText', [gid, t.answer, bobsId]);
    for (const u of [alice, bob, carol]) {
      const id = await waitForText(u, gid, t.answer);
      const line = (await lines(u, gid)).find((l) => l.id === id)!;
      assert.deepEqual(line.reply, { id: bobsId, author: 'bob', excerpt: t.question }, 'quoted from the member’s own copy');
    }
  });

  step('carol reacts: counted once on every member', async () => {
    await act(carol, 'react', [gid, bobsId, '👍']);
    await act(carol, 'react', [gid, bobsId, '❤️']);
    for (const u of [alice, bob, carol]) await waitForLine(u, gid, bobsId, { reaction: ['carol', '❤️'] });
  });

  step('bob edits his message: new text, marked edited, on every member; alice cannot edit it', async () => {
    await act(bob, 'edit', [gid, bobsId, t.fixed]);
    for (const u of [alice, bob, carol]) await waitForLine(u, gid, bobsId, { text: t.fixed, edited: true });
    const err = await alice.evaluate(async (a: { gid: string; id: string }) => {
      try {
        await window.peerchatGroups!.actions.edit(a.gid, a.id, 'hijacked');
        return null;
      } catch (e) {
        return (e as { code?: string }).code ?? String(e);
      }
    }, { gid, id: bobsId });
    assert.ok(err, 'refused on alice’s side');
  });

  step('alice recalls while carol is away; carol gets the recall from bob: deleted, and gone from her database', async () => {
    await act(alice, 'sendText', [gid, t.regret]);
    const regretId = await waitForText(carol, gid, t.regret);
    await waitForText(bob, gid, t.regret);
    await carol.goto('about:blank');
    await act(alice, 'recall', [gid, regretId]);
    await waitForLine(bob, gid, regretId, { recalled: true, text: '' });
    // Written and recalled while carol is away: she must never get its text, from anyone.
    await act(alice, 'sendText', [gid, t.never]);
    const neverId = await waitForText(alice, gid, t.never);
    await waitForText(bob, gid, t.never);
    await act(alice, 'recall', [gid, neverId]);
    await waitForLine(bob, gid, neverId, { recalled: true, text: '' });
    await alice.goto('about:blank');
    await carol.goto(srv.url);
    await carol.waitForText(/Signed in as\s+carol/, 15_000);
    await waitForLine(carol, gid, regretId, { recalled: true, text: '' }, 45_000);
    assert.equal((await wholeDb(carol, 'carol')).includes(`pin is ${secret}`), false, 'the recalled text is in no store of carol’s database');
    assert.equal((await wholeDb(bob, 'bob')).includes(`pin is ${secret}`), false, 'nor in bob’s');
    assert.equal((await wholeDb(carol, 'carol')).includes(t.never), false, 'a message recalled before carol got it never reaches her');
    assert.equal((await wholeDb(bob, 'bob')).includes(t.never), false);
    const shown = await lines(carol, gid);
    assert.equal(shown.filter((l) => l.id === regretId).length, 1, 'one line, shown as deleted');
  });

  step('carol’s group conversation shows the quote, the reactions, the edit and the deletion; axe finds nothing serious', async () => {
    await carol.clickWhere([{ role: 'list', name: 'Groups' }, { role: 'button', name: pattern(new RegExp(`^Lunch ${secret}`)) }]);
    await carol.waitForText(t.answer, 15_000);
    // The message list's text, its nested components (quotes, chips) included.
    const text = await carol.evaluate(() => {
      const deep = (root: ParentNode): string =>
        [...root.querySelectorAll('*')].map((el) => (el.tagName === 'PC-MESSAGE-LIST' ? (el.shadowRoot?.textContent ?? '') : el.shadowRoot ? deep(el.shadowRoot) : '')).join('');
      return deep(document);
    });
    for (const part of ['This message was deleted', 'edited', t.fixed, '❤️ 1']) assert.ok(text.includes(part), `shows ${part}`);
    assert.equal(text.includes(`pin is ${secret}`), false, 'the recalled text is not on screen');
    await auditScreen(carol, 'group conversation with reply, reactions, edit and recall');
  });
});
