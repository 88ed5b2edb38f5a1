/**
 * How profiles are shown: the name to show for an account, its initials for an avatar without
 * an image, and avatar bytes as a data URL (for <img> and notification icons).
 */
import type { StoredProfile } from '../../../shared/messaging/profile';

/** Standard base64 of `bytes` (for a data URL). */
function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function avatarDataUrl(p: StoredProfile | undefined): string | null {
  return p?.avatar ? `data:${p.avatar.mime};base64,${base64(p.avatar.bytes)}` : null;
}

/** The first letter (or character, in scripts without case) of a name, for an avatar without an image. */
export function initialOf(name: string): string {
  const first = Array.from(name.trim())[0] ?? '?';
  return first.toLocaleUpperCase();
}

/** The display name of a profile, or '' when none is set. */
export function displayNameOf(p: StoredProfile | undefined): string {
  return p?.name ?? '';
}
