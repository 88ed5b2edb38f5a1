// DeviceSync (web/src/state/device-sync.ts) with fake links and a fake database: only a link
// whose verified device is in my current own list gets copies or is heard, and one stream
// runs per link.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceSync } from '../../web/src/state/device-sync';
import type { PeerLink } from '../../web/src/net/peer-link';
import type { ChatDb, StoredMessage } from '../../web/src/db/schema';

before(() => {
  console.warn = () => undefined;
  // The store's range helpers only build a bound here; the fake database reads it back.
  (globalThis as { IDBKeyRange?: unknown }).IDBKeyRange = { lowerBound: (lower: number) => ({ lower }) };
});

function fakeLink(device: string, verified: string | null = device) {
  const sent: { type: string; done?: boolean }[] = [];
  const link = {
    peerDeviceId: device,
    channel: null,
    session: { peer: verified === null ? null : { deviceId: verified } },
    send: (m: { type: string }) => (sent.push(m), true),
  };
  return { link: link as unknown as PeerLink, sent };
}

/** A database holding `count` numbered messages; counts the reads of pages. */
function fakeDb(count: number) {
  const reads = { pages: 0 };
  const all: StoredMessage[] = Array.from({ length: count }, (_, i) => ({
    id: `m${i + 1}`,
    conv: 'bob',
    from: 'alice',
    outgoing: true,
    text: 'hi',
    ts: i,
    state: 'sent',
    seq: i + 1,
  }));
  const db = {
    countFromIndex: async (_s: string, _i: string, r: { lower: number }) => all.filter((m) => m.seq! > r.lower).length,
    getAllFromIndex: async (_s: string, _i: string, r: { lower: number }, limit: number) => {
      reads.pages++;
      return all.filter((m) => m.seq! > r.lower).slice(0, limit);
    },
  };
  return { db: db as unknown as ChatDb, reads };
}

function setup(ownIds: string[], links: PeerLink[], db: ChatDb | null = null) {
  let dbReads = 0;
  const sync = new DeviceSync({
    readyDb: async () => (dbReads++, db),
    me: () => 'alice',
    ownLinks: () => links,
    ownDeviceIds: () => ownIds,
    isActive: () => false,
    emitMessage: () => undefined,
    refreshConversations: () => undefined,
  });
  return { sync, dbReads: () => dbReads };
}

const message: StoredMessage = { id: 'x1', conv: 'bob', from: 'alice', outgoing: true, text: 'hello', ts: 1, state: 'sent' };

describe('device sync: only my listed devices', () => {
  test('copies go only to links whose verified device is in my current list', () => {
    const a = fakeLink('d2');
    const x = fakeLink('x9');
    const { sync } = setup(['d1', 'd2'], [a.link, x.link]);
    sync.mirror(message);
    assert.equal(a.sent.length, 1);
    assert.equal(x.sent.length, 0, 'nothing mirrored to a device outside my list');
  });

  test('sync frames from a device outside my list (or not verified as that device) are ignored', async () => {
    const x = fakeLink('x9');
    const forged = fakeLink('d2', 'x9');
    const { sync, dbReads } = setup(['d1', 'd2'], []);
    await sync.receive({ type: 'sync-from', seq: 0 }, x.link);
    await sync.receive({ type: 'sync-msg', conv: 'bob', msg: { id: 'f', from: 'bob', outgoing: false, text: 'forged', ts: 1 }, state: 'received' }, forged.link);
    await sync.receive({ type: 'sync-batch', records: [], last: 5, total: 0, done: true }, x.link);
    assert.equal(dbReads(), 0, 'nothing read or stored');
    assert.deepEqual([...x.sent, ...forged.sent], []);
  });
});

describe('device sync: one stream per link', () => {
  test('repeated sync-from on a link: the newest replaces the running stream (history read once)', async () => {
    const { db, reads } = fakeDb(1001);
    const d2 = fakeLink('d2');
    const { sync } = setup(['d1', 'd2'], [d2.link], db);
    await Promise.all(Array.from({ length: 10 }, () => sync.receive({ type: 'sync-from', seq: 0 }, d2.link)));
    const batches = d2.sent.filter((m) => m.type === 'sync-batch');
    const pages = Math.ceil(1001 / 200);
    assert.equal(reads.pages, pages, 'the whole history was read once, not once per request');
    assert.equal(batches.length, pages);
    assert.equal(batches.filter((b) => b.done).length, 1);
  });
});
