/**
 * The embedded account store: SQLite through better-sqlite3 (v12: v13 needs Node 22) in
 * `<dataDir>/peerchat.sqlite`. WAL mode, a busy timeout, and a `user_version` upgrade ladder:
 * each entry of MIGRATIONS upgrades the schema by one version inside a transaction.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AccountStore, CreateUserResult, SessionRecord, UserRecord } from './account-store';
import { CodedError } from './errors';
import { usernameKey } from '../../shared/account-rules';

export const DB_FILE = 'peerchat.sqlite';

const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  // 0 → 1: accounts and sessions.
  (db) =>
    db.exec(`
      CREATE TABLE users (
        username_key  TEXT PRIMARY KEY,
        username      TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        identity_key  TEXT,
        created_at    INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_key   TEXT NOT NULL REFERENCES users(username_key) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sessions_by_expiry ON sessions(expires_at);
      CREATE INDEX sessions_by_user ON sessions(user_key);
    `),
  // 1 → 2: devices. The account's signed device list (text, signature, version) and the device
  // each session belongs to. Existing rows keep everything and get NULLs (accounts and sessions
  // from before devices).
  (db) =>
    db.exec(`
      ALTER TABLE users ADD COLUMN device_list TEXT;
      ALTER TABLE users ADD COLUMN device_list_sig TEXT;
      ALTER TABLE users ADD COLUMN device_list_version INTEGER;
      ALTER TABLE sessions ADD COLUMN device_id TEXT;
    `),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

interface UserRow {
  username_key: string;
  username: string;
  password_hash: string;
  identity_key: string | null;
  created_at: number;
  device_list: string | null;
  device_list_sig: string | null;
  device_list_version: number | null;
}

interface SessionRow {
  token_hash: string;
  user_key: string;
  created_at: number;
  expires_at: number;
  device_id: string | null;
}

function toUser(row: UserRow): UserRecord {
  return {
    username: row.username,
    usernameKey: row.username_key,
    passwordHash: row.password_hash,
    identityKey: row.identity_key,
    deviceList:
      row.device_list !== null && row.device_list_sig !== null && row.device_list_version !== null
        ? { signed: { list: row.device_list, sig: row.device_list_sig }, version: row.device_list_version }
        : null,
    createdAt: row.created_at,
  };
}

function toSession(row: SessionRow): SessionRecord {
  const session: SessionRecord = { tokenHash: row.token_hash, userKey: row.user_key, createdAt: row.created_at, expiresAt: row.expires_at };
  if (row.device_id !== null) session.deviceId = row.device_id;
  return session;
}

function migrate(db: Database.Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new CodedError(
      'STORE_TOO_NEW',
      `The database ${file} was written by a newer Peerchat (schema ${current}, this one knows ${SCHEMA_VERSION}). Upgrade Peerchat or use another data folder.`,
    );
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v] as (db: Database.Database) => void;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/** Opens (creating if needed) the SQLite store in `dataDir`. Throws a CodedError with a sentence. */
export function openSqliteStore(dataDir: string): AccountStore {
  const file = path.join(dataDir, DB_FILE);
  let db: Database.Database;
  try {
    // Permissions are the server's job before this (data-dir.ts): a folder another user owns is
    // used with a warning there, not refused here.
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    db = new Database(file);
  } catch (err) {
    throw new CodedError('DATA_DIR_UNUSABLE', `Cannot open the account database ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (err) {
    db.close();
    if (err instanceof CodedError) throw err;
    throw new CodedError('DATA_DIR_UNUSABLE', `Cannot use the account database ${file}: ${(err as Error).message}`, { cause: err });
  }

  const q = {
    insertUser: db.prepare<[string, string, string, string | null, number]>(
      'INSERT INTO users (username_key, username, password_hash, identity_key, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    getUser: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username_key = ?'),
    setIdentity: db.prepare<[string, string]>('UPDATE users SET identity_key = ? WHERE username_key = ?'),
    // Compare-and-set in one statement: only a higher version replaces the stored list.
    setDeviceList: db.prepare<[string, string, number, string, number]>(
      `UPDATE users SET device_list = ?, device_list_sig = ?, device_list_version = ?
       WHERE username_key = ? AND (device_list_version IS NULL OR device_list_version < ?)`,
    ),
    resetAccount: db.prepare<[string, string, string, number, string]>(
      'UPDATE users SET identity_key = ?, device_list = ?, device_list_sig = ?, device_list_version = ? WHERE username_key = ?',
    ),
    insertSession: db.prepare<[string, string, number, number, string | null]>(
      'INSERT INTO sessions (token_hash, user_key, created_at, expires_at, device_id) VALUES (?, ?, ?, ?, ?)',
    ),
    bindSession: db.prepare<[string, string]>('UPDATE sessions SET device_id = ? WHERE token_hash = ? AND device_id IS NULL'),
    deleteUserSessions: db.prepare<[string, string]>('DELETE FROM sessions WHERE user_key = ? AND token_hash != ?'),
    deleteDeviceSession: db.prepare<[string, string, string]>('DELETE FROM sessions WHERE user_key = ? AND device_id = ? AND token_hash != ?'),
    getSession: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE token_hash = ?'),
    extendSession: db.prepare<[number, string]>('UPDATE sessions SET expires_at = ? WHERE token_hash = ?'),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
    purge: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?'),
  };

  let closed = false;
  const open = (): void => {
    if (closed) throw new CodedError('STORE_CLOSED', 'The account store is closed.');
  };

  const store: AccountStore = {
    async createUser(username, passwordHash, identityKey = null): Promise<CreateUserResult> {
      open();
      const key = usernameKey(username);
      const createdAt = Date.now();
      try {
        q.insertUser.run(key, username, passwordHash, identityKey, createdAt);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return { ok: false, code: 'USER_EXISTS' };
        throw err;
      }
      return { ok: true, user: { username, usernameKey: key, passwordHash, identityKey, deviceList: null, createdAt } };
    },

    async getUser(key) {
      open();
      const row = q.getUser.get(key);
      return row ? toUser(row) : null;
    },

    async setIdentityKey(key, identityKey) {
      open();
      q.setIdentity.run(identityKey, key);
    },

    async setDeviceList(key, list) {
      open();
      return q.setDeviceList.run(list.signed.list, list.signed.sig, list.version, key, list.version).changes > 0;
    },

    async resetAccount(key, identityKey, list) {
      open();
      return q.resetAccount.run(identityKey, list.signed.list, list.signed.sig, list.version, key).changes > 0;
    },

    async createSession(userKey, tokenHash, expiresAt, deviceId = null) {
      open();
      q.insertSession.run(tokenHash, userKey, Date.now(), expiresAt, deviceId);
    },

    async bindSessionDevice(tokenHash, deviceId) {
      open();
      q.bindSession.run(deviceId, tokenHash);
      return q.getSession.get(tokenHash)?.device_id === deviceId;
    },

    async deleteSessionsOf(userKey, which) {
      open();
      // '' is never a token hash (those are 64 hex digits), so it keeps nothing.
      const except = which.exceptTokenHash ?? '';
      if (!which.deviceIds) return q.deleteUserSessions.run(userKey, except).changes;
      const ids = which.deviceIds;
      return db.transaction(() => ids.reduce((n, id) => n + q.deleteDeviceSession.run(userKey, id, except).changes, 0)).immediate();
    },

    async getSession(tokenHash, now = Date.now()) {
      open();
      const row = q.getSession.get(tokenHash);
      if (!row) return null;
      if (row.expires_at <= now) {
        q.deleteSession.run(tokenHash);
        return null;
      }
      return toSession(row);
    },

    async extendSession(tokenHash, expiresAt) {
      open();
      return q.extendSession.run(expiresAt, tokenHash).changes > 0;
    },

    async deleteSession(tokenHash) {
      open();
      return q.deleteSession.run(tokenHash).changes > 0;
    },

    async purgeExpiredSessions(now = Date.now()) {
      open();
      return q.purge.run(now).changes;
    },

    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
  return store;
}
