// Group messages (shared/groups/group-message.ts): signed by the author's device, checked
// through the author's device list against the account key the group pins. A relayed copy
// verifies like the original; altered, mis-attributed, foreign-device and post-removal
// messages are refused whoever relays them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sodium from 'libsodium-wrappers';
import { ready, identityFromSeed } from '../../shared/crypto/index';
import { lengthPrefixed, toBase64Url } from '../../shared/crypto/bytes';
import { deviceIdOf, type DeviceList } from '../../shared/devices/device-list';
import { applyGroupChange, createGroup, type GroupState } from '../../shared/groups/group-state';
import {
  canonicalGroupMessage,
  signGroupMessage,
  verifyGroupMessage,
  verifyMemberDeviceList,
  type GroupMessage,
  type SignedGroupMessage,
} from '../../shared/groups/group-message';
import { parseGroupFrame, serializeGroupFrame } from '../../shared/groups/group-frames';
import { receiveGroupMessages } from '../../shared/groups/group-receive';
import { GROUP_ID, T0, change, memberOf, person, type Person } from './support/group-fixtures';

await ready();

const [alice, bob, carol, dave] = [person(0), person(1), person(2), person(3)];
const people = [alice, bob, carol, dave];

function group(): GroupState {
  const s = createGroup({ id: GROUP_ID, name: 'G', me: 'alice', accountKey: alice.key, others: [memberOf(bob), memberOf(carol), memberOf(dave)], ts: T0 }).state;
  return s;
}

/** Device lists as a member device holds them: each verified against the group's pinned key. */
function listsFor(state: GroupState): (account: string) => DeviceList | null {
  return (account) => {
    const p = people.find((x) => x.account === account);
    const r = p ? verifyMemberDeviceList(state, account, p.list) : null;
    return r && r.ok ? r.list : null;
  };
}

let counter = 0;
function message(state: GroupState, p: Person, n: number, text = 'hello', dev = 0): GroupMessage {
  counter++;
  return {
    group: state.id,
    id: counter.toString(16).padStart(32, '0'),
    author: p.account,
    device: p.deviceIds[dev]!,
    n,
    ts: T0 + counter,
    at: state.heads,
    body: { kind: 'text', text },
  };
}

/** Signs arbitrary text as a device would, bypassing signGroupMessage's checks (to forge). */
function signRaw(text: string, secretKey: Uint8Array): SignedGroupMessage {
  return { msg: text, sig: toBase64Url(sodium.crypto_sign_detached(lengthPrefixed(['peerchat-group-message-v1', text]), secretKey)) };
}

/** A copy as bob relays it to carol: inside a group-batch frame, serialised and parsed again. */
function relayed(signed: SignedGroupMessage): unknown {
  const frame = parseGroupFrame(serializeGroupFrame({ type: 'group-batch', group: GROUP_ID, msgs: [signed], lists: [alice.list], more: false }));
  assert.ok(frame && frame.type === 'group-batch');
  return frame.msgs[0];
}

const code = (r: ReturnType<typeof verifyGroupMessage>) => (r.ok ? 'ok' : r.code);

describe('group messages: signatures and relays', () => {
  test('a message verifies; a relayed copy verifies the same way', () => {
    const s = group();
    const signed = signGroupMessage(message(s, alice, 1, 'hi all'), alice.devices[0]!);
    const ctx = { state: s, deviceListOf: listsFor(s) };
    const direct = verifyGroupMessage(signed, ctx);
    assert.equal(code(direct), 'ok');
    assert.equal(code(verifyGroupMessage(relayed(signed), ctx)), 'ok');
    assert.deepEqual(direct.ok && direct.msg.body, { kind: 'text', text: 'hi all' });
  });

  test('an altered body is refused', () => {
    const s = group();
    const signed = signGroupMessage(message(s, alice, 1, 'pay bob 5'), alice.devices[0]!);
    const altered = { ...signed, msg: signed.msg.replace('pay bob 5', 'pay bob 500') };
    assert.equal(code(verifyGroupMessage(relayed(altered as SignedGroupMessage), { state: s, deviceListOf: listsFor(s) })), 'GROUP_MSG_SIGNATURE');
  });

  test('a wrong author is refused: another member\u2019s device cannot write as alice', () => {
    const s = group();
    const ctx = { state: s, deviceListOf: listsFor(s) };
    // bob signs, naming alice as author and one of alice's devices.
    const asAlice = signRaw(canonicalGroupMessage(message(s, alice, 1)), bob.devices[0]!.secretKey);
    assert.equal(code(verifyGroupMessage(relayed(asAlice), ctx)), 'GROUP_MSG_SIGNATURE');
    // bob signs, naming alice as author but his own device: not in alice's list.
    const ownDevice = signRaw(canonicalGroupMessage({ ...message(s, alice, 1), device: bob.deviceIds[0]! }), bob.devices[0]!.secretKey);
    assert.equal(code(verifyGroupMessage(relayed(ownDevice), ctx)), 'GROUP_MSG_DEVICE_NOT_LISTED');
  });

  test('a device not in the author\u2019s list is refused', () => {
    const s = group();
    const stray = identityFromSeed(new Uint8Array(32).fill(77));
    const m = { ...message(s, carol, 1), device: deviceIdOf(stray.publicKey) };
    const signed = signGroupMessage(m, stray);
    assert.equal(code(verifyGroupMessage(relayed(signed), { state: s, deviceListOf: listsFor(s) })), 'GROUP_MSG_DEVICE_NOT_LISTED');
  });

  test('a device list not signed by the account key the group pins is not taken', () => {
    const s = group();
    // carol's list presented as dave's: signed by carol's account key, not dave's.
    assert.equal(verifyMemberDeviceList(s, 'dave', carol.list).ok, false);
    assert.equal(verifyMemberDeviceList(s, 'dave', dave.list).ok, true);
    const noList = verifyGroupMessage(signGroupMessage(message(s, dave, 1), dave.devices[0]!), { state: s, deviceListOf: () => null });
    assert.equal(code(noList), 'GROUP_MSG_NO_DEVICE_LIST');
  });

  test('a removed member\u2019s new message is refused; its messages up to the removal\u2019s mark stay', () => {
    const before = group();
    const old1 = signGroupMessage(message(before, dave, 1, 'one'), dave.devices[0]!);
    const old2 = signGroupMessage(message(before, dave, 2, 'two'), dave.devices[0]!);
    const removal = change(before, alice, { type: 'remove', account: 'dave', last: [{ device: dave.deviceIds[0]!, n: 2 }] });
    const r = applyGroupChange(before, removal);
    assert.ok(r.ok);
    const after = r.state;
    const ctx = { state: after, deviceListOf: listsFor(after) };
    assert.equal(code(verifyGroupMessage(relayed(old1), ctx)), 'ok');
    assert.equal(code(verifyGroupMessage(relayed(old2), ctx)), 'ok');
    // Written after the removal with an old position (or concurrently with it): refused.
    const backdated = signGroupMessage(message(before, dave, 3, 'three'), dave.devices[0]!);
    assert.equal(code(verifyGroupMessage(relayed(backdated), ctx)), 'GROUP_MSG_AFTER_REMOVAL');
    const otherDevice = signGroupMessage(message(before, dave, 1, 'laptop', 1), dave.devices[1]!);
    assert.equal(code(verifyGroupMessage(relayed(otherDevice), ctx)), 'GROUP_MSG_AFTER_REMOVAL');
    // At the current position: not a member.
    const current = signGroupMessage(message(after, dave, 4, 'four'), dave.devices[0]!);
    assert.equal(code(verifyGroupMessage(relayed(current), ctx)), 'GROUP_MSG_NOT_MEMBER');
  });

  test('another group, a position not known here, a re-spaced text: refused', () => {
    const s = group();
    const ctx = { state: s, deviceListOf: listsFor(s) };
    const foreign = signGroupMessage({ ...message(s, alice, 1), group: 'e'.repeat(32) }, alice.devices[0]!);
    assert.equal(code(verifyGroupMessage(foreign, ctx)), 'GROUP_MSG_WRONG_GROUP');
    const unknown = signGroupMessage({ ...message(s, alice, 1), at: ['d'.repeat(32)] }, alice.devices[0]!);
    assert.equal(code(verifyGroupMessage(unknown, ctx)), 'GROUP_MSG_POSITION_UNKNOWN');
    const text = canonicalGroupMessage(message(s, alice, 1)).replace('"body":', '"body": ');
    assert.equal(code(verifyGroupMessage(signRaw(text, alice.devices[0]!.secretKey), ctx)), 'GROUP_MSG_BAD');
  });

  test('a file body carries the card; signing with a key that is not the named device throws', () => {
    const s = group();
    const file = { fileId: 'a'.repeat(32), name: 'photo.jpg', mime: 'image/jpeg', size: 1000, chunkSize: 65536, chunkCount: 1, isImage: true };
    const signed = signGroupMessage({ ...message(s, bob, 1), body: { kind: 'file', file } }, bob.devices[0]!);
    const r = verifyGroupMessage(relayed(signed), { state: s, deviceListOf: listsFor(s) });
    assert.deepEqual(r.ok && r.msg.body, { kind: 'file', file });
    assert.throws(() => signGroupMessage(message(s, bob, 2), bob.devices[1]!), RangeError);
  });
});

describe('group messages: what a relayed batch brings', () => {
  test('carol, who has no list of alice\u2019s, takes it from bob\u2019s batch and accepts alice\u2019s message', () => {
    const s = group();
    const signed = signGroupMessage(message(s, alice, 1, 'from alice'), alice.devices[0]!);
    const r = receiveGroupMessages(s, [relayed(signed)], [alice.list], () => null);
    assert.equal(r.accepted.length, 1);
    assert.deepEqual(r.accepted[0]!.signed, signed);
    assert.deepEqual(r.newerLists.map((l) => l.account), ['alice']);
  });

  test('a list under the wrong key is not taken; an older list does not replace a newer one', () => {
    const s = group();
    const signed = signGroupMessage(message(s, dave, 1), dave.devices[0]!);
    // carol's list renamed as dave's would not verify; dave's own list is missing.
    const wrong = receiveGroupMessages(s, [signed], [carol.list], () => null);
    assert.deepEqual(wrong.refused, [{ index: 0, code: 'GROUP_MSG_NO_DEVICE_LIST' }]);
    const checked = verifyMemberDeviceList(s, 'dave', dave.list);
    assert.ok(checked.ok);
    const held = { ...checked.list, version: 5 };
    const r = receiveGroupMessages(s, [signed], [dave.list], (a) => (a === 'dave' ? held : null));
    assert.deepEqual(r.newerLists, []);
    assert.equal(r.accepted.length, 1);
  });
});
