import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePeerMsg } from '../../shared/peer-protocol';

const msg = { id: 'a'.repeat(32), from: 'Bob', outgoing: false, text: 'hi', ts: 1_700_000_000_000 };

describe('own-device sync frames', () => {
  test('well-formed frames parse', () => {
    for (const f of [
      { type: 'sync-msg', conv: 'bob', msg, state: 'received' },
      // My message, delivered and read by the contact.
      { type: 'sync-msg', conv: 'bob', msg: { ...msg, outgoing: true }, state: 'read' },
      { type: 'sync-from', seq: 0 },
      { type: 'sync-skip' },
      { type: 'sync-batch', records: [{ conv: 'bob', msg, state: 'delivered' }], last: 3, total: 10, done: false },
    ]) {
      assert.deepEqual(parsePeerMsg(JSON.stringify(f)), f);
    }
  });

  test('anything else is refused (strict: no extra keys, exact types)', () => {
    for (const f of [
      { type: 'sync-msg', conv: 'bob', msg, state: 'received', extra: 1 },
      { type: 'sync-msg', conv: 'bob', msg: { ...msg, evil: true }, state: 'received' },
      { type: 'sync-msg', conv: 'Bob', msg, state: 'received' },
      { type: 'sync-msg', conv: 'bob', msg, state: 'seen' },
      { type: 'sync-msg', conv: 'bob', msg: { ...msg, text: '' }, state: 'received' },
      { type: 'sync-from', seq: -1 },
      { type: 'sync-from', seq: 1.5 },
      { type: 'sync-skip', seq: 1 },
      { type: 'sync-batch', records: [], last: 0, total: 0 },
      { type: 'sync-batch', records: Array.from({ length: 201 }, () => ({ conv: 'bob', msg, state: 'sent' })), last: 1, total: 1, done: true },
    ]) {
      assert.equal(parsePeerMsg(JSON.stringify(f)), null, JSON.stringify(f).slice(0, 120));
    }
  });
});
