/**
 * Frames carried on the RTCDataChannel between two browsers. The sender is never part of a
 * frame: it is whoever is on the other end of the (authenticated) channel.
 */
import * as v from 'valibot';
import { LIMITS } from './limits';
import { peerFrameValue } from './json';
import { isFileControlType, parseFileControl, type FileControl } from './transfer/control';
import { SyncedFile } from './transfer/synced-file';
import { isGroupFrameType, parseGroupFrame, type GroupFrame } from './groups/group-frames';
import { isEverydayType, parseEverydayMsg, REACTION_EMOJI, ReplyRefSchema, type EverydayMsg } from './messaging/everyday-messages';

const MessageId = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/));
/** A conversation between devices: a usernameKey (lowercase). */
const Conv = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.usernameMax), v.regex(/^[^A-Z]*$/));
const Seq = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const Time = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
/** Reactors carried on one synced record at most. */
const MAX_SYNCED_REACTORS = 256;
const SyncedMessage = v.pipe(v.strictObject({
  id: MessageId,
  /** Display name of the author. */
  from: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.usernameMax)),
  /** Sent by this account (by any of its devices). */
  outgoing: v.boolean(),
  /** '' only for a message deleted for everyone (`recalledAt` set). */
  text: v.pipe(v.string(), v.maxLength(LIMITS.maxChatChars)),
  ts: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** What it quotes (a reply). */
  reply: v.optional(ReplyRefSchema),
  /** Edited at (author's clock). */
  editedAt: v.optional(Time),
  /** Deleted for everyone at (author's clock). */
  recalledAt: v.optional(Time),
  /** Reactions by reactor (username key). */
  reactions: v.optional(
    v.pipe(
      v.record(Conv, v.strictObject({ emoji: v.picklist(REACTION_EMOJI), ts: Time })),
      v.check((r) => Object.keys(r).length <= MAX_SYNCED_REACTORS, 'too many reactors'),
    ),
  ),
}), v.check((m) => m.text.length > 0 || m.recalledAt !== undefined, 'empty text'));
/**
 * An outgoing copy's delivery state on the sending device (`read`: delivered, and the contact's
 * read receipt came); `received` for incoming ones.
 */
const SyncedState = v.picklist(['waiting', 'sent', 'delivered', 'read', 'received']);
/** Records per `sync-batch` at most (each also fits the frame budget, see shared/devices/sync-plan.ts). */
export const SYNC_BATCH_MAX_RECORDS = 200;

const PeerMsg = v.variant('type', [
  /** A chat message. `ts` is the sender's clock, ms since the epoch. */
  v.object({
    type: v.literal('chat'),
    id: MessageId,
    text: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxChatChars)),
    ts: v.pipe(v.number(), v.integer(), v.minValue(0)),
    /** A reply: what it quotes (shared/messaging/everyday-messages.ts). */
    reply: v.optional(ReplyRefSchema),
  }),
  /** Receipt: the message with this id is stored on the receiver's device. */
  v.object({ type: v.literal('ack'), id: MessageId }),
  /**
   * Between two devices of one account only: a copy of a message this device sent or received
   * in conversation `conv` (stored by id, so a repeat is harmless; acknowledged with `ack`).
   */
  v.strictObject({ type: v.literal('sync-msg'), conv: Conv, msg: SyncedMessage, state: SyncedState, file: v.optional(SyncedFile) }),
  /** Own devices: "send me what you stored after your record number `seq`" (0: everything). */
  v.strictObject({ type: v.literal('sync-from'), seq: Seq }),
  /** Own devices: a newly linked device takes no backlog, only what comes from now on. */
  v.strictObject({ type: v.literal('sync-skip') }),
  /**
   * Own devices: records after the asked `seq`, oldest first. `last` is the sender's record
   * number of the last one (the next `sync-from` resumes there); `total` is how many were
   * waiting when the stream began (for progress); `done` on the last batch.
   */
  v.strictObject({
    type: v.literal('sync-batch'),
    records: v.pipe(v.array(v.strictObject({ conv: Conv, msg: SyncedMessage, state: SyncedState, file: v.optional(SyncedFile) })), v.maxLength(SYNC_BATCH_MAX_RECORDS)),
    last: Seq,
    total: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
    done: v.boolean(),
  }),
]);
/**
 * Chat frames, the file-transfer control frames (shared/transfer/control.ts), the group frames
 * (shared/groups/group-frames.ts) and the everyday control frames: receipts, typing, reactions,
 * edit, recall, profile (shared/messaging/everyday-messages.ts).
 */
export type PeerMsg = v.InferOutput<typeof PeerMsg> | FileControl | GroupFrame | EverydayMsg;
export type ChatFrame = Extract<PeerMsg, { type: 'chat' }>;
export type SyncMsgFrame = Extract<PeerMsg, { type: 'sync-msg' }>;
export type SyncBatchFrame = Extract<PeerMsg, { type: 'sync-batch' }>;
/** One message as it travels between two devices of one account. */
export type SyncRecord = SyncBatchFrame['records'][number];

/** Parses one data-channel frame (text). Returns null for anything malformed. */
export function parsePeerMsg(raw: unknown): PeerMsg | null {
  const value = peerFrameValue(raw);
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null && isFileControlType((value as { type?: unknown }).type)) {
    return parseFileControl(value);
  }
  if (typeof value === 'object' && value !== null && isGroupFrameType((value as { type?: unknown }).type)) {
    return parseGroupFrame(value);
  }
  if (typeof value === 'object' && value !== null && isEverydayType((value as { type?: unknown }).type)) {
    return parseEverydayMsg(value);
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

// --- binary framing on the data channel --------------------------------------------------
//
// Every data-channel message is binary: one kind byte, then the body. Text messages are never
// valid. Before the secure session is up only `handshake` frames are accepted; after it only
// `sealed` (and, for file transfers, `chunk`) frames. See shared/secure-channel.ts.

/** Kind byte of a data-channel frame. */
export const PEER_FRAME_KINDS = {
  /** Body: UTF-8 JSON of a handshake message (hs-hello / hs-auth / hs-confirm). */
  handshake: 0x01,
  /** Body: one secretstream frame; its plaintext is {@link encodePeerMsg} of a PeerMsg. */
  sealed: 0x02,
  /** Body: a sealed file chunk (AEAD, file key derived from the session keys); shared/transfer/chunk-frame.ts. */
  chunk: 0x03,
} as const;
export type PeerFrameKind = keyof typeof PEER_FRAME_KINDS;

export interface PeerFrame {
  kind: PeerFrameKind;
  /** A view into the received bytes (no copy). */
  body: Uint8Array;
}

const KIND_BY_BYTE: ReadonlyMap<number, PeerFrameKind> = new Map(
  (Object.entries(PEER_FRAME_KINDS) as [PeerFrameKind, number][]).map(([k, b]) => [b, k]),
);

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** One data-channel message: the kind byte, then `body`. */
export function encodePeerFrame(kind: PeerFrameKind, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = PEER_FRAME_KINDS[kind];
  out.set(body, 1);
  return out;
}

/**
 * Splits a received data-channel message into kind and body. Returns null for text messages,
 * empty or oversized ones, and unknown kinds. Accepts a Uint8Array (Node Buffers included) or
 * an ArrayBuffer; never throws.
 */
export function decodePeerFrame(data: unknown): PeerFrame | null {
  let bytes: Uint8Array;
  if (data instanceof Uint8Array) bytes = data;
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else return null;
  if (bytes.length < 2 || bytes.length > LIMITS.maxPeerFrameBytes) return null;
  const kind = KIND_BY_BYTE.get(bytes[0] ?? -1);
  return kind ? { kind, body: bytes.subarray(1) } : null;
}

/** The plaintext of a sealed frame: UTF-8 JSON of the message. */
export function encodePeerMsg(msg: PeerMsg): Uint8Array {
  return utf8Encoder.encode(JSON.stringify(msg));
}

/** Parses the plaintext of a sealed frame. Null for invalid UTF-8, JSON or message shape. */
export function decodePeerMsg(bytes: Uint8Array): PeerMsg | null {
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    return null;
  }
  return parsePeerMsg(text);
}
