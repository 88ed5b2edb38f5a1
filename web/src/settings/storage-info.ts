/**
 * This site's storage in the browser: how much is used and free (`navigator.storage.estimate()`)
 * and whether it is kept when the browser needs space (`persisted()` / `persist()`).
 */
import { Store } from '../state/store';

export interface StorageInfo {
  /** False where the browser has no StorageManager (then nothing else is known). */
  supported: boolean;
  usage: number | null;
  quota: number | null;
  /** The browser keeps this site's data even when space runs low. */
  persisted: boolean;
  /** The browser refused to make it persistent when asked. */
  refused: boolean;
}

export const storageInfo = new Store<StorageInfo>({ supported: 'storage' in navigator, usage: null, quota: null, persisted: false, refused: false });

/** Reads the figures again (after a backup, a restore, or when the Settings screen opens). */
export async function refreshStorageInfo(): Promise<void> {
  if (!navigator.storage) return;
  try {
    const [est, persisted] = await Promise.all([
      navigator.storage.estimate?.() ?? Promise.resolve<StorageEstimate>({}),
      navigator.storage.persisted?.() ?? Promise.resolve(false),
    ]);
    storageInfo.update((s) => ({ ...s, usage: est.usage ?? null, quota: est.quota ?? null, persisted }));
  } catch (err) {
    console.warn('Peerchat: the storage estimate could not be read', err);
  }
}

/** Asks the browser to keep this site's data; the answer is the browser's (it may say no). */
export async function askPersistentStorage(): Promise<void> {
  if (!navigator.storage?.persist) return;
  try {
    const persisted = await navigator.storage.persist();
    storageInfo.update((s) => ({ ...s, persisted, refused: !persisted }));
  } catch (err) {
    console.warn('Peerchat: asking for persistent storage failed', err);
    storageInfo.update((s) => ({ ...s, refused: true }));
  }
}
