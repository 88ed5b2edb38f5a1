import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { DB_FILE, openSqliteStore, SCHEMA_VERSION } from '../../signal-server/src/sqlite-store';
import { tempDir } from './helpers';
import { writeSchemaV1Database } from './old-schema';

test('SQLite: WAL mode, schema version set, a newer schema is refused with a sentence', async () => {
  const dir = tempDir();
  try {
    const store = openSqliteStore(dir);
    await store.close();
    const db = new Database(path.join(dir, DB_FILE));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => openSqliteStore(dir), (err: Error & { code?: string }) => err.code === 'STORE_TOO_NEW' && /newer Peerchat/.test(err.message));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite: an unusable data folder fails with DATA_DIR_UNUSABLE', () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    assert.throws(() => openSqliteStore(file), (err: Error & { code?: string }) => err.code === 'DATA_DIR_UNUSABLE' && err.message.includes(file));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite: a database from before devices (schema 1) opens with its accounts and sessions, upgraded', async () => {
  const dir = tempDir();
  try {
    const later = Date.now() + 3600_000;
    writeSchemaV1Database(dir, [
      { username: 'Olga', passwordHash: 'scrypt$hash-olga', identityKey: 'K'.repeat(43), sessions: [{ tokenHash: 'h-olga', expiresAt: later }] },
      { username: 'pete', passwordHash: 'scrypt$hash-pete', identityKey: null, sessions: [] },
    ]);
    const store = openSqliteStore(dir);
    try {
      const olga = await store.getUser('olga');
      assert.deepEqual(olga && { ...olga, createdAt: 0 }, {
        username: 'Olga',
        usernameKey: 'olga',
        passwordHash: 'scrypt$hash-olga',
        identityKey: 'K'.repeat(43),
        deviceList: null,
        createdAt: 0,
      });
      assert.equal((await store.getUser('pete'))?.identityKey, null);
      const session = await store.getSession('h-olga');
      assert.deepEqual(session && { ...session, createdAt: 0 }, { tokenHash: 'h-olga', userKey: 'olga', createdAt: 0, expiresAt: later });
      // The new columns work on the old rows.
      assert.equal(await store.bindSessionDevice('h-olga', 'dev-o'), true);
      assert.equal(await store.setDeviceList('olga', { signed: { list: 'l', sig: 's' }, version: 1 }), true);
    } finally {
      await store.close();
    }
    const db = new Database(path.join(dir, DB_FILE));
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
