/**
 * A message request: the first message to someone who has not accepted us as a contact. It
 * travels through the signal server (relayed, never stored) as a sealed box to the recipient's
 * ACCOUNT key, so no WebRTC connection (and no IP address) is needed before the person accepts.
 *
 * - Sealed with crypto_box_seal to the recipient's account key converted Ed25519 → X25519; the
 *   recipient opens it with its account secret key converted the same way. The server sees only
 *   the sender's name (which it sets itself), the recipient's name and the size.
 * - Inside: the sender's account name and key, the message id, the text, the time, and a
 *   signature by the sender's account key over LP(context, recipient name, sender name, id, text,
 *   ts). A box is only accepted when the signature verifies with the key inside AND that key is
 *   the one the directory publishes for the name the server set as `from` (checked by the
 *   caller, {@link openRequestBox} returns the key for that).
 * - The recipient name in the signature binds the box to one recipient: a box re-sealed to
 *   someone else by its first recipient does not verify there.
 *
 * Pure and I/O-free (libsodium only); unit-tested in test/unit/request-box.test.ts.
 */
import * as v from 'valibot';
import { sodium } from '../crypto/sodium';
import { fromBase64UrlExact, lengthPrefixed, toBase64Url } from '../crypto/bytes';
import type { IdentityKeyPair } from '../crypto/identity';
import { LIMITS } from '../limits';
import { usernameKey } from '../account-rules';
import { safeJsonParse } from '../json';

/** Domain separation for the request signature. */
const SIGN_CONTEXT = 'peerchat-request-v1';

/** Largest sealed box on the wire (base64url characters); a request of maxChatChars fits. */
export const MAX_REQUEST_BOX_CHARS = LIMITS.maxRequestBoxChars;

/** What a request says once opened and checked. */
export interface OpenedRequest {
  /** The sender's account name as the sender wrote it (the caller compares it with the server's `from`). */
  from: string;
  /** The sender's account key (base64url, 43 chars). */
  senderKey: string;
  id: string;
  text: string;
  ts: number;
}

const Inner = v.object({
  v: v.literal(1),
  from: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.usernameMax)),
  key: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/)),
  id: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/)),
  text: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxChatChars)),
  ts: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
  sig: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{86}$/)),
});

function signedBytes(recipient: string, from: string, id: string, text: string, ts: number): Uint8Array {
  return lengthPrefixed([SIGN_CONTEXT, usernameKey(recipient), usernameKey(from), id, text, String(ts)]);
}

export interface SealRequestInput {
  /** Our account name and account key pair. */
  from: string;
  sender: IdentityKeyPair;
  /** The recipient's account name and published account key (Ed25519 public, 32 bytes). */
  to: string;
  recipientKey: Uint8Array;
  id: string;
  text: string;
  ts: number;
}

/** Seals a request; base64url. Throws if the text is too long or the recipient key is not a valid key. */
export function sealRequestBox(input: SealRequestInput): string {
  if (input.text.length > LIMITS.maxChatChars) throw new RangeError('request text too long');
  const sig = sodium.crypto_sign_detached(signedBytes(input.to, input.from, input.id, input.text, input.ts), input.sender.secretKey);
  const inner = JSON.stringify({
    v: 1,
    from: input.from,
    key: toBase64Url(input.sender.publicKey),
    id: input.id,
    text: input.text,
    ts: input.ts,
    sig: toBase64Url(sig),
  });
  const x25519 = sodium.crypto_sign_ed25519_pk_to_curve25519(input.recipientKey);
  const box = toBase64Url(sodium.crypto_box_seal(inner, x25519));
  if (box.length > MAX_REQUEST_BOX_CHARS) throw new RangeError('request box too large');
  return box;
}

/**
 * Opens a box sealed to our account key and checks its signature and that it names us. Returns
 * null for anything that does not open, parse or verify. The caller must still check that
 * `senderKey` is the key the directory publishes for the server-set sender name, and that
 * `from` names that same account.
 */
export function openRequestBox(box: string, me: { name: string; account: IdentityKeyPair }): OpenedRequest | null {
  if (typeof box !== 'string' || box.length > MAX_REQUEST_BOX_CHARS || !/^[A-Za-z0-9_-]+$/.test(box)) return null;
  let plain: string;
  try {
    const sealed = sodium.from_base64(box, sodium.base64_variants.URLSAFE_NO_PADDING);
    const pk = sodium.crypto_sign_ed25519_pk_to_curve25519(me.account.publicKey);
    const sk = sodium.crypto_sign_ed25519_sk_to_curve25519(me.account.secretKey);
    plain = sodium.crypto_box_seal_open(sealed, pk, sk, 'text');
  } catch {
    return null;
  }
  const parsed = v.safeParse(Inner, safeJsonParse(plain));
  if (!parsed.success) return null;
  const m = parsed.output;
  const key = fromBase64UrlExact(m.key, 32);
  const sig = fromBase64UrlExact(m.sig, 64);
  if (!key || !sig) return null;
  let ok = false;
  try {
    ok = sodium.crypto_sign_verify_detached(sig, signedBytes(me.name, m.from, m.id, m.text, m.ts), key);
  } catch {
    ok = false;
  }
  if (!ok) return null;
  return { from: m.from, senderKey: m.key, id: m.id, text: m.text, ts: m.ts };
}

export interface RequestSenderFacts {
  /** My account (any case). */
  me: string;
  /** The account key pinned for the sender here, if any: it decides, not the directory. */
  pinnedKey: string | null;
  /** What the directory (the server) publishes for the sender now. */
  publishedKey: string | null;
}

/**
 * Whether an opened request may be taken as coming from `serverFrom`. The server stamps `from`
 * and answers the directory, so for someone whose key is pinned here only the pinned key counts
 * (a hostile server signing with a key of its own and publishing it is refused); the directory
 * decides only on first contact, as for a first handshake. A request "from" my own account is
 * never taken (my devices talk over their own links).
 */
export function requestSenderVerdict(opened: OpenedRequest, serverFrom: string, f: RequestSenderFacts): 'ok' | 'own-account' | 'name-mismatch' | 'key-mismatch' {
  if (usernameKey(serverFrom) === usernameKey(f.me) || usernameKey(opened.from) === usernameKey(f.me)) return 'own-account';
  if (usernameKey(opened.from) !== usernameKey(serverFrom)) return 'name-mismatch';
  const expected = f.pinnedKey ?? f.publishedKey;
  return expected !== null && opened.senderKey === expected ? 'ok' : 'key-mismatch';
}
