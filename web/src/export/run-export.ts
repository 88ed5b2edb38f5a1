import type { ChatDb } from '../db/schema';
import { localeState } from '../l10n/locale';
import { exportConversation, type ExportFormat } from './export-conversation';
import { exportLabels } from './export-labels';

/** What an export button shows afterwards: saved, failed, or nothing (the person cancelled). */
export type ExportOutcome = 'done' | 'failed' | null;

/**
 * Exports one conversation in the interface's language and labels, as the header menu and the
 * Settings panel both offer it. A failure is logged (never the content) and returned as 'failed'.
 */
export async function runExport(db: ChatDb, conv: string, peerName: string, selfName: string, format: ExportFormat): Promise<ExportOutcome> {
  try {
    const result = await exportConversation({ db, conv, peerName, selfName, format, labels: exportLabels(), lang: localeState.get().locale, now: Date.now() });
    return result === 'cancelled' ? null : 'done';
  } catch (err) {
    console.warn('Peerchat: exporting the conversation failed', err);
    return 'failed';
  }
}
