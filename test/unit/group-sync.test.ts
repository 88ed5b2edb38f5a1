// Group order, late arrivals, catch-up planning between member devices, fan-out and delivery
// counts (shared/groups/group-order.ts, group-sync.ts, group-fanout.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import { applyGroupChange, createGroup, type GroupState } from '../../shared/groups/group-state';
import { compareGroupMessages, placeArrival, sortGroupMessages } from '../../shared/groups/group-order';
import { changesFor, departureMarks, heldByPeer, messagesFor, newMessages, summarizeGroup, type HeldMessage } from '../../shared/groups/group-sync';
import { groupDelivery, planGroupSend } from '../../shared/groups/group-fanout';
import { GROUP_ID, T0, change, memberOf, person } from './support/group-fixtures';

await ready();

const [alice, bob, carol, dave, erin] = [person(0), person(1), person(2), person(3), person(4)];

function group(): GroupState {
  return createGroup({ id: GROUP_ID, name: 'G', me: 'alice', accountKey: alice.key, others: [memberOf(bob), memberOf(carol), memberOf(dave)], ts: T0 }).state;
}

const id = (n: number) => n.toString(16).padStart(32, '0');

function held(at: readonly string[], device: string, n: number, ts = T0 + n): HeldMessage {
  return { id: id(ts * 100 + n), device, n, ts, at, bytes: 100 };
}

describe('group order and late arrivals', () => {
  test('author time, then id: the same order whatever order they came in', () => {
    const ms = [
      { ts: 5, id: id(2) },
      { ts: 3, id: id(9) },
      { ts: 5, id: id(1) },
      { ts: 1, id: id(7) },
    ];
    const a = sortGroupMessages(ms).map((m) => m.id);
    const b = sortGroupMessages([...ms].reverse()).map((m) => m.id);
    assert.deepEqual(a, b);
    assert.deepEqual(a, [id(7), id(9), id(1), id(2)]);
    assert.ok(compareGroupMessages({ ts: 5, id: id(1) }, { ts: 5, id: id(2) }) < 0);
  });

  test('a late message says where it goes and that it is new; a repeat is a duplicate', () => {
    const shown = sortGroupMessages([
      { ts: 10, id: id(1) },
      { ts: 20, id: id(2) },
      { ts: 30, id: id(3) },
    ]);
    assert.deepEqual(placeArrival(shown, { ts: 15, id: id(4) }), { duplicate: false, index: 1, after: id(1), before: id(2), late: true });
    assert.deepEqual(placeArrival(shown, { ts: 40, id: id(5) }), { duplicate: false, index: 3, after: id(3), before: null, late: false });
    assert.deepEqual(placeArrival(shown, { ts: 5, id: id(6) }), { duplicate: false, index: 0, after: null, before: id(1), late: true });
    assert.deepEqual(placeArrival(shown, { ts: 20, id: id(2) }), { duplicate: true });
  });
});

describe('group sync planning', () => {
  test('the summary is per device: contiguous mark and the extras above it', () => {
    const s = group();
    const sum = summarizeGroup(s, [
      { device: alice.deviceIds[0]!, n: 1 },
      { device: alice.deviceIds[0]!, n: 2 },
      { device: alice.deviceIds[0]!, n: 4 },
      { device: bob.deviceIds[0]!, n: 2 },
    ]);
    assert.deepEqual(sum.heads, s.heads);
    const byDevice = Object.fromEntries(sum.marks.map((m) => [m.device, m]));
    assert.deepEqual(byDevice[alice.deviceIds[0]!], { device: alice.deviceIds[0]!, upTo: 2, extra: [4] });
    assert.deepEqual(byDevice[bob.deviceIds[0]!], { device: bob.deviceIds[0]!, upTo: 0, extra: [2] });
  });

  test('only what the peer lacks, oldest first, each once; then nothing more', () => {
    const s = group();
    const dev = alice.deviceIds[0]!;
    const mine = [held(s.heads, dev, 3), held(s.heads, dev, 1), held(s.heads, dev, 2), held(s.heads, dev, 4)];
    const carolHas = summarizeGroup(s, [{ device: dev, n: 1 }, { device: dev, n: 3 }]);
    const plan = messagesFor(s, 'carol', carolHas, mine);
    assert.deepEqual(plan.send.map((m) => m.n), [2, 4]);
    assert.equal(plan.more, false);
    const after = summarizeGroup(s, [1, 2, 3, 4].map((n) => ({ device: dev, n })));
    assert.deepEqual(messagesFor(s, 'carol', after, mine).send, []);
    // A copy that arrives twice (from the author and from a relay) is stored and shown once.
    const incoming = [mine[1]!, mine[1]!, mine[2]!];
    assert.deepEqual(newMessages(new Set([mine[2]!.id]), incoming).map((m) => m.n), [1]);
  });

  test('a bounded batch with `more` when more is owed', () => {
    const s = group();
    const dev = bob.deviceIds[1]!;
    const mine = Array.from({ length: 10 }, (_, i) => held(s.heads, dev, i + 1));
    const plan = messagesFor(s, 'carol', summarizeGroup(s, []), mine, { maxMessages: 4, maxBytes: 1e6 });
    assert.deepEqual(plan.send.map((m) => m.n), [1, 2, 3, 4]);
    assert.equal(plan.more, true);
  });

  test('nothing to a member removed before the message; a joiner gets history from their join', () => {
    let s = group();
    const before = held(s.heads, alice.deviceIds[0]!, 1);
    s = applyGroupChange(s, change(s, alice, { type: 'remove', account: 'dave', last: [] })).state;
    s = applyGroupChange(s, change(s, alice, { type: 'add', member: memberOf(erin) })).state;
    const afterBoth = held(s.heads, alice.deviceIds[0]!, 2);
    const empty = summarizeGroup(s, []);
    assert.deepEqual(messagesFor(s, 'dave', empty, [before, afterBoth]).send, []);
    assert.deepEqual(messagesFor(s, 'erin', empty, [before, afterBoth]).send.map((m) => m.n), [2]);
    assert.deepEqual(messagesFor(s, 'carol', empty, [before, afterBoth]).send.map((m) => m.n), [1, 2]);
  });

  test('changes: a member gets what it lacks; a removed member only up to its removal', () => {
    let s = group();
    const start = s.heads;
    s = applyGroupChange(s, change(s, alice, { type: 'rename', name: 'One' })).state;
    const removal = change(s, alice, { type: 'remove', account: 'dave', last: [] });
    s = applyGroupChange(s, removal).state;
    s = applyGroupChange(s, change(s, alice, { type: 'rename', name: 'Two' })).state;
    const toCarol = changesFor(s, 'carol', start);
    assert.equal(toCarol.send.length, 3);
    assert.equal(toCarol.ask, false);
    const toDave = changesFor(s, 'dave', start);
    assert.deepEqual(toDave.send.map((x) => x.change), [s.changes.get(s.order[1]!.id)!.signed.change, removal.change]);
    assert.deepEqual(changesFor(s, 'erin', start).send, []);
    assert.equal(changesFor(s, 'carol', ['f'.repeat(32)]).ask, true);
  });

  test('a peer\u2019s summary tells which of my messages it holds (receipts learned on sync)', () => {
    const s = group();
    const dev = alice.deviceIds[0]!;
    const mine = [held(s.heads, dev, 1), held(s.heads, dev, 2), held(s.heads, dev, 3)];
    assert.deepEqual(heldByPeer(summarizeGroup(s, [{ device: dev, n: 1 }, { device: dev, n: 3 }]), mine), [mine[0]!.id, mine[2]!.id]);
  });
});

describe('departure marks', () => {
  test('per device of the departing account, the highest number held', () => {
    const [d0, d1] = dave.deviceIds;
    const marks = departureMarks(
      [
        { author: 'dave', device: d0!, n: 3 },
        { author: 'dave', device: d0!, n: 5 },
        { author: 'dave', device: d1!, n: 1 },
        { author: 'carol', device: carol.deviceIds[0]!, n: 9 },
      ],
      'dave',
    );
    assert.deepEqual(marks, [{ device: d0!, n: 5 }, { device: d1!, n: 1 }].sort((a, b) => (a.device < b.device ? -1 : 1)));
  });
});

describe('group fan-out and delivery', () => {
  test('every device of every member but me, a mirror to my other device, never my sending device', () => {
    let s = group();
    s = applyGroupChange(s, change(s, alice, { type: 'remove', account: 'dave', last: [] })).state;
    const devicesOf = (a: string) => [alice, bob, carol, dave].find((p) => p.account === a)!.deviceIds;
    const plan = planGroupSend({ state: s, me: 'alice', myDevice: alice.deviceIds[0]!, myDevices: alice.deviceIds, at: s.heads, devicesOf });
    const keys = plan.map((t) => `${t.conv}/${t.device === null ? '' : devicesOf(t.conv).indexOf(t.device)}/${t.role}`).sort();
    assert.deepEqual(keys, ['alice/1/mirror', 'bob/0/recipient', 'bob/1/recipient', 'carol/0/recipient', 'carol/1/recipient']);
  });

  test('delivered to k of n: a member counts once any of its devices stored it', () => {
    const s = group();
    const none = groupDelivery(s, 'alice', s.heads, []);
    assert.deepEqual([none.delivered, none.total], [0, 3]);
    const d = groupDelivery(s, 'alice', s.heads, [
      { account: 'bob', device: bob.deviceIds[0]! },
      { account: 'bob', device: bob.deviceIds[1]! },
      { account: 'carol', device: carol.deviceIds[1]! },
      { account: 'alice', device: alice.deviceIds[1]! },
    ]);
    assert.deepEqual([d.delivered, d.total], [2, 3]);
    assert.deepEqual(
      d.members.map((m) => [m.account, m.delivered, m.devices.length]),
      [['bob', true, 2], ['carol', true, 1], ['dave', false, 0]],
    );
  });
});
