// The action service's receive and send paths (web/src/everyday/action-service.ts) with a fake
// store: the actor is always the session's contact, never the frame; and the own-device merge.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ActionService, type ActionFrame } from '../../web/src/everyday/action-service';
import type { ActionDecision, ActionResult } from '../../web/src/everyday/action-store';
import { mergeEverydayCopy, everydayCopyOf } from '../../web/src/everyday/action-merge';
import type { ChatDb, StoredMessage } from '../../web/src/db/schema';
import type { PeerMsg } from '../../shared/index';
import { PeerchatError } from '../../shared/errors';
import { recordOf } from '../../web/src/db/device-sync-store';
import { parsePeerMsg } from '../../shared/peer-protocol';

const T0 = 1_800_000_000_000;
const ID = (n: number): string => n.toString(16).padStart(32, '0');

function msg(n: number, over: Partial<StoredMessage> = {}): StoredMessage {
  return { id: ID(n), conv: 'bob', from: 'bob', outgoing: false, text: `text ${n}`, ts: T0, state: 'received', ...over };
}

function setup(records: StoredMessage[], opts: { ready?: boolean } = {}) {
  const db = new Map(records.map((r) => [r.id, r] as const));
  const sent: Array<{ conv: string; frame: PeerMsg }> = [];
  const emitted: StoredMessage[] = [];
  const mirrored: StoredMessage[] = [];
  let now = T0 + 60_000;
  let ready = opts.ready ?? true;
  const queue: Array<{ id: number; conv: string; frame: ActionFrame }> = [];
  let queueId = 0;
  const svc = new ActionService({
    readyDb: async () => ({}) as ChatDb,
    me: () => 'alice',
    send: (conv, frame) => {
      if (!ready) return false;
      sent.push({ conv, frame });
      return true;
    },
    emitMessage: (m) => emitted.push(m),
    mirror: (m) => mirrored.push(m),
    refreshConversations: () => undefined,
    now: () => now,
    store: {
      update: async (_db, id, decide: (s: StoredMessage | undefined) => ActionDecision): Promise<ActionResult> => {
        const stored = db.get(id);
        const d = decide(stored);
        if (!d.ok) return d;
        if ('tombstone' in d) return { ok: true, changed: [] };
        if (d.record === stored) return { ok: true, changed: [] };
        db.set(id, d.record);
        return { ok: true, changed: [d.record] };
      },
      remove: async (_db, id, conv) => {
        if (db.get(id)?.conv !== conv) return false;
        return db.delete(id);
      },
      queue: async (_db, conv, frame) => void queue.push({ id: ++queueId, conv, frame }),
      queued: async (_db, conv) => queue.filter((q) => q.conv === conv),
      dequeue: async (_db, id) => void queue.splice(queue.findIndex((q) => q.id === id), 1),
    },
  });
  return {
    svc,
    db,
    sent,
    emitted,
    mirrored,
    queue,
    setNow: (t: number) => (now = t),
    setReady: (r: boolean) => (ready = r),
  };
}

describe('receiving react, edit and recall from a contact', () => {
  test('the contact edits, recalls and reacts to its own message in its own conversation', async () => {
    const f = setup([msg(1), msg(2)]);
    await f.svc.receive('bob', { type: 'edit', id: ID(1), text: 'fixed', ts: T0 + 1000 });
    assert.equal(f.db.get(ID(1))?.text, 'fixed');
    assert.equal(f.db.get(ID(1))?.editedAt, T0 + 1000);
    await f.svc.receive('bob', { type: 'react', id: ID(2), emoji: '👍', on: true, ts: T0 + 2000 });
    assert.deepEqual(f.db.get(ID(2))?.reactions, { bob: { emoji: '👍', ts: T0 + 2000 } });
    await f.svc.receive('bob', { type: 'recall', id: ID(2), ts: T0 + 3000 });
    assert.equal(f.db.get(ID(2))?.text, '');
    assert.equal(f.db.get(ID(2))?.recalledAt, T0 + 3000);
    assert.equal(f.db.get(ID(2))?.reactions, undefined);
    assert.equal(f.emitted.length, 3);
    assert.equal(f.mirrored.length, 3, 'each change goes to my other devices');
  });

  test('a contact cannot edit or recall a message it did not write (mine)', async () => {
    const mine = msg(1, { outgoing: true, from: 'alice', state: 'delivered', text: 'my words' });
    const f = setup([mine]);
    const e = await f.svc.receive('bob', { type: 'edit', id: ID(1), text: 'your words', ts: T0 + 1000 });
    const r = await f.svc.receive('bob', { type: 'recall', id: ID(1), ts: T0 + 1000 });
    assert.deepEqual(e, { ok: false, reason: 'not-author' });
    assert.deepEqual(r, { ok: false, reason: 'not-author' });
    assert.equal(f.db.get(ID(1)), mine, 'unchanged');
    assert.equal(f.emitted.length + f.mirrored.length, 0);
  });

  test("a contact cannot touch another conversation's message, whatever it names", async () => {
    const carols = msg(1, { conv: 'carol', from: 'carol', text: "carol's words" });
    const f = setup([carols]);
    const frames: ActionFrame[] = [
      { type: 'edit', id: ID(1), text: 'forged', ts: T0 + 1000 },
      { type: 'recall', id: ID(1), ts: T0 + 1000 },
      { type: 'react', id: ID(1), emoji: '😂', on: true, ts: T0 + 1000 },
    ];
    for (const fr of frames) {
      const res = await f.svc.receive('bob', fr);
      assert.equal(res?.ok, false, fr.type);
    }
    assert.equal(f.db.get(ID(1)), carols);
  });

  test('a frame cannot name another sender: extra fields are refused by the parser, and the actor is the session', async () => {
    const { parsePeerMsg } = await import('../../shared/peer-protocol');
    assert.equal(parsePeerMsg(JSON.stringify({ type: 'recall', id: ID(1), ts: T0, from: 'carol' })), null);
    assert.equal(parsePeerMsg(JSON.stringify({ type: 'react', id: ID(1), emoji: '👍', on: true, ts: T0, actor: 'alice' })), null);
    // bob's reaction on bob's conversation is stored under bob, never under anyone else.
    const f = setup([msg(1)]);
    await f.svc.receive('bob', { type: 'react', id: ID(1), emoji: '❤️', on: true, ts: T0 + 5 });
    assert.deepEqual(Object.keys(f.db.get(ID(1))?.reactions ?? {}), ['bob']);
  });

  test('a recall of an unknown message keeps a tombstone and changes nothing else', async () => {
    const f = setup([]);
    const res = await f.svc.receive('bob', { type: 'recall', id: ID(9), ts: T0 });
    assert.deepEqual(res, { ok: true, changed: [] });
    assert.equal(f.emitted.length, 0);
  });
});

describe('my own actions', () => {
  test('edit within 15 minutes is stored and sent; after the window it is refused (injected clock)', async () => {
    const mine = msg(1, { outgoing: true, from: 'alice', state: 'delivered', text: 'teh' });
    const f = setup([mine]);
    f.setNow(T0 + 14 * 60_000);
    await f.svc.edit(mine, 'the');
    assert.equal(f.db.get(ID(1))?.text, 'the');
    assert.deepEqual(f.sent.map((s) => [s.conv, s.frame.type]), [['bob', 'edit']]);
    f.setNow(T0 + 15 * 60_000 + 1);
    await assert.rejects(() => f.svc.edit(mine, 'late'), (e: unknown) => e instanceof PeerchatError && e.code === 'EDIT_NOT_ALLOWED');
    assert.equal(f.db.get(ID(1))?.text, 'the');
    assert.equal(f.sent.length, 1);
  });

  test("I cannot edit or recall the contact's message", async () => {
    const theirs = msg(1);
    const f = setup([theirs]);
    await assert.rejects(() => f.svc.edit(theirs, 'x'), (e: unknown) => e instanceof PeerchatError && e.code === 'EDIT_NOT_ALLOWED');
    await assert.rejects(() => f.svc.recall(theirs), (e: unknown) => e instanceof PeerchatError && e.code === 'RECALL_NOT_ALLOWED');
    assert.equal(f.sent.length, 0);
  });

  test('recall after 24 hours is refused; within, the text is gone and the frame leaves', async () => {
    const mine = msg(1, { outgoing: true, from: 'alice', state: 'delivered', text: 'secret' });
    const f = setup([mine]);
    f.setNow(T0 + 24 * 3600_000 + 1);
    await assert.rejects(() => f.svc.recall(mine), (e: unknown) => e instanceof PeerchatError && e.code === 'RECALL_NOT_ALLOWED');
    f.setNow(T0 + 3600_000);
    await f.svc.recall(mine);
    assert.equal(f.db.get(ID(1))?.text, '');
    assert.deepEqual(f.sent.at(-1)?.frame, { type: 'recall', id: ID(1), ts: T0 + 3600_000 });
  });

  test('reactions toggle, and frames wait for the link while it is down, then leave in order', async () => {
    const theirs = msg(1);
    const f = setup([theirs], { ready: false });
    await f.svc.react(theirs, '👍');
    await f.svc.react(f.db.get(ID(1)) as StoredMessage, '👍');
    assert.equal(f.db.get(ID(1))?.reactions, undefined, 'pressed twice: cleared');
    assert.equal(f.sent.length, 0);
    f.setReady(true);
    await f.svc.flush('bob');
    assert.deepEqual(f.sent.map((s) => (s.frame as { on: boolean }).on), [true, false]);
    assert.equal(f.queue.length, 0, 'nothing left waiting');
  });

  test('delete for me removes only from this device and tells the listeners', async () => {
    const f = setup([msg(1)]);
    const gone: string[] = [];
    f.svc.onRemoved((_c, id) => gone.push(id));
    await f.svc.deleteForMe(msg(1));
    assert.equal(f.db.has(ID(1)), false);
    assert.deepEqual(gone, [ID(1)]);
    assert.equal(f.sent.length, 0, 'nothing goes to the contact');
  });
});

describe('copies from my other devices', () => {
  test('an older copy never undoes a recall; a recalled copy recalls', () => {
    const recalled = msg(1, { text: '', recalledAt: T0 + 10 });
    assert.equal(mergeEverydayCopy(recalled, { text: 'text 1' }), null);
    assert.equal(mergeEverydayCopy(recalled, { text: 'text 1', editedAt: T0 + 99 }), null);
    const live = msg(1, { reactions: { bob: { emoji: '👍', ts: T0 } } });
    const merged = mergeEverydayCopy(live, { text: '', recalledAt: T0 + 10 });
    assert.equal(merged?.text, '');
    assert.equal(merged?.reactions, undefined);
  });

  test('the newest edit and the newest reaction per person win', () => {
    const stored = msg(1, { text: 'v2', editedAt: T0 + 20, reactions: { bob: { emoji: '👍', ts: T0 + 5 } } });
    assert.equal(mergeEverydayCopy(stored, { text: 'v1', editedAt: T0 + 10 }), null);
    assert.equal(mergeEverydayCopy(stored, { text: 'v3', editedAt: T0 + 30 })?.text, 'v3');
    const r = mergeEverydayCopy(stored, { text: 'v2', reactions: { bob: { emoji: '😂', ts: T0 + 6 }, alice: { emoji: '❤️', ts: T0 } } });
    assert.deepEqual(r?.reactions, { bob: { emoji: '😂', ts: T0 + 6 }, alice: { emoji: '❤️', ts: T0 } });
    assert.equal(mergeEverydayCopy(stored, everydayCopyOf(stored) as { text: string }), null, 'the same copy again: no change');
  });
});

describe('own-device copies on the wire', () => {
  test('a recalled, edited or reacted record travels with its fields; an empty text only when recalled', () => {
    const recalled = msg(1, { text: '', recalledAt: T0 + 5, seq: 3 });
    const rec = recordOf(recalled);
    assert.deepEqual(rec?.msg, { id: ID(1), from: 'bob', outgoing: false, text: '', ts: T0, recalledAt: T0 + 5 });
    assert.ok(parsePeerMsg(JSON.stringify({ type: 'sync-msg', ...rec })));
    const edited = recordOf(msg(2, { text: 'new', editedAt: T0 + 9, reactions: { alice: { emoji: '😂', ts: T0 } }, reply: { id: ID(1), author: 'bob', excerpt: 'x' } }));
    assert.deepEqual(parsePeerMsg(JSON.stringify({ type: 'sync-msg', ...edited })), { type: 'sync-msg', ...edited });
    const bad = { type: 'sync-msg', conv: 'bob', state: 'received', msg: { id: ID(3), from: 'bob', outgoing: false, text: '', ts: T0 } };
    assert.equal(parsePeerMsg(JSON.stringify(bad)), null, 'an empty text without a recall is refused');
    assert.equal(recordOf(msg(4, { text: '' })), null);
  });
});

describe('storeCopy with the everyday fields', () => {
  /** Just enough of idb for storeCopy: get/put by key, the by-seq cursor, the newest of a conversation. */
  function fakeDb(records: StoredMessage[]) {
    const messages = new Map(records.map((r) => [r.id, structuredClone(r)] as const));
    const convs = new Map([['bob', { conv: 'bob', peerName: 'bob', lastText: 'secret words', lastTs: T0, unread: 0 }]]);
    const stores: Record<string, Map<string, unknown>> = { messages, conversations: convs, transfers: new Map(), recallTombstones: new Map() };
    const keyOf: Record<string, string> = { messages: 'id', conversations: 'conv', transfers: 'id', recallTombstones: 'key' };
    const store = (name: string) => ({
      get: async (k: string) => structuredClone(stores[name]!.get(k)),
      put: async (v: Record<string, unknown>) => void stores[name]!.set(v[keyOf[name]!] as string, structuredClone(v)),
      index: (ix: string) => ({
        openKeyCursor: async () => {
          const seqs = [...messages.values()].map((m) => m.seq ?? 0);
          return seqs.length ? { key: Math.max(...seqs) } : null;
        },
        openCursor: async () => {
          assert.equal(ix, 'by-conv-ts');
          const newest = [...messages.values()].sort((a, b) => b.ts - a.ts)[0];
          return newest ? { value: newest } : null;
        },
      }),
    });
    const db = { transaction: () => ({ objectStore: store, done: Promise.resolve() }) };
    return { db: db as unknown as ChatDb, messages, convs };
  }

  test('a recalled copy recalls (new record number, no text, no tokens, no preview); an older copy then changes nothing', async () => {
    const { storeCopy } = await import('../../web/src/db/device-sync-store');
    // The preview reads the newest message through a key range (the fake ignores it).
    (globalThis as { IDBKeyRange?: unknown }).IDBKeyRange ??= { bound: () => null };
    const f = fakeDb([msg(1, { text: 'secret words', seq: 4, tokens: ['secret', 'words'] })]);
    const recalled = { conv: 'bob', msg: { id: ID(1), from: 'bob', outgoing: false, text: '', ts: T0, recalledAt: T0 + 5 }, state: 'received' as const };
    const changed = await storeCopy(f.db, recalled, true);
    assert.equal(changed?.recalledAt, T0 + 5);
    assert.equal(f.messages.get(ID(1))?.text, '');
    assert.deepEqual(f.messages.get(ID(1))?.tokens, []);
    assert.equal(f.messages.get(ID(1))?.seq, 5, 'a new record number: mirrored and caught up again');
    assert.equal(f.convs.get('bob')?.lastText, '');
    const older = { conv: 'bob', msg: { id: ID(1), from: 'bob', outgoing: false, text: 'secret words', ts: T0 }, state: 'received' as const };
    assert.equal(await storeCopy(f.db, older, true), null);
    assert.equal(f.messages.get(ID(1))?.text, '');
  });
});
