/**
 * An account database as the server wrote it before devices (schema 1), made with that
 * version's own SQL, so tests can check that an upgraded server keeps its accounts and sessions.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE } from '../../signal-server/src/sqlite-store';

const SCHEMA_V1 = `
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
`;

export interface OldUser {
  username: string;
  passwordHash: string;
  identityKey: string | null;
  /** Session token hashes (tokens.ts hashToken) and expiries. */
  sessions: Array<{ tokenHash: string; expiresAt: number }>;
}

/** Writes `<dataDir>/peerchat.sqlite` in schema 1 with `users`. */
export function writeSchemaV1Database(dataDir: string, users: OldUser[]): void {
  const db = new Database(path.join(dataDir, DB_FILE));
  try {
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA_V1);
    db.pragma('user_version = 1');
    const now = Date.now();
    for (const u of users) {
      db.prepare('INSERT INTO users (username_key, username, password_hash, identity_key, created_at) VALUES (?, ?, ?, ?, ?)').run(
        u.username.toLowerCase(),
        u.username,
        u.passwordHash,
        u.identityKey,
        now,
      );
      for (const s of u.sessions) {
        db.prepare('INSERT INTO sessions (token_hash, user_key, created_at, expires_at) VALUES (?, ?, ?, ?)').run(s.tokenHash, u.username.toLowerCase(), now, s.expiresAt);
      }
    }
  } finally {
    db.close();
  }
}
