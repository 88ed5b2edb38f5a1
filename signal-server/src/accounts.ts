/**
 * Account operations (register, login, resume, logout, lookup, device lists) on top of an
 * {@link AccountStore} and the password hasher. No sockets here: results are values with a
 * stable error code.
 *
 * Devices: once an account has a device list, its account key (`identityKey`) is only replaced
 * by {@link Accounts.resetAccount}; a login or resume that brings another key does not change it
 * (a new browser cannot take over the account key by logging in). A session made by a device is
 * tied to that device id, and a resume must name the same device.
 */
import { checkPassword, checkUsername, usernameKey } from '../../shared/account-rules';
import type { ErrorCode } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import type { SignedDeviceList } from '../../shared/devices/device-list';
import type { AccountStore, StoredDeviceList, UserRecord } from './account-store';
import { checkDeviceList, listedDeviceIds, type ListRefusal } from './device-list-check';
import { errorCode } from './errors';
import type { PasswordHasher } from './password';
import { hashToken, newToken } from './tokens';

export interface AuthOk {
  ok: true;
  userKey: string;
  /** Display form. */
  username: string;
  token: string;
  tokenHash: string;
  expiresAt: number;
  /** The device that logged in, or null (a client from before devices). */
  deviceId: string | null;
  /** The account key and device list stored after this login. */
  identityKey: string | null;
  deviceList: StoredDeviceList | null;
}
export type AuthResult = AuthOk | { ok: false; code: ErrorCode };

/** What a register/login/resume brings besides the name and password or token. */
export interface AuthFields {
  identityKey?: string | undefined;
  deviceId?: string | undefined;
}

/** A device list that was stored: the account's live connections must be told. */
export interface DeviceListChange {
  userKey: string;
  username: string;
  stored: StoredDeviceList;
  /** The device ids the new list names. */
  listed: ReadonlySet<string>;
  /** Devices the previous list named and this one does not (their sessions were deleted). */
  removed: string[];
}

export type DeviceListResult = { ok: true; change: DeviceListChange } | { ok: false; code: ListRefusal | 'UNKNOWN_USER'; why: string };

const fail = (code: ErrorCode): AuthResult => ({ ok: false, code });

export class Accounts {
  constructor(
    private readonly store: AccountStore,
    private readonly hasher: PasswordHasher,
    private readonly sessionTtlMs: number,
  ) {}

  /** `from` is the caller's address group (ip-key.ts), for the fair hash queue. */
  async register(username: string, password: string, fields: AuthFields = {}, from?: string): Promise<AuthResult> {
    const { identityKey } = fields;
    const bad = checkUsername(username) ?? checkPassword(password);
    if (bad) return fail(bad);
    const key = usernameKey(username);
    // Cheap check first so a taken name does not cost a hash; the insert below still decides races.
    if (await this.store.getUser(key)) return fail('USER_EXISTS');
    const hash = await this.busyAware(() => this.hasher.hashPassword(password, { address: from, account: key }));
    if (typeof hash !== 'string') return hash;
    const created = await this.store.createUser(username, hash, identityKey ?? null);
    if (!created.ok) return fail(created.code);
    return this.startSession(created.user, fields.deviceId ?? null);
  }

  async login(username: string, password: string, fields: AuthFields = {}, from?: string): Promise<AuthResult> {
    // A name that breaks the rules cannot have an account; say so without hashing anything.
    if (checkUsername(username)) return fail('INVALID_USERNAME');
    // Length only: an account made under older rules may have a shorter password.
    if (password.length > LIMITS.passwordMax) return fail('PASSWORD_TOO_LONG');
    const key = usernameKey(username);
    const who = { address: from, account: key };
    const user = await this.store.getUser(key);
    if (!user) {
      // Same work as a real verify, so timing does not reveal whether the name exists.
      const r = await this.busyAware(() => this.hasher.dummyVerify(password, who));
      return typeof r === 'boolean' ? fail('UNKNOWN_USER') : r;
    }
    const okPw = await this.busyAware(() => this.hasher.verifyPassword(password, user.passwordHash, who));
    if (typeof okPw !== 'boolean') return okPw;
    if (!okPw) return fail('BAD_PASSWORD');
    return this.startSession(await this.adoptIdentityKey(user, fields.identityKey), fields.deviceId ?? null);
  }

  /**
   * Resumes with a session token. The same token is handed back and its expiry slides forward,
   * so an active user stays logged in; tabs sharing the token keep working.
   */
  async resume(token: string, fields: AuthFields = {}): Promise<AuthResult> {
    const tokenHash = hashToken(token);
    const session = await this.store.getSession(tokenHash, Date.now());
    if (!session) return fail('BAD_TOKEN');
    const found = await this.store.getUser(session.userKey);
    if (!found) {
      await this.store.deleteSession(tokenHash);
      return fail('BAD_TOKEN');
    }
    // A session belongs to one device: another device (or a client without one) cannot use its
    // token. A session from before devices is tied to the first device that resumes it.
    const deviceId = fields.deviceId ?? null;
    const sessionDevice = session.deviceId ?? null;
    if (sessionDevice !== null && sessionDevice !== deviceId) return fail('BAD_TOKEN');
    if (sessionDevice === null && deviceId !== null && !(await this.store.bindSessionDevice(tokenHash, deviceId))) return fail('BAD_TOKEN');
    const expiresAt = Date.now() + this.sessionTtlMs;
    await this.store.extendSession(tokenHash, expiresAt);
    const user = await this.adoptIdentityKey(found, fields.identityKey);
    return { ok: true, userKey: user.usernameKey, username: user.username, token, tokenHash, expiresAt, deviceId, identityKey: user.identityKey, deviceList: user.deviceList };
  }

  /**
   * Stores a new device list of an account: it must verify with the stored account key, name the
   * account, be newer than the stored one and have at most MAX_DEVICES devices. The sessions of
   * devices it no longer names are deleted.
   */
  async publishDevices(userKey: string, signed: SignedDeviceList): Promise<DeviceListResult> {
    const user = await this.store.getUser(userKey);
    if (!user) return { ok: false, code: 'UNKNOWN_USER', why: 'no such account' };
    const check = checkDeviceList(signed, { accountKey: user.identityKey, account: user.usernameKey, storedVersion: user.deviceList?.version ?? null });
    if (!check.ok) return check;
    // The store decides races between two publishers: only a higher version is written.
    if (!(await this.store.setDeviceList(userKey, check.stored))) return { ok: false, code: 'DEVICE_LIST_REFUSED', why: 'DEVICE_LIST_ROLLBACK' };
    const listed = new Set(check.list.devices.map((d) => d.id));
    const removed = [...(listedDeviceIds(user.deviceList) ?? [])].filter((id) => !listed.has(id));
    if (removed.length > 0) await this.store.deleteSessionsOf(userKey, { deviceIds: removed });
    return { ok: true, change: { userKey, username: user.username, stored: check.stored, listed, removed } };
  }

  /**
   * Every device was lost: a new account key and a first list (signed by the new key, naming
   * `deviceId`) replace the stored ones, and every other session of the account is deleted.
   */
  async resetAccount(userKey: string, identityKey: string, signed: SignedDeviceList, deviceId: string, keepTokenHash: string): Promise<DeviceListResult> {
    const user = await this.store.getUser(userKey);
    if (!user) return { ok: false, code: 'UNKNOWN_USER', why: 'no such account' };
    const check = checkDeviceList(signed, { accountKey: identityKey, account: user.usernameKey, storedVersion: null });
    if (!check.ok) return check;
    if (!check.list.devices.some((d) => d.id === deviceId)) return { ok: false, code: 'DEVICE_LIST_REFUSED', why: 'the list does not name the device resetting' };
    if (!(await this.store.resetAccount(userKey, identityKey, check.stored))) return { ok: false, code: 'UNKNOWN_USER', why: 'no such account' };
    await this.store.deleteSessionsOf(userKey, { exceptTokenHash: keepTokenHash });
    const listed = new Set(check.list.devices.map((d) => d.id));
    const removed = [...(listedDeviceIds(user.deviceList) ?? [])].filter((id) => !listed.has(id));
    return { ok: true, change: { userKey, username: user.username, stored: check.stored, listed, removed } };
  }

  async logout(tokenHash: string): Promise<void> {
    await this.store.deleteSession(tokenHash);
  }

  async lookup(username: string): Promise<UserRecord | null> {
    if (checkUsername(username)) return null;
    return this.store.getUser(usernameKey(username));
  }

  purgeExpired(): Promise<number> {
    return this.store.purgeExpiredSessions(Date.now());
  }

  /**
   * An account without a device list takes the key a login brings (the latest device wins, as
   * before devices). Once it has a list, only an account reset changes the key.
   */
  private async adoptIdentityKey(user: UserRecord, identityKey: string | undefined): Promise<UserRecord> {
    if (!identityKey || user.deviceList !== null || identityKey === user.identityKey) return user;
    await this.store.setIdentityKey(user.usernameKey, identityKey);
    return { ...user, identityKey };
  }

  private async startSession(user: UserRecord, deviceId: string | null): Promise<AuthOk> {
    const { token, tokenHash } = newToken();
    const expiresAt = Date.now() + this.sessionTtlMs;
    await this.store.createSession(user.usernameKey, tokenHash, expiresAt, deviceId);
    return {
      ok: true,
      userKey: user.usernameKey,
      username: user.username,
      token,
      tokenHash,
      expiresAt,
      deviceId,
      identityKey: user.identityKey,
      deviceList: user.deviceList,
    };
  }

  /** Runs a hashing job; a full hashing queue (or the caller's full share of it) becomes a result. */
  private async busyAware<T>(job: () => Promise<T>): Promise<T | { ok: false; code: ErrorCode }> {
    try {
      return await job();
    } catch (err) {
      const code = errorCode(err);
      if (code === 'SERVER_BUSY' || code === 'RATE_LIMITED') return { ok: false, code };
      throw err;
    }
  }
}
