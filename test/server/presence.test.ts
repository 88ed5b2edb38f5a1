import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, loginUser, registerUser, startServer, waitFor, type TestServer } from './helpers';

describe('presence', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.stop());

  test('join and leave are announced to others; the snapshot lists everyone else', async () => {
    const a = await registerUser(srv, 'Anna');
    assert.deepEqual(a.presence.online, []);

    const b = await registerUser(srv, 'Ben');
    assert.deepEqual(b.presence.online, ['Anna']);
    assert.deepEqual(await a.client.next('presence-update'), { type: 'presence-update', username: 'Ben', online: true });
    // Nobody is told about themselves.
    await b.client.expectNo('presence-update', 200, (m) => m.username === 'Ben');

    const c = await registerUser(srv, 'Cleo');
    assert.deepEqual([...c.presence.online].sort(), ['Anna', 'Ben']);
    await a.client.next('presence-update', 3000, (m) => m.username === 'Cleo' && m.online);
    await b.client.next('presence-update', 3000, (m) => m.username === 'Cleo' && m.online);

    await b.client.close();
    assert.deepEqual(await a.client.next('presence-update'), { type: 'presence-update', username: 'Ben', online: false });
    assert.deepEqual(await c.client.next('presence-update'), { type: 'presence-update', username: 'Ben', online: false });

    await Promise.all([a.client.close(), c.client.close()]);
    await waitFor(() => srv.stats().online === 0, 3000, 'everyone offline');
  });

  test('a user with two tabs stays online until the last one closes', async () => {
    const w = await registerUser(srv, 'watcher1');
    const t1 = await registerUser(srv, 'Multi');
    await w.client.next('presence-update', 3000, (m) => m.username === 'Multi' && m.online);
    const t2 = await loginUser(srv, 'multi');
    // The second tab sees the same snapshot as anyone else (itself excluded).
    assert.deepEqual(t2.presence.online, ['watcher1']);
    // No second "online" for the second tab.
    await w.client.expectNo('presence-update', 300, (m) => m.username === 'Multi');

    await t1.client.close();
    await w.client.expectNo('presence-update', 300, (m) => m.username === 'Multi');
    await t2.client.close();
    assert.deepEqual(await w.client.next('presence-update'), { type: 'presence-update', username: 'Multi', online: false });
    await w.client.close();
  });

  test('an abruptly dropped socket (no close frame) goes offline', async () => {
    const w = await registerUser(srv, 'watcher2');
    const d = await registerUser(srv, 'Dropper');
    await w.client.next('presence-update', 3000, (m) => m.username === 'Dropper' && m.online);
    await d.client.kill();
    assert.deepEqual(await w.client.next('presence-update'), { type: 'presence-update', username: 'Dropper', online: false });
    await w.client.close();
  });

  test('a never-logged-in connection closing does not announce anything', async () => {
    const w = await registerUser(srv, 'watcher3');
    const anon = await Client.connect(srv.wsUrl);
    await anon.close();
    await w.client.expectNo('presence-update', 200);
    await w.client.close();
  });
});

describe('heartbeat', () => {
  test('a client that stops answering pings is dropped and announced offline', async () => {
    const srv = await startServer({ heartbeatMs: 100 });
    try {
      const w = await registerUser(srv, 'Live');
      // autoPong: false → this client never answers the server's pings, like a frozen tab.
      const silent = await Client.connect(srv.wsUrl, { autoPong: false });
      silent.register('Silent');
      await silent.next('welcome');
      await w.client.next('presence-update', 3000, (m) => m.username === 'Silent' && m.online);

      const started = Date.now();
      const off = await w.client.next('presence-update', 3000, (m) => m.username === 'Silent');
      assert.equal(off.online, false);
      // Detected within about two heartbeat intervals (plus scheduling slack).
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
      const closed = await silent.closed;
      assert.equal(closed.code, 1006, 'terminated, no close handshake');

      // The client that does answer pings survives many intervals.
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(w.client.ws.readyState, w.client.ws.OPEN);
      assert.equal(srv.stats().online, 1);
      await w.client.close();
    } finally {
      await srv.stop();
    }
  });
});
