/**
 * The `profiles` store of the account's history database: each contact's newest profile, this
 * account's own under its own key, and which version of my profile each device was sent.
 */
import type { StoredProfile } from '../../../shared/messaging/profile';
import type { ChatDb, StoredProfileRecord } from '../db/schema';

export function allProfileRecords(db: ChatDb): Promise<StoredProfileRecord[]> {
  return db.getAll('profiles');
}

export async function profileOf(db: ChatDb, conv: string): Promise<StoredProfile | undefined> {
  return (await db.get('profiles', conv))?.profile;
}

/** What my profile last sent to `device` of `conv` was (its ts), if anything. */
export async function sentTo(db: ChatDb, conv: string, device: string): Promise<number | undefined> {
  return (await db.get('profiles', conv))?.sent?.[device];
}

/**
 * Stores `next` as the profile of `conv` unless `decide` (given what is stored) says no; read
 * and write in one transaction, so two frames at once cannot store the older one last.
 */
export async function storeProfile(db: ChatDb, conv: string, decide: (stored: StoredProfile | undefined) => StoredProfile | null): Promise<StoredProfile | null> {
  const tx = db.transaction('profiles', 'readwrite');
  const rec = await tx.store.get(conv);
  const next = decide(rec?.profile);
  if (next) await tx.store.put({ ...(rec ?? { conv }), conv, profile: next });
  await tx.done;
  return next;
}

/** Notes that `device` of `conv` was sent my profile of time `ts`. */
export async function noteSent(db: ChatDb, conv: string, device: string, ts: number): Promise<void> {
  const tx = db.transaction('profiles', 'readwrite');
  const rec = await tx.store.get(conv);
  const sent = { ...(rec?.sent ?? {}) };
  sent[device] = Math.max(sent[device] ?? 0, ts);
  await tx.store.put({ ...(rec ?? { conv }), conv, sent });
  await tx.done;
}
