// Read marks between my own devices (web/src/db/device-sync-store.ts): a message the contact
// read travels as `read`, a copy saying so marks it read here too, and an older copy (Delivered,
// or Sent) never moves a read message back. Run on a small in-memory stand-in for the
// IndexedDB calls storeCopy makes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatDb, StoredMessage } from '../../web/src/db/schema';
import type { SyncRecord } from '../../shared/peer-protocol';
import { recordOf, storeCopy } from '../../web/src/db/device-sync-store';

const T = 1_700_000_000_000;
const id = (n: number): string => n.toString(16).padStart(32, '0');

function mine(n: number, over: Partial<StoredMessage> = {}): StoredMessage {
  return { id: id(n), conv: 'bob', from: 'alice', outgoing: true, text: `m${n}`, ts: T + n, state: 'delivered', seq: n, ...over };
}

function copyOf(m: StoredMessage, state: SyncRecord['state']): SyncRecord {
  return { conv: m.conv, msg: { id: m.id, from: m.from, outgoing: m.outgoing, text: m.text, ts: m.ts }, state };
}

/** The object stores storeCopy touches, kept in maps. */
function memoryDb(messages: StoredMessage[]): { db: ChatDb; messages: Map<string, StoredMessage> } {
  const stores: Record<string, Map<string, unknown>> = { messages: new Map(messages.map((m) => [m.id, m])), conversations: new Map(), transfers: new Map() };
  const objectStore = (name: string) => ({
    get: async (key: string) => stores[name]?.get(key),
    put: async (value: { id?: string; conv?: string }) => void stores[name]?.set(value.id ?? value.conv ?? '', value),
    index: () => ({
      openKeyCursor: async () => {
        const top = Math.max(0, ...[...(stores.messages?.values() ?? [])].map((m) => (m as StoredMessage).seq ?? 0));
        return top ? { key: top } : null;
      },
    }),
  });
  const db = { transaction: () => ({ objectStore, done: Promise.resolve() }) };
  return { db: db as unknown as ChatDb, messages: stores.messages as Map<string, StoredMessage> };
}

describe('read marks between my devices', () => {
  test('a read message travels as `read`; a waiting one as waiting; incoming as received', () => {
    assert.equal(recordOf(mine(1, { readAt: T }))?.state, 'read');
    assert.equal(recordOf(mine(1, { state: 'sent', readAt: T }))?.state, 'read');
    assert.equal(recordOf(mine(1))?.state, 'delivered');
    assert.equal(recordOf(mine(1, { state: 'waiting', readAt: T }))?.state, 'waiting');
    assert.equal(recordOf(mine(1, { outgoing: false, state: 'received', readAt: T }))?.state, 'received');
  });

  test('a `read` copy marks my delivered message read here', async () => {
    const { db, messages } = memoryDb([mine(1)]);
    const changed = await storeCopy(db, copyOf(mine(1), 'read'), false);
    assert.equal(changed?.state, 'delivered');
    assert.equal(typeof changed?.readAt, 'number');
    assert.equal(typeof messages.get(id(1))?.readAt, 'number');
  });

  test('an older copy (Delivered, Sent) never moves a read message back', async () => {
    const { db, messages } = memoryDb([mine(1, { readAt: T })]);
    assert.equal(await storeCopy(db, copyOf(mine(1), 'delivered'), false), null);
    assert.equal(await storeCopy(db, copyOf(mine(1), 'sent'), false), null);
    assert.equal(await storeCopy(db, copyOf(mine(1), 'read'), false), null);
    assert.deepEqual(messages.get(id(1)), mine(1, { readAt: T }));
  });

  test('read before its receipt came (still Sent): a Delivered copy moves it on and keeps the read mark', async () => {
    const { db } = memoryDb([mine(1, { state: 'sent', readAt: T })]);
    const changed = await storeCopy(db, copyOf(mine(1), 'delivered'), false);
    assert.equal(changed?.state, 'delivered');
    assert.equal(changed?.readAt, T);
  });

  test('a new copy of a read message is stored read; a `read` copy of the contact’s message changes nothing', async () => {
    const { db, messages } = memoryDb([mine(2, { outgoing: false, from: 'bob', state: 'received' })]);
    const stored = await storeCopy(db, copyOf(mine(1), 'read'), false);
    assert.equal(stored?.state, 'delivered');
    assert.equal(typeof messages.get(id(1))?.readAt, 'number');
    assert.equal(await storeCopy(db, copyOf(mine(2, { outgoing: false, from: 'bob' }), 'read'), false), null);
    assert.equal(messages.get(id(2))?.readAt, undefined);
  });
});
