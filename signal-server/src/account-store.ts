/**
 * The storage contract for accounts and sessions. Methods are async so a networked store
 * (Redis, for scale-out) can implement the same interface as the embedded SQLite one.
 *
 * Keys: users are looked up by `usernameKey` (shared/account-rules `usernameKey`, i.e. the
 * lower-cased name) and keep the display form they registered with. Sessions are looked up by
 * the SHA-256 hex of the token; the token itself is never stored.
 */

export interface UserRecord {
  /** Display form, as registered. */
  username: string;
  /** Lower-case key; unique. */
  usernameKey: string;
  /** `scrypt$N$r$p$salt$hash`, see password.ts. */
  passwordHash: string;
  /** Base64url Ed25519 public key the user's latest device published, or null. */
  identityKey: string | null;
  /** ms since the epoch. */
  createdAt: number;
}

export interface SessionRecord {
  tokenHash: string;
  userKey: string;
  /** ms since the epoch. */
  createdAt: number;
  /** ms since the epoch. */
  expiresAt: number;
}

export type CreateUserResult = { ok: true; user: UserRecord } | { ok: false; code: 'USER_EXISTS' };

export interface AccountStore {
  /** Creates an account; `{ok:false, code:'USER_EXISTS'}` when the name is taken ignoring case. */
  createUser(username: string, passwordHash: string, identityKey?: string | null): Promise<CreateUserResult>;
  getUser(usernameKey: string): Promise<UserRecord | null>;
  /** Publishes the identity key of the user's device; the latest call wins. */
  setIdentityKey(usernameKey: string, identityKey: string): Promise<void>;
  createSession(userKey: string, tokenHash: string, expiresAt: number): Promise<void>;
  /** The session, or null when unknown or expired at `now` (an expired one is deleted). */
  getSession(tokenHash: string, now?: number): Promise<SessionRecord | null>;
  /** Moves a session's expiry (sliding sessions). False when the session does not exist. */
  extendSession(tokenHash: string, expiresAt: number): Promise<boolean>;
  /** True when a session was deleted. */
  deleteSession(tokenHash: string): Promise<boolean>;
  /** Deletes every session that expired before `now`; returns how many. */
  purgeExpiredSessions(now?: number): Promise<number>;
  close(): Promise<void>;
}
