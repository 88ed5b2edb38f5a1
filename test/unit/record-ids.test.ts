// Ids a contact chooses (shared/record-ids.ts): an offer never takes over an id that names a
// message or another conversation's transfer, and a receipt only counts in its own conversation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ackApplies, offerIdVerdict } from '../../shared/record-ids';

describe('offerIdVerdict', () => {
  test('a free id is new', () => {
    assert.equal(offerIdVerdict('bob', undefined, undefined), 'new');
  });

  test('a re-offer of this contact’s own transfer is known (nothing stored again)', () => {
    assert.equal(offerIdVerdict('bob', { conv: 'bob' }, { conv: 'bob', fileId: 'x' }), 'known');
  });

  test('an id of a chat message is taken, in this conversation or another', () => {
    assert.equal(offerIdVerdict('bob', undefined, { conv: 'bob' }), 'taken');
    assert.equal(offerIdVerdict('bob', undefined, { conv: 'carol' }), 'taken');
  });

  test('an id of another conversation’s transfer is taken', () => {
    assert.equal(offerIdVerdict('bob', { conv: 'carol' }, { conv: 'carol', fileId: 'x' }), 'taken');
  });
});

describe('ackApplies', () => {
  const waiting = { conv: 'carol', outgoing: true, state: 'waiting' };

  test('a receipt from the message’s own contact marks it delivered', () => {
    assert.equal(ackApplies('carol', waiting), true);
    assert.equal(ackApplies('carol', { ...waiting, state: 'sent' }), true);
  });

  test('a receipt from another contact changes nothing', () => {
    assert.equal(ackApplies('bob', waiting), false);
  });

  test('no message, a received message, or one already delivered: nothing to do', () => {
    assert.equal(ackApplies('carol', undefined), false);
    assert.equal(ackApplies('carol', { ...waiting, outgoing: false, state: 'received' }), false);
    assert.equal(ackApplies('carol', { ...waiting, state: 'delivered' }), false);
  });
});
