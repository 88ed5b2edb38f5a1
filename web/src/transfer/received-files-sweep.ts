/**
 * Start-up housekeeping for received files: OPFS files whose transfer record no longer exists in
 * any account's history on this device are deleted (a history cleared by hand, a page that went
 * away between creating a file and storing its record).
 *
 * The OPFS folder is shared by every account that logged in on this browser, while each account
 * has its own database, so the live ids are gathered from all of them. If any database cannot be
 * read, nothing is deleted: a file is only removed when we know that no record names it.
 */
import { openDB } from 'idb';
import { removeOrphanFiles } from '../files/orphans';
import { dbNameFor } from '../db/schema';

const HISTORY_DB_PREFIX = dbNameFor('');

/** Ids of every transfer record in every account database of this origin, or null if unknown. */
export async function liveTransferIds(): Promise<Set<string> | null> {
  if (typeof indexedDB.databases !== 'function') return null;
  const live = new Set<string>();
  for (const info of await indexedDB.databases()) {
    if (!info.name?.startsWith(HISTORY_DB_PREFIX)) continue;
    // No version: opens what exists without upgrading it (a newer tab may own the schema).
    const db = await openDB(info.name);
    try {
      if (!db.objectStoreNames.contains('transfers')) continue;
      for (const key of await db.getAllKeys('transfers')) if (typeof key === 'string') live.add(key);
    } finally {
      db.close();
    }
  }
  return live;
}

/** Removes received files that no transfer names; logs and gives up on any failure. */
export async function sweepReceivedFiles(): Promise<void> {
  try {
    const removed = await removeOrphanFiles(liveTransferIds);
    if (removed > 0) console.warn(`peerchat: removed ${removed} received file(s) of transfers that no longer exist`);
  } catch (e) {
    console.warn('peerchat: the clean-up of received files was skipped:', e instanceof Error ? e.name : typeof e);
  }
}
