/**
 * Group control changes: create, add, remove, promote, rename, leave. Each is signed by its
 * author's ACCOUNT key (not a device key).
 *
 * Why the account key: the change log is the group's permanent record; every member device and
 * every later joiner replays it from the creation on, possibly months later. The account key of
 * each member is pinned in the group state itself (the `add` that brought the member in names
 * it), so a change verifies with the log alone: no device list has to be fetched, and unlinking
 * a device later does not make the changes it signed unverifiable. Every linked device holds
 * the account key (docs/security.md, "Devices"), so any of a member's devices can sign. Group
 * MESSAGES, by contrast, are signed by device keys (shared/groups/group-message.ts).
 *
 * Wire form ({@link SignedGroupChange}): the change as canonical JSON text plus an Ed25519
 * signature over LP("peerchat-group-change-v1", text). Canonical: fixed key order, parents
 * sorted and unique, `last` sorted by device; {@link parseGroupChangeText} re-serialises and
 * refuses any other spelling, so one change has one text. Its id is BLAKE2b-128 of that text
 * (lowercase hex): the same change sent twice has the same id (a replay is a duplicate).
 */
import * as v from 'valibot';
import { safeJsonParse } from '../json';
import { assertReady, sodium } from '../crypto/sodium';
import { decodePublicKey } from '../crypto/identity';
import type { IdentityKeyPair } from '../crypto/identity';
import { fromBase64UrlExact, lengthPrefixed, toBase64Url, toHex } from '../crypto/bytes';
import { DeviceIdSchema } from '../devices/device-list';
import {
  AccountSchema,
  ChangeIdSchema,
  GROUP_LIMITS,
  GroupIdSchema,
  GroupNameSchema,
  MAX_MEMBER_DEVICES,
  MessageNumberSchema,
  PublicKeySchema,
  SignatureSchema,
  TimeSchema,
  compareStrings,
} from './limits';

const CHANGE_CONTEXT = 'peerchat-group-change-v1';
const CHANGE_ID_CONTEXT = 'peerchat-group-change-id-v1';

/** A member as the group pins it: account name and account key (base64url). */
export interface GroupMember {
  account: string;
  key: string;
}

/**
 * The last message number of each device of a departing member that the author of the change
 * holds: the departing member's messages up to these numbers stay, later ones are refused.
 */
export interface DeviceMark {
  device: string;
  n: number;
}

export type GroupOp =
  /** The first change of a group: its name and first members (the author among them, as admin). */
  | { type: 'create'; name: string; members: GroupMember[] }
  | { type: 'add'; member: GroupMember }
  | { type: 'remove'; account: string; last: DeviceMark[] }
  | { type: 'promote'; account: string }
  | { type: 'rename'; name: string }
  /** The author leaves; `last`: its own devices' last message numbers. */
  | { type: 'leave'; last: DeviceMark[] };

export type GroupOpType = GroupOp['type'];

export interface GroupChange {
  group: string;
  /** Ids of the changes the author's log ended in (its heads): none for `create`, else 1..16. */
  parents: string[];
  /** The signing account (usernameKey). */
  author: string;
  /** Author's clock, ms since the epoch (shown in the line; never used to order changes). */
  ts: number;
  op: GroupOp;
}

export interface SignedGroupChange {
  /** Canonical JSON of a {@link GroupChange}. */
  change: string;
  /** base64url Ed25519 signature by the author's account key. */
  sig: string;
}

const Member = v.strictObject({ account: AccountSchema, key: PublicKeySchema });
const Marks = v.pipe(
  v.array(v.strictObject({ device: DeviceIdSchema, n: MessageNumberSchema })),
  v.maxLength(MAX_MEMBER_DEVICES),
);
const OpSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('create'),
    name: GroupNameSchema,
    members: v.pipe(v.array(Member), v.minLength(1), v.maxLength(GROUP_LIMITS.maxMembers)),
  }),
  v.strictObject({ type: v.literal('add'), member: Member }),
  v.strictObject({ type: v.literal('remove'), account: AccountSchema, last: Marks }),
  v.strictObject({ type: v.literal('promote'), account: AccountSchema }),
  v.strictObject({ type: v.literal('rename'), name: GroupNameSchema }),
  v.strictObject({ type: v.literal('leave'), last: Marks }),
]);
const ChangeSchema = v.strictObject({
  group: GroupIdSchema,
  parents: v.pipe(v.array(ChangeIdSchema), v.maxLength(GROUP_LIMITS.maxParents)),
  author: AccountSchema,
  ts: TimeSchema,
  op: OpSchema,
});

/** Shape of a signed change on any wire (signature not checked). */
export const SignedGroupChangeSchema = v.strictObject({
  change: v.pipe(v.string(), v.minLength(2), v.maxLength(GROUP_LIMITS.maxChangeChars)),
  sig: SignatureSchema,
});

function canonicalMarks(last: readonly DeviceMark[]): DeviceMark[] {
  return [...last].sort((a, b) => compareStrings(a.device, b.device)).map((m) => ({ device: m.device, n: m.n }));
}

function canonicalOp(op: GroupOp): GroupOp {
  switch (op.type) {
    case 'create':
      return { type: 'create', name: op.name, members: op.members.map((m) => ({ account: m.account, key: m.key })) };
    case 'add':
      return { type: 'add', member: { account: op.member.account, key: op.member.key } };
    case 'remove':
      return { type: 'remove', account: op.account, last: canonicalMarks(op.last) };
    case 'promote':
      return { type: 'promote', account: op.account };
    case 'rename':
      return { type: 'rename', name: op.name };
    case 'leave':
      return { type: 'leave', last: canonicalMarks(op.last) };
  }
}

/** The one canonical text of a change (parents sorted, fixed key order). */
export function canonicalGroupChange(c: GroupChange): string {
  const parents = [...new Set(c.parents)].sort(compareStrings);
  return JSON.stringify({ group: c.group, parents, author: c.author, ts: c.ts, op: canonicalOp(c.op) });
}

/** Rules beyond the shape: parents, unique members and marks. Null when fine. */
function checkChange(c: GroupChange): string | null {
  if (c.op.type === 'create' ? c.parents.length !== 0 : c.parents.length === 0) return 'parents';
  if (c.op.type === 'create') {
    const accounts = c.op.members.map((m) => m.account);
    if (new Set(accounts).size !== accounts.length) return 'duplicate member';
    if (!accounts.includes(c.author)) return 'creator not a member';
    if (c.op.members.some((m) => !decodePublicKey(m.key))) return 'key';
  }
  if (c.op.type === 'add' && !decodePublicKey(c.op.member.key)) return 'key';
  if (c.op.type === 'remove' || c.op.type === 'leave') {
    const devices = c.op.last.map((m) => m.device);
    if (new Set(devices).size !== devices.length) return 'duplicate mark';
  }
  return null;
}

/** The id of a change: BLAKE2b-128 of its canonical text, lowercase hex. */
export function groupChangeId(changeText: string): string {
  assertReady();
  return toHex(sodium.crypto_generichash(16, lengthPrefixed([CHANGE_ID_CONTEXT, changeText]), null));
}

/**
 * Signs a change with the author's account key. Throws a RangeError for a change that
 * {@link parseGroupChangeText} would refuse, so a bug never sends a change nobody accepts.
 */
export function signGroupChange(change: GroupChange, accountKey: IdentityKeyPair): SignedGroupChange {
  assertReady();
  const text = canonicalGroupChange(change);
  if (!parseGroupChangeText(text)) throw new RangeError('group change: malformed');
  const sig = sodium.crypto_sign_detached(lengthPrefixed([CHANGE_CONTEXT, text]), accountKey.secretKey);
  return { change: text, sig: toBase64Url(sig) };
}

/** Parses a change's canonical text; null unless well-formed AND canonical. Never throws. */
export function parseGroupChangeText(text: unknown): GroupChange | null {
  if (typeof text !== 'string' || text.length > GROUP_LIMITS.maxChangeChars) return null;
  const r = v.safeParse(ChangeSchema, safeJsonParse(text));
  if (!r.success) return null;
  const change = r.output as GroupChange;
  if (canonicalGroupChange(change) !== text) return null;
  return checkChange(change) === null ? change : null;
}

/** The shape of a signed change (signature not checked); null if malformed. */
export function parseSignedGroupChange(raw: unknown): SignedGroupChange | null {
  const r = v.safeParse(SignedGroupChangeSchema, raw);
  return r.success ? r.output : null;
}

/** True if `signed.sig` is the signature of `signed.change` by the account key `key` (base64url). */
export function groupChangeSignatureValid(signed: SignedGroupChange, key: string): boolean {
  assertReady();
  const pk = decodePublicKey(key);
  const sig = fromBase64UrlExact(signed.sig, 64);
  if (!pk || !sig) return false;
  return sodium.crypto_sign_verify_detached(sig, lengthPrefixed([CHANGE_CONTEXT, signed.change]), pk);
}

/** The account a change removes from the member list (remove: the target; leave: the author); else null. */
export function exitedAccount(c: GroupChange): string | null {
  if (c.op.type === 'remove') return c.op.account;
  if (c.op.type === 'leave') return c.author;
  return null;
}
