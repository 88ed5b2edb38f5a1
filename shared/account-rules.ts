import { LIMITS } from './limits';
import type { ErrorCode } from './errors';

const USERNAME_RE = /^[A-Za-z0-9_.-]+$/;

/** Returns the error code for a bad username, or null when it is acceptable. */
export function checkUsername(name: unknown): ErrorCode | null {
  if (typeof name !== 'string') return 'INVALID_USERNAME';
  if (name.length < LIMITS.usernameMin || name.length > LIMITS.usernameMax) return 'INVALID_USERNAME';
  return USERNAME_RE.test(name) ? null : 'INVALID_USERNAME';
}

/** Returns the error code for a bad password, or null when it is acceptable. */
export function checkPassword(pw: unknown): ErrorCode | null {
  if (typeof pw !== 'string') return 'PASSWORD_TOO_SHORT';
  // Count code points, not UTF-16 units, so "8 characters" means what a person thinks.
  const len = [...pw].length;
  if (len < LIMITS.passwordMin) return 'PASSWORD_TOO_SHORT';
  if (pw.length > LIMITS.passwordMax) return 'PASSWORD_TOO_LONG';
  return null;
}

/** Usernames are unique ignoring case; this is the key they are stored and looked up by. */
export function usernameKey(name: string): string {
  return name.toLowerCase();
}
