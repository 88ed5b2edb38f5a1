/** Session tokens: 32 random bytes, base64url (43 chars). Only their SHA-256 is stored. */
import { createHash, randomBytes } from 'node:crypto';
import { LIMITS } from '../../shared/limits';

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  if (token.length !== LIMITS.tokenChars) throw new Error('token length mismatch');
  return { token, tokenHash: hashToken(token) };
}

/** SHA-256 hex of a token: what the store keeps and looks up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
