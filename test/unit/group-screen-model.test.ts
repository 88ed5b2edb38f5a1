import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupDelivery, groupRows, lateArrivals, startsRun, withLines, type ChangeLineView } from '../../web/src/groups/group-screen-model';
import type { StoredConversation, StoredMessage } from '../../web/src/db/schema';
import type { GroupView } from '../../web/src/groups/groups-contract';

function msg(id: string, ts: number, from = 'bob', extra: Partial<StoredMessage> = {}): StoredMessage {
  return { id, conv: 'group:g', from, outgoing: false, text: id, ts, state: 'received', ...extra };
}

function group(id: string, name: string, members: string[], me: GroupView['me'] = { kind: 'member', admin: false }): GroupView {
  return { id, conv: `group:${id}`, name, members: members.map((m, i) => ({ username: m, key: m.toLowerCase(), admin: i === 0 })), me };
}

const day = (m: StoredMessage) => String(Math.floor(m.ts / 86_400_000));

test('groupRows: most recent activity first, counters from the conversation, former groups marked', () => {
  const groups = new Map([
    ['a', group('a', 'Alpha', ['alice', 'bob'])],
    ['b', group('b', 'Beta', ['alice', 'bob', 'carol'], { kind: 'removed', by: 'bob' })],
    ['c', group('c', 'Gamma', ['alice'])],
  ]);
  const convs: StoredConversation[] = [
    { conv: 'group:a', peerName: 'Alpha', lastText: 'old', lastTs: 100, unread: 0 },
    { conv: 'group:b', peerName: 'Beta', lastText: 'new', lastTs: 200, unread: 2 },
    { conv: 'bob', peerName: 'bob', lastText: 'hi', lastTs: 300, unread: 1 },
  ];
  const rows = groupRows(groups, convs);
  assert.deepEqual(
    rows.map((r) => [r.name, r.memberCount, r.unread, r.lastText, r.former]),
    [
      ['Beta', 3, 2, 'new', true],
      ['Alpha', 2, 0, 'old', false],
      ['Gamma', 1, 0, '', false],
    ],
  );
});

test('startsRun: the author shows when the author, the direction or the day changes, and after a line', () => {
  const list = [
    msg('1', 1000, 'bob'),
    msg('2', 2000, 'bob'),
    msg('3', 3000, 'carol'),
    msg('4', 4000, 'carol', { kind: 'device-added' }),
    msg('5', 5000, 'carol'),
    msg('6', 6000, 'alice', { outgoing: true }),
    msg('7', 86_400_000 + 7000, 'alice', { outgoing: true }),
  ];
  assert.deepEqual(
    list.map((_, i) => startsRun(list.map((m) => ({ msg: m })), i, day)),
    [true, false, true, true, true, true, true],
  );
});

test('withLines: change lines among the messages by time; lines above unloaded history wait', () => {
  const line = (id: string, ts: number): ChangeLineView => ({ id, ts, by: 'alice', kind: 'added', who: 'carol' });
  const list = [msg('a', 10), msg('b', 20), msg('c', 30)];
  const lines = [line('l0', 5), line('l2', 20), line('l1', 25), line('l3', 40)];
  const keys = (hasOlder: boolean) => withLines(list, lines, hasOlder).map((e) => e.msg?.id ?? e.line?.id);
  assert.deepEqual(keys(false), ['l0', 'a', 'l2', 'b', 'l1', 'c', 'l3']);
  assert.deepEqual(keys(true), ['a', 'l2', 'b', 'l1', 'c', 'l3']);
  // A line between two messages by the same author starts a new run after it.
  const entries = withLines([msg('x', 10), msg('y', 30)], [line('l', 20)], false);
  assert.deepEqual(entries.map((_, i) => startsRun(entries, i, day)), [true, false, true]);
});

test('lateArrivals: a message placed among those already shown is new; appended or older pages are not', () => {
  const shown = [msg('a', 10), msg('b', 20), msg('c', 30)];
  // Appended at the end: not late.
  assert.deepEqual(lateArrivals(shown, [...shown, msg('d', 40)]), []);
  // An older page prepended: not late.
  assert.deepEqual(lateArrivals(shown, [msg('x', 1), msg('y', 2), ...shown]), []);
  // Arrived after c was shown but belongs between a and b: late.
  assert.deepEqual(lateArrivals(shown, [shown[0]!, msg('late', 15), shown[1]!, shown[2]!]), ['late']);
  // My own message and a group line are never marked.
  assert.deepEqual(lateArrivals(shown, [shown[0]!, msg('mine', 15, 'alice', { outgoing: true }), msg('line', 16, 'bob', { kind: 'device-added' }), shown[1]!, shown[2]!]), []);
  // Nothing shown before (the first page): nothing is late.
  assert.deepEqual(lateArrivals([], shown), []);
});

test('groupDelivery: members other than me, split by who stored it; former members not counted', () => {
  const g = group('g', 'G', ['alice', 'Bob', 'carol', 'dave']);
  const m = msg('m', 1, 'alice', { outgoing: true, state: 'delivered', deliveredTo: ['bob', 'dave', 'eve'] });
  const d = groupDelivery(m, g.members, 'alice');
  assert.deepEqual(d.delivered.map((x) => x.username), ['Bob', 'dave']);
  assert.deepEqual(d.waiting.map((x) => x.username), ['carol']);
  const none = groupDelivery(msg('n', 1, 'alice', { outgoing: true, state: 'sent' }), g.members, 'alice');
  assert.equal(none.delivered.length, 0);
  assert.equal(none.waiting.length, 3);
});
