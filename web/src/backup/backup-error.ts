import { PeerchatError } from '../../../shared/errors';

/** The failure of a backup or restore as shown: a code from shared/errors, or an unexpected one (logged). */
export function backupErrorCode(err: unknown): string {
  if (err instanceof PeerchatError) return err.code;
  console.warn('Peerchat: the backup or restore failed', err);
  return err instanceof DOMException && err.name === 'QuotaExceededError' ? 'STORAGE_FULL' : 'BACKUP_DAMAGED';
}
