// Group state (shared/groups/group-state.ts, group-fold.ts): transitions, the admin rule,
// replays, removed members, and convergence of concurrent changes whatever the arrival order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import { signGroupChange, type GroupOp } from '../../shared/groups/group-change';
import {
  applyGroupChange,
  applyGroupChanges,
  createGroup,
  exportGroupLog,
  groupFromGenesis,
  groupFromLog,
  isGroupAdmin,
  isGroupMember,
  type GroupState,
} from '../../shared/groups/group-state';
import { changeLines, selfStatus } from '../../shared/groups/group-position';
import { GROUP_ID, T0, change, memberOf, person } from './support/group-fixtures';

await ready();

const [alice, bob, carol, dave] = [person(0), person(1), person(2), person(3)];

/** alice's group with bob and carol. */
function base(): GroupState {
  return createGroup({ id: GROUP_ID, name: 'Climbing', me: 'alice', accountKey: alice.key, others: [memberOf(bob), memberOf(carol)], ts: T0 }).state;
}

function ok(r: ReturnType<typeof applyGroupChange>): GroupState {
  assert.equal(r.ok, true, r.ok ? '' : r.code);
  return r.state;
}

const accounts = (s: GroupState) => s.view.members.map((m) => m.account);

describe('group state: transitions', () => {
  test('create: name, members in order, the creator is the only admin', () => {
    const s = base();
    assert.equal(s.view.name, 'Climbing');
    assert.deepEqual(accounts(s), ['alice', 'bob', 'carol']);
    assert.deepEqual(s.view.admins, ['alice']);
    assert.equal(s.version, 1);
  });

  test('add, promote, rename, remove, leave by the right people', () => {
    let s = base();
    s = ok(applyGroupChange(s, change(s, alice, { type: 'add', member: memberOf(dave) })));
    assert.deepEqual(accounts(s), ['alice', 'bob', 'carol', 'dave']);
    s = ok(applyGroupChange(s, change(s, alice, { type: 'promote', account: 'bob' })));
    assert.deepEqual(s.view.admins, ['alice', 'bob']);
    s = ok(applyGroupChange(s, change(s, bob, { type: 'rename', name: 'Bouldering' })));
    assert.equal(s.view.name, 'Bouldering');
    s = ok(applyGroupChange(s, change(s, bob, { type: 'remove', account: 'dave', last: [] })));
    assert.deepEqual(accounts(s), ['alice', 'bob', 'carol']);
    assert.deepEqual(selfStatus(s, 'dave'), { status: 'removed', by: 'bob', change: s.heads[0] });
    s = ok(applyGroupChange(s, change(s, carol, { type: 'leave', last: [] })));
    assert.deepEqual(accounts(s), ['alice', 'bob']);
    assert.equal(selfStatus(s, 'carol').status, 'left');
    assert.deepEqual(
      changeLines(s).map((l) => `${l.author} ${l.op.type}`),
      ['alice create', 'alice add', 'alice promote', 'bob rename', 'bob remove', 'carol leave'],
    );
  });

  test('a non-admin may not add, remove, promote or rename', () => {
    const s = base();
    const ops: GroupOp[] = [
      { type: 'add', member: memberOf(dave) },
      { type: 'remove', account: 'carol', last: [] },
      { type: 'promote', account: 'bob' },
      { type: 'rename', name: 'Mine' },
    ];
    for (const op of ops) {
      const r = applyGroupChange(s, change(s, bob, op));
      assert.equal(r.ok, false);
      assert.equal(r.ok ? '' : r.code, 'GROUP_CHANGE_NOT_ADMIN', op.type);
      assert.deepEqual(r.state.view, s.view);
    }
  });

  test('leave is for anyone, for themself; the last admin leaving hands admin to the earliest member', () => {
    let s = base();
    s = ok(applyGroupChange(s, change(s, alice, { type: 'leave', last: [] })));
    assert.deepEqual(accounts(s), ['bob', 'carol']);
    assert.deepEqual(s.view.admins, ['bob']);
    assert.equal(isGroupMember(s, 'alice'), false);
  });

  test('changes with nothing to do are refused and change nothing', () => {
    const s = base();
    const cases: [GroupOp, string][] = [
      [{ type: 'remove', account: 'alice', last: [] }, 'GROUP_CHANGE_NO_EFFECT'],
      [{ type: 'remove', account: 'dave', last: [] }, 'GROUP_CHANGE_NO_EFFECT'],
      [{ type: 'promote', account: 'dave' }, 'GROUP_CHANGE_NO_EFFECT'],
      [{ type: 'promote', account: 'alice' }, 'GROUP_CHANGE_NO_EFFECT'],
      [{ type: 'add', member: memberOf(bob) }, 'GROUP_CHANGE_NO_EFFECT'],
      [{ type: 'rename', name: 'Climbing' }, 'GROUP_CHANGE_NO_EFFECT'],
    ];
    for (const [op, expected] of cases) {
      const r = applyGroupChange(s, change(s, alice, op));
      assert.equal(r.ok ? 'ok' : r.code, expected, JSON.stringify(op));
      assert.deepEqual(r.state.view, s.view);
    }
  });

  test('a change signed by a key the group did not pin for its author is refused', () => {
    const s = base();
    const forged = signGroupChange({ group: GROUP_ID, parents: s.heads, author: 'alice', ts: T0, op: { type: 'rename', name: 'X' } }, bob.key);
    const r = applyGroupChange(s, forged);
    assert.equal(r.ok ? '' : r.code, 'GROUP_CHANGE_SIGNATURE');
  });

  test('a replayed change is refused as a duplicate and changes nothing', () => {
    let s = base();
    const add = change(s, alice, { type: 'add', member: memberOf(dave) });
    s = ok(applyGroupChange(s, add));
    const remove = change(s, alice, { type: 'remove', account: 'dave', last: [] });
    s = ok(applyGroupChange(s, remove));
    const r = applyGroupChange(s, add);
    assert.equal(r.ok ? '' : r.code, 'GROUP_CHANGE_DUPLICATE');
    assert.equal(r.state, s);
    assert.equal(isGroupMember(r.state, 'dave'), false);
  });

  test('a change for another group, a second create or a malformed one is refused', () => {
    const s = base();
    const other = createGroup({ id: 'f'.repeat(32), name: 'Other', me: 'alice', accountKey: alice.key, others: [], ts: T0 });
    assert.equal((applyGroupChange(s, change(other.state, alice, { type: 'rename', name: 'Y' })) as { code: string }).code, 'GROUP_CHANGE_WRONG_GROUP');
    assert.equal((applyGroupChange(s, other.signed) as { code: string }).code, 'GROUP_CHANGE_BAD');
    const good = change(s, alice, { type: 'rename', name: 'Z' });
    const respaced = { ...good, change: good.change.replace('"op":', '"op" :') };
    assert.equal((applyGroupChange(s, respaced) as { code: string }).code, 'GROUP_CHANGE_BAD');
    assert.equal((applyGroupChange(s, { change: good.change }) as { code: string }).code, 'GROUP_CHANGE_BAD');
  });

  test('a removed member\u2019s later changes are refused, even naming old parents', () => {
    let s = base();
    s = ok(applyGroupChange(s, change(s, alice, { type: 'promote', account: 'bob' })));
    const beforeRemoval = s;
    s = ok(applyGroupChange(s, change(s, alice, { type: 'remove', account: 'bob', last: [] })));
    // After the removal, on top of the current heads: not a member any more.
    const late = applyGroupChange(s, change(s, bob, { type: 'add', member: memberOf(dave) }));
    assert.equal(late.ok, false);
    assert.equal(isGroupMember(late.state, 'dave'), false);
    // Backdated onto the heads from before the removal: concurrent with it, so removal wins.
    const backdated = change(beforeRemoval, bob, { type: 'add', member: memberOf(dave) });
    const r = applyGroupChanges(s, [backdated]);
    assert.equal(isGroupMember(r.state, 'dave'), false);
    assert.notEqual(r.results[0]!.ok, true);
  });

  test('a change whose parents are missing is held back, then applies once they arrive', () => {
    let s = base();
    const a1 = change(s, alice, { type: 'add', member: memberOf(dave) });
    const s1 = ok(applyGroupChange(s, a1));
    const a2 = change(s1, alice, { type: 'rename', name: 'Later' });
    const r = applyGroupChange(s, a2);
    assert.equal(r.ok ? '' : r.code, 'GROUP_CHANGE_MISSING_PARENTS');
    assert.equal(r.ok ? 0 : r.missing?.length, 1);
    const batch = applyGroupChanges(s, [a2, a1]);
    s = batch.state;
    assert.equal(s.view.name, 'Later');
    assert.ok(isGroupMember(s, 'dave'));
    assert.deepEqual(batch.missing, []);
  });

  test('the log exported and read back gives the same state; a creation verifies with the creator\u2019s key only', () => {
    let s = base();
    s = ok(applyGroupChange(s, change(s, alice, { type: 'add', member: memberOf(dave) })));
    s = ok(applyGroupChange(s, change(s, alice, { type: 'rename', name: 'R' })));
    const again = groupFromLog([...exportGroupLog(s)].reverse())!;
    assert.deepEqual(again.view, s.view);
    const genesis = exportGroupLog(s)[0]!;
    assert.equal((groupFromGenesis({ ...genesis, sig: exportGroupLog(s)[1]!.sig }) as { code: string }).code, 'GROUP_CHANGE_SIGNATURE');
  });
});

/** Applies `changes` to `start` one by one in the given order (retrying held-back ones). */
function arrive(start: GroupState, changes: readonly unknown[]): GroupState {
  return applyGroupChanges(start, changes).state;
}

describe('group state: concurrent changes converge', () => {
  test('concurrent add and rename by two admins: same state in both orders', () => {
    let s = base();
    s = ok(applyGroupChange(s, change(s, alice, { type: 'promote', account: 'bob' })));
    const x = change(s, alice, { type: 'add', member: memberOf(dave) });
    const y = change(s, bob, { type: 'rename', name: 'Both' });
    const one = arrive(arrive(s, [x]), [y]);
    const two = arrive(arrive(s, [y]), [x]);
    assert.deepEqual(one.view, two.view);
    assert.deepEqual(one.heads, two.heads);
    assert.equal(one.view.name, 'Both');
    assert.ok(isGroupMember(one, 'dave'));
  });

  test('two admins removing each other at once: the senior one stays, in both orders', () => {
    let s = base();
    s = ok(applyGroupChange(s, change(s, alice, { type: 'promote', account: 'bob' })));
    const aRemovesB = change(s, alice, { type: 'remove', account: 'bob', last: [] });
    const bRemovesA = change(s, bob, { type: 'remove', account: 'alice', last: [] });
    const one = arrive(arrive(s, [aRemovesB]), [bRemovesA]);
    const two = arrive(arrive(s, [bRemovesA]), [aRemovesB]);
    assert.deepEqual(one.view, two.view);
    assert.deepEqual(accounts(one), ['alice', 'carol']);
    assert.deepEqual(one.view.admins, ['alice']);
  });

  test('a junior admin\u2019s change concurrent with their removal is revoked, in both orders', () => {
    let s = base();
    s = ok(applyGroupChange(s, change(s, alice, { type: 'promote', account: 'bob' })));
    // carol's (refused) rename comes between, so bob's add on the older heads is ready first in
    // the fold and applied; the removal that follows revokes it.
    const carolTries = change(s, carol, { type: 'rename', name: 'Carol' });
    const afterCarol = applyGroupChange(s, carolTries).state;
    const removeBob = change(afterCarol, alice, { type: 'remove', account: 'bob', last: [] });
    const bobAdds = change(s, bob, { type: 'add', member: memberOf(dave) });
    const one = arrive(s, [carolTries, removeBob, bobAdds]);
    const two = arrive(s, [bobAdds, carolTries, removeBob]);
    assert.deepEqual(one.view, two.view);
    assert.deepEqual(accounts(two), ['alice', 'carol']);
    for (const st of [one, two]) assert.ok(st.order.some((x) => x.code === 'GROUP_CHANGE_REVOKED'));
  });

  test('three concurrent changes in all six orders give one state', () => {
    let s = base();
    s = ok(applyGroupChange(s, change(s, alice, { type: 'promote', account: 'bob' })));
    s = ok(applyGroupChange(s, change(s, alice, { type: 'promote', account: 'carol' })));
    const c = [
      change(s, alice, { type: 'rename', name: 'A' }),
      change(s, bob, { type: 'rename', name: 'B' }),
      change(s, carol, { type: 'remove', account: 'bob', last: [] }),
    ];
    const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    const results = perms.map((p) => p.reduce((st, i) => arrive(st, [c[i]]), s));
    for (const r of results) assert.deepEqual(r.view, results[0]!.view);
    assert.equal(isGroupAdmin(results[0]!, 'bob'), false);
  });
});
