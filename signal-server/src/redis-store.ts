/**
 * The account store for several instances (`REDIS_URL`): the same {@link AccountStore} contract
 * as sqlite-store.ts, kept in Redis. Keys (all under a prefix, default `peerchat:`):
 *
 * - `user:<usernameKey>`: hash `name pw at` and, when set, `ik` (account key), `dl ds dv`
 *   (device list text, signature, version).
 * - `session:<tokenHash>`: hash `user at exp` and `dev` when bound to a device; the key expires
 *   at `exp` (PEXPIREAT), so Redis forgets a session by itself.
 * - `user-sessions:<usernameKey>`: set of the account's token hashes (for "end the sessions of
 *   these devices"); members whose session expired are dropped when met.
 * - `session-expiry`: sorted set token hash → expiry, so a purge can tidy the two indexes.
 *
 * Every step that reads and then writes (create, the no-rollback device list check, binding a
 * session to a device, deleting selected sessions) is one Lua script, so two instances cannot
 * interleave. When Redis cannot be reached an operation throws a CodedError `SERVER_BUSY` (the
 * hub answers the client with that code); it never waits for Redis to come back.
 */
import { ReplyError, type Redis } from 'ioredis';
import type { AccountStore, CreateUserResult, SessionRecord, StoredDeviceList, UserRecord } from './account-store';
import { CodedError } from './errors';
import type { Logger } from './logger';
import { connectRedis } from './redis-connect';
import { usernameKey } from '../../shared/account-rules';

const CREATE_USER = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'pw', ARGV[2], 'at', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'ik', ARGV[4]) end
return 1`;

const SET_IF_USER = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`;

// Compare-and-set: only a higher version replaces the stored list.
const SET_DEVICE_LIST = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local v = redis.call('HGET', KEYS[1], 'dv')
if v and tonumber(v) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'dl', ARGV[1], 'ds', ARGV[2], 'dv', ARGV[3])
return 1`;

const CREATE_SESSION = `
redis.call('HSET', KEYS[1], 'user', ARGV[1], 'at', ARGV[2], 'exp', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'dev', ARGV[4]) end
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[5])
return 1`;

const BIND_DEVICE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local d = redis.call('HGET', KEYS[1], 'dev')
if not d then redis.call('HSET', KEYS[1], 'dev', ARGV[1]) return 1 end
if d == ARGV[1] then return 1 end
return 0`;

const EXTEND_SESSION = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'exp', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
return 1`;

// KEYS: session, session-expiry. ARGV: token hash, user-sessions prefix.
const DELETE_SESSION = `
local u = redis.call('HGET', KEYS[1], 'user')
local n = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if u then redis.call('SREM', ARGV[2] .. u, ARGV[1]) end
return n`;

// KEYS: user-sessions, session-expiry. ARGV: session key prefix, token hash to keep, then the
// device ids to end (none: every session of the account).
const DELETE_SESSIONS_OF = `
local n = 0
for _, h in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. h
  local dev = redis.call('HGET', key, 'dev')
  local gone = redis.call('EXISTS', key) == 0
  local pick = #ARGV == 2
  for i = 3, #ARGV do if dev == ARGV[i] then pick = true end end
  if gone then
    redis.call('SREM', KEYS[1], h)
    redis.call('ZREM', KEYS[2], h)
  elseif pick and h ~= ARGV[2] then
    redis.call('DEL', key)
    redis.call('SREM', KEYS[1], h)
    redis.call('ZREM', KEYS[2], h)
    n = n + 1
  end
end
return n`;

// KEYS: session-expiry. ARGV: now, session key prefix, user-sessions prefix, batch size.
const PURGE = `
local hs = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
for _, h in ipairs(hs) do
  local key = ARGV[2] .. h
  local u = redis.call('HGET', key, 'user')
  redis.call('DEL', key)
  if u then redis.call('SREM', ARGV[3] .. u, h) end
  redis.call('ZREM', KEYS[1], h)
end
return #hs`;

const PURGE_BATCH = 500;

export interface RedisStoreOptions {
  logger: Logger;
  /** Prefix of every key. Default `peerchat:`. */
  prefix?: string;
  connectTimeoutMs?: number;
}

type Fields = Record<string, string>;

function toUser(key: string, h: Fields): UserRecord {
  return {
    username: h.name as string,
    usernameKey: key,
    passwordHash: h.pw as string,
    identityKey: h.ik ?? null,
    deviceList: h.dl !== undefined && h.ds !== undefined && h.dv !== undefined ? { signed: { list: h.dl, sig: h.ds }, version: Number(h.dv) } : null,
    createdAt: Number(h.at),
  };
}

/** Connects to Redis at `url` and returns the store; throws a CodedError when Redis cannot be reached. */
export async function openRedisStore(url: string, opts: RedisStoreOptions): Promise<AccountStore> {
  const client = await connectRedis(url, { logger: opts.logger, name: 'peerchat-store', connectTimeoutMs: opts.connectTimeoutMs });
  return new RedisStore(client, opts.prefix ?? 'peerchat:');
}

class RedisStore implements AccountStore {
  private closed = false;

  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  private userKey(key: string): string {
    return `${this.prefix}user:${key}`;
  }
  private sessionKey(hash: string): string {
    return `${this.prefix}session:${hash}`;
  }
  private userSessionsKey(key: string): string {
    return `${this.prefix}user-sessions:${key}`;
  }
  private get expiryKey(): string {
    return `${this.prefix}session-expiry`;
  }

  /**
   * Runs one Redis operation. A closed store throws STORE_CLOSED; Redis away (not connected, the
   * connection dropped mid-command, a timeout) throws SERVER_BUSY. An error Redis itself answered
   * (a bug in a script) is passed on as it is.
   */
  private async op<T>(job: (r: Redis) => Promise<T>): Promise<T> {
    if (this.closed) throw new CodedError('STORE_CLOSED', 'The account store is closed.');
    if (this.client.status !== 'ready') throw new CodedError('SERVER_BUSY', 'Redis is not reachable right now.');
    try {
      return await job(this.client);
    } catch (err) {
      if (err instanceof ReplyError) throw err;
      throw new CodedError('SERVER_BUSY', `Redis is not reachable right now: ${(err as Error).message}`, { cause: err });
    }
  }

  private script(r: Redis, lua: string, keys: string[], args: Array<string | number>): Promise<number> {
    return r.eval(lua, keys.length, ...keys, ...args) as Promise<number>;
  }

  createUser(username: string, passwordHash: string, identityKey: string | null = null): Promise<CreateUserResult> {
    return this.op(async (r) => {
      const key = usernameKey(username);
      const createdAt = Date.now();
      const made = await this.script(r, CREATE_USER, [this.userKey(key)], [username, passwordHash, createdAt, identityKey ?? '']);
      if (made !== 1) return { ok: false, code: 'USER_EXISTS' } as const;
      return { ok: true, user: { username, usernameKey: key, passwordHash, identityKey, deviceList: null, createdAt } } as const;
    });
  }

  getUser(key: string): Promise<UserRecord | null> {
    return this.op(async (r) => {
      const h = await r.hgetall(this.userKey(key));
      return h.name === undefined ? null : toUser(key, h);
    });
  }

  setIdentityKey(key: string, identityKey: string): Promise<void> {
    return this.op(async (r) => {
      await this.script(r, SET_IF_USER, [this.userKey(key)], ['ik', identityKey]);
    });
  }

  setDeviceList(key: string, list: StoredDeviceList): Promise<boolean> {
    return this.op(async (r) => (await this.script(r, SET_DEVICE_LIST, [this.userKey(key)], [list.signed.list, list.signed.sig, list.version])) === 1);
  }

  resetAccount(key: string, identityKey: string, list: StoredDeviceList): Promise<boolean> {
    return this.op(
      async (r) =>
        (await this.script(r, SET_IF_USER, [this.userKey(key)], ['ik', identityKey, 'dl', list.signed.list, 'ds', list.signed.sig, 'dv', list.version])) === 1,
    );
  }

  createSession(userKey: string, tokenHash: string, expiresAt: number, deviceId: string | null = null): Promise<void> {
    return this.op(async (r) => {
      const keys = [this.sessionKey(tokenHash), this.userSessionsKey(userKey), this.expiryKey];
      await this.script(r, CREATE_SESSION, keys, [userKey, Date.now(), expiresAt, deviceId ?? '', tokenHash]);
    });
  }

  getSession(tokenHash: string, now: number = Date.now()): Promise<SessionRecord | null> {
    return this.op(async (r) => {
      const h = await r.hgetall(this.sessionKey(tokenHash));
      if (h.user === undefined) {
        // Expired (Redis dropped it) or never existed: tidy the expiry index.
        await r.zrem(this.expiryKey, tokenHash);
        return null;
      }
      const expiresAt = Number(h.exp);
      if (expiresAt <= now) {
        await this.deleteIn(r, tokenHash);
        return null;
      }
      const session: SessionRecord = { tokenHash, userKey: h.user, createdAt: Number(h.at), expiresAt };
      if (h.dev !== undefined) session.deviceId = h.dev;
      return session;
    });
  }

  bindSessionDevice(tokenHash: string, deviceId: string): Promise<boolean> {
    return this.op(async (r) => (await this.script(r, BIND_DEVICE, [this.sessionKey(tokenHash)], [deviceId])) === 1);
  }

  extendSession(tokenHash: string, expiresAt: number): Promise<boolean> {
    return this.op(async (r) => (await this.script(r, EXTEND_SESSION, [this.sessionKey(tokenHash), this.expiryKey], [expiresAt, tokenHash])) === 1);
  }

  deleteSession(tokenHash: string): Promise<boolean> {
    return this.op(async (r) => (await this.deleteIn(r, tokenHash)) > 0);
  }

  private deleteIn(r: Redis, tokenHash: string): Promise<number> {
    return this.script(r, DELETE_SESSION, [this.sessionKey(tokenHash), this.expiryKey], [tokenHash, `${this.prefix}user-sessions:`]);
  }

  deleteSessionsOf(userKey: string, which: { deviceIds?: readonly string[]; exceptTokenHash?: string }): Promise<number> {
    return this.op(async (r) => {
      // With an empty device list nothing is selected: match no device rather than all of them.
      const devices = which.deviceIds ? (which.deviceIds.length > 0 ? which.deviceIds : ['\n']) : [];
      return this.script(r, DELETE_SESSIONS_OF, [this.userSessionsKey(userKey), this.expiryKey], [this.sessionKey(''), which.exceptTokenHash ?? '', ...devices]);
    });
  }

  purgeExpiredSessions(now: number = Date.now()): Promise<number> {
    return this.op(async (r) => {
      let total = 0;
      for (;;) {
        const n = await this.script(r, PURGE, [this.expiryKey], [now, this.sessionKey(''), this.userSessionsKey(''), PURGE_BATCH]);
        total += n;
        if (n < PURGE_BATCH) return total;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.quit();
    } catch {
      // Already disconnected (Redis away): nothing to flush.
      this.client.disconnect();
    }
  }
}
