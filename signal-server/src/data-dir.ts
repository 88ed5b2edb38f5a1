/**
 * The data folder holds every password hash and session: only the server's own user should be
 * able to read it. The folder is made (or tightened to) 0700 and the database 0600 before SQLite
 * opens it; SQLite gives its -wal and -shm files the database's mode, and leftovers are tightened.
 *
 * A folder (or file) owned by another user cannot be tightened (chmod fails with EPERM), e.g. a
 * folder an administrator made and handed over by group, or a mounted volume. Refusing to start
 * there would leave the operator no way forward but to run as that owner, so the server starts
 * with a warning naming what others may read. Except when others may WRITE there (the folder, or
 * a database file, is writable by every user): then anyone on the computer can swap the database
 * for one with their own password hashes and log in as anybody, or delete it, so the server
 * refuses to start with a sentence saying how to fix it.
 */
import fs from 'node:fs';
import { CodedError } from './errors';

/** The parts of node:fs used here (tests pass a fake one). */
export type DataDirFs = Pick<typeof fs, 'mkdirSync' | 'statSync' | 'chmodSync' | 'openSync' | 'closeSync'>;

export interface KeepPrivateOptions {
  /** Receives each warning sentence (the server logs them). */
  warn: (sentence: string) => void;
  fs?: DataDirFs;
  /** This process's user id (default process.getuid(); undefined where there is none). */
  uid?: number | undefined;
}

const WORLD_WRITABLE = 0o002;

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/**
 * Tightens `target` to `mode` when it has more than that; when it cannot (another user owns it)
 * warns, or throws `DATA_DIR_UNUSABLE` when every user may write to it.
 */
function tighten(target: string, mode: number, what: string, opts: Required<Pick<KeepPrivateOptions, 'warn'>> & { fs: DataDirFs; uid: number | undefined }): void {
  let st: fs.Stats;
  try {
    st = opts.fs.statSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if ((st.mode & 0o077 & ~mode) === 0) return;
  try {
    opts.fs.chmodSync(target, mode);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EACCES') throw err;
  }
  const owner = opts.uid !== undefined && st.uid !== opts.uid ? `owned by user ${st.uid}, not by the user running the server (${opts.uid})` : 'not changeable by the user running the server';
  if ((st.mode & WORLD_WRITABLE) !== 0) {
    throw new CodedError(
      'DATA_DIR_UNUSABLE',
      `The ${what} ${target} is writable by every user on this computer (mode ${octal(st.mode)}) and is ${owner}, so its permissions cannot be tightened: ` +
        `anyone could replace the account database. Run "chmod o-w ${target}" as its owner, or give the server a data folder of its own (--data-dir).`,
    );
  }
  opts.warn(
    `The ${what} ${target} is ${owner}, so its permissions cannot be tightened to ${octal(mode)} (it is ${octal(st.mode)}): ` +
      `users other than the server's may be able to read the password hashes and session hashes in it. Run "chmod ${octal(mode)} ${target}" as its owner, or give the server a data folder of its own.`,
  );
}

/** Makes `dataDir` (0700) and the database `file` (0600, with its -wal/-shm/-journal files) private. */
export function keepDataPrivate(dataDir: string, file: string, options: KeepPrivateOptions): void {
  const f = options.fs ?? fs;
  const opts = { warn: options.warn, fs: f, uid: 'uid' in options ? options.uid : process.getuid?.() };
  f.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tighten(dataDir, 0o700, 'data folder', opts);
  f.closeSync(f.openSync(file, 'a', 0o600));
  for (const part of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) tighten(part, 0o600, 'database file', opts);
}
