// "Read" and "typing…" in groups (shared/groups/group-receipts.ts, the group-read and
// group-typing frames): who may send them, what a read changes (only my messages of that group,
// never backwards), and what a reader sends.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import { applyGroupChange, createGroup, type GroupState } from '../../shared/groups/group-state';
import { parseGroupFrame, type GroupReadFrame } from '../../shared/groups/group-frames';
import { groupReadFramesFor, groupReadUpdates, groupTypingKey, mayReportIn, typersOf, type ReadCandidate } from '../../shared/groups/group-receipts';
import { GROUP_ID, T0, change, memberOf, person } from './support/group-fixtures';

await ready();

const [alice, bob, carol] = [person(0), person(1), person(2)];
const OTHER_GROUP = 'fedcba9876543210fedcba9876543210';
const id = (n: number) => n.toString(16).padStart(32, '0');

/** alice's group with bob and carol (dave is not in it). */
function base(): GroupState {
  return createGroup({ id: GROUP_ID, name: 'Climbing', me: 'alice', accountKey: alice.key, others: [memberOf(bob), memberOf(carol)], ts: T0 }).state;
}

function without(state: GroupState, account: string): GroupState {
  const r = applyGroupChange(state, change(state, alice, { type: 'remove', account, last: [] }));
  assert.equal(r.ok, true);
  return r.ok ? r.state : state;
}

/** alice's messages 1..3 and bob's 4 in the group, one of alice's in another group. */
const lines: ReadCandidate[] = [
  { id: id(1), group: GROUP_ID, author: 'alice', ts: T0 + 1 },
  { id: id(2), group: GROUP_ID, author: 'alice', ts: T0 + 2, readBy: ['carol'] },
  { id: id(3), group: GROUP_ID, author: 'alice', ts: T0 + 3 },
  { id: id(4), group: GROUP_ID, author: 'bob', ts: T0 + 2 },
  { id: id(5), group: OTHER_GROUP, author: 'alice', ts: T0 + 1 },
];
const readUpTo = (n: number, ts: number, group = GROUP_ID): GroupReadFrame => ({ type: 'group-read', group, upTo: { id: id(n), ts } });

describe('group receipts: frames', () => {
  test('group-typing and group-read parse; extra fields, bad ids and a missing upTo do not', () => {
    assert.deepEqual(parseGroupFrame({ type: 'group-typing', group: GROUP_ID, on: true }), { type: 'group-typing', group: GROUP_ID, on: true });
    assert.deepEqual(parseGroupFrame(readUpTo(2, T0 + 2)), readUpTo(2, T0 + 2));
    assert.equal(parseGroupFrame({ type: 'group-typing', group: GROUP_ID, on: true, who: 'bob' }), null);
    assert.equal(parseGroupFrame({ type: 'group-typing', group: 'x', on: true }), null);
    assert.equal(parseGroupFrame({ type: 'group-read', group: GROUP_ID }), null);
    assert.equal(parseGroupFrame({ type: 'group-read', group: GROUP_ID, upTo: { id: 'nope', ts: 1 } }), null);
    assert.equal(parseGroupFrame({ type: 'group-read', group: GROUP_ID, upTo: { id: id(1), ts: -1 } }), null);
  });
});

describe('group receipts: who may send them', () => {
  test('a current member counts; a stranger, a removed member, myself or an unknown group do not', () => {
    const s = base();
    assert.equal(mayReportIn(s, 'alice', 'bob'), true);
    assert.equal(mayReportIn(s, 'alice', 'dave'), false);
    assert.equal(mayReportIn(s, 'alice', 'alice'), false);
    assert.equal(mayReportIn(undefined, 'alice', 'bob'), false);
    assert.equal(mayReportIn(without(s, 'bob'), 'alice', 'bob'), false);
  });

  test('typers: members shown typing in this group, in member order, never me nor another group', () => {
    const shown = new Set([groupTypingKey(GROUP_ID, 'carol'), groupTypingKey(GROUP_ID, 'bob'), groupTypingKey(OTHER_GROUP, 'dave'), groupTypingKey(GROUP_ID, 'alice')]);
    assert.deepEqual(typersOf(shown, GROUP_ID, ['alice', 'bob', 'carol'], 'alice'), ['bob', 'carol']);
    assert.deepEqual(typersOf(new Set(), GROUP_ID, ['alice', 'bob'], 'alice'), []);
  });
});

describe('group receipts: a read arrives', () => {
  test("bob's read marks my messages of the group up to upTo, not later ones, not bob's own", () => {
    const got = groupReadUpdates(lines, readUpTo(2, T0 + 2), { me: 'alice', from: 'bob', state: base() });
    assert.deepEqual(got, [
      { id: id(1), readBy: ['bob'] },
      { id: id(2), readBy: ['bob', 'carol'] },
    ]);
  });

  test('never backwards: an older read, or one already counted, changes nothing', () => {
    const read = lines.map((l) => (l.group === GROUP_ID && l.author === 'alice' ? { ...l, readBy: ['bob', 'carol'] } : l));
    assert.deepEqual(groupReadUpdates(read, readUpTo(1, T0 + 1), { me: 'alice', from: 'bob', state: base() }), []);
    assert.deepEqual(groupReadUpdates(read, readUpTo(3, T0 + 3), { me: 'alice', from: 'carol', state: base() }), []);
  });

  test('hostile: a stranger, a removed member, another group or a message not mine changes nothing', () => {
    const all = readUpTo(9, T0 + 9);
    assert.deepEqual(groupReadUpdates(lines, all, { me: 'alice', from: 'dave', state: base() }), []);
    assert.deepEqual(groupReadUpdates(lines, all, { me: 'alice', from: 'bob', state: without(base(), 'bob') }), []);
    // A frame naming another group, checked against this group's state, or a group not held here.
    assert.deepEqual(groupReadUpdates(lines, readUpTo(9, T0 + 9, OTHER_GROUP), { me: 'alice', from: 'bob', state: base() }), []);
    assert.deepEqual(groupReadUpdates(lines, readUpTo(9, T0 + 9, OTHER_GROUP), { me: 'alice', from: 'bob', state: undefined }), []);
    // bob's message and alice's message of another group are never marked here.
    const got = groupReadUpdates(lines, all, { me: 'alice', from: 'carol', state: base() });
    assert.equal(got.some((u) => u.id === id(4) || u.id === id(5)), false);
  });
});

describe('group receipts: what a reader sends', () => {
  const seen = [
    { id: id(1), ts: T0 + 1, author: 'alice' },
    { id: id(3), ts: T0 + 3, author: 'alice' },
    { id: id(4), ts: T0 + 2, author: 'bob' },
    { id: id(6), ts: T0 + 5, author: 'carol' },
  ];

  test("one frame per other author, for that author's newest message seen", () => {
    const got = groupReadFramesFor(base(), seen, 'carol', new Map());
    assert.deepEqual(got, [
      { author: 'alice', frame: readUpTo(3, T0 + 3) },
      { author: 'bob', frame: readUpTo(4, T0 + 2) },
    ]);
  });

  test('nothing again for what an earlier frame covered', () => {
    const sent = new Map([
      ['alice', { id: id(3), ts: T0 + 3 }],
      ['bob', { id: id(1), ts: T0 + 1 }],
    ]);
    assert.deepEqual(groupReadFramesFor(base(), seen, 'carol', sent), [{ author: 'bob', frame: readUpTo(4, T0 + 2) }]);
  });

  test('nothing to a removed member, and nothing at all once I am out', () => {
    assert.deepEqual(groupReadFramesFor(without(base(), 'bob'), seen, 'carol', new Map()), [{ author: 'alice', frame: readUpTo(3, T0 + 3) }]);
    assert.deepEqual(groupReadFramesFor(without(base(), 'carol'), seen, 'carol', new Map()), []);
  });
});
