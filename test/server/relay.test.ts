import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cid, Client, loginUser, OFFER, registerUser, startServer, type TestServer } from './helpers';

describe('signal relay', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.stop());

  test('relays between logged-in users, with the sender stamped by the server', async () => {
    const a = await registerUser(srv, 'Romeo');
    const b = await registerUser(srv, 'Juliet');
    a.client.send({ type: 'signal', to: 'juliet', cid: cid(1), data: OFFER });
    assert.deepEqual(await b.client.next('signal'), { type: 'signal', from: 'Romeo', cid: cid(1), data: OFFER });

    const answer = { type: 'answer', sdp: 'v=0\r\n' };
    const candidate = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host', sdpMLineIndex: 0, sdpMid: '0' } };
    b.client.send({ type: 'signal', to: 'Romeo', cid: cid(1), data: answer });
    b.client.send({ type: 'signal', to: 'ROMEO', cid: cid(1), data: candidate });
    assert.deepEqual(await a.client.next('signal'), { type: 'signal', from: 'Juliet', cid: cid(1), data: answer });
    assert.deepEqual(await a.client.next('signal'), { type: 'signal', from: 'Juliet', cid: cid(1), data: candidate });
    await Promise.all([a.client.close(), b.client.close()]);
  });

  test('a client-supplied `from` (and other extra keys) is ignored', async () => {
    const eve = await registerUser(srv, 'eve');
    const bob = await registerUser(srv, 'bobby');
    eve.client.send({ type: 'signal', to: 'bobby', from: 'alice', cid: cid(2), data: { ...OFFER, from: 'alice', extra: 1 }, admin: true });
    const got = await bob.client.next('signal');
    assert.equal(got.from, 'eve');
    assert.deepEqual(got, { type: 'signal', from: 'eve', cid: cid(2), data: OFFER });
    await Promise.all([eve.client.close(), bob.client.close()]);
  });

  test('goes to every tab of the target, never back to the sending socket', async () => {
    const s = await registerUser(srv, 'sender');
    const t1 = await registerUser(srv, 'target');
    const t2 = await loginUser(srv, 'target');
    s.client.send({ type: 'signal', to: 'target', cid: cid(3), data: OFFER });
    assert.equal((await t1.client.next('signal')).from, 'sender');
    assert.equal((await t2.client.next('signal')).from, 'sender');

    // Signalling one's own other tab works, but the sending tab gets no echo.
    t1.client.send({ type: 'signal', to: 'target', cid: cid(4), data: OFFER });
    assert.equal((await t2.client.next('signal')).cid, cid(4));
    await t1.client.expectNo('signal', 200);
    await Promise.all([s.client.close(), t1.client.close(), t2.client.close()]);
  });

  test('NOT_LOGGED_IN before login; nothing is relayed', async () => {
    const target = await registerUser(srv, 'victim');
    const anon = await Client.connect(srv.wsUrl);
    anon.send({ type: 'signal', to: 'victim', cid: cid(5), data: OFFER });
    assert.deepEqual(await anon.nextError(), { type: 'error', code: 'NOT_LOGGED_IN', ref: 'signal', to: 'victim', cid: cid(5) });
    await target.client.expectNo('signal', 200);
    await Promise.all([anon.close(), target.client.close()]);
  });

  test('PEER_OFFLINE for an offline or unknown user, with to and cid', async () => {
    const a = await registerUser(srv, 'lonely');
    const gone = await registerUser(srv, 'gone');
    await gone.client.close();
    await a.client.next('presence-update', 3000, (m) => m.username === 'gone' && !m.online);
    a.client.send({ type: 'signal', to: 'gone', cid: cid(6), data: OFFER });
    assert.deepEqual(await a.client.nextError(), { type: 'error', code: 'PEER_OFFLINE', ref: 'signal', to: 'gone', cid: cid(6) });
    a.client.send({ type: 'signal', to: 'never-registered', cid: cid(7), data: OFFER });
    assert.deepEqual(await a.client.nextError(), { type: 'error', code: 'PEER_OFFLINE', ref: 'signal', to: 'never-registered', cid: cid(7) });
    await a.client.close();
  });

  test('malformed signal payloads are refused with BAD_MESSAGE ref signal', async () => {
    const a = await registerUser(srv, 'picky');
    const b = await registerUser(srv, 'picky2');
    const bad = [
      { type: 'signal', to: 'picky2', cid: 'short', data: OFFER },
      { type: 'signal', to: 'picky2', cid: cid(8), data: { type: 'offer' } },
      { type: 'signal', to: 'picky2', cid: cid(8), data: { type: 'bogus', sdp: 'x' } },
      { type: 'signal', to: 'picky2', cid: cid(8), data: { type: 'offer', sdp: 'x'.repeat(48 * 1024 + 1) } },
      { type: 'signal', to: '', cid: cid(8), data: OFFER },
    ];
    for (const frame of bad) {
      a.client.send(frame);
      assert.deepEqual(await a.client.nextError(), { type: 'error', code: 'BAD_MESSAGE', ref: 'signal' });
    }
    await b.client.expectNo('signal', 200);
    await Promise.all([a.client.close(), b.client.close()]);
  });
});
