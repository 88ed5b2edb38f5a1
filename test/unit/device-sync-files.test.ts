import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePeerMsg, type SyncRecord } from '../../shared/peer-protocol';
import { TRANSFER_LIMITS } from '../../shared/transfer/limits';
import { DEFAULT_BATCH_LIMITS } from '../../shared/devices/sync-plan';
import { recordOf, storeCopy } from '../../web/src/db/device-sync-store';
import type { ChatDb, StoredMessage, StoredTransfer } from '../../web/src/db/schema';
import { patchTransfer, saveNewTransfer } from '../../web/src/transfer/transfer-store';

const ID = 'c'.repeat(32);
const THUMB = `data:image/jpeg;base64,${'A'.repeat(100)}`;
const HASH = 'd'.repeat(64);
const msg = { id: ID, from: 'Bob', outgoing: false, text: 'File: cat.jpg', ts: 1_700_000_000_000 };
const file = { name: 'cat.jpg', mime: 'image/jpeg', size: 1234, hash: HASH, thumb: THUMB };

function batch(records: unknown[]): unknown {
  return parsePeerMsg(JSON.stringify({ type: 'sync-batch', records, last: 1, total: 1, done: true }));
}

describe('sync record: the file part', () => {
  test('a valid file part parses, in a batch and in sync-msg', () => {
    const rec = { conv: 'bob', msg, state: 'received', file };
    assert.deepEqual(batch([rec]), { type: 'sync-batch', records: [rec], last: 1, total: 1, done: true });
    assert.deepEqual(parsePeerMsg(JSON.stringify({ type: 'sync-msg', ...rec })), { type: 'sync-msg', ...rec });
  });

  test('oversized or unknown fields refuse the frame', () => {
    for (const f of [
      { ...file, size: TRANSFER_LIMITS.maxFileSize + 1 },
      { ...file, name: 'x'.repeat(TRANSFER_LIMITS.maxRawNameChars + 1) },
      { ...file, mime: 'not a mime' },
      { ...file, hash: 'XYZ' },
      { ...file, bytes: 'AAAA' },
    ]) {
      assert.equal(batch([{ conv: 'bob', msg, state: 'received', file: f }]), null, JSON.stringify(f).slice(0, 80));
    }
  });

  test('a bad thumbnail drops only the thumbnail', () => {
    for (const thumb of ['javascript:alert(1)', `data:image/jpeg;base64,${'A'.repeat(TRANSFER_LIMITS.maxThumbChars)}`, 'data:image/svg+xml;base64,AAAA']) {
      const out = batch([{ conv: 'bob', msg, state: 'received', file: { ...file, thumb } }]) as { records: SyncRecord[] } | null;
      assert.ok(out, thumb.slice(0, 30));
      assert.equal(out.records[0]!.file?.thumb, undefined);
      assert.equal(out.records[0]!.file?.name, 'cat.jpg');
    }
  });

  test('a record with the largest thumbnail fits one batch of the frame budget', () => {
    const rec = { conv: 'bob', msg, state: 'received', file: { ...file, thumb: `data:image/jpeg;base64,${'A'.repeat(TRANSFER_LIMITS.maxThumbChars - 23)}` } };
    assert.ok(batch([rec]));
    assert.ok(JSON.stringify(rec).length * 3 <= DEFAULT_BATCH_LIMITS.maxBytes);
  });
});

/** Just enough of idb for storeCopy: get/put by key, the by-seq cursor. */
function fakeDb(): { db: ChatDb; stores: Record<string, Map<string, Record<string, unknown>>> } {
  const stores: Record<string, Map<string, Record<string, unknown>>> = { messages: new Map(), conversations: new Map(), transfers: new Map(), recallTombstones: new Map() };
  const keyOf: Record<string, string> = { messages: 'id', conversations: 'conv', transfers: 'id', recallTombstones: 'key' };
  const store = (name: string) => ({
    get: async (k: string) => structuredClone(stores[name]!.get(k)),
    put: async (v: Record<string, unknown>) => void stores[name]!.set(v[keyOf[name]!] as string, structuredClone(v)),
    delete: async (k: string) => void stores[name]!.delete(k),
    index: () => ({
      openKeyCursor: async () => {
        const seqs = [...stores[name]!.values()].map((m) => m.seq as number);
        return seqs.length ? { key: Math.max(...seqs) } : null;
      },
    }),
  });
  const db = { transaction: () => ({ objectStore: store, done: Promise.resolve() }), get: async (n: string, k: string) => store(n).get(k) };
  return { db: db as unknown as ChatDb, stores };
}

const stored: StoredMessage = { id: ID, conv: 'bob', from: 'Bob', outgoing: false, text: 'File: cat.jpg', ts: msg.ts, state: 'received', fileId: ID, seq: 4 };
const transfer: StoredTransfer = {
  id: ID,
  conv: 'bob',
  peerName: 'Bob',
  direction: 'in',
  state: 'done',
  hash: HASH,
  offer: { type: 'file-offer', fileId: ID, name: 'cat.jpg', mime: 'image/jpeg', size: 1234, chunkSize: 65536, chunkCount: 1, ts: msg.ts, isImage: true, thumb: THUMB },
};

describe('recordOf / storeCopy for file messages', () => {
  test('recordOf: a finished file travels as its card facts; unfinished or without transfer it does not', () => {
    assert.deepEqual(recordOf(stored, transfer), { conv: 'bob', msg, state: 'received', file });
    assert.equal(recordOf(stored), null);
    assert.equal(recordOf(stored, { ...transfer, state: 'running' }), null);
    assert.equal(recordOf(stored, { ...transfer, id: 'e'.repeat(32) }), null);
  });

  test('storeCopy stores the message and a remote copy, once', async () => {
    const { db, stores } = fakeDb();
    const rec = recordOf(stored, transfer)!;
    const m = await storeCopy(db, rec, false);
    assert.equal(m?.fileId, ID);
    const t = stores.transfers!.get(ID) as unknown as StoredTransfer;
    assert.equal(t.remoteCopy, true);
    assert.equal(t.state, 'done');
    assert.equal(t.direction, 'in');
    assert.equal(t.offer.thumb, THUMB);
    assert.equal(t.offer.isImage, true);
    assert.equal(t.hash, HASH);
    assert.equal(await storeCopy(db, rec, false), null, 'a repeat changes nothing');
    assert.equal(stores.messages!.size, 1);
    assert.equal((stores.conversations!.get('bob') as { unread: number }).unread, 1);
  });

  test('storeCopy never overwrites an existing message or transfer under the id', async () => {
    const rec = recordOf(stored, transfer)!;
    const a = fakeDb();
    const own = { id: ID, conv: 'carol', from: 'Carol', outgoing: false, text: 'mine', ts: 1, state: 'received', seq: 1 };
    a.stores.messages!.set(ID, own);
    assert.equal(await storeCopy(a.db, rec, false), null);
    assert.deepEqual(a.stores.messages!.get(ID), own);
    assert.equal(a.stores.transfers!.size, 0);

    const b = fakeDb();
    const other = { ...transfer, conv: 'carol', state: 'running' };
    b.stores.transfers!.set(ID, other as unknown as Record<string, unknown>);
    assert.equal(await storeCopy(b.db, rec, false), null);
    assert.deepEqual(b.stores.transfers!.get(ID), other);
    assert.equal(b.stores.messages!.size, 0);
  });
});

describe('file messages are numbered for catch-up', () => {
  test('stored with a record number, and a newer one when the transfer finishes', async () => {
    const { db, stores } = fakeDb();
    stores.messages!.set('a'.repeat(32), { id: 'a'.repeat(32), conv: 'bob', seq: 7 });
    const { seq: _s, fileId: _f, ...plain } = stored;
    assert.equal(await saveNewTransfer(db, { ...transfer, state: 'running' }, { ...plain, fileId: ID }, false), 'new');
    assert.equal(stores.messages!.get(ID)!.seq, 8);
    await patchTransfer(db, ID, { hash: HASH });
    assert.equal(stores.messages!.get(ID)!.seq, 8, 'no new number for a change that does not finish it');
    await patchTransfer(db, ID, { state: 'done' });
    assert.equal(stores.messages!.get(ID)!.seq, 9);
  });
});
