/**
 * Linking messages: what two devices of one account send each other (as the `data` of signalling
 * `link` frames, relayed by the server between connections of the same account) while a new
 * device (N) asks to join and an existing device (E) approves it.
 *
 *   N → all  link-request   {rid, name, commit}            commit = H(ephN, nonceN, deviceKeyN)
 *   E → N    link-challenge {rid, eph, nonce, accountKey}   sent as soon as the request arrives
 *   N → E    link-reveal    {rid, eph, nonce, deviceKey}    E checks it against the commit
 *   (both show a 6-digit code; the person compares them)
 *   E → N    link-grant     {rid, box}                      account secret key + new device list
 *   either   link-deny      {rid, reason}                   rejected / check-failed / busy / full
 *
 * The crypto is in link-crypto.ts, the two sides in link-new-device.ts and link-existing-device.ts.
 * Binary fields are base64url without padding, with exact lengths, so one value has one spelling.
 * Parsing is strict: exactly the keys below, nothing else.
 */
import * as v from 'valibot';
import { safeJsonParse } from '../json';
import { fromBase64UrlExact } from '../crypto/bytes';
import { DEVICE_NAME_MAX } from './device-list';

/** Bytes of a request id (22 characters base64url), chosen at random by the new device. */
export const LINK_RID_BYTES = 16;
/** Bytes of each side's nonce (43 characters). */
export const LINK_NONCE_BYTES = 32;
/** Bytes of an X25519 ephemeral public key (43 characters). */
export const LINK_EPH_BYTES = 32;
/** Bytes of an Ed25519 public key: account key, device key (43 characters). */
export const LINK_KEY_BYTES = 32;
/** Bytes of the commit, BLAKE2b-256 (43 characters). */
export const LINK_COMMIT_BYTES = 32;
/** Bytes of the secretbox nonce at the front of a grant box. */
export const LINK_BOX_NONCE_BYTES = 24;
/** Bytes of the secretbox MAC. */
export const LINK_BOX_MAC_BYTES = 16;
/** Longest grant box accepted, in characters (above any signalling frame cap; the frame cap decides). */
export const LINK_BOX_MAX_CHARS = 16 * 1024;

/** How long an attempt stays open, on both sides (each side times it with its own clock). */
export const LINK_TIMEOUT_MS = 5 * 60 * 1000;

/** Why a link ended without a grant. */
export const LINK_DENY_REASONS = ['rejected', 'check-failed', 'busy', 'full'] as const;
export type LinkDenyReason = (typeof LINK_DENY_REASONS)[number];

/** N → every other device of the account: "I want to join". */
export interface LinkRequest {
  type: 'link-request';
  /** 22 characters: 16 random bytes naming this attempt. */
  rid: string;
  /** What the person will see ("Firefox on Linux"), 1..64 characters. */
  name: string;
  /** 43 characters: BLAKE2b-256(LP("peerchat-link-commit-v1", ephN, nonceN, deviceKeyN)). */
  commit: string;
}

/** E → N, sent as soon as a request arrives: E's ephemeral key and nonce, and the account key. */
export interface LinkChallenge {
  type: 'link-challenge';
  rid: string;
  /** 43 characters: E's X25519 ephemeral public key. */
  eph: string;
  /** 43 characters: 32 random bytes. */
  nonce: string;
  /** 43 characters: the account's Ed25519 public key. */
  accountKey: string;
}

/** N → the E whose challenge it answers: what the commit hid. */
export interface LinkReveal {
  type: 'link-reveal';
  rid: string;
  /** 43 characters: N's X25519 ephemeral public key. */
  eph: string;
  /** 43 characters: N's 32 random bytes. */
  nonce: string;
  /** 43 characters: N's Ed25519 device key. */
  deviceKey: string;
}

/** E → N after the person approved: the account secret key and the new device list, boxed. */
export interface LinkGrant {
  type: 'link-grant';
  rid: string;
  /** base64url of nonce(24) ‖ crypto_secretbox_easy(JSON {accountSecretKey, devices}) under the link key. */
  box: string;
}

/** Either way: the attempt is over (E refused, or N gave up). */
export interface LinkDeny {
  type: 'link-deny';
  rid: string;
  reason: LinkDenyReason;
}

export type LinkMsg = LinkRequest | LinkChallenge | LinkReveal | LinkGrant | LinkDeny;
export type LinkMsgType = LinkMsg['type'];

const b64Exact = (bytes: number) =>
  v.pipe(
    v.string(),
    v.check((s) => fromBase64UrlExact(s, bytes) !== null, 'not base64url of the right length'),
  );
const Rid = b64Exact(LINK_RID_BYTES);
const Key32 = b64Exact(32);
const MIN_BOX_BYTES = LINK_BOX_NONCE_BYTES + LINK_BOX_MAC_BYTES + 2;
const Box = v.pipe(
  v.string(),
  v.minLength(Math.ceil((MIN_BOX_BYTES * 4) / 3)),
  v.maxLength(LINK_BOX_MAX_CHARS),
  v.regex(/^[A-Za-z0-9_-]+$/),
  // Length 1 mod 4 is never a base64url encoding.
  v.check((s) => s.length % 4 !== 1, 'not base64url'),
);

const LinkMsgSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('link-request'),
    rid: Rid,
    name: v.pipe(v.string(), v.minLength(1), v.maxLength(DEVICE_NAME_MAX)),
    commit: Key32,
  }),
  v.strictObject({ type: v.literal('link-challenge'), rid: Rid, eph: Key32, nonce: Key32, accountKey: Key32 }),
  v.strictObject({ type: v.literal('link-reveal'), rid: Rid, eph: Key32, nonce: Key32, deviceKey: Key32 }),
  v.strictObject({ type: v.literal('link-grant'), rid: Rid, box: Box }),
  v.strictObject({ type: v.literal('link-deny'), rid: Rid, reason: v.picklist(LINK_DENY_REASONS) }),
]);

/**
 * A linking message from the `data` of a `link` frame (an object, or its JSON text), or null
 * unless it is exactly one of the messages above. Never throws.
 */
export function parseLinkMsg(raw: unknown): LinkMsg | null {
  const value = typeof raw === 'string' ? safeJsonParse(raw) : raw;
  const r = v.safeParse(LinkMsgSchema, value);
  return r.success ? r.output : null;
}
