/**
 * Encrypted backup of everything this device keeps: the content (./backup-content.ts) sealed
 * into one file (./backup-crypto.ts, format in ./backup-format.ts). The two calls the web side
 * needs are {@link makeBackup} and {@link readBackup}.
 */
import { openBackup, sealBackup, type SealOptions } from './backup-crypto';
import { decodeBackupRecords, encodeBackupRecords, type BackupItem, type BackupMeta } from './backup-content';

export * from './backup-content';
export { openBackup, sealBackup, type OpenedBackup, type SealOptions } from './backup-crypto';
export { DEFAULT_ITERATIONS, MIN_PASSPHRASE_CHARS, BACKUP_FORMAT_VERSION } from './backup-format';

/**
 * The bytes of a backup file of `items` (stream them into a Blob or a file). libsodium must be
 * ready. Throws BACKUP_PASSPHRASE_TOO_SHORT before anything is produced.
 */
export function makeBackup(
  meta: BackupMeta,
  items: AsyncIterable<BackupItem> | Iterable<BackupItem>,
  passphrase: string,
  opts: SealOptions = {},
): AsyncGenerator<Uint8Array> {
  return sealBackup(encodeBackupRecords(meta, items), passphrase, opts);
}

/**
 * Opens a backup file: throws BACKUP_NOT_A_BACKUP, BACKUP_UNSUPPORTED_VERSION or
 * BACKUP_WRONG_PASSPHRASE at once; then `records` yields `meta` and every item, and throws
 * BACKUP_DAMAGED on truncation or tampering. Restore into a fresh database and keep it only if
 * `records` completes without throwing.
 */
export async function readBackup(
  file: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  passphrase: string,
): Promise<{ createdAt: number; records: AsyncGenerator<BackupMeta | BackupItem> }> {
  const opened = await openBackup(file, passphrase);
  return { createdAt: opened.createdAt, records: decodeBackupRecords(opened.plaintext) };
}

/**
 * A ReadableStream of bytes (e.g. `file.stream()` of the chosen backup file) as an async
 * iterable, for browsers whose streams are not async-iterable themselves. Releases the lock at
 * the end or on an error.
 */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
