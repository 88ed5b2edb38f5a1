/**
 * Storage of reply, reactions, edit and recall in a group: the conversation line of a group
 * message changes in place (new text, reactions, the recalled form), and a recall also replaces
 * the held signed copy of its target by the recall itself, so the recalled text leaves this
 * device's database entirely while catch-up still counts the target's number as held.
 */
import type { ReplyRef, StoredReaction } from '../../../shared/messaging/index';
import type { ChatDb, StoredConversation, StoredGroupMessage, StoredMessage } from '../db/schema';
import { nextSeq } from '../db/record-seq';
import { messageTokens } from '../search/message-tokens';

/** A group conversation line with the fields the everyday rules read and write. */
export type GroupLine = StoredMessage & {
  /** The author's account (the rules' EverydayRecord.author). */
  author?: string;
  reply?: ReplyRef;
  editedAt?: number;
  recalledAt?: number;
  reactions?: Readonly<Record<string, StoredReaction>>;
};

export async function getGroupLine(db: ChatDb, id: string): Promise<GroupLine | undefined> {
  return (await db.get('messages', id)) as GroupLine | undefined;
}

/** Holds a signed message that has no line of its own (a react, edit or recall), or a recall's stand-in. */
export async function holdGroupMessage(db: ChatDb, rec: StoredGroupMessage): Promise<void> {
  await db.put('groupMessages', rec);
}

/** The conversation row's preview follows the line when it is the newest one. */
function preview(conv: StoredConversation | undefined, line: GroupLine): StoredConversation | null {
  if (!conv || conv.lastTs !== line.ts) return null;
  return { ...conv, lastText: line.text.slice(0, 200) };
}

/**
 * Writes changed lines (a new text, reactions, a recall, scrubbed quotes) with fresh record
 * numbers and search tokens, and `held` (a recall's signed copy in place of its target's).
 * Returns the lines as stored.
 */
export async function writeGroupLines(db: ChatDb, lines: readonly GroupLine[], held?: StoredGroupMessage): Promise<GroupLine[]> {
  const tx = db.transaction(['groupMessages', 'messages', 'conversations'], 'readwrite');
  const messages = tx.objectStore('messages');
  const convs = tx.objectStore('conversations');
  const out: GroupLine[] = [];
  for (const line of lines) {
    const seq = await nextSeq(messages);
    const stored: GroupLine = { ...line, seq, tokens: messageTokens(line) };
    await messages.put(stored);
    const row = preview(await convs.get(line.conv), line);
    if (row) await convs.put(row);
    out.push(stored);
  }
  if (held) await tx.objectStore('groupMessages').put(held);
  await tx.done;
  return out;
}
