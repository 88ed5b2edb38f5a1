/**
 * Read receipts and typing: what to send and what to show, given the person's settings, and
 * the typing indicator's timing on both ends. All pure, with the clock passed in.
 *
 * Settings are reciprocal, as people expect: with read receipts off this device neither sends
 * `read` nor shows "Read" (incoming `read` frames are not applied); with typing off it neither
 * sends `typing` nor shows "typing…". A message request (a stranger this person has not
 * accepted yet) gets neither, whatever the settings.
 */
import type { ReadFrame, TypingFrame } from './everyday-messages';
import type { EverydayRecord, RuleContext } from './message-record';

export interface ReceiptSettings {
  /** Send and show read receipts. */
  readReceipts: boolean;
  /** Send and show typing indicators. */
  typing: boolean;
}

/** The defaults of a new profile: both on (the common messenger default). */
export const DEFAULT_RECEIPT_SETTINGS: ReceiptSettings = { readReceipts: true, typing: true };

export interface ReceiptPolicy {
  sendRead: boolean;
  showRead: boolean;
  sendTyping: boolean;
  showTyping: boolean;
}

/** What this device sends to and shows from a conversation (`isContact`: accepted, not a request). */
export function receiptPolicy(settings: ReceiptSettings, isContact: boolean): ReceiptPolicy {
  const read = settings.readReceipts && isContact;
  const typing = settings.typing && isContact;
  return { sendRead: read, showRead: read, sendTyping: typing, showTyping: typing };
}

/**
 * The `read` frame for incoming messages the person has now seen (on screen, page visible),
 * or null when there is nothing to send or the policy says not to. One `upTo` the newest of
 * them covers the rest (the receiver applies it to everything up to that message).
 */
export function readFrameFor(seen: readonly { id: string; ts: number; outgoing: boolean }[], policy: ReceiptPolicy): ReadFrame | null {
  if (!policy.sendRead) return null;
  let newest: { id: string; ts: number } | null = null;
  for (const m of seen) {
    if (m.outgoing) continue;
    if (!newest || m.ts > newest.ts || (m.ts === newest.ts && m.id > newest.id)) newest = { id: m.id, ts: m.ts };
  }
  return newest ? { type: 'read', ids: [], upTo: newest } : null;
}

/**
 * Does a `read` frame from ctx.actor cover this record? Only this account's own messages in the
 * frame's conversation, only read by that conversation's contact, and only when the policy
 * shows receipts. Order is (ts, id), the order of the history index.
 */
export function isReadBy(record: EverydayRecord, frame: ReadFrame, ctx: RuleContext, policy: ReceiptPolicy): boolean {
  if (!policy.showRead || !record.outgoing || record.conv !== ctx.conv || ctx.actor === ctx.self) return false;
  if (frame.ids.includes(record.id)) return true;
  const u = frame.upTo;
  return u !== undefined && (record.ts < u.ts || (record.ts === u.ts && record.id <= u.id));
}

/** Typing timings. */
export const TYPING_TIMING = {
  /** While typing, `typing on` is sent again at most this often (keeps the receiver's indicator alive). */
  resendMs: 3000,
  /** No keystroke for this long: the sender sends `typing off`. */
  idleMs: 5000,
  /** The receiver hides "typing…" this long after the last `on`, whether or not `off` came. */
  showMs: 6000,
} as const;

/** Sender side: what was last sent for one conversation. */
export interface TypingSender {
  on: boolean;
  lastSentAt: number;
  lastInputAt: number;
}

export const TYPING_SENDER_IDLE: TypingSender = { on: false, lastSentAt: 0, lastInputAt: 0 };

export interface TypingStep {
  state: TypingSender;
  /** The frame to send now, if any. */
  send: TypingFrame | null;
}

/**
 * A keystroke that changed the draft. `empty`: the draft is now empty (sends `off`). Sends `on`
 * at most once per resendMs; nothing at all when the policy says not to send typing.
 */
export function typingInput(state: TypingSender, now: number, empty: boolean, policy: ReceiptPolicy): TypingStep {
  if (!policy.sendTyping) return { state: TYPING_SENDER_IDLE, send: null };
  if (empty) return typingStop(state);
  const next = { ...state, lastInputAt: now };
  if (state.on && now - state.lastSentAt < TYPING_TIMING.resendMs) return { state: next, send: null };
  return { state: { on: true, lastSentAt: now, lastInputAt: now }, send: { type: 'typing', on: true } };
}

/** A timer tick (call about every second while `on`): sends `off` after idleMs without input. */
export function typingTick(state: TypingSender, now: number): TypingStep {
  if (state.on && now - state.lastInputAt >= TYPING_TIMING.idleMs) return typingStop(state);
  return { state, send: null };
}

/** The message was sent, the draft cleared or the conversation left: `off` if `on` was sent. */
export function typingStop(state: TypingSender): TypingStep {
  return state.on ? { state: TYPING_SENDER_IDLE, send: { type: 'typing', on: false } } : { state, send: null };
}

/** Receiver side: when the contact's last `on` came (null: not typing). */
export type TypingSeen = number | null;

/** Applies a `typing` frame (ignored when the policy does not show typing). */
export function typingReceived(frame: TypingFrame, now: number, policy: ReceiptPolicy): TypingSeen {
  return policy.showTyping && frame.on ? now : null;
}

/** Show "typing…" now? (Also hide it when a message from the contact arrives: set the state to null.) */
export function isTypingShown(seen: TypingSeen, now: number, policy: ReceiptPolicy): boolean {
  return policy.showTyping && seen !== null && now - seen < TYPING_TIMING.showMs;
}
