/**
 * Pure rules for edit and recall ("delete for everyone"): who may, until when, and the record
 * to write afterwards. State and event in, result out; the web side only stores what they return.
 *
 * Identity: only a message's author edits or recalls it, and the actor is the identity of the
 * session the frame came on (RuleContext.actor), never anything inside the frame.
 *
 * Time: the windows are measured between the original's time and the edit's/recall's time,
 * both on the author's clock (so an edit made in time and queued while offline still applies
 * when it arrives later). A control message dated further ahead of the receiver's clock than
 * maxClockSkewMs is refused, and so is one dated before its original.
 *
 * Recall removes the text, any edit mark, the quote it carried and its reactions from the
 * record returned; records that quote it get their excerpt removed too ({@link scrubQuote}).
 * A recall of a message not (yet) here returns a tombstone to keep, so that the original, if it
 * arrives late (another device's catch-up, an outbox replay), is stored already recalled
 * ({@link admitIncoming}).
 */
import { EVERYDAY_LIMITS, excerptOf, type EditFrame, type ReplyRef, type RecallFrame } from './everyday-messages';
import { authorOf, type EverydayRecord, type RuleContext } from './message-record';

/** Why a rule refused. Logged by the web side; never shown as an error (nothing the person can do). */
export type RuleRefusal =
  /** No such message on this device. */
  | 'unknown'
  /** The message belongs to another conversation than the session the frame came on. */
  | 'wrong-conversation'
  /** The actor did not write the message. */
  | 'not-author'
  /** The message was already deleted for everyone. */
  | 'recalled'
  /** A file message or a system line: it has no text to edit. */
  | 'not-text'
  /** Past the edit or recall window. */
  | 'too-late'
  /** Dated before the original, or too far ahead of this device's clock. */
  | 'bad-time'
  /** An edit older than the one already applied. */
  | 'stale';

export type RuleResult<R> = { ok: true; record: R } | { ok: false; reason: RuleRefusal };

/** A recall of a message this device does not have (yet): keep it until the message arrives. */
export interface RecallTombstone {
  id: string;
  conv: string;
  /** Who recalled it (the session's identity): only that author's original is suppressed. */
  author: string;
  recalledAt: number;
}

/** How many tombstones to keep per conversation, and for how long (receiver's clock). */
export const TOMBSTONE_LIMITS = { maxPerConversation: 1000, keepMs: 30 * 24 * 60 * 60 * 1000 } as const;

/**
 * The tombstones of one conversation worth keeping at `now`: newest first, at most
 * maxPerConversation, none older than keepMs (a contact cannot fill the database with recalls
 * of made-up ids; a real original arrives long before a month has passed).
 */
export function pruneTombstones(tombstones: readonly RecallTombstone[], now: number): RecallTombstone[] {
  return tombstones
    .filter((t) => now - t.recalledAt <= TOMBSTONE_LIMITS.keepMs)
    .sort((a, b) => b.recalledAt - a.recalledAt)
    .slice(0, TOMBSTONE_LIMITS.maxPerConversation);
}

function refuse(reason: RuleRefusal): { ok: false; reason: RuleRefusal } {
  return { ok: false, reason };
}

/** Checks common to edit and recall: conversation, author, state, time window. */
function checkAuthorAction(record: EverydayRecord, ts: number, windowMs: number, ctx: RuleContext): RuleRefusal | null {
  if (record.conv !== ctx.conv) return 'wrong-conversation';
  if (authorOf(record, ctx.self) !== ctx.actor) return 'not-author';
  if (record.kind !== undefined) return 'not-text';
  if (record.recalledAt !== undefined) return 'recalled';
  if (ts < record.ts || ts > ctx.now + EVERYDAY_LIMITS.maxClockSkewMs) return 'bad-time';
  if (ts - record.ts > windowMs) return 'too-late';
  return null;
}

/**
 * May this person still edit their own message, now? For the message menu (and the send path:
 * an edit it refuses is not sent). Same rule as receiving an edit.
 */
export function canEditOwn(record: EverydayRecord, self: string, now: number): boolean {
  if (record.fileId !== undefined) return false;
  return checkAuthorAction(record, now, EVERYDAY_LIMITS.editWindowMs, { self, actor: self, conv: record.conv, now }) === null;
}

/** May this person still delete their own message for everyone, now? */
export function canRecallOwn(record: EverydayRecord, self: string, now: number): boolean {
  return checkAuthorAction(record, now, EVERYDAY_LIMITS.recallWindowMs, { self, actor: self, conv: record.conv, now }) === null;
}

/**
 * Applies an edit (received, or this person's own with actor = self) to the stored record.
 * Returns the record to write: new text, `editedAt` = the edit's time. An edit older than the
 * one already applied is refused as 'stale' (edits may reach a device out of order via sync).
 */
export function applyEdit<R extends EverydayRecord>(record: R | undefined, frame: EditFrame, ctx: RuleContext): RuleResult<R> {
  if (!record) return refuse('unknown');
  if (record.fileId !== undefined) return refuse('not-text');
  const bad = checkAuthorAction(record, frame.ts, EVERYDAY_LIMITS.editWindowMs, ctx);
  if (bad) return refuse(bad);
  if (record.editedAt !== undefined && frame.ts <= record.editedAt) return refuse('stale');
  return { ok: true, record: { ...record, text: frame.text, editedAt: frame.ts } };
}

/** The record with everything it said removed: what a recalled message is stored as. */
export function recalledRecord<R extends EverydayRecord>(record: R, recalledAt: number): R {
  const { reply: _reply, editedAt: _editedAt, reactions: _reactions, ...rest } = record;
  return { ...rest, text: '', recalledAt } as R;
}

/**
 * Applies a recall. With the record: the record to write (text gone, see {@link recalledRecord});
 * a file message also loses its file (the web side deletes the stored bytes when `record.fileId`
 * is set). Without it: a tombstone to keep (see {@link admitIncoming}).
 */
export function applyRecall<R extends EverydayRecord>(
  record: R | undefined,
  frame: RecallFrame,
  ctx: RuleContext,
): { ok: true; record: R } | { ok: true; tombstone: RecallTombstone } | { ok: false; reason: RuleRefusal } {
  if (!record) {
    if (frame.ts > ctx.now + EVERYDAY_LIMITS.maxClockSkewMs) return refuse('bad-time');
    return { ok: true, tombstone: { id: frame.id, conv: ctx.conv, author: ctx.actor, recalledAt: frame.ts } };
  }
  if (record.recalledAt !== undefined && authorOf(record, ctx.self) === ctx.actor && record.conv === ctx.conv) {
    // A repeated recall (an outbox replay) is harmless: the same record again.
    return { ok: true, record };
  }
  const bad = checkAuthorAction(record, frame.ts, EVERYDAY_LIMITS.recallWindowMs, ctx);
  if (bad) return refuse(bad);
  return { ok: true, record: recalledRecord(record, frame.ts) };
}

/**
 * An incoming message about to be stored, given a tombstone kept for its id (if any). Returns
 * the record to write: recalled already when the tombstone is from its author, in its
 * conversation and within the recall window; otherwise the message as it came (a tombstone
 * from anyone else suppresses nothing).
 */
export function admitIncoming<R extends EverydayRecord>(incoming: R, tombstone: RecallTombstone | undefined, self: string): R {
  if (!tombstone || tombstone.id !== incoming.id) return incoming;
  if (tombstone.conv !== incoming.conv || tombstone.author !== authorOf(incoming, self)) return incoming;
  const dt = tombstone.recalledAt - incoming.ts;
  if (dt < 0 || dt > EVERYDAY_LIMITS.recallWindowMs) return incoming;
  return recalledRecord(incoming, tombstone.recalledAt);
}

/**
 * A record that quotes a recalled message, with the quote's excerpt removed (the id stays, so
 * the reply still shows "message deleted" where the quote was). Null when it needs no change.
 * The web side finds such records with an index on `reply.id`.
 */
export function scrubQuote<R extends EverydayRecord>(record: R, recalledId: string): R | null {
  if (!record.reply || record.reply.id !== recalledId || record.reply.excerpt === '') return null;
  return { ...record, reply: { ...record.reply, excerpt: '' } };
}

/** How to show a reply's quote. */
export type QuoteView =
  | { state: 'shown'; id: string; author: string; excerpt: string; /** From this device's own copy. */ local: boolean }
  | { state: 'deleted'; id: string };

/**
 * What to show for the quote of `reply` (a record with a ReplyRef), given this device's copy of
 * the quoted message (if any; `authorName` gives a display name for a stored record).
 * The own copy wins over the frame's excerpt (a sender could misquote); a recalled original,
 * or an emptied excerpt, shows as deleted.
 */
export function resolveQuote<R extends EverydayRecord>(
  reply: { conv: string; reply: ReplyRef },
  quoted: R | undefined,
  authorName: (r: R) => string,
): QuoteView {
  const ref = reply.reply;
  // A copy from another conversation is not the quoted message (ids are global on a device).
  if (quoted && quoted.id === ref.id && quoted.conv === reply.conv) {
    if (quoted.recalledAt !== undefined) return { state: 'deleted', id: ref.id };
    return { state: 'shown', id: ref.id, author: authorName(quoted), excerpt: excerptOf(quoted.text), local: true };
  }
  if (ref.excerpt === '') return { state: 'deleted', id: ref.id };
  return { state: 'shown', id: ref.id, author: ref.author, excerpt: ref.excerpt, local: false };
}
