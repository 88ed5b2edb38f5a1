/**
 * Making a backup file and restoring one. A restore reads and checks the WHOLE file before it
 * writes anything (a wrong passphrase or a damaged file writes nothing), then writes it into
 * this account's history in one transaction: what is here already stays (records are merged by
 * id; a contact already known keeps its pinned key).
 */
import { backupMeta, makeBackup, readBackup, streamChunks, type BackupContact, type BackupConversation, type BackupMessage } from '../../../shared/backup/index';
import { everydayCopyOf } from '../everyday/action-merge';
import { ready } from '../../../shared/crypto/index';
import { PeerchatError } from '../../../shared/errors';
import type { ChatDb, StoredMessage } from '../db/schema';
import { nextSeq } from '../db/record-seq';
import { messageTokens } from '../search/message-tokens';
import { backupItems } from './backup-items';

/** The backup as Blob pieces (encrypted as they are produced). */
export async function makeBackupBlob(db: ChatDb, account: string, passphrase: string, now: number): Promise<Blob> {
  await ready();
  const parts: Uint8Array[] = [];
  for await (const chunk of makeBackup(backupMeta(account, now), backupItems(db), passphrase)) parts.push(chunk);
  return new Blob(parts as BlobPart[], { type: 'application/octet-stream' });
}

export function backupFileName(account: string, stamp: string): string {
  return `Peerchat-backup-${account.replace(/[^\p{L}\p{N}_.-]+/gu, '_')}-${stamp}.peerchat-backup`;
}

export interface RestoreCounts {
  contacts: number;
  conversations: number;
  messages: number;
}

/**
 * Restores `file` into `db` (the history of `account`). Throws a PeerchatError with a BACKUP_*
 * code, and nothing is written, when the file is not a backup, the passphrase is wrong, it is
 * damaged, or it belongs to another account (BACKUP_NOT_A_BACKUP).
 */
export async function restoreBackup(db: ChatDb, account: string, file: Blob, passphrase: string): Promise<RestoreCounts> {
  await ready();
  const opened = await readBackup(streamChunks(file.stream()), passphrase);
  const contacts: BackupContact[] = [];
  const conversations: BackupConversation[] = [];
  const messages: BackupMessage[] = [];
  for await (const r of opened.records) {
    if (r.t === 'meta') {
      if (r.account !== account) throw new PeerchatError('BACKUP_NOT_A_BACKUP');
    } else if (r.t === 'contact') contacts.push(r);
    else if (r.t === 'conversation') conversations.push(r);
    else if (r.t === 'message') messages.push(r);
  }
  // Every record was read and checked: now write, all or nothing.
  const tx = db.transaction(['contacts', 'conversations', 'messages'], 'readwrite');
  const contactStore = tx.objectStore('contacts');
  for (const c of contacts) {
    const known = await contactStore.get(c.conv);
    if (known?.identityKey && c.identityKey && known.identityKey !== c.identityKey) continue;
    await contactStore.put({ ...(known ?? {}), conv: c.conv, peerName: c.peerName, identityKey: c.identityKey ?? known?.identityKey, pinnedAt: c.pinnedAt ?? known?.pinnedAt, verified: !!(c.verified || known?.verified) });
  }
  const convStore = tx.objectStore('conversations');
  for (const c of conversations) {
    const known = await convStore.get(c.conv);
    if (known && known.lastTs >= c.lastTs) continue;
    await convStore.put({ ...(known ?? { answering: true }), conv: c.conv, peerName: c.peerName, lastText: c.lastText, lastTs: c.lastTs, unread: known?.unread ?? 0, contact: c.contact ?? 'contact' });
  }
  const msgStore = tx.objectStore('messages');
  let seq = await nextSeq(msgStore);
  for (const m of messages) {
    if (await msgStore.getKey(m.id)) continue;
    // Files come back as their facts only; the bytes were never in the backup.
    const stored: StoredMessage = { id: m.id, conv: m.conv, from: m.from, outgoing: m.outgoing, text: m.file ? m.file.name : m.text, ts: m.ts, state: m.state === 'read' ? 'delivered' : m.state, seq: seq++ };
    if (m.kind) stored.kind = m.kind;
    Object.assign(stored, everydayCopyOf({ ...stored, editedAt: m.editedAt, recalledAt: m.recalledAt, reply: m.reply, reactions: m.reactions }));
    stored.tokens = messageTokens(stored);
    await msgStore.put(stored);
  }
  await tx.done;
  return { contacts: contacts.length, conversations: conversations.length, messages: messages.length };
}
