/**
 * The storage contract for accounts and sessions. Methods are async so a networked store
 * (Redis, for scale-out) can implement the same interface as the embedded SQLite one.
 *
 * Keys: users are looked up by `usernameKey` (shared/account-rules `usernameKey`, i.e. the
 * lower-cased name) and keep the display form they registered with. Sessions are looked up by
 * the SHA-256 hex of the token; the token itself is never stored.
 *
 * Device lists (shared/devices/device-list.ts) are stored as the signed text the account
 * published, with its version beside it so a store can refuse an older one without parsing.
 * The store never checks signatures: accounts.ts does that before calling it.
 */
import type { SignedDeviceList } from '../../shared/devices/device-list';

/** An account's device list as the account key signed it, and the version inside it. */
export interface StoredDeviceList {
  signed: SignedDeviceList;
  version: number;
}

export interface UserRecord {
  /** Display form, as registered. */
  username: string;
  /** Lower-case key; unique. */
  usernameKey: string;
  /** `scrypt$N$r$p$salt$hash`, see password.ts. */
  passwordHash: string;
  /** Base64url Ed25519 public key of the account (the account key), or null if none was published. */
  identityKey: string | null;
  /** The newest device list the account published, or null (an account from before devices). */
  deviceList: StoredDeviceList | null;
  /** ms since the epoch. */
  createdAt: number;
}

export interface SessionRecord {
  tokenHash: string;
  userKey: string;
  /** The device the session belongs to; absent for a session of a client from before devices. */
  deviceId?: string;
  /** ms since the epoch. */
  createdAt: number;
  /** ms since the epoch. */
  expiresAt: number;
}

export type CreateUserResult = { ok: true; user: UserRecord } | { ok: false; code: 'USER_EXISTS' };

/** Which of an account's sessions {@link AccountStore.deleteSessionsOf} deletes. */
export interface SessionSelector {
  /** Only sessions of these devices (absent: sessions of any device, and those without one). */
  deviceIds?: readonly string[];
  /** Keep this session. */
  exceptTokenHash?: string;
}

export interface AccountStore {
  /** Creates an account; `{ok:false, code:'USER_EXISTS'}` when the name is taken ignoring case. */
  createUser(username: string, passwordHash: string, identityKey?: string | null): Promise<CreateUserResult>;
  getUser(usernameKey: string): Promise<UserRecord | null>;
  /** Publishes the identity (account) key; the latest call wins. */
  setIdentityKey(usernameKey: string, identityKey: string): Promise<void>;
  /**
   * Stores a device list if its version is higher than the stored one (or none is stored), as
   * one atomic step. False when the account does not exist or the stored version is not lower.
   */
  setDeviceList(usernameKey: string, list: StoredDeviceList): Promise<boolean>;
  /** Replaces the account key and the device list whatever was stored (account reset). False for an unknown account. */
  resetAccount(usernameKey: string, identityKey: string, list: StoredDeviceList): Promise<boolean>;
  /** `deviceId` null or absent: a session of a client from before devices. */
  createSession(userKey: string, tokenHash: string, expiresAt: number, deviceId?: string | null): Promise<void>;
  /** The session, or null when unknown or expired at `now` (an expired one is deleted). */
  getSession(tokenHash: string, now?: number): Promise<SessionRecord | null>;
  /**
   * Ties a session made before devices to a device. True when the session now belongs to
   * `deviceId` (also when it already did); false when it belongs to another device or is gone.
   */
  bindSessionDevice(tokenHash: string, deviceId: string): Promise<boolean>;
  /** Moves a session's expiry (sliding sessions). False when the session does not exist. */
  extendSession(tokenHash: string, expiresAt: number): Promise<boolean>;
  /** True when a session was deleted. */
  deleteSession(tokenHash: string): Promise<boolean>;
  /** Deletes the selected sessions of one account; returns how many. */
  deleteSessionsOf(userKey: string, which: SessionSelector): Promise<number>;
  /** Deletes every session that expired before `now`; returns how many. */
  purgeExpiredSessions(now?: number): Promise<number>;
  close(): Promise<void>;
}
