/**
 * Merging a copy of a message from another device of this account into the stored record: the
 * reply, edit, recall and reaction fields (pure; web/src/db/device-sync-store.ts writes the result).
 *
 * Copies arrive in any order (live mirroring, catch-up streams, repeats), so the merge only moves
 * forward: a recall is final (an older, unrecalled copy never brings the text back), the newest
 * edit wins, and per reactor the newest reaction wins. A reaction cleared on the other device is
 * not carried by its copy, so it stays here until that device's copy is newer for the same
 * reactor (the contact's own frames clear it on each device that receives them).
 */
import { recalledRecord, type EverydayRecord, type StoredReaction } from '../../../shared/messaging/index';

/** The everyday fields as a copy carries them. */
export type EverydayCopy = Pick<EverydayRecord, 'text' | 'reply' | 'editedAt' | 'recalledAt' | 'reactions'>;

/** The record after merging `copy` into `stored`, or null when nothing changes. */
export function mergeEverydayCopy<R extends EverydayRecord>(stored: R, copy: EverydayCopy): R | null {
  if (stored.recalledAt !== undefined) return null;
  if (copy.recalledAt !== undefined) return recalledRecord(stored, copy.recalledAt);
  let next: R = stored;
  if (copy.editedAt !== undefined && (stored.editedAt === undefined || copy.editedAt > stored.editedAt)) {
    next = { ...next, text: copy.text, editedAt: copy.editedAt };
  }
  if (!stored.reply && copy.reply) next = { ...next, reply: copy.reply };
  const reactions = mergeReactions(stored.reactions, copy.reactions);
  if (reactions) next = { ...next, reactions };
  return next === stored ? null : next;
}

/** Per reactor the newer reaction; null when `copy` adds nothing newer. */
function mergeReactions(
  stored: Readonly<Record<string, StoredReaction>> | undefined,
  copy: Readonly<Record<string, StoredReaction>> | undefined,
): Record<string, StoredReaction> | null {
  if (!copy) return null;
  let out: Record<string, StoredReaction> | null = null;
  for (const [who, r] of Object.entries(copy)) {
    const mine = stored?.[who];
    if (mine && (mine.ts > r.ts || (mine.ts === r.ts && mine.emoji === r.emoji))) continue;
    out ??= { ...stored };
    out[who] = { emoji: r.emoji, ts: r.ts };
  }
  return out;
}

/** The everyday fields of a stored record to put on its copy (only those that are set). */
export function everydayCopyOf(m: EverydayRecord): Partial<EverydayCopy> {
  const out: Partial<EverydayCopy> = {};
  if (m.reply) out.reply = m.reply;
  if (m.editedAt !== undefined) out.editedAt = m.editedAt;
  if (m.recalledAt !== undefined) out.recalledAt = m.recalledAt;
  if (m.reactions && Object.keys(m.reactions).length > 0) out.reactions = m.reactions;
  return out;
}
