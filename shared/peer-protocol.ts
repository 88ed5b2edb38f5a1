/**
 * Frames carried on the RTCDataChannel between two browsers. The sender is never part of a
 * frame: it is whoever is on the other end of the (authenticated) channel.
 */
import * as v from 'valibot';
import { LIMITS } from './limits';
import { safeJsonParse } from './json';

const MessageId = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/));

const PeerMsg = v.variant('type', [
  /** A chat message. `ts` is the sender's clock, ms since the epoch. */
  v.object({
    type: v.literal('chat'),
    id: MessageId,
    text: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxChatChars)),
    ts: v.pipe(v.number(), v.integer(), v.minValue(0)),
  }),
  /** Receipt: the message with this id is stored on the receiver's device. */
  v.object({ type: v.literal('ack'), id: MessageId }),
]);
export type PeerMsg = v.InferOutput<typeof PeerMsg>;
export type ChatFrame = Extract<PeerMsg, { type: 'chat' }>;

/** Parses one data-channel frame (text). Returns null for anything malformed. */
export function parsePeerMsg(raw: unknown): PeerMsg | null {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.length > LIMITS.maxPeerFrameBytes) return null;
    value = safeJsonParse(raw);
    if (value === undefined) return null;
  }
  const r = v.safeParse(PeerMsg, value);
  return r.success ? r.output : null;
}

/** A random 128-bit message id, lowercase hex. Works in browsers and Node 20. */
export function newMessageId(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
