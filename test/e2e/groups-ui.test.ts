// The group screens by themselves, in one Chromium with a real server and the in-memory stand-in
// for the group service (test/e2e/group-fake.ts): what only the screens decide.
//  - admin-only controls (rename, add, make admin, remove) show for an admin and not for a member;
//  - dialogs by keyboard: focus goes in, Esc closes, focus comes back to what opened them;
//  - New group: an unknown username's error as a sentence; creating opens the group;
//  - a removed account's group has the "no longer in this group" bar instead of the composer,
//    also when the removal arrives while the group is open; leaving (confirmed) does the same;
//  - a message that arrives late is marked new; "Delivered to k of n" shows who has it.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/groups-ui.test.ts

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { register, startTestServer, stepTracker, type TestServer } from './app-helpers';
import { inPage, pattern } from './page-queries';
import { installFakeGroups } from './group-fake';
import { assertAccessible } from './a11y-audit';
import { FAMILY, HIKE, SETUP } from './group-fake-setup';

/** The accessible name (or tag) of the element that has focus, through shadow roots. */
function focusedName(u: BrowserUser): Promise<string> {
  return inPage(u, (q) => {
    const el = q.focused();
    return el ? q.nameOf(el) || el.tagName.toLowerCase() : '';
  });
}

/** The buttons of the open group info dialog, by name. */
function infoButtons(u: BrowserUser): Promise<string[]> {
  return inPage(u, (q) => q.queryAll([{ role: 'dialog' }, { role: 'button' }]).map((el) => q.nameOf(el)));
}

function hasRole(u: BrowserUser, role: string, name: string): Promise<boolean> {
  return inPage(u, (q, a) => q.queryOne([{ role: a.role, name: a.name }]) !== null, { role, name });
}

/** Waits for a list item of the conversation that reads exactly `text` (a change line). */
async function waitForLine(u: BrowserUser, text: string): Promise<void> {
  await u.waitFor((t: string) => {
    const walk = (root: Document | ShadowRoot): boolean =>
      [...root.querySelectorAll('*')].some((el) => (el.tagName === 'LI' && el.textContent?.trim() === t) || (el.shadowRoot ? walk(el.shadowRoot) : false));
    return walk(document);
  }, text, 5_000);
}

function openGroup(u: BrowserUser, name: string): Promise<void> {
  return u.clickWhere([{ role: 'list', name: 'Groups' }, { role: 'button', name: pattern(new RegExp(`^${name}, group`)) }]);
}

describe('group screens', () => {
  let srv: TestServer;
  let u: BrowserUser;
  const steps = stepTracker(test);
  const step = steps.step;

  before(async () => {
    srv = await startTestServer();
    u = await launchBrowser('chromium', { name: 'alice' });
    await register(u, srv.url, 'alice');
    await installFakeGroups(u, SETUP);
    await u.waitForRole('list', 'Groups', { timeoutMs: 10_000 });
  });

  after(async () => {
    if (steps.failed && u) await dumpDiagnostics([u], 'groups-ui');
    await closeAllBrowsers();
    await srv?.dispose();
  });

  step('the list: groups by last activity with member count and unread count (and axe-core finds nothing)', async () => {
    await assertAccessible(u, 'groups list');
    const rows = await inPage(u, (q) => q.queryAll([{ role: 'list', name: 'Groups' }, { role: 'button' }]).map((el) => q.nameOf(el)));
    assert.deepEqual(rows, [
      'Weekend hike, group, 5 members',
      'Family, group, 3 members, 3 unread',
      'Book club: the classics we keep meaning to read, one chapter a week, group, 2 members, you are no longer in it',
    ]);
  });

  step('New group by keyboard: focus in the name field, Esc closes, focus back on the button', async () => {
    await inPage(u, (q) => (q.queryOne([{ role: 'button', name: 'New group' }]) as HTMLElement).focus());
    await u.press('Enter');
    await u.waitForRole('dialog', 'New group');
    assert.equal(await focusedName(u), 'Group name');
    await u.press('Escape');
    await u.waitForRole('dialog', 'New group', { hidden: true });
    assert.equal(await focusedName(u), 'New group');
  });

  step('New group: an unknown username is a sentence; creating opens the group', async () => {
    await u.click('New group');
    await u.fill('Group name', 'Board games');
    await u.click('bob', { role: 'checkbox' });
    await u.fill('Add by exact username', 'nobody');
    await u.press('Enter');
    await u.click('Create group');
    await u.waitForText('There is no account with that username', 5_000);
    await assertAccessible(u, 'the New group dialog with an error');
    await u.click('nobody', { role: 'checkbox' });
    await u.click('Create group');
    await u.waitForRole('dialog', 'New group', { hidden: true });
    await u.waitForRole('heading', 'Board games', { timeoutMs: 5_000 });
    await u.waitForText('You created the group Board games', 5_000);
    assert.equal(await focusedName(u), 'Message');
  });

  step('a file dropped on the group goes to the group service (its refusal shows by the composer)', async () => {
    await u.evaluate(() => {
      const conv = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-group-conversation');
      const data = new DataTransfer();
      data.items.add(new File(['hello'], 'note.txt', { type: 'text/plain' }));
      conv?.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await u.waitForText('Could not send the file. Try again.', 5_000);
  });

  step('an admin sees rename, add, make admin and remove; Esc closes info and focus returns to Info', async () => {
    await openGroup(u, 'Weekend hike');
    await u.click('Group info: Weekend hike');
    await u.waitForRole('dialog', 'Weekend hike');
    const buttons = await infoButtons(u);
    for (const b of ['Rename', 'Add', 'Make admin: carol', 'Remove carol', 'Verify carol', 'Leave group']) assert.ok(buttons.includes(b), `${b} in ${buttons.join(' | ')}`);
    assert.ok(!buttons.includes('Make admin: bob'), 'bob is an admin already');
    await u.press('Escape');
    await u.waitForRole('dialog', 'Weekend hike', { hidden: true });
    assert.equal(await focusedName(u), 'Group info: Weekend hike');
  });

  step('the group conversation and its info dialog pass axe-core (WCAG 2 A/AA, light and dark)', async () => {
    if (u.raw.kind !== 'chromium') return;
    for (const scheme of ['light', 'dark'] as const) {
      await u.raw.page.emulateMedia({ colorScheme: scheme });
      await assertAccessible(u, `conversation, ${scheme}`);
      await u.click('Group info: Weekend hike');
      await u.waitForRole('dialog', 'Weekend hike');
      await assertAccessible(u, `info dialog, ${scheme}`);
      await u.press('Escape');
    }
    await u.raw.page.emulateMedia({ colorScheme: 'light' });
  });

  step('remove is confirmed: Cancel keeps carol, Remove removes her and says so in the conversation', async () => {
    await u.click('Group info: Weekend hike');
    await u.click('Remove carol');
    await u.waitForRole('dialog', 'Remove carol from Weekend hike?');
    assert.equal(await focusedName(u), 'Cancel');
    await u.press('Escape');
    await u.waitForRole('dialog', 'Remove carol from Weekend hike?', { hidden: true });
    assert.ok(await hasRole(u, 'dialog', 'Weekend hike'), 'Esc closes only the confirmation');
    assert.equal(await focusedName(u), 'Remove carol');
    await u.click('Remove carol');
    await u.clickWhere([{ role: 'dialog', name: 'Remove carol from Weekend hike?' }, { role: 'button', name: 'Remove' }]);
    await u.waitForText('You removed carol', 5_000);
    assert.ok(!(await infoButtons(u)).includes('Remove carol'));
    await u.press('Escape');
  });

  step('a member sees Verify and Leave only', async () => {
    await openGroup(u, 'Family');
    await u.click('Group info: Family');
    await u.waitForRole('dialog', 'Family');
    const buttons = await infoButtons(u);
    assert.deepEqual(buttons.filter((b) => /^(Rename|Add|Make|Remove)/.test(b)), []);
    assert.ok(buttons.includes('Verify dave') && buttons.includes('Leave group'), buttons.join(' | '));
    assert.equal(await hasRole(u, 'textbox', 'Group name'), false);
    await u.press('Escape');
  });

  step('removed while the group is open: the composer gives way to the bar; history stays', async () => {
    assert.ok(await hasRole(u, 'textbox', 'Message'));
    await u.evaluate((id: string) => (window as unknown as { __groupFake: { removeMe(id: string, by: string): void } }).__groupFake.removeMe(id, 'dave'), FAMILY);
    await u.waitForText('dave removed you.', 5_000);
    assert.equal(await hasRole(u, 'textbox', 'Message'), false);
    await u.waitForText('Dinner on Sunday at ours?', 1_000);
  });

  step('change lines read from this account: "bob removed you", "You removed carol"', async () => {
    await openGroup(u, 'Book club: the classics we keep meaning to read, one chapter a week');
    await waitForLine(u, 'bob removed you');
    await openGroup(u, 'Weekend hike');
    await waitForLine(u, 'bob added maximilian_vandersteen-longname');
    await waitForLine(u, 'You created the group Weekend hike');
  });

  step('leave is confirmed, then the bar says so', async () => {
    await openGroup(u, 'Weekend hike');
    await u.click('Group info: Weekend hike');
    await u.click('Leave group');
    await u.waitForRole('dialog', 'Leave Weekend hike?');
    await u.clickWhere([{ role: 'dialog', name: 'Leave Weekend hike?' }, { role: 'button', name: 'Leave' }]);
    await u.press('Escape');
    await u.waitForText('You left.', 5_000);
    assert.equal(await hasRole(u, 'textbox', 'Message'), false);
  });

  step('a late message is marked new; "Delivered to 1 of 3" lists who has it', async () => {
    await u.evaluate((id: string) => (window as unknown as { __groupFake: { arrive(id: string, f: string, t: string, a: number): Promise<void> } }).__groupFake.arrive(id, 'dave', 'Late but here', 150), HIKE);
    await u.waitForText('Late but here', 5_000);
    const late = await inPage(u, (q) => q.queryAll([{ role: 'listitem', text: 'Late but here' }]).map((el) => q.composedText(el)));
    assert.equal(late.length, 1);
    assert.match(late[0]!, /New/);
    const onTime = await inPage(u, (q) => q.queryAll([{ role: 'listitem', text: 'Me! I can bring the map' }]).map((el) => q.composedText(el)));
    assert.doesNotMatch(onTime[0]!, /New/);
    // bob and carol had it; carol was removed and alice left: bob of bob, dave and maximilian.
    await u.click('Delivered to 1 of 3');
    await u.waitForText(/Has it:\s*bob/, 2_000);
    await u.waitForText(/Not yet:\s*dave, maximilian_vandersteen-longname/, 2_000);
  });

  step('at 360 px a long group name, the info dialog and the bar fit the screen', async () => {
    if (u.raw.kind !== 'chromium') return;
    await u.raw.page.setViewportSize({ width: 360, height: 740 });
    await u.click('Back to conversations');
    await openGroup(u, 'Book club: the classics we keep meaning to read, one chapter a week');
    await u.waitForText('bob removed you.', 5_000);
    const widest = () =>
      u.evaluate(() => {
        const widths: number[] = [];
        const walk = (root: Document | ShadowRoot): void => {
          for (const el of root.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0) widths.push(Math.round(r.right));
            if (el.shadowRoot) walk(el.shadowRoot);
          }
        };
        walk(document);
        return Math.max(document.documentElement.scrollWidth, ...widths);
      });
    assert.ok((await widest()) <= 360, `something reaches ${await widest()} px`);
    await u.click('Group info: Book club: the classics we keep meaning to read, one chapter a week');
    assert.ok((await widest()) <= 360, `with the info dialog, something reaches ${await widest()} px`);
    await u.press('Escape');
  });
});
