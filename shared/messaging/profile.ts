/**
 * Profiles: a display name and an optional avatar, sent by their owner to each contact over the
 * pairwise session (`profile` frames, ./everyday-messages.ts). The avatar is a small image the
 * sender's device re-encoded (at most EVERYDAY_LIMITS.avatarSidePx per side and maxAvatarBytes),
 * so no original file, metadata or location leaves the device. A receiver keeps only the
 * newest profile of each contact, checks the avatar's hash, and re-encodes it again before
 * showing it (never decodes it for a message request).
 */
import { fromBase64UrlExact, toBase64Url } from '../crypto/bytes';
import { hashBytesHex } from '../crypto/file-hash';
import { EVERYDAY_LIMITS, type AvatarMime, type ProfileFrame } from './everyday-messages';

/** A contact's (or this person's) profile as stored. */
export interface StoredProfile {
  /** Display name ('' = none: show the username). */
  name: string;
  /** The avatar's bytes and type, and their BLAKE2b-256 hex; absent: no avatar. */
  avatar?: { mime: AvatarMime; bytes: Uint8Array; hash: string };
  /** The owner's clock when the profile was set; newer replaces older. */
  ts: number;
}

/** Trims a display name typed by the person: whitespace collapsed, control characters dropped, capped. */
export function cleanDisplayName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const s = raw.replace(/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
  if (s.length <= EVERYDAY_LIMITS.maxDisplayNameChars) return s;
  let end = EVERYDAY_LIMITS.maxDisplayNameChars;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end);
}

/** The `profile` frame for a stored profile (libsodium must be ready). Null when the avatar is over the cap. */
export function profileFrame(p: StoredProfile): ProfileFrame | null {
  const frame: ProfileFrame = { type: 'profile', name: cleanDisplayName(p.name), ts: p.ts };
  if (p.avatar) {
    if (p.avatar.bytes.length === 0 || p.avatar.bytes.length > EVERYDAY_LIMITS.maxAvatarBytes) return null;
    frame.avatar = { mime: p.avatar.mime, data: toBase64Url(p.avatar.bytes), hash: hashBytesHex(p.avatar.bytes) };
  }
  return frame;
}

/**
 * A received `profile` frame against the stored one: the profile to store, or null to ignore
 * it (not newer than what is stored, or an avatar whose bytes do not match its hash or exceed
 * the cap). The name is cleaned again here: never trust the sender to have done it.
 */
export function acceptProfile(stored: StoredProfile | undefined, frame: ProfileFrame): StoredProfile | null {
  if (stored && frame.ts <= stored.ts) return null;
  const out: StoredProfile = { name: cleanDisplayName(frame.name), ts: frame.ts };
  if (frame.avatar) {
    const n = Math.floor((frame.avatar.data.length * 3) / 4);
    const bytes = fromBase64UrlExact(frame.avatar.data, n);
    if (!bytes || bytes.length > EVERYDAY_LIMITS.maxAvatarBytes) return null;
    if (hashBytesHex(bytes) !== frame.avatar.hash) return null;
    out.avatar = { mime: frame.avatar.mime, bytes, hash: frame.avatar.hash };
  }
  return out;
}

/** Send our profile when a session comes up? Yes when this version was not sent to the contact yet (resending is harmless: older or equal versions are ignored). */
export function shouldSendProfile(own: StoredProfile | undefined, lastSentTs: number | undefined): boolean {
  return own !== undefined && (lastSentTs === undefined || own.ts > lastSentTs);
}
