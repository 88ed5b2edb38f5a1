/**
 * Group messages: an envelope signed by its author's DEVICE key, so that any member holding a
 * copy may hand it to another member, and the copy can be neither forged nor altered on the way.
 *
 * The certificate chain a receiver checks: the member's account key, pinned in the group state
 * by the change that added them -> the member's device list, signed by that account key
 * (shared/devices/device-list.ts; from the server, or carried in a `group-batch`) -> the device
 * key named there -> the signature on the message. {@link verifyGroupMessage} also checks the
 * author's standing at the message's position (shared/groups/group-position.ts): a member
 * removed before the message cannot have it accepted, whoever relays it.
 *
 * Wire form ({@link SignedGroupMessage}): the message's canonical JSON text and an Ed25519
 * signature over LP("peerchat-group-message-v1", text). Canonical: fixed key order, `at` sorted
 * and unique; any other spelling is refused, so one message has one text.
 *
 * Besides text and files, a body may be a control message about another message of the group
 * (react, edit, recall: shared/groups/group-everyday.ts); those are signed, numbered, relayed and
 * caught up exactly like messages, but are never shown as messages.
 *
 * `n` numbers each device's messages in this group (1, 2, 3, ...): sync summaries are per-device
 * high-water marks of it, and a removal records each removed device's last number.
 */
import * as v from 'valibot';
import { safeJsonParse } from '../json';
import { LIMITS } from '../limits';
import { assertReady, sodium } from '../crypto/sodium';
import type { IdentityKeyPair } from '../crypto/identity';
import { decodePublicKey } from '../crypto/identity';
import { fromBase64UrlExact, lengthPrefixed, toBase64Url } from '../crypto/bytes';
import { DeviceIdSchema, deviceIdOf, findDevice, verifyDeviceList, type DeviceList, type DeviceListCheck } from '../devices/device-list';
import { FileOfferSchema } from '../transfer/control';
import { REACTION_EMOJI, ReplyRefSchema, type ReactionEmoji, type ReplyRef } from '../messaging/everyday-messages';
import {
  AccountSchema,
  ChangeIdSchema,
  GROUP_LIMITS,
  GroupIdSchema,
  GroupMessageIdSchema,
  MessageNumberSchema,
  SignatureSchema,
  TimeSchema,
  compareStrings,
} from './limits';
import { authorStanding, type AuthorStanding } from './group-position';
import { pinnedKeysOf, type GroupState } from './group-state';

const MESSAGE_CONTEXT = 'peerchat-group-message-v1';
const offer = FileOfferSchema.entries;

/**
 * A file (or image) shown in the group: the card's fields as in a 1:1 `file-offer`
 * (shared/transfer/control.ts), with the whole-file hash (checked by every receiver, whoever
 * served the chunks) and the per-file key the chunks are sealed with (shared/groups/group-file.ts).
 * Pass `name` already through sanitizeFileName and `mime` lowercased (shared/transfer/names.ts):
 * the parser normalises them, and a text that changes on parsing is not canonical.
 */
export const GroupFileRefSchema = v.strictObject({
  fileId: offer.fileId,
  name: offer.name,
  mime: offer.mime,
  size: offer.size,
  chunkSize: offer.chunkSize,
  chunkCount: offer.chunkCount,
  hash: offer.hash,
  isImage: offer.isImage,
  thumb: offer.thumb,
  /**
   * The per-file key (base64url, 32 bytes: encodeGroupFileKey in shared/groups/group-file.ts).
   * It rides inside the signed message, which travels only inside pairwise end-to-end sessions
   * between member devices, so no relaying member can swap it and the server never sees it.
   */
  key: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/))),
});
export type GroupFileRef = v.InferOutput<typeof GroupFileRefSchema>;

const TargetSchema = GroupMessageIdSchema;

const BodySchema = v.variant('kind', [
  v.strictObject({
    kind: v.literal('text'),
    text: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxChatChars)),
    /** The message this one replies to (its id, author's name, a short excerpt). */
    reply: v.optional(ReplyRefSchema),
  }),
  v.strictObject({ kind: v.literal('file'), file: GroupFileRefSchema }),
  /** The author's reaction to message `target` of this group: set (`on`) or cleared. */
  v.strictObject({ kind: v.literal('react'), target: TargetSchema, emoji: v.picklist(REACTION_EMOJI), on: v.boolean() }),
  /** New text for the author's own message `target` (shared/groups/group-everyday.ts). */
  v.strictObject({ kind: v.literal('edit'), target: TargetSchema, text: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxChatChars)) }),
  /**
   * Deletes the author's own message `target` for everyone. It names the target's device,
   * number and time too, so a member that never got the target counts that number as held
   * (catch-up does not ask for it again) and can check the recall window without it.
   */
  v.strictObject({ kind: v.literal('recall'), target: TargetSchema, device: DeviceIdSchema, n: MessageNumberSchema, sent: TimeSchema }),
]);
export type GroupBody =
  | { kind: 'text'; text: string; reply?: ReplyRef }
  | { kind: 'file'; file: GroupFileRef }
  | { kind: 'react'; target: string; emoji: ReactionEmoji; on: boolean }
  | { kind: 'edit'; target: string; text: string }
  | { kind: 'recall'; target: string; device: string; n: number; sent: number };

export interface GroupMessage {
  group: string;
  /** 128 random bits, lowercase hex (newMessageId in shared/peer-protocol.ts); the dedupe key. */
  id: string;
  /** The author's account (usernameKey). */
  author: string;
  /** The id of the author's device that signed it. */
  device: string;
  /** This device's message number in this group: 1, 2, 3, ... */
  n: number;
  /** Author's clock, ms since the epoch: the first key of the display order. */
  ts: number;
  /** The change-log heads the author knew: the message's position in the group's history. */
  at: string[];
  body: GroupBody;
}

export interface SignedGroupMessage {
  /** Canonical JSON of a {@link GroupMessage}. */
  msg: string;
  /** base64url Ed25519 signature by the author's device key. */
  sig: string;
}

const MessageSchema = v.strictObject({
  group: GroupIdSchema,
  id: GroupMessageIdSchema,
  author: AccountSchema,
  device: DeviceIdSchema,
  n: MessageNumberSchema,
  ts: TimeSchema,
  at: v.pipe(v.array(ChangeIdSchema), v.minLength(1), v.maxLength(GROUP_LIMITS.maxMessageHeads)),
  body: BodySchema,
});

/** Shape of a signed message on any wire (signature not checked). */
export const SignedGroupMessageSchema = v.strictObject({
  msg: v.pipe(v.string(), v.minLength(2), v.maxLength(GROUP_LIMITS.maxMessageChars)),
  sig: SignatureSchema,
});

function canonicalBody(b: GroupBody): GroupBody {
  switch (b.kind) {
    case 'text':
      return b.reply ? { kind: 'text', text: b.text, reply: { id: b.reply.id, author: b.reply.author, excerpt: b.reply.excerpt } } : { kind: 'text', text: b.text };
    case 'react':
      return { kind: 'react', target: b.target, emoji: b.emoji, on: b.on };
    case 'edit':
      return { kind: 'edit', target: b.target, text: b.text };
    case 'recall':
      return { kind: 'recall', target: b.target, device: b.device, n: b.n, sent: b.sent };
    case 'file':
      break;
  }
  const f = b.file;
  const file: GroupFileRef = { fileId: f.fileId, name: f.name, mime: f.mime, size: f.size, chunkSize: f.chunkSize, chunkCount: f.chunkCount };
  if (f.hash !== undefined) file.hash = f.hash;
  if (f.isImage !== undefined) file.isImage = f.isImage;
  if (f.thumb !== undefined) file.thumb = f.thumb;
  if (f.key !== undefined) file.key = f.key;
  return { kind: 'file', file };
}

/** The one canonical text of a message. */
export function canonicalGroupMessage(m: GroupMessage): string {
  const at = [...new Set(m.at)].sort(compareStrings);
  return JSON.stringify({ group: m.group, id: m.id, author: m.author, device: m.device, n: m.n, ts: m.ts, at, body: canonicalBody(m.body) });
}

/** Parses a message's canonical text; null unless well-formed AND canonical. Never throws. */
export function parseGroupMessageText(text: unknown): GroupMessage | null {
  if (typeof text !== 'string' || text.length > GROUP_LIMITS.maxMessageChars) return null;
  const r = v.safeParse(MessageSchema, safeJsonParse(text));
  if (!r.success) return null;
  const m = r.output as GroupMessage;
  return canonicalGroupMessage(m) === text ? m : null;
}

/** The shape of a signed message (signature not checked); null if malformed. */
export function parseSignedGroupMessage(raw: unknown): SignedGroupMessage | null {
  const r = v.safeParse(SignedGroupMessageSchema, raw);
  return r.success ? r.output : null;
}

/**
 * Signs a message with this device's key. `m.device` must be this key's device id. Throws a
 * RangeError for a message {@link parseGroupMessageText} would refuse.
 */
export function signGroupMessage(m: GroupMessage, deviceKey: IdentityKeyPair): SignedGroupMessage {
  assertReady();
  if (deviceIdOf(deviceKey.publicKey) !== m.device) throw new RangeError('group message: device id is not this key');
  const text = canonicalGroupMessage(m);
  if (!parseGroupMessageText(text)) throw new RangeError('group message: malformed');
  const sig = sodium.crypto_sign_detached(lengthPrefixed([MESSAGE_CONTEXT, text]), deviceKey.secretKey);
  return { msg: text, sig: toBase64Url(sig) };
}

/**
 * Verifies a member's signed device list against the account key the group pins for that
 * member (the newest pin, also for a former member, whose old messages still verify).
 * `minVersion`: the highest version seen before (a rollback is refused).
 */
export function verifyMemberDeviceList(state: GroupState, account: string, signed: unknown, minVersion?: number): DeviceListCheck {
  const key = pinnedKeysOf(state.changes, account).at(-1);
  const pk = key ? decodePublicKey(key) : null;
  if (!pk) return { ok: false, code: 'DEVICE_LIST_ACCOUNT' };
  return verifyDeviceList(signed, { accountKey: pk, account, minVersion });
}

export interface GroupMessageContext {
  state: GroupState;
  /**
   * The newest device list of `account` this device verified against the key the group pins
   * for it ({@link verifyMemberDeviceList}); null when none is known yet.
   */
  deviceListOf: (account: string) => DeviceList | null;
}

export type GroupMessageRefusal =
  /** Malformed or not canonical. */
  | 'GROUP_MSG_BAD'
  /** For another group. */
  | 'GROUP_MSG_WRONG_GROUP'
  /** No verified device list of the author here: fetch it, then check again. */
  | 'GROUP_MSG_NO_DEVICE_LIST'
  /** The signing device is not in the author's device list. */
  | 'GROUP_MSG_DEVICE_NOT_LISTED'
  /** The signature does not verify (altered text, or signed by another key). */
  | 'GROUP_MSG_SIGNATURE'
  | Exclude<AuthorStanding, { ok: true }>['code'];

export type GroupMessageCheck = { ok: true; msg: GroupMessage } | { ok: false; code: GroupMessageRefusal };

/**
 * Checks a group message from anywhere (its author, or any member relaying a copy): shape,
 * group, the author's device in the author's list, the signature, and the author's standing at
 * the message's position. Never throws on bad input.
 */
export function verifyGroupMessage(signed: unknown, ctx: GroupMessageContext): GroupMessageCheck {
  assertReady();
  const shape = parseSignedGroupMessage(signed);
  const m = shape ? parseGroupMessageText(shape.msg) : null;
  if (!shape || !m) return { ok: false, code: 'GROUP_MSG_BAD' };
  if (m.group !== ctx.state.id) return { ok: false, code: 'GROUP_MSG_WRONG_GROUP' };
  const list = ctx.deviceListOf(m.author);
  if (!list || list.account !== m.author) return { ok: false, code: 'GROUP_MSG_NO_DEVICE_LIST' };
  const device = findDevice(list, m.device);
  const key = device ? decodePublicKey(device.key) : null;
  if (!key) return { ok: false, code: 'GROUP_MSG_DEVICE_NOT_LISTED' };
  const sig = fromBase64UrlExact(shape.sig, 64);
  if (!sig || !sodium.crypto_sign_verify_detached(sig, lengthPrefixed([MESSAGE_CONTEXT, shape.msg]), key)) {
    return { ok: false, code: 'GROUP_MSG_SIGNATURE' };
  }
  const standing = authorStanding(ctx.state, m);
  return standing.ok ? { ok: true, msg: m } : { ok: false, code: standing.code };
}
