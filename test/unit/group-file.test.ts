// Files to a group (shared/groups/group-file.ts, the transfer state machines with a file key of
// their own): the author seals each chunk ONCE: every member receives the same sealed bytes, a
// member whose copy verified makes exactly those bytes again when it serves another member, and
// the receiver checks the whole-file hash carried in the signed message, whoever served it. The
// key rides in the signed message, so a relayed copy cannot swap it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import { createChunkCipher } from '../../shared/crypto/chunk-seal';
import { encodeGroupFileKey, groupChunkCipher, newGroupFileKey } from '../../shared/groups/group-file';
import { canonicalGroupMessage, signGroupMessage, verifyGroupMessage, verifyMemberDeviceList, type GroupFileRef } from '../../shared/groups/group-message';
import { createGroup } from '../../shared/groups/group-state';
import { decodeChunkFrame, IncomingTransfer, OutgoingTransfer, type FileOffer } from '../../shared/transfer/index';
import { GROUP_ID, T0, memberOf, person } from './support/group-fixtures';

await ready();

const FILE_ID = 'e'.repeat(32);

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Every chunk frame of `data` as one device serves them (copies: encode returns heap views). */
function serve(data: Uint8Array, key: Uint8Array, have: [number, number][] = []): { t: OutgoingTransfer; frames: Uint8Array[] } {
  const t = new OutgoingTransfer({ name: 'plan.pdf', mime: 'application/pdf', size: data.length, chunkSize: 16 * 1024, fileId: FILE_ID, ts: T0 });
  t.setCipher(groupChunkCipher(key, GROUP_ID, FILE_ID));
  assert.ok(t.onAccept({ type: 'file-accept', fileId: FILE_ID, have }));
  const frames: Uint8Array[] = [];
  for (let i = t.nextIndex(); i >= 0; i = t.nextIndex()) {
    const { offset, length } = t.chunkRange(i);
    frames.push(t.encode(i, data.subarray(offset, offset + length)).slice());
  }
  return { t, frames };
}

describe('group files: sealed once', () => {
  test('the same chunk always seals to the same bytes, and opens with the ordinary chunk opener', () => {
    const key = newGroupFileKey();
    const c = groupChunkCipher(key, GROUP_ID, FILE_ID);
    const plain = bytes(1000, 1);
    const a = c.seal(3, plain);
    assert.deepEqual(a, c.seal(3, plain), 'one sealed form per chunk');
    assert.notDeepEqual(a.subarray(0, 24), c.seal(4, plain).subarray(0, 24), 'another index, another nonce');
    assert.notDeepEqual(a.subarray(0, 24), c.seal(3, bytes(1000, 2)).subarray(0, 24), 'other bytes, another nonce');
    assert.deepEqual(createChunkCipher(key, `${GROUP_ID}/${FILE_ID}`).open(3, a), plain);
    assert.throws(() => c.open(4, a), 'bound to its index');
    assert.throws(() => groupChunkCipher(key, 'f'.repeat(32), FILE_ID).open(3, a), 'bound to its group');
    assert.throws(() => groupChunkCipher(newGroupFileKey(), GROUP_ID, FILE_ID).open(3, a), 'opens only with its key');
  });

  test('bob and carol get the same sealed chunks; bob serves dave exactly those; dave verifies the signed hash', async () => {
    const key = newGroupFileKey();
    const data = bytes(50_000, 7);
    const alice = serve(data, key);
    const hash = await alice.t.finishHash(async (o, l) => data.slice(o, o + l));
    const offer: FileOffer = { ...alice.t.offer(), hash };
    assert.deepEqual(serve(data, key).frames, alice.frames, 'a second member gets byte-identical sealed chunks');

    // bob receives alice's chunks and verifies them against the signed hash.
    const bob = new IncomingTransfer(offer);
    bob.setCipher(groupChunkCipher(key, GROUP_ID, FILE_ID));
    const got = new Uint8Array(data.length);
    for (const f of alice.frames) {
      const r = bob.receive(decodeChunkFrame(f)!);
      assert.equal(r.kind, 'chunk');
      if (r.kind === 'chunk') got.set(r.bytes, r.offset);
    }
    assert.equal(bob.onSenderDone(alice.t.doneMsg(hash)).kind, 'verify');
    assert.equal((await bob.finish(async (o, l) => got.slice(o, o + l))).ok, true);

    // alice is gone: bob serves dave from his verified copy, the same sealed bytes.
    assert.deepEqual(serve(got, key).frames, alice.frames, 'a member serves the very chunks the author sealed');
  });

  test('a member serving altered bytes is caught by the signed hash', async () => {
    const key = newGroupFileKey();
    const data = bytes(40_000, 3);
    const honest = serve(data, key);
    const hash = await honest.t.finishHash(async (o, l) => data.slice(o, o + l));
    const altered = data.slice();
    altered[100] = (altered[100] ?? 0) ^ 1;
    const liar = serve(altered, key); // holds the key, so its chunks open
    const liarHash = await liar.t.finishHash(async (o, l) => altered.slice(o, o + l));
    const dave = new IncomingTransfer({ ...honest.t.offer(), hash });
    dave.setCipher(groupChunkCipher(key, GROUP_ID, FILE_ID));
    const got = new Uint8Array(altered.length);
    for (const f of liar.frames) {
      const r = dave.receive(decodeChunkFrame(f)!);
      if (r.kind === 'chunk') got.set(r.bytes, r.offset);
    }
    assert.equal(dave.onSenderDone(liar.t.doneMsg(liarHash)).kind, 'verify');
    assert.equal((await dave.finish(async (o, l) => got.slice(o, o + l))).ok, false);
  });
});

describe('group files: the key and hash travel in the signed message', () => {
  const [alice, bob] = [person(0), person(1)];
  const state = createGroup({ id: GROUP_ID, name: 'G', me: 'alice', accountKey: alice.key, others: [memberOf(bob)], ts: T0 }).state;
  const listOf = (account: string) => {
    const p = [alice, bob].find((x) => x.account === account);
    const r = p ? verifyMemberDeviceList(state, account, p.list) : null;
    return r && r.ok ? r.list : null;
  };

  test('a relayed copy whose key or hash was swapped is refused', () => {
    const file: GroupFileRef = { fileId: FILE_ID, name: 'plan.pdf', mime: 'application/pdf', size: 10, chunkSize: 65536, chunkCount: 1, hash: 'a'.repeat(64), key: encodeGroupFileKey(newGroupFileKey()) };
    const msg = { group: GROUP_ID, id: 'b'.repeat(32), author: 'alice', device: alice.deviceIds[0]!, n: 1, ts: T0 + 1, at: [state.genesisId], body: { kind: 'file' as const, file } };
    const signed = signGroupMessage(msg, alice.devices[0]!);
    const ok = verifyGroupMessage(signed, { state, deviceListOf: listOf });
    assert.ok(ok.ok && ok.msg.body.kind === 'file' && ok.msg.body.file.key === file.key);
    const otherKey = canonicalGroupMessage({ ...msg, body: { kind: 'file', file: { ...file, key: encodeGroupFileKey(newGroupFileKey()) } } });
    assert.equal(verifyGroupMessage({ msg: otherKey, sig: signed.sig }, { state, deviceListOf: listOf }).ok, false);
    const otherHash = canonicalGroupMessage({ ...msg, body: { kind: 'file', file: { ...file, hash: 'c'.repeat(64) } } });
    assert.equal(verifyGroupMessage({ msg: otherHash, sig: signed.sig }, { state, deviceListOf: listOf }).ok, false);
  });
});
