/**
 * Pinned identity keys and the verified flag, per contact, with their history (keyEvents).
 * Every write is one transaction with durability 'strict': a pin that a crash could lose would
 * turn the next connection into a silent first contact.
 */
import type { ChatDb, KeyEvent, KeyEventKind, StoredContact } from './schema';

const STRICT = { durability: 'strict' } as const;

export function getContact(db: ChatDb, conv: string): Promise<StoredContact | undefined> {
  return db.get('contacts', conv);
}

export function allContacts(db: ChatDb): Promise<StoredContact[]> {
  return db.getAll('contacts');
}

/** The key history of one contact, oldest first. */
export function keyEvents(db: ChatDb, conv: string): Promise<KeyEvent[]> {
  return db.getAllFromIndex('keyEvents', 'by-conv-ts', IDBKeyRange.bound([conv, -Infinity], [conv, Infinity]));
}

/**
 * Applies `change` to the contact (created if missing) and logs `event`, atomically. `change`
 * returns null to leave everything as it is (then nothing is logged either).
 */
async function update(
  db: ChatDb,
  conv: string,
  peerName: string,
  change: (c: StoredContact) => { next: StoredContact; event: { kind: KeyEventKind; key: string } | null } | null,
): Promise<StoredContact> {
  const tx = db.transaction(['contacts', 'keyEvents'], 'readwrite', STRICT);
  const contacts = tx.objectStore('contacts');
  const current = (await contacts.get(conv)) ?? { conv, peerName };
  const r = change(current);
  if (r) {
    await contacts.put(r.next);
    if (r.event) await tx.objectStore('keyEvents').add({ conv, ts: Date.now(), ...r.event });
  }
  await tx.done;
  return r ? r.next : current;
}

/** First contact: pins `key` unless a key is pinned already (then the contact is returned as is). */
export function pinKey(db: ChatDb, conv: string, peerName: string, key: string): Promise<StoredContact> {
  return update(db, conv, peerName, (c) =>
    c.identityKey ? null : { next: { ...c, peerName, identityKey: key, pinnedAt: Date.now(), verified: false }, event: { kind: 'pinned', key } },
  );
}

/** Records a key that differs from the pinned one: clears `verified`, holds sending. */
export function markKeyChanged(db: ChatDb, conv: string, peerName: string, key: string): Promise<StoredContact> {
  return update(db, conv, peerName, (c) => {
    if (c.identityKey === key) return null;
    if (c.pendingKey === key) return c.verified ? { next: { ...c, verified: false }, event: null } : null;
    return { next: { ...c, peerName, pendingKey: key, pendingSince: Date.now(), verified: false }, event: { kind: 'changed', key } };
  });
}

/** The directory shows the pinned key again: the pending change is void. */
export function clearPendingKey(db: ChatDb, conv: string): Promise<StoredContact> {
  return update(db, conv, conv, (c) => {
    if (!c.pendingKey) return null;
    const next = { ...c };
    delete next.pendingKey;
    delete next.pendingSince;
    return { next, event: null };
  });
}

/**
 * The contact record once the person accepted `key` (null: `key` is not the pending one). The
 * device list and its version floor belonged to the old key: the new key's list starts again at
 * its own version (a rollback under one key is still refused, as the floor rises again).
 */
export function withAcceptedKey(c: StoredContact, key: string, now = Date.now()): StoredContact | null {
  if (c.pendingKey !== key) return null;
  const next: StoredContact = { ...c, identityKey: key, pinnedAt: now, verified: false };
  delete next.pendingKey;
  delete next.pendingSince;
  delete next.devices;
  delete next.devicesVersion;
  return next;
}

/**
 * The person accepted the new key: it becomes the pinned one (not verified), and copies owed to
 * the old key's devices are dropped (those devices are gone with it). Atomic.
 */
export async function acceptPendingKey(db: ChatDb, conv: string, key: string): Promise<StoredContact> {
  const tx = db.transaction(['contacts', 'keyEvents', 'deviceOutbox'], 'readwrite', STRICT);
  const current = (await tx.objectStore('contacts').get(conv)) ?? { conv, peerName: conv };
  const next = withAcceptedKey(current, key);
  if (next) {
    await tx.objectStore('contacts').put(next);
    await tx.objectStore('keyEvents').add({ conv, ts: Date.now(), kind: 'accepted', key });
    const owed = tx.objectStore('deviceOutbox');
    for (const k of await owed.index('by-conv-device').getAllKeys(IDBKeyRange.bound([conv, ''], [conv, '\uffff']))) await owed.delete(k);
  }
  await tx.done;
  return next ?? current;
}

/** Sets the verified mark for the pinned key `key` (refused if that is no longer the pinned key). */
export function setVerified(db: ChatDb, conv: string, key: string, verified: boolean): Promise<StoredContact> {
  return update(db, conv, conv, (c) => {
    if (c.identityKey !== key || c.pendingKey || !!c.verified === verified) return null;
    return { next: { ...c, verified }, event: { kind: verified ? 'verified' : 'unverified', key } };
  });
}
