/**
 * Account operations (register, login, resume, logout, lookup) on top of an {@link AccountStore}
 * and the password hasher. No sockets here: results are values with a stable error code.
 */
import { checkPassword, checkUsername, usernameKey } from '../../shared/account-rules';
import type { ErrorCode } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import type { AccountStore, UserRecord } from './account-store';
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
}
export type AuthResult = AuthOk | { ok: false; code: ErrorCode };

const fail = (code: ErrorCode): AuthResult => ({ ok: false, code });

export class Accounts {
  constructor(
    private readonly store: AccountStore,
    private readonly hasher: PasswordHasher,
    private readonly sessionTtlMs: number,
  ) {}

  /** `from` is the caller's address group (ip-key.ts), for the fair hash queue. */
  async register(username: string, password: string, identityKey?: string, from?: string): Promise<AuthResult> {
    const bad = checkUsername(username) ?? checkPassword(password);
    if (bad) return fail(bad);
    const key = usernameKey(username);
    // Cheap check first so a taken name does not cost a hash; the insert below still decides races.
    if (await this.store.getUser(key)) return fail('USER_EXISTS');
    const hash = await this.busyAware(() => this.hasher.hashPassword(password, { address: from, account: key }));
    if (typeof hash !== 'string') return hash;
    const created = await this.store.createUser(username, hash, identityKey ?? null);
    if (!created.ok) return fail(created.code);
    return this.startSession(created.user);
  }

  async login(username: string, password: string, identityKey?: string, from?: string): Promise<AuthResult> {
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
    if (identityKey) await this.store.setIdentityKey(user.usernameKey, identityKey);
    return this.startSession(user);
  }

  /**
   * Resumes with a session token. The same token is handed back and its expiry slides forward,
   * so an active user stays logged in; tabs sharing the token keep working.
   */
  async resume(token: string, identityKey?: string): Promise<AuthResult> {
    const tokenHash = hashToken(token);
    const session = await this.store.getSession(tokenHash, Date.now());
    if (!session) return fail('BAD_TOKEN');
    const user = await this.store.getUser(session.userKey);
    if (!user) {
      await this.store.deleteSession(tokenHash);
      return fail('BAD_TOKEN');
    }
    const expiresAt = Date.now() + this.sessionTtlMs;
    await this.store.extendSession(tokenHash, expiresAt);
    if (identityKey) await this.store.setIdentityKey(user.usernameKey, identityKey);
    return { ok: true, userKey: user.usernameKey, username: user.username, token, tokenHash, expiresAt };
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

  private async startSession(user: UserRecord): Promise<AuthOk> {
    const { token, tokenHash } = newToken();
    const expiresAt = Date.now() + this.sessionTtlMs;
    await this.store.createSession(user.usernameKey, tokenHash, expiresAt);
    return { ok: true, userKey: user.usernameKey, username: user.username, token, tokenHash, expiresAt };
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
