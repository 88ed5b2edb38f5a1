/**
 * The part of a stored message the everyday rules read and write. The web side's stored record
 * (web/src/db/schema.ts) extends it; the rules are generic over the full record, so they return
 * the whole record to write back, other fields untouched.
 */
import type { ReactionEmoji, ReplyRef } from './everyday-messages';

/** One person's reaction to a message. */
export interface StoredReaction {
  emoji: ReactionEmoji;
  /** When it was set, on the reactor's clock (a later frame wins, an older one is ignored). */
  ts: number;
}

export interface EverydayRecord {
  /** Random 128-bit id (hex), the same on every device. */
  id: string;
  /** The conversation: the contact's username key (lowercase). */
  conv: string;
  /** Written by this account. */
  outgoing: boolean;
  /** The text; '' once recalled. */
  text: string;
  /** The author's clock when it was written, ms since the epoch. */
  ts: number;
  /**
   * The author's username key. Absent in a two-person conversation, where the author is this
   * account for outgoing messages and the contact (`conv`) otherwise: see {@link authorOf}.
   */
  author?: string;
  /** What this message quotes, when it is a reply. */
  reply?: ReplyRef;
  /** When the text was last edited (author's clock); absent: never edited. */
  editedAt?: number;
  /** When it was deleted for everyone (author's clock); absent: not recalled. */
  recalledAt?: number;
  /** Reactions by reactor (username key): one per person, as in most messengers. */
  reactions?: Readonly<Record<string, StoredReaction>>;
  /** A file or image message (its text is the file name): never edited. */
  fileId?: string;
  /** A quiet system line, not a message: never edited, recalled or reacted to. */
  kind?: string;
}

/**
 * Who a rule acts for. `actor` is the username key of whoever sent the frame, taken from the
 * authenticated session the frame arrived on (or `self` for this person's own actions): never
 * from the frame. `conv` is the conversation of that session: a frame may only touch messages
 * of its own conversation (ids are global on a device).
 */
export interface RuleContext {
  /** This account's username key. */
  self: string;
  /** Who sent the frame (username key), from the session. */
  actor: string;
  /** The conversation the frame arrived in. */
  conv: string;
  /** The receiving device's clock, ms since the epoch (injected for tests). */
  now: number;
}

/** The author's username key of a record (see {@link EverydayRecord.author}). */
export function authorOf(record: EverydayRecord, self: string): string {
  return record.author ?? (record.outgoing ? self : record.conv);
}

/** True when `actor` takes part in the record's conversation (two-person: self or the contact). */
export function isParticipant(record: EverydayRecord, actor: string, self: string): boolean {
  return actor === self || actor === record.conv || actor === record.author;
}
