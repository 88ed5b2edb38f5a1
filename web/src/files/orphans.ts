/**
 * Housekeeping at start: received files whose transfer no longer exists (its record was deleted,
 * or the page went away between creating the file and storing the record) are removed from the
 * folder the sinks use. Files a sink of this page has opened are never touched, whatever the
 * list of live transfers says.
 */
import { filesDir, storedFileHandles, wasOpenedHere } from './opfs-files';
import { toSinkError } from './sink-error';

/** The stored file ids to remove: neither a live transfer's nor opened by this page. Pure. */
export function orphanIds(stored: Iterable<string>, liveIds: ReadonlySet<string>, openedHere: (id: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const id of stored) if (!liveIds.has(id) && !openedHere(id)) out.push(id);
  return out;
}

/**
 * Deletes every stored received file whose transfer id is not in `liveIds` and returns how many
 * it removed. Never rejects: a failure (storage unavailable, a file locked by another tab) is
 * logged with console.warn and that file is left for the next start.
 *
 * `liveIds` may be a function: it is then called after the folder was listed. A transfer's record
 * is stored before its file is created, so every listed file of a live transfer (even one another
 * tab started a moment ago) is named by the ids read afterwards. A function resolving to null
 * means "unknown": nothing is deleted.
 */
export async function removeOrphanFiles(liveIds: ReadonlySet<string> | (() => Promise<ReadonlySet<string> | null>)): Promise<number> {
  let dir: FileSystemDirectoryHandle;
  let stored: string[];
  try {
    dir = await filesDir();
    stored = (await storedFileHandles(dir)).map((h) => h.name);
  } catch (e) {
    console.warn(`peerchat: could not list received files to clean up (${toSinkError(e).code})`, e);
    return 0;
  }
  const live = typeof liveIds === 'function' ? await liveIds() : liveIds;
  if (!live) return 0;
  let removed = 0;
  for (const id of orphanIds(stored, live, wasOpenedHere)) {
    try {
      await dir.removeEntry(id);
      removed++;
    } catch (e) {
      const err = toSinkError(e);
      if (err.code === 'not-found') continue; // gone meanwhile: nothing to do
      console.warn(`peerchat: could not remove a received file of a finished transfer (${err.code})`, err.detail);
    }
  }
  return removed;
}
