import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sodium from 'libsodium-wrappers';
import { ready, generateIdentity, encodePublicKey } from '../../shared/crypto/index';
import { MAX_REQUEST_BOX_CHARS, openRequestBox, requestSenderVerdict, sealRequestBox } from '../../shared/requests/request-box';
import { LIMITS } from '../../shared/limits';

await ready();

const carol = generateIdentity();
const bob = generateIdentity();
const eve = generateIdentity();
const ID = '0123456789abcdef0123456789abcdef';

function seal(over: Partial<Parameters<typeof sealRequestBox>[0]> = {}): string {
  return sealRequestBox({ from: 'Carol', sender: carol, to: 'bob', recipientKey: bob.publicKey, id: ID, text: 'hi bob', ts: 1_700_000_000_000, ...over });
}

function b64(bytes: Uint8Array): string {
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
}

describe('request box', () => {
  test('round trip: the recipient opens it and gets sender, key, id, text and time', () => {
    const opened = openRequestBox(seal(), { name: 'bob', account: bob });
    assert.deepEqual(opened, { from: 'Carol', senderKey: encodePublicKey(carol.publicKey), id: ID, text: 'hi bob', ts: 1_700_000_000_000 });
    assert.ok(opened && requestSenderVerdict(opened, 'carol', { me: 'bob', pinnedKey: null, publishedKey: encodePublicKey(carol.publicKey) }) === 'ok');
  });

  test('the box reveals nothing readable and differs each time (ephemeral sender key)', () => {
    const a = seal();
    assert.notEqual(a, seal());
    assert.ok(!a.includes('hi bob'));
    const raw = sodium.from_base64(a, sodium.base64_variants.URLSAFE_NO_PADDING);
    assert.ok(!new TextDecoder().decode(raw).includes('Carol'));
  });

  test('only the recipient opens it', () => {
    assert.equal(openRequestBox(seal(), { name: 'bob', account: eve }), null);
    assert.equal(openRequestBox(seal(), { name: 'eve', account: eve }), null);
  });

  test('a box meant for another name does not verify (no forwarding by the first recipient)', () => {
    // Eve receives a box from carol and re-seals carol's signed content to bob: the signature names eve.
    const toEve = sealRequestBox({ from: 'carol', sender: carol, to: 'eve', recipientKey: eve.publicKey, id: ID, text: 'hi', ts: 1 });
    const inner = sodium.crypto_box_seal_open(
      sodium.from_base64(toEve, sodium.base64_variants.URLSAFE_NO_PADDING),
      sodium.crypto_sign_ed25519_pk_to_curve25519(eve.publicKey),
      sodium.crypto_sign_ed25519_sk_to_curve25519(eve.secretKey),
      'text',
    );
    const resealed = b64(sodium.crypto_box_seal(inner, sodium.crypto_sign_ed25519_pk_to_curve25519(bob.publicKey)));
    assert.equal(openRequestBox(resealed, { name: 'bob', account: bob }), null);
  });

  test('a tampered inner message (text, name, key swapped) is refused', () => {
    const good = { v: 1, from: 'carol', key: encodePublicKey(carol.publicKey), id: ID, text: 'hi', ts: 5 };
    const sig = b64(sodium.crypto_sign_detached(new Uint8Array([1, 2, 3]), carol.secretKey));
    const sealTo = (o: unknown): string => b64(sodium.crypto_box_seal(JSON.stringify(o), sodium.crypto_sign_ed25519_pk_to_curve25519(bob.publicKey)));
    assert.equal(openRequestBox(sealTo({ ...good, sig }), { name: 'bob', account: bob }), null, 'signature over something else');
    // A signature by eve with carol's key inside, and eve's key claiming carol's name.
    const real = openRequestBox(seal({ from: 'carol' }), { name: 'bob', account: bob });
    assert.ok(real);
    const asEve = sealRequestBox({ from: 'carol', sender: eve, to: 'bob', recipientKey: bob.publicKey, id: ID, text: 'hi', ts: 5 });
    const opened = openRequestBox(asEve, { name: 'bob', account: bob });
    assert.ok(opened, 'eve can sign as herself while claiming the name carol…');
    assert.equal(requestSenderVerdict(opened, 'carol', { me: 'bob', pinnedKey: null, publishedKey: encodePublicKey(carol.publicKey) }), 'key-mismatch', '…but the directory key for carol does not match');
    assert.equal(requestSenderVerdict(opened, 'eve', { me: 'bob', pinnedKey: null, publishedKey: encodePublicKey(eve.publicKey) }), 'name-mismatch', 'and the name inside is not the server-set sender');
    assert.equal(requestSenderVerdict(real, 'carol', { me: 'bob', pinnedKey: null, publishedKey: null }), 'key-mismatch', 'no published key: refused');
  });

  test('malformed boxes are refused without throwing', () => {
    for (const bad of ['', '!!!', 'a'.repeat(MAX_REQUEST_BOX_CHARS + 1), seal().slice(0, 40), `${seal()}A`]) {
      assert.equal(openRequestBox(bad, { name: 'bob', account: bob }), null);
    }
    const sealTo = (s: string): string => b64(sodium.crypto_box_seal(s, sodium.crypto_sign_ed25519_pk_to_curve25519(bob.publicKey)));
    assert.equal(openRequestBox(sealTo('not json'), { name: 'bob', account: bob }), null);
    assert.equal(openRequestBox(sealTo('{"v":2}'), { name: 'bob', account: bob }), null);
  });

  test('the longest ASCII message fits the box cap; a text over the chat limit is refused', () => {
    const box = seal({ text: 'x'.repeat(LIMITS.maxChatChars) });
    assert.ok(box.length <= MAX_REQUEST_BOX_CHARS);
    assert.equal(openRequestBox(box, { name: 'bob', account: bob })?.text.length, LIMITS.maxChatChars);
    assert.throws(() => seal({ text: 'x'.repeat(LIMITS.maxChatChars + 1) }), RangeError);
  });
});

describe('who a request is from', () => {
  test('a pinned key decides, not the directory: a hostile server signing as a contact with its own key (and publishing it) is refused', () => {
    // The server seals a box "from carol" signed with eve's key and answers carol's lookup with eve's key.
    const forged = openRequestBox(sealRequestBox({ from: 'carol', sender: eve, to: 'bob', recipientKey: bob.publicKey, id: ID, text: 'hi', ts: 5 }), { name: 'bob', account: bob });
    assert.ok(forged);
    const pinned = encodePublicKey(carol.publicKey);
    assert.equal(requestSenderVerdict(forged, 'carol', { me: 'bob', pinnedKey: pinned, publishedKey: encodePublicKey(eve.publicKey) }), 'key-mismatch');
    // Without a pin (first contact) the same box passes the directory check: trust on first use.
    assert.equal(requestSenderVerdict(forged, 'carol', { me: 'bob', pinnedKey: null, publishedKey: encodePublicKey(eve.publicKey) }), 'ok');
    const real = openRequestBox(seal({ from: 'carol' }), { name: 'bob', account: bob });
    assert.ok(real);
    assert.equal(requestSenderVerdict(real, 'carol', { me: 'bob', pinnedKey: pinned, publishedKey: null }), 'ok');
  });

  test('a request in my own name is never taken (my devices talk over their own links)', () => {
    const mine = openRequestBox(sealRequestBox({ from: 'bob', sender: bob, to: 'bob', recipientKey: bob.publicKey, id: ID, text: 'hi', ts: 5 }), { name: 'bob', account: bob });
    assert.ok(mine);
    assert.equal(requestSenderVerdict(mine, 'Bob', { me: 'bob', pinnedKey: null, publishedKey: encodePublicKey(bob.publicKey) }), 'own-account');
  });
});
