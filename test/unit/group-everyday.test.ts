// Reply, reactions, edit and recall in a group (shared/groups/group-everyday.ts): control
// messages are signed group messages; the actor is their verified author, never a field.
// Hostile cases: bob edits or recalls alice's message, a relaying member alters the target, a
// recall past 24 hours, a removed member's recall, a reaction counted twice.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import { applyGroupChange, createGroup, type GroupState } from '../../shared/groups/group-state';
import {
  canonicalGroupMessage,
  parseGroupMessageText,
  signGroupMessage,
  verifyGroupMessage,
  verifyMemberDeviceList,
  type GroupBody,
  type GroupMessage,
  type SignedGroupMessage,
} from '../../shared/groups/group-message';
import { applyGroupControl, isGroupControl, pendingFor, recallStandIn, type GroupControlMessage } from '../../shared/groups/group-everyday';
import { parseGroupFrame, serializeGroupFrame } from '../../shared/groups/group-frames';
import { reactionSummary, scrubQuote, type EverydayRecord } from '../../shared/messaging/index';
import type { DeviceList } from '../../shared/devices/device-list';
import { GROUP_ID, T0, change, memberOf, person, type Person } from './support/group-fixtures';

await ready();

const [alice, bob, carol, dave] = [person(0), person(1), person(2), person(3)];
const people = [alice, bob, carol, dave];
const CONV = `group:${GROUP_ID}`;
const MIN = 60_000;

function group(): GroupState {
  return createGroup({ id: GROUP_ID, name: 'G', me: 'alice', accountKey: alice.key, others: [memberOf(bob), memberOf(carol), memberOf(dave)], ts: T0 }).state;
}

function listsFor(state: GroupState): (account: string) => DeviceList | null {
  return (account) => {
    const p = people.find((x) => x.account === account);
    const r = p ? verifyMemberDeviceList(state, account, p.list) : null;
    return r && r.ok ? r.list : null;
  };
}

let counter = 0;
const numbers = new Map<string, number>();
function msg(state: GroupState, p: Person, body: GroupBody, ts: number): GroupMessage {
  counter++;
  const device = p.deviceIds[0]!;
  const n = (numbers.get(device) ?? 0) + 1;
  numbers.set(device, n);
  return { group: state.id, id: (0xabc000 + counter).toString(16).padStart(32, '0'), author: p.account, device, n, ts, at: state.heads, body };
}

/** Signed by p's device, relayed by another member inside a batch, and verified here. */
function through(state: GroupState, p: Person, m: GroupMessage): GroupMessage {
  const signed = signGroupMessage(m, p.devices[0]!);
  const r = verifyGroupMessage(relay(signed), { state, deviceListOf: listsFor(state) });
  assert.ok(r.ok, r.ok ? '' : r.code);
  return r.msg;
}

function relay(signed: SignedGroupMessage): unknown {
  const frame = parseGroupFrame(serializeGroupFrame({ type: 'group-batch', group: GROUP_ID, msgs: [signed], lists: [], more: false }));
  assert.ok(frame && frame.type === 'group-batch');
  return frame.msgs[0];
}

function recordOf(m: GroupMessage, self: string): EverydayRecord {
  return { id: m.id, conv: CONV, outgoing: m.author === self, text: m.body.kind === 'text' ? m.body.text : 'file', ts: m.ts, author: m.author, ...(m.body.kind === 'text' && m.body.reply ? { reply: m.body.reply } : {}) };
}

function control(m: GroupMessage): GroupControlMessage {
  assert.ok(isGroupControl(m));
  return m;
}

const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? 'ok' : r.reason);

describe('group everyday: control messages are signed and canonical', () => {
  test('reply, react, edit and recall bodies round-trip canonically; a reordered body is refused', () => {
    const s = group();
    const bodies: GroupBody[] = [
      { kind: 'text', text: 'yes', reply: { id: 'a'.repeat(32), author: 'bob', excerpt: 'lunch?' } },
      { kind: 'react', target: 'a'.repeat(32), emoji: '👍', on: true },
      { kind: 'edit', target: 'a'.repeat(32), text: 'fixed' },
      { kind: 'recall', target: 'a'.repeat(32), device: alice.deviceIds[0]!, n: 1, sent: T0 },
    ];
    for (const body of bodies) {
      const text = canonicalGroupMessage(msg(s, alice, body, T0 + 1));
      assert.deepEqual(parseGroupMessageText(text)?.body, body);
    }
    const text = canonicalGroupMessage(msg(s, alice, bodies[1]!, T0 + 1));
    assert.equal(parseGroupMessageText(text.replace('"target":"' + 'a'.repeat(32) + '","emoji":"👍"', '"emoji":"👍","target":"' + 'a'.repeat(32) + '"')), null);
    assert.equal(parseGroupMessageText(text.replace('"👍"', '"🦄"')), null, 'an emoji outside the set');
  });

  test('a relayed control message with an altered target fails its signature', () => {
    const s = group();
    const signed = signGroupMessage(msg(s, bob, { kind: 'recall', target: 'a'.repeat(32), device: bob.deviceIds[0]!, n: 1, sent: T0 }, T0 + MIN), bob.devices[0]!);
    const altered = { ...signed, msg: signed.msg.replace('a'.repeat(32), 'b'.repeat(32)) };
    const r = verifyGroupMessage(relay(altered), { state: s, deviceListOf: listsFor(s) });
    assert.equal(r.ok ? 'ok' : r.code, 'GROUP_MSG_SIGNATURE');
  });
});

describe('group everyday: who may do what', () => {
  test('bob edits his own message within 15 minutes; alice cannot edit it; past 15 minutes refused', () => {
    const s = group();
    const original = through(s, bob, msg(s, bob, { kind: 'text', text: 'lunch at 12?' }, T0 + MIN));
    const rec = recordOf(original, 'carol');
    const byBob = control(through(s, bob, msg(s, bob, { kind: 'edit', target: original.id, text: 'lunch at 1?' }, T0 + 5 * MIN)));
    const r = applyGroupControl(byBob, original, rec, 'carol', T0 + 6 * MIN);
    assert.ok(r.ok);
    assert.equal(r.record.text, 'lunch at 1?');
    assert.equal(r.record.editedAt, T0 + 5 * MIN);
    const byAlice = control(through(s, alice, msg(s, alice, { kind: 'edit', target: original.id, text: 'no lunch' }, T0 + 5 * MIN)));
    assert.equal(reason(applyGroupControl(byAlice, original, rec, 'carol', T0 + 6 * MIN)), 'not-author');
    const late = control(through(s, bob, msg(s, bob, { kind: 'edit', target: original.id, text: 'late' }, T0 + 17 * MIN)));
    assert.equal(reason(applyGroupControl(late, original, rec, 'carol', T0 + 18 * MIN)), 'too-late');
  });

  test('alice recalls her message within 24 hours: text gone; bob cannot recall it; after 24 hours refused', () => {
    const s = group();
    const original = through(s, alice, msg(s, alice, { kind: 'text', text: 'secret plan' }, T0 + MIN));
    const rec = recordOf(original, 'carol');
    const body = { kind: 'recall' as const, target: original.id, device: original.device, n: original.n, sent: original.ts };
    const byBob = control(through(s, bob, msg(s, bob, body, T0 + 2 * MIN)));
    assert.equal(reason(applyGroupControl(byBob, original, rec, 'carol', T0 + 3 * MIN)), 'not-author');
    const late = control(through(s, alice, msg(s, alice, body, T0 + MIN + 24 * 60 * MIN + 1)));
    assert.equal(reason(applyGroupControl(late, original, rec, 'carol', T0 + 25 * 60 * MIN)), 'too-late');
    const ok = control(through(s, alice, msg(s, alice, body, T0 + 10 * MIN)));
    const r = applyGroupControl(ok, original, rec, 'carol', T0 + 11 * MIN);
    assert.ok(r.ok);
    assert.equal(r.record.text, '');
    assert.equal(r.record.recalledAt, T0 + 10 * MIN);
    const file = through(s, alice, msg(s, alice, { kind: 'file', file: { fileId: 'd'.repeat(32), name: 'a.txt', mime: 'text/plain', size: 1, chunkSize: 65536, chunkCount: 1 } }, T0 + MIN));
    const fileRecall = control(through(s, alice, msg(s, alice, { ...body, target: file.id, n: file.n, sent: file.ts }, T0 + 2 * MIN)));
    assert.equal(reason(applyGroupControl(fileRecall, file, recordOf(file, 'carol'), 'carol', T0 + 3 * MIN)), 'not-text', 'a file is not recalled');
    const wrongNumber = control(through(s, alice, msg(s, alice, { ...body, n: original.n + 1 }, T0 + 10 * MIN)));
    assert.equal(reason(applyGroupControl(wrongNumber, original, rec, 'carol', T0 + 11 * MIN)), 'mismatch');
  });

  test('a recall scrubs the quote of a reply to it', () => {
    const s = group();
    const original = through(s, bob, msg(s, bob, { kind: 'text', text: 'my number is 555' }, T0 + MIN));
    const reply = through(s, alice, msg(s, alice, { kind: 'text', text: 'thanks', reply: { id: original.id, author: 'bob', excerpt: 'my number is 555' } }, T0 + 2 * MIN));
    const scrubbed = scrubQuote(recordOf(reply, 'carol'), original.id);
    assert.equal(scrubbed?.reply?.excerpt, '');
  });

  test('a removed member\u2019s recall (written after the removal) is refused on arrival', () => {
    const before = group();
    const original = through(before, dave, msg(before, dave, { kind: 'text', text: 'hi' }, T0 + MIN));
    const removal = change(before, alice, { type: 'remove', account: 'dave', last: [{ device: dave.deviceIds[0]!, n: original.n }] });
    const r = applyGroupChange(before, removal);
    assert.ok(r.ok);
    const recall = msg(before, dave, { kind: 'recall', target: original.id, device: original.device, n: original.n, sent: original.ts }, T0 + 2 * MIN);
    const v = verifyGroupMessage(relay(signGroupMessage(recall, dave.devices[0]!)), { state: r.state, deviceListOf: listsFor(r.state) });
    assert.equal(v.ok ? 'ok' : v.code, 'GROUP_MSG_AFTER_REMOVAL');
  });

  test('reactions: each member as itself, once per person; a newer one replaces, an older one is stale', () => {
    const s = group();
    const original = through(s, bob, msg(s, bob, { kind: 'text', text: 'party!' }, T0 + MIN));
    let rec = recordOf(original, 'alice');
    const react = (p: Person, emoji: '👍' | '❤️', on: boolean, ts: number) => {
      const c = control(through(s, p, msg(s, p, { kind: 'react', target: original.id, emoji, on }, ts)));
      const r = applyGroupControl(c, original, rec, 'alice', T0 + 60 * MIN);
      if (r.ok) rec = r.record;
      return reason(r);
    };
    assert.equal(react(carol, '👍', true, T0 + 2 * MIN), 'ok');
    assert.equal(react(carol, '👍', true, T0 + 3 * MIN), 'ok'); // twice: still one
    assert.equal(react(dave, '👍', true, T0 + 3 * MIN), 'ok');
    assert.deepEqual(reactionSummary(rec, 'alice'), [{ emoji: '👍', count: 2, reactors: ['carol', 'dave'], mine: false }]);
    assert.equal(react(carol, '❤️', true, T0 + 4 * MIN), 'ok');
    assert.equal(react(carol, '👍', true, T0 + 2 * MIN + 1), 'stale');
    assert.deepEqual(reactionSummary(rec, 'alice').map((x) => [x.emoji, x.count]), [['👍', 1], ['❤️', 1]]);
  });

  test('a control message for another group\u2019s message, or for a control message, is refused', () => {
    const s = group();
    const other = { ...through(s, bob, msg(s, bob, { kind: 'text', text: 'x' }, T0 + MIN)), group: 'f'.repeat(32) };
    const c = control(through(s, bob, msg(s, bob, { kind: 'edit', target: other.id, text: 'y' }, T0 + 2 * MIN)));
    assert.equal(reason(applyGroupControl(c, other, recordOf(other, 'alice'), 'alice', T0 + 3 * MIN)), 'wrong-group');
    const r1 = control(through(s, carol, msg(s, carol, { kind: 'react', target: other.id, emoji: '👍', on: true }, T0 + 2 * MIN)));
    const r2 = control(through(s, carol, msg(s, carol, { kind: 'react', target: r1.id, emoji: '👍', on: true }, T0 + 3 * MIN)));
    assert.equal(reason(applyGroupControl(r2, r1, recordOf(r1, 'alice'), 'alice', T0 + 4 * MIN)), 'not-message');
  });
});

describe('group everyday: order of arrival', () => {
  test('a control message before its target is pending, then applied in author-time order', () => {
    const s = group();
    const original = through(s, bob, msg(s, bob, { kind: 'text', text: 'v1' }, T0 + MIN));
    const e2 = control(through(s, bob, msg(s, bob, { kind: 'edit', target: original.id, text: 'v3' }, T0 + 3 * MIN)));
    const e1 = control(through(s, bob, msg(s, bob, { kind: 'edit', target: original.id, text: 'v2' }, T0 + 2 * MIN)));
    assert.equal(reason(applyGroupControl(e2, undefined, undefined, 'carol', T0 + 4 * MIN)), 'pending');
    let rec = recordOf(original, 'carol');
    for (const c of pendingFor([e2, original, e1], original.id)) {
      const r = applyGroupControl(c, original, rec, 'carol', T0 + 4 * MIN);
      if (r.ok) rec = r.record;
    }
    assert.equal(rec.text, 'v3');
  });

  test('a recall stands in for its target\u2019s number only for its author\u2019s own device and within the window', () => {
    const s = group();
    const body = { kind: 'recall' as const, target: 'c'.repeat(32), device: alice.deviceIds[1]!, n: 7, sent: T0 };
    const own = control(through(s, alice, msg(s, alice, body, T0 + MIN)));
    assert.deepEqual(recallStandIn(own, listsFor(s)('alice')), { id: 'c'.repeat(32), device: alice.deviceIds[1]!, n: 7, ts: T0 });
    const foreign = control(through(s, bob, msg(s, bob, { ...body, device: alice.deviceIds[0]! }, T0 + MIN)));
    assert.equal(recallStandIn(foreign, listsFor(s)('bob')), null, 'bob cannot fill a number of alice\u2019s device');
    const late = control(through(s, alice, msg(s, alice, body, T0 + 25 * 60 * MIN)));
    assert.equal(recallStandIn(late, listsFor(s)('alice')), null);
  });
});
