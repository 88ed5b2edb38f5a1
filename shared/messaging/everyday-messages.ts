/**
 * The everyday control messages: read receipts, typing, reactions, edit, recall ("delete for
 * everyone") and profile, plus the quoted reference a `chat` frame carries when it replies.
 *
 * They travel like chat frames: as sealed frames of the pairwise session (in order,
 * authenticated, never replayed). None names its sender: the sender is whoever is on the other
 * end of the session, so a contact can only ever read, type, react, edit or recall as itself
 * (the rules in ./message-rules.ts take that identity as a separate argument).
 *
 *   read       "I have read your messages": by ids, and/or everything up to one of them
 *   typing     on / off (rate-limited by the sender, timed out by the receiver: ./typing.ts)
 *   react      set (on) or clear (off) this person's reaction to one message
 *   edit       new text for one of the sender's own messages (within EDIT_WINDOW_MS)
 *   recall     delete one of the sender's own messages for everyone (within RECALL_WINDOW_MS)
 *   profile    the sender's display name and avatar (a small image re-encoded on its device)
 *
 * Every string and array is capped here; the parser returns null for anything else.
 */
import * as v from 'valibot';
import { LIMITS } from '../limits';
import { peerFrameValue } from '../json';

/** Caps and windows of the everyday messages. Changing one is a protocol change. */
export const EVERYDAY_LIMITS = {
  /** An edit is accepted if made at most this long after the original's time. */
  editWindowMs: 15 * 60 * 1000,
  /** A recall is accepted if made at most this long after the original's time. */
  recallWindowMs: 24 * 60 * 60 * 1000,
  /** How far a control message's own time may lie ahead of the receiver's clock (clock skew). */
  maxClockSkewMs: 5 * 60 * 1000,
  /** Ids in one `read` frame. */
  maxReadIds: 256,
  /** The excerpt of a quoted message, in UTF-16 code units. */
  maxQuoteChars: 160,
  /** A display name, in UTF-16 code units. */
  maxDisplayNameChars: 64,
  /** An avatar image's bytes (after re-encoding on the sender's device). */
  maxAvatarBytes: 48 * 1024,
  /** Largest avatar side in pixels the re-encoder should produce (a hint for the web side). */
  avatarSidePx: 256,
} as const;

/** The fixed reaction set (what the picker offers; anything else is refused). */
export const REACTION_EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;
export type ReactionEmoji = (typeof REACTION_EMOJI)[number];

/** Avatar image types accepted (the web side re-encodes to one of these before sending). */
export const AVATAR_MIMES = ['image/webp', 'image/jpeg', 'image/png'] as const;
export type AvatarMime = (typeof AVATAR_MIMES)[number];

const MessageId = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/));
const Time = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
/** base64url without padding of at most maxAvatarBytes bytes. */
const AVATAR_B64_MAX = Math.ceil((EVERYDAY_LIMITS.maxAvatarBytes * 4) / 3);
const Avatar = v.strictObject({
  mime: v.picklist(AVATAR_MIMES),
  /** The image bytes, base64url without padding. */
  data: v.pipe(v.string(), v.minLength(1), v.maxLength(AVATAR_B64_MAX), v.regex(/^[A-Za-z0-9_-]+$/)),
  /** BLAKE2b-256 of the bytes, lowercase hex (receivers check it: ./profile.ts). */
  hash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
});

/**
 * What a reply quotes: the id of the quoted message, its author's display name and a short
 * excerpt. The receiver shows its own stored copy of the quoted message when it has one
 * (./message-rules.ts `resolveQuote`) and the excerpt only otherwise.
 */
export const ReplyRefSchema = v.strictObject({
  id: MessageId,
  /** Display name of the quoted message's author (as the replier's device shows it). */
  author: v.pipe(v.string(), v.minLength(1), v.maxLength(EVERYDAY_LIMITS.maxDisplayNameChars)),
  excerpt: v.pipe(v.string(), v.maxLength(EVERYDAY_LIMITS.maxQuoteChars)),
});
export type ReplyRef = v.InferOutput<typeof ReplyRefSchema>;

const EverydayMsgSchema = v.variant('type', [
  /**
   * Read receipt for messages the receiver of this frame sent: every id in `ids`, and (when
   * present) every message up to and including `upTo` (by its time `ts` on its author's clock).
   */
  v.pipe(
    v.strictObject({
      type: v.literal('read'),
      ids: v.pipe(v.array(MessageId), v.maxLength(EVERYDAY_LIMITS.maxReadIds)),
      upTo: v.optional(v.strictObject({ id: MessageId, ts: Time })),
    }),
    v.check((m) => m.ids.length > 0 || m.upTo !== undefined, 'read names nothing'),
  ),
  /** The sender started (on) or stopped (off) typing in this conversation. */
  v.strictObject({ type: v.literal('typing'), on: v.boolean() }),
  /** The sender's reaction to message `id`: set to `emoji` (on) or cleared (off). `ts`: sender's clock. */
  v.strictObject({ type: v.literal('react'), id: MessageId, emoji: v.picklist(REACTION_EMOJI), on: v.boolean(), ts: Time }),
  /** New text for the sender's own message `id`; `ts` is when it was edited (sender's clock). */
  v.strictObject({
    type: v.literal('edit'),
    id: MessageId,
    text: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxChatChars)),
    ts: Time,
  }),
  /** Delete the sender's own message `id` for everyone; `ts` is when (sender's clock). */
  v.strictObject({ type: v.literal('recall'), id: MessageId, ts: Time }),
  /**
   * The sender's profile as of `ts` (its clock; an older one than stored is ignored). `avatar`
   * absent: no avatar. Sent when the session comes up if the contact has not had this version.
   */
  v.strictObject({
    type: v.literal('profile'),
    name: v.pipe(v.string(), v.maxLength(EVERYDAY_LIMITS.maxDisplayNameChars)),
    avatar: v.optional(Avatar),
    ts: Time,
  }),
]);

export type EverydayMsg = v.InferOutput<typeof EverydayMsgSchema>;
export type ReadFrame = Extract<EverydayMsg, { type: 'read' }>;
export type TypingFrame = Extract<EverydayMsg, { type: 'typing' }>;
export type ReactFrame = Extract<EverydayMsg, { type: 'react' }>;
export type EditFrame = Extract<EverydayMsg, { type: 'edit' }>;
export type RecallFrame = Extract<EverydayMsg, { type: 'recall' }>;
export type ProfileFrame = Extract<EverydayMsg, { type: 'profile' }>;

export const EVERYDAY_TYPES = ['read', 'typing', 'react', 'edit', 'recall', 'profile'] as const;
export type EverydayType = (typeof EVERYDAY_TYPES)[number];

export function isEverydayType(t: unknown): t is EverydayType {
  return typeof t === 'string' && (EVERYDAY_TYPES as readonly string[]).includes(t);
}

/** True when `s` is one of {@link REACTION_EMOJI}. */
export function isReactionEmoji(s: unknown): s is ReactionEmoji {
  return typeof s === 'string' && (REACTION_EMOJI as readonly string[]).includes(s);
}

/**
 * Parses one everyday control message (an object, or its JSON text). Returns null for anything
 * malformed, over a cap, or of another type. shared/peer-protocol.ts `parsePeerMsg` calls it
 * for these types, so the web side normally needs only that one.
 */
export function parseEverydayMsg(raw: unknown): EverydayMsg | null {
  const value = peerFrameValue(raw);
  if (value === undefined) return null;
  const r = v.safeParse(EverydayMsgSchema, value);
  return r.success ? r.output : null;
}

/**
 * The quoted reference for a reply to `quoted` (written by `author`): the excerpt is the first
 * maxQuoteChars of its text, whitespace collapsed, never splitting a surrogate pair.
 */
export function makeReplyRef(quoted: { id: string; text: string }, author: string): ReplyRef {
  return { id: quoted.id, author: excerptOf(author, EVERYDAY_LIMITS.maxDisplayNameChars) || '?', excerpt: excerptOf(quoted.text) };
}

/** The first maxQuoteChars of `text`, whitespace collapsed, ending with … when cut. */
export function excerptOf(text: string, max: number = EVERYDAY_LIMITS.maxQuoteChars): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  let end = max - 1;
  const c = flat.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return flat.slice(0, end) + '…';
}
