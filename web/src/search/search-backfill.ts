/**
 * Gives every stored message its search tokens, in the background and resumable: it walks the
 * messages in record-number order (`by-seq`; every write of a message takes a new number) from
 * where it stopped last time, a batch per transaction, and writes tokens only where they are
 * missing or stale. So records written by any path (catch-up from own devices, a restore, an
 * older version of the app) become searchable, and an edited text is indexed again. Writing the
 * tokens keeps the record's number: it is not a change other devices need.
 */
import type { ChatDb } from '../db/schema';
import { dbNameFor } from '../db/schema';
import { messageTokens, sameTokens } from './message-tokens';

const BATCH = 400;

function cursorKey(db: ChatDb): string {
  return `peerchat.search-indexed.${db.name}`;
}

function savedCursor(db: ChatDb): number {
  try {
    const n = Number(localStorage.getItem(cursorKey(db)) ?? '0');
    return Number.isFinite(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

function saveCursor(db: ChatDb, seq: number): void {
  try {
    localStorage.setItem(cursorKey(db), String(seq));
  } catch (err) {
    console.warn('Peerchat: the search index position could not be kept', err);
  }
}

/** Forget the position (the database was replaced, e.g. by a restore). */
export function resetSearchBackfill(usernameKey: string): void {
  try {
    localStorage.removeItem(`peerchat.search-indexed.${dbNameFor(usernameKey)}`);
  } catch {
    // Nothing kept, nothing to forget.
  }
}

/** One batch after `after`; returns the highest record number seen, or null when there were none. */
async function batch(db: ChatDb, after: number): Promise<number | null> {
  const tx = db.transaction('messages', 'readwrite');
  let cursor = await tx.store.index('by-seq').openCursor(IDBKeyRange.lowerBound(after, true));
  let last: number | null = null;
  for (let n = 0; cursor && n < BATCH; n++) {
    const m = cursor.value;
    const tokens = messageTokens(m);
    if (!sameTokens(m.tokens, tokens)) await cursor.update({ ...m, tokens });
    last = m.seq ?? last;
    cursor = await cursor.continue();
  }
  await tx.done;
  return last;
}

const running = new WeakMap<ChatDb, Promise<void>>();

/**
 * Indexes everything written since the last run; resolves when done (a search awaits it so it
 * sees everything). Concurrent calls share one run.
 */
export function catchUpSearchIndex(db: ChatDb): Promise<void> {
  const current = running.get(db);
  if (current) return current;
  const run = (async () => {
    let at = savedCursor(db);
    const top = await db.transaction('messages').store.index('by-seq').openKeyCursor(null, 'prev');
    // A newer database under the same name (a restore): start again.
    if (at > (top?.key ?? 0)) at = 0;
    for (;;) {
      const last = await batch(db, at);
      if (last === null) break;
      at = last;
      saveCursor(db, at);
      // Let the page breathe between batches.
      await new Promise((r) => setTimeout(r, 0));
    }
  })()
    .catch((err: unknown) => console.warn('Peerchat: indexing messages for search failed', err))
    .finally(() => running.delete(db));
  running.set(db, run);
  return run;
}
