/**
 * Caps and field schemas shared by every group module. Changing a cap is a protocol change:
 * both ends enforce them when parsing (shared/groups/group-frames.ts).
 */
import * as v from 'valibot';
import { LIMITS } from '../limits';
import { MAX_DEVICES } from '../devices/device-list';

export const GROUP_LIMITS = {
  /** Members in one group, the creator included. */
  maxMembers: 32,
  /** Characters (UTF-16 units) in a group name. */
  maxNameChars: 64,
  /** Parent references of one change (the heads its author knew). */
  maxParents: 16,
  /** Changes one group's log holds; a change beyond is refused (GROUP_CHANGE_LOG_FULL). */
  maxChanges: 1024,
  /** Characters of a signed change's canonical text. */
  maxChangeChars: 8 * 1024,
  /** Characters of a signed message's canonical text (a text body of maxChatChars plus headers, or a file card with its thumbnail). */
  maxMessageChars: 64 * 1024,
  /** Head ids a message names as its position in the change log. */
  maxMessageHeads: 16,
  /** Messages in one `group-batch` frame. */
  maxBatchMessages: 100,
  /** Changes in one `group-changes` frame. */
  maxBatchChanges: 256,
  /** Groups summarised in one `group-summary` frame. */
  maxGroupsPerSummary: 64,
  /** Author devices per group in a summary (32 members of 16 devices would be 512; keep a sane bound). */
  maxSummaryDevices: 256,
  /** Message numbers above the contiguous mark a summary may list per author device. */
  maxSummaryExtras: 64,
  /** Device lists carried alongside a batch (one per author in it, at most). */
  maxBatchDeviceLists: 32,
} as const;

/** A group id: 128 random bits as 32 lowercase hex characters. */
export const GroupIdSchema = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/));
/** A change id: BLAKE2b-128 of the change's canonical text, 32 lowercase hex characters. */
export const ChangeIdSchema = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/));
/** A message id: 128 random bits as 32 lowercase hex characters (as for 1:1 messages). */
export const GroupMessageIdSchema = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/));
/** An account: a usernameKey (a username as shared/account-rules.ts allows it, lowercased). */
export const AccountSchema = v.pipe(
  v.string(),
  v.minLength(LIMITS.usernameMin),
  v.maxLength(LIMITS.usernameMax),
  v.regex(/^[a-z0-9_.-]+$/),
);
/** An Ed25519 public key, base64url (43 characters). */
export const PublicKeySchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/));
/** A signature, base64url (86 characters). */
export const SignatureSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{86}$/));
/** A group name: 1..64 characters, not only blanks. */
export const GroupNameSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(GROUP_LIMITS.maxNameChars),
  v.check((s) => s.trim().length > 0, 'blank name'),
);
/** Milliseconds since the epoch, the author's clock. */
export const TimeSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
/** A per-device message number: 1, 2, 3, ... */
export const MessageNumberSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(1));
/** Devices of one account, as in its device list. */
export const MAX_MEMBER_DEVICES = MAX_DEVICES;

/** A random 128-bit group id, lowercase hex. Browsers and Node 20. */
export function newGroupId(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Byte-wise (code unit) string order, the same in every JavaScript engine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
