import { msg } from '@lit/localize';
import type { ExportLabels } from '../../../shared/export/index';

/** The words around the messages of an export, in the language the app speaks. */
export function exportLabels(): ExportLabels {
  return {
    title: msg('Conversation with {name}', { id: 'export-title', desc: 'Title of an exported conversation; {name} is the contact' }),
    exportedAt: msg('Exported from Peerchat on {time}', { id: 'export-exported-at', desc: '{time} is when the export was made' }),
    edited: msg('edited', { id: 'export-edited', desc: 'Marks an edited message in an export' }),
    deleted: msg('This message was deleted.', { id: 'export-deleted' }),
    replyTo: msg('Replying to {name}', { id: 'export-reply-to', desc: '{name} is the author of the quoted message' }),
    file: msg('File: {name} ({size})', { id: 'export-file', desc: '{name} is the file name, {size} its size' }),
    // A quiet line is already a whole sentence in the app's language.
    systemLine: '{text}',
  };
}
