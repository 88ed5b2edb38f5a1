/**
 * The data folder's permissions: tightened when ours; a folder or database owned by another user
 * (chmod fails) is used with a warning, unless every user may write to it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { keepDataPrivate, type DataDirFs } from '../../signal-server/src/data-dir';

/** A file system of a few entries, with owners; chmod by anyone but the owner fails like Linux. */
function fakeFs(entries: Record<string, { mode: number; uid: number }>, me: number): DataDirFs & { chmods: string[] } {
  const chmods: string[] = [];
  const enoent = (p: string) => Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  const fake = {
    chmods,
    mkdirSync: () => undefined,
    statSync: (p: fs.PathLike) => {
      const e = entries[String(p)];
      if (!e) throw enoent(String(p));
      return { mode: e.mode, uid: e.uid } as fs.Stats;
    },
    chmodSync: (p: fs.PathLike, mode: fs.Mode) => {
      const e = entries[String(p)];
      if (!e) throw enoent(String(p));
      if (e.uid !== me) throw Object.assign(new Error(`EPERM: operation not permitted, chmod '${String(p)}'`), { code: 'EPERM' });
      e.mode = (e.mode & ~0o7777) | Number(mode);
      chmods.push(String(p));
    },
    openSync: (p: fs.PathLike) => {
      entries[String(p)] ??= { mode: 0o100600, uid: me };
      return 3;
    },
    closeSync: () => undefined,
  };
  return fake as unknown as DataDirFs & { chmods: string[] };
}

const DIR = '/srv/peerchat';
const DB = `${DIR}/peerchat.sqlite`;

describe('keepDataPrivate', () => {
  test("a folder owned by another user, readable by its group: starts, with a warning naming it (it threw before)", () => {
    const warnings: string[] = [];
    const f = fakeFs({ [DIR]: { mode: 0o40750, uid: 0 } }, 1000);
    keepDataPrivate(DIR, DB, { warn: (s) => warnings.push(s), fs: f, uid: 1000 });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /data folder \/srv\/peerchat is owned by user 0, not by the user running the server \(1000\).*cannot be tightened to 0700 \(it is 0750\)/);
    assert.match(warnings[0] ?? '', /chmod 0700 \/srv\/peerchat/);
    assert.deepEqual(f.chmods, [], 'the database it made itself is already 0600');
  });

  test('a database file owned by another user with loose modes: warning, not refusal', () => {
    const warnings: string[] = [];
    const f = fakeFs({ [DIR]: { mode: 0o40700, uid: 1000 }, [DB]: { mode: 0o100644, uid: 0 }, [`${DB}-wal`]: { mode: 0o100644, uid: 1000 } }, 1000);
    keepDataPrivate(DIR, DB, { warn: (s) => warnings.push(s), fs: f, uid: 1000 });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /database file \/srv\/peerchat\/peerchat\.sqlite is owned by user 0/);
    assert.deepEqual(f.chmods, [`${DB}-wal`], 'what is ours is still tightened');
  });

  test('a folder writable by every user that cannot be tightened: refused with a sentence', () => {
    const f = fakeFs({ [DIR]: { mode: 0o40777, uid: 0 } }, 1000);
    assert.throws(
      () => keepDataPrivate(DIR, DB, { warn: () => undefined, fs: f, uid: 1000 }),
      (err: Error & { code?: string }) => err.code === 'DATA_DIR_UNUSABLE' && /writable by every user .*mode 0777.*chmod o-w \/srv\/peerchat/.test(err.message),
    );
  });

  test('our own folder and files are tightened, with no warning (the real file system)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerchat-data-dir-'));
    try {
      fs.chmodSync(dir, 0o777);
      const db = path.join(dir, 'peerchat.sqlite');
      fs.writeFileSync(db, '', { mode: 0o666 });
      fs.chmodSync(db, 0o666);
      const warnings: string[] = [];
      keepDataPrivate(dir, db, { warn: (s) => warnings.push(s) });
      assert.deepEqual(warnings, []);
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      assert.equal(fs.statSync(db).mode & 0o777, 0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
