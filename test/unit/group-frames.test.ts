// Group wire frames (shared/groups/group-frames.ts, dispatched from parsePeerMsg) and group
// file keys (shared/groups/group-file.ts): well-formed frames round-trip; malformed, oversized
// and over-long ones are refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import { LIMITS } from '../../shared/limits';
import { parsePeerMsg } from '../../shared/peer-protocol';
import { parseGroupFrame, serializeGroupFrame, type GroupFrame } from '../../shared/groups/group-frames';
import { GROUP_LIMITS } from '../../shared/groups/limits';
import { createGroup } from '../../shared/groups/group-state';
import { parseGroupChangeText, signGroupChange } from '../../shared/groups/group-change';
import { decodeGroupFileKey, encodeGroupFileKey, groupChunkCipher, newGroupFileKey } from '../../shared/groups/group-file';
import { GROUP_ID, T0, memberOf, person } from './support/group-fixtures';

await ready();

const alice = person(0);
const hex = (c: string) => c.repeat(32);
const dev = alice.deviceIds[0]!;

function valid(): GroupFrame[] {
  const g = createGroup({ id: GROUP_ID, name: 'G', me: 'alice', accountKey: alice.key, others: [], ts: T0 });
  return [
    { type: 'group-changes', group: GROUP_ID, changes: [g.signed] },
    { type: 'group-want', group: GROUP_ID, heads: [hex('a')] },
    { type: 'group-msg', group: GROUP_ID, msg: { msg: '{}', sig: 'A'.repeat(86) }, list: alice.list },
    { type: 'group-ack', group: GROUP_ID, ids: [hex('b')] },
    { type: 'group-summary', groups: [{ group: GROUP_ID, heads: [hex('c')], marks: [{ device: dev, upTo: 3, extra: [5, 7] }] }] },
    { type: 'group-batch', group: GROUP_ID, msgs: [], lists: [], more: false },
  ];
}

describe('group frames: parsing', () => {
  test('every frame type round-trips through parseGroupFrame and parsePeerMsg', () => {
    for (const f of valid()) {
      assert.deepEqual(parseGroupFrame(serializeGroupFrame(f)), f, f.type);
      assert.deepEqual(parsePeerMsg(JSON.stringify(f)), f, f.type);
    }
  });

  test('extra keys, bad ids and wrong types are refused', () => {
    const [changes, want, msg, ack, summary] = valid();
    const bad: unknown[] = [
      { ...changes, extra: 1 },
      { ...want, group: 'G' },
      { ...want, heads: ['x'] },
      { ...msg, msg: { msg: '{}', sig: 'short' } },
      { ...ack, ids: [] },
      { ...summary, groups: [{ group: GROUP_ID, heads: [], marks: [{ device: dev, upTo: -1, extra: [] }] }] },
      { ...summary, groups: [{ group: GROUP_ID, heads: [], marks: [{ device: dev, upTo: 1, extra: [5, 3] }] }] },
      { ...summary, groups: [{ group: GROUP_ID, heads: [], marks: [] }, { group: GROUP_ID, heads: [], marks: [] }] },
          { type: 'group-nope', group: GROUP_ID },
      '{"type":"group-want",',
    ];
    for (const b of bad) assert.equal(parseGroupFrame(b), null, JSON.stringify(b).slice(0, 80));
  });

  test('over-long lists and texts are refused', () => {
    const [changes, want, , ack, summary] = valid();
    const many = <T>(x: T, n: number) => Array.from({ length: n }, () => x);
    const bad: unknown[] = [
      { ...changes, changes: many((changes as { changes: unknown[] }).changes[0], GROUP_LIMITS.maxBatchChanges + 1) },
      { ...want, heads: many(hex('a'), GROUP_LIMITS.maxParents + 1) },
      { ...ack, ids: many(hex('b'), GROUP_LIMITS.maxBatchMessages + 1) },
      { ...summary, groups: [] as unknown[] },
      { type: 'group-msg', group: GROUP_ID, msg: { msg: 'x'.repeat(GROUP_LIMITS.maxMessageChars + 1), sig: 'A'.repeat(86) } },
      { type: 'group-changes', group: GROUP_ID, changes: [{ change: 'x'.repeat(GROUP_LIMITS.maxChangeChars + 1), sig: 'A'.repeat(86) }] },
    ];
    (bad[3] as { groups: unknown[] }).groups = Array.from({ length: GROUP_LIMITS.maxGroupsPerSummary + 1 }, (_, i) => ({ group: i.toString(16).padStart(32, '0'), heads: [], marks: [] }));
    for (const b of bad) assert.equal(parseGroupFrame(b), null);
    assert.equal(parsePeerMsg(JSON.stringify({ ...want, pad: 'x'.repeat(LIMITS.maxPeerFrameBytes) })), null);
  });

  test('a change naming more than 32 members, or a name over 64 characters, is refused', () => {
    const members = Array.from({ length: GROUP_LIMITS.maxMembers + 1 }, (_, i) => ({ ...memberOf(alice), account: `user${i}` }));
    members[0] = memberOf(alice);
    assert.throws(() => signGroupChange({ group: GROUP_ID, parents: [], author: 'alice', ts: T0, op: { type: 'create', name: 'G', members } }, alice.key), RangeError);
    assert.throws(() => signGroupChange({ group: GROUP_ID, parents: [], author: 'alice', ts: T0, op: { type: 'create', name: 'n'.repeat(65), members: [memberOf(alice)] } }, alice.key), RangeError);
    assert.throws(() => signGroupChange({ group: GROUP_ID, parents: [], author: 'alice', ts: T0, op: { type: 'create', name: '   ', members: [memberOf(alice)] } }, alice.key), RangeError);
    assert.equal(parseGroupChangeText('{"group":"x"}'), null);
  });
});

describe('group file keys', () => {
  test('one sealed chunk opens for every member holding the key; not in another group', () => {
    const key = newGroupFileKey();
    const wire = encodeGroupFileKey(key);
    const bobKey = decodeGroupFileKey(wire)!;
    const sealed = groupChunkCipher(key, GROUP_ID, hex('e')).seal(0, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...groupChunkCipher(bobKey, GROUP_ID, hex('e')).open(0, sealed)], [1, 2, 3]);
    assert.throws(() => groupChunkCipher(bobKey, hex('9'), hex('e')).open(0, sealed));
    assert.equal(decodeGroupFileKey('A'.repeat(42)), null);
  });
});
