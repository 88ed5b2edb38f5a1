// Encrypted backup (shared/backup/): a round trip of history, contacts with pinned keys and
// verified marks; the stable codes for a wrong passphrase, a file that is not a backup, a newer
// version, and every kind of damage (truncation, a flipped byte, an altered header, extra bytes).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import { PeerchatError, type AppErrorCode } from '../../shared/errors';
import { describeError } from '../../web/src/l10n/error-text';
import {
  BACKUP_FORMAT_VERSION,
  MIN_PASSPHRASE_CHARS,
  backupMeta,
  decodeBackupRecords,
  makeBackup,
  openBackup,
  readBackup,
  sealBackup,
  streamChunks,
  type BackupItem,
  type BackupMeta,
} from '../../shared/backup/index';
import { BACKUP_MAGIC, MIN_ITERATIONS } from '../../shared/backup/backup-format';

await ready();

const PASS = 'correct horse battery staple';
const T = 1_700_000_000_000;
const FAST = { iterations: MIN_ITERATIONS, chunkBytes: 4096, now: T };
const id = (n: number): string => n.toString(16).padStart(32, '0');

function items(messages = 50): BackupItem[] {
  const out: BackupItem[] = [
    { t: 'profile', name: 'Alice', ts: T },
    { t: 'contact', conv: 'bob', peerName: 'Bob', identityKey: 'A'.repeat(43), pinnedAt: T, verified: true, profileName: 'Bobby' },
    { t: 'contact', conv: 'carol', peerName: 'Carol', identityKey: 'B'.repeat(43), pinnedAt: T },
    { t: 'conversation', conv: 'bob', peerName: 'Bob', lastText: 'bye', lastTs: T + messages, unread: 0, contact: 'contact' },
  ];
  for (let i = 0; i < messages; i++) {
    out.push({
      t: 'message',
      id: id(i + 1),
      conv: 'bob',
      from: i % 2 ? 'Alice' : 'Bob',
      outgoing: i % 2 === 1,
      text: `message ${i} 你好 ` + 'x'.repeat(i * 7),
      ts: T + i,
      state: i % 2 ? 'read' : 'received',
      ...(i === 3 ? { recalledAt: T + 10, text: '' } : {}),
      ...(i === 4 ? { editedAt: T + 11, reply: { id: id(1), author: 'Bob', excerpt: 'message 0' } } : {}),
      ...(i === 5 ? { reactions: { alice: { emoji: '👍' as const, ts: T } } } : {}),
    });
  }
  return out;
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of it) parts.push(p);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Splits bytes into uneven pieces, as a file stream would deliver them. */
function* pieces(bytes: Uint8Array, size = 1000): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function restore(file: Uint8Array, pass = PASS): Promise<(BackupMeta | BackupItem)[]> {
  const { records } = await readBackup(pieces(file, 777), pass);
  const out: (BackupMeta | BackupItem)[] = [];
  for await (const r of records) out.push(r);
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: AppErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof PeerchatError && e.code === code);
}

const meta = backupMeta('alice', T);
const original = items();
const file = await collect(makeBackup(meta, original, PASS, FAST));

describe('backup: round trip', () => {
  test('history, contacts with pinned keys and verified marks come back the same', async () => {
    const restored = await restore(file);
    assert.deepEqual(restored[0], meta);
    assert.deepEqual(restored.slice(1), original);
    assert.equal((restored.find((r) => r.t === 'contact' && r.conv === 'bob') as { verified?: boolean }).verified, true);
  });

  test('the file starts with a readable magic line and names its KDF, and holds no plaintext', () => {
    const head = new TextDecoder().decode(file.subarray(0, 200));
    assert.ok(head.startsWith(BACKUP_MAGIC));
    assert.equal(file[BACKUP_MAGIC.length], BACKUP_FORMAT_VERSION);
    assert.ok(head.includes('"kdf":"PBKDF2-SHA-256"'));
    const all = new TextDecoder('utf-8', { fatal: false }).decode(file);
    assert.ok(!all.includes('message 1') && !all.includes('Bobby') && !all.includes('A'.repeat(43)));
  });

  test('a file read as a ReadableStream restores the same', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of pieces(file, 4096)) c.enqueue(p);
        c.close();
      },
    });
    const { records } = await readBackup(streamChunks(stream), PASS);
    let n = 0;
    for await (const _r of records) n++;
    assert.equal(n, original.length + 1);
  });

  test('an empty history round-trips; two backups of the same data differ (fresh salt)', async () => {
    const empty = await collect(makeBackup(meta, [], PASS, FAST));
    assert.deepEqual(await restore(empty), [meta]);
    const again = await collect(makeBackup(meta, original, PASS, FAST));
    assert.notDeepEqual(again.subarray(0, 120), file.subarray(0, 120));
  });
});

describe('backup: refusals with stable codes', () => {
  test('a wrong passphrase', async () => {
    await rejectsWith(readBackup([file], 'wrong horse battery staple'), 'BACKUP_WRONG_PASSPHRASE');
  });

  test('a file that is not a backup', async () => {
    await rejectsWith(readBackup([new TextEncoder().encode('hello, this is a text file\n')], PASS), 'BACKUP_NOT_A_BACKUP');
    await rejectsWith(readBackup([], PASS), 'BACKUP_NOT_A_BACKUP');
  });

  test('a newer format version', async () => {
    const newer = file.slice();
    newer[BACKUP_MAGIC.length] = BACKUP_FORMAT_VERSION + 1;
    await rejectsWith(readBackup([newer], PASS), 'BACKUP_UNSUPPORTED_VERSION');
  });

  test('truncated anywhere after the header: damaged (never a silent partial restore)', async () => {
    const headerEnd = BACKUP_MAGIC.length + 3 + ((file[BACKUP_MAGIC.length + 1] ?? 0) << 8) + (file[BACKUP_MAGIC.length + 2] ?? 0);
    for (const cut of [headerEnd + 10, headerEnd + 24 + 4, Math.floor(file.length / 2), file.length - 17, file.length - 1]) {
      await rejectsWith(restore(file.subarray(0, cut)), 'BACKUP_DAMAGED');
    }
    // Cut at a frame boundary: every earlier frame opens, but the FINAL one is missing.
    await rejectsWith(restore(file.subarray(0, headerEnd + 24)), 'BACKUP_DAMAGED');
  });

  test('a flipped byte in the sealed body, bytes appended, or an altered header: damaged', async () => {
    for (const at of [file.length - 5, Math.floor(file.length / 2), file.length - 4000]) {
      const bad = file.slice();
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      await rejectsWith(restore(bad), 'BACKUP_DAMAGED');
    }
    await rejectsWith(restore(new Uint8Array([...file, 0])), 'BACKUP_DAMAGED');
    // The creation time is in the header but not in the key: caught by the first frame's check.
    const text = new TextDecoder().decode(file.subarray(0, 300));
    const at = text.indexOf(String(T));
    assert.ok(at > 0);
    const bad = file.slice();
    bad[at] = '2'.charCodeAt(0) === bad[at] ? '3'.charCodeAt(0) : '2'.charCodeAt(0);
    await rejectsWith(restore(bad), 'BACKUP_DAMAGED');
  });

  test('a short passphrase is refused when making a backup', async () => {
    await rejectsWith(collect(makeBackup(meta, [], 'x'.repeat(MIN_PASSPHRASE_CHARS - 1), FAST)), 'BACKUP_PASSPHRASE_TOO_SHORT');
    assert.ok(describeError('BACKUP_PASSPHRASE_TOO_SHORT').includes(String(MIN_PASSPHRASE_CHARS)), 'the sentence names the minimum');
  });
});

describe('backup: the sealing alone (any bytes)', () => {
  const plain = new Uint8Array(5000).map((_, i) => (i * 31) % 256);
  const opts = { iterations: MIN_ITERATIONS, chunkBytes: 1024, now: T };
  const open = async (bytes: Uint8Array): Promise<Uint8Array> => collect((await openBackup(pieces(bytes, 333), PASS)).plaintext);

  test('round trip of raw bytes in chunks', async () => {
    const sealed = await collect(sealBackup(pieces(plain, 100), PASS, opts));
    assert.deepEqual(await open(sealed), plain);
  });

  test('cut at a frame boundary (the FINAL frame missing): damaged', async () => {
    const sealed = await collect(sealBackup([plain], PASS, opts));
    const frame = 4 + 1024 + 17;
    // 5000 bytes = 4 full frames and a FINAL one of 904 bytes.
    const bodyStart = sealed.length - (4 * frame + 4 + 904 + 17);
    for (const frames of [0, 1, 4]) await rejectsWith(open(sealed.subarray(0, bodyStart + frames * frame)), 'BACKUP_DAMAGED');
    // Two frames swapped: damaged.
    const swapped = sealed.slice();
    swapped.set(sealed.subarray(bodyStart + frame, bodyStart + 2 * frame), bodyStart);
    swapped.set(sealed.subarray(bodyStart, bodyStart + frame), bodyStart + frame);
    await rejectsWith(open(swapped), 'BACKUP_DAMAGED');
  });
});

describe('backup: content checks (inside the sealing)', () => {
  const enc = new TextEncoder();
  const lines = (...rs: unknown[]): Uint8Array[] => rs.map((r) => enc.encode(JSON.stringify(r) + '\n'));
  const drain = async (chunks: Uint8Array[]): Promise<unknown[]> => {
    const out: unknown[] = [];
    for await (const r of decodeBackupRecords(chunks)) out.push(r);
    return out;
  };

  test('counts must match the end line; the end line must be there', async () => {
    const msg = items(1)[4];
    assert.deepEqual(await drain(lines(meta, msg, { t: 'end', contacts: 0, conversations: 0, messages: 1 })), [meta, msg]);
    await rejectsWith(drain(lines(meta, msg, { t: 'end', contacts: 0, conversations: 0, messages: 2 })), 'BACKUP_DAMAGED');
    await rejectsWith(drain(lines(meta, msg)), 'BACKUP_DAMAGED');
  });

  test('unknown kinds or fields, oversized values, and a newer content version are refused', async () => {
    const end0 = { t: 'end', contacts: 0, conversations: 0, messages: 0 };
    await rejectsWith(drain(lines(meta, { t: 'script', code: 'x' }, end0)), 'BACKUP_DAMAGED');
    await rejectsWith(drain(lines(meta, { t: 'profile', name: 'a', ts: 1, admin: true }, end0)), 'BACKUP_DAMAGED');
    await rejectsWith(drain(lines(meta, { t: 'contact', conv: 'BOB', peerName: 'Bob' }, { ...end0, contacts: 1 })), 'BACKUP_DAMAGED');
    await rejectsWith(drain(lines({ ...meta, version: 2 }, end0)), 'BACKUP_UNSUPPORTED_VERSION');
    await rejectsWith(drain(lines(end0)), 'BACKUP_DAMAGED');
  });
});
