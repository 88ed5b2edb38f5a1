import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LIMITS, PROTOCOL_VERSION } from '../../shared/limits';
import { cid, Client, OFFER, PASSWORD, registerUser, sleep, startServer, waitFor, type TestServer } from './helpers';

describe('bad input never crashes the server, and other clients keep being served', () => {
  let srv: TestServer;
  let ally: Awaited<ReturnType<typeof registerUser>>;
  let friend: Awaited<ReturnType<typeof registerUser>>;

  before(async () => {
    srv = await startServer();
    ally = await registerUser(srv, 'ally');
    friend = await registerUser(srv, 'friend');
  });
  after(async () => {
    await Promise.all([ally.client.close(), friend.client.close()]);
    await srv.stop();
  });

  /** The two well-behaved users can still talk. */
  async function stillServed(n: number): Promise<void> {
    ally.client.send({ type: 'signal', to: 'friend', cid: cid(n), data: OFFER });
    const got = await friend.client.next('signal');
    assert.equal(got.cid, cid(n));
  }

  test('malformed JSON, unknown types, non-objects and __proto__ keys get BAD_MESSAGE', async () => {
    const c = await Client.connect(srv.wsUrl);
    const frames: Array<[string, string | undefined]> = [
      ['{not json', undefined],
      ['', undefined],
      ['null', undefined],
      ['42', undefined],
      ['"login"', undefined],
      ['[{"type":"login"}]', undefined],
      ['{"type":"hello","v":1}', undefined],
      // Documents with prototype-style keys are not even looked into: no ref.
      ['{"type":"login","v":1,"username":"x","password":"y","__proto__":{"admin":true}}', undefined],
      ['{"type":"lookup","username":{"constructor":{"prototype":1}}}', undefined],
      ['{"type":"register","v":1,"username":123,"password":"longenough"}', 'register'],
      ['{"type":"lookup"}', 'lookup'],
    ];
    for (const [frame, ref] of frames) {
      c.send(frame);
      const e = await c.nextError();
      assert.deepEqual(e, ref ? { type: 'error', code: 'BAD_MESSAGE', ref } : { type: 'error', code: 'BAD_MESSAGE' }, frame);
    }
    assert.equal(({} as Record<string, unknown>).admin, undefined, 'no prototype pollution');
    assert.equal(c.ws.readyState, c.ws.OPEN);
    await c.close();
    await stillServed(1);
  });

  test('a binary frame gets BAD_MESSAGE and the connection stays usable', async () => {
    const c = await Client.connect(srv.wsUrl);
    c.ws.send(Buffer.from(JSON.stringify({ type: 'register', v: PROTOCOL_VERSION, username: 'binary', password: PASSWORD })), { binary: true });
    assert.deepEqual(await c.nextError(), { type: 'error', code: 'BAD_MESSAGE' });
    c.register('binary');
    await c.next('welcome');
    await c.close();
    await stillServed(2);
  });

  test('an oversized frame closes that socket with 1009', async () => {
    const c = await Client.connect(srv.wsUrl);
    c.send(JSON.stringify({ type: 'lookup', username: 'x', pad: 'y'.repeat(LIMITS.maxFrameBytes) }));
    const closed = await c.closed;
    assert.equal(closed.code, 1009);
    await stillServed(3);
  });

  test('a frame just under the limit is parsed (and refused for its content), not dropped', async () => {
    const c = await Client.connect(srv.wsUrl);
    const frame = JSON.stringify({ type: 'lookup', username: 'x', pad: '' });
    c.send(frame.replace('"pad":""', `"pad":"${'y'.repeat(LIMITS.maxFrameBytes - frame.length - 10)}"`));
    assert.deepEqual(await c.nextError(), { type: 'error', code: 'NOT_LOGGED_IN', ref: 'lookup' });
    await c.close();
  });

  test('a flood gets RATE_LIMITED, then the socket is closed with 1008', async () => {
    const flooder = await registerUser(srv, 'flooder');
    for (let i = 0; i < 300; i++) flooder.client.send({ type: 'lookup', username: 'ally' });
    const limited = await flooder.client.nextError('RATE_LIMITED');
    assert.equal(limited.code, 'RATE_LIMITED');
    const closed = await flooder.client.closed;
    assert.equal(closed.code, 1008);
    // Not every lookup was answered: the excess was dropped.
    const answered = flooder.client.queue.filter((m) => m.type === 'identity').length;
    assert.ok(answered < 300, `answered ${answered}`);
    // And everyone else is fine.
    await stillServed(4);
    await ally.client.next('presence-update', 3000, (m) => m.username === 'flooder' && !m.online);
  });

  test('a short burst above the rate is refused but the socket survives and recovers', async () => {
    const srv2 = await startServer({ rateLimit: { perSecond: 20, burst: 5, abuseDebt: 50 } });
    try {
      const u = await registerUser(srv2, 'bursty');
      for (let i = 0; i < 10; i++) u.client.send({ type: 'lookup', username: 'bursty' });
      await u.client.nextError('RATE_LIMITED');
      await sleep(800); // pays back the debt
      u.client.send({ type: 'lookup', username: 'bursty' });
      await waitFor(() => u.client.queue.filter((m) => m.type === 'identity').length >= 5, 2000, 'answers');
      assert.equal(u.client.ws.readyState, u.client.ws.OPEN);
      await u.client.close();
    } finally {
      await srv2.stop();
    }
  });
});

describe('deadlines and caps', () => {
  test('a connection that does not log in in time gets LOGIN_TIMEOUT and close 1008', async () => {
    const srv = await startServer({ loginTimeoutMs: 200 });
    try {
      const idle = await Client.connect(srv.wsUrl);
      const t0 = Date.now();
      assert.deepEqual(await idle.nextError('LOGIN_TIMEOUT'), { type: 'error', code: 'LOGIN_TIMEOUT' });
      assert.deepEqual(await idle.closed, { code: 1008, reason: 'login timeout' });
      assert.ok(Date.now() - t0 < 1500);
      // A connection that logs in in time is not touched.
      const ok = await registerUser(srv, 'punctual');
      await sleep(400);
      assert.equal(ok.client.ws.readyState, ok.client.ws.OPEN);
      await ok.client.close();
    } finally {
      await srv.stop();
    }
  });

  test('per-IP connection cap refuses the upgrade with 429', async () => {
    const srv = await startServer({ maxConnectionsPerIp: 2 });
    try {
      const a = await Client.connect(srv.wsUrl);
      const b = await Client.connect(srv.wsUrl);
      await assert.rejects(Client.connect(srv.wsUrl), /HTTP 429/);
      await a.close();
      await waitFor(() => srv.stats().connections === 1, 2000, 'slot freed');
      const c = await Client.connect(srv.wsUrl);
      await Promise.all([b.close(), c.close()]);
    } finally {
      await srv.stop();
    }
  });

  test('total connection cap refuses the upgrade with 503', async () => {
    const srv = await startServer({ maxConnections: 1 });
    try {
      const a = await Client.connect(srv.wsUrl);
      await assert.rejects(Client.connect(srv.wsUrl), /HTTP 503/);
      await a.close();
    } finally {
      await srv.stop();
    }
  });

  test('password attempts per address are limited', async () => {
    const srv = await startServer({ authRateLimit: { perSecond: 0.001, burst: 3 } });
    try {
      const c = await Client.connect(srv.wsUrl);
      for (let i = 0; i < 3; i++) {
        c.login('nobody', 'wrong password');
        assert.equal((await c.nextError()).code, 'UNKNOWN_USER');
      }
      c.login('nobody', 'wrong password');
      assert.deepEqual(await c.nextError(), { type: 'error', code: 'RATE_LIMITED', ref: 'login' });
      await c.close();
    } finally {
      await srv.stop();
    }
  });

  test('when the password-hash queue is full, logins get SERVER_BUSY instead of piling up', async () => {
    const srv = await startServer({ scrypt: { N: 2 ** 15, r: 8, p: 1 }, maxConcurrentHashes: 1, maxQueuedHashes: 1 });
    try {
      const clients = await Promise.all(Array.from({ length: 6 }, () => Client.connect(srv.wsUrl)));
      clients.forEach((c, i) => c.register(`busy${i}`));
      const outcomes = await Promise.all(
        clients.map(async (c) => {
          await waitFor(() => c.queue.some((m) => m.type === 'welcome' || m.type === 'error'), 10_000, 'an answer');
          const m = c.queue.find((x) => x.type === 'welcome' || x.type === 'error');
          return m?.type === 'welcome' ? 'welcome' : m?.type === 'error' ? m.code : '?';
        }),
      );
      assert.ok(outcomes.includes('SERVER_BUSY'), outcomes.join());
      assert.ok(outcomes.includes('welcome'), outcomes.join());
      assert.ok(outcomes.every((o) => o === 'welcome' || o === 'SERVER_BUSY'), outcomes.join());
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      await srv.stop();
    }
  });

  test('a client that stops reading is dropped instead of buffered forever', async () => {
    const srv = await startServer({
      maxBufferedBytes: LIMITS.maxFrameBytes,
      rateLimit: { perSecond: 10_000, burst: 10_000, abuseDebt: 10_000 },
      // Off here: this test is about the slow reader, not the per-sender relay budget.
      relayRateLimit: { perSecond: 1e9, burst: 1e9 },
    });
    try {
      const sender = await registerUser(srv, 'talker');
      const sink = await registerUser(srv, 'sink');
      // Stop reading: the kernel buffers fill, then the server's send buffer grows.
      const raw = (sink.client.ws as unknown as { _socket: { pause(): void } })._socket;
      raw.pause();
      const big = { type: 'offer', sdp: 'x'.repeat(LIMITS.maxSignalBytes - 100) };
      let n = 0;
      await waitFor(
        () => {
          for (let i = 0; i < 20; i++) sender.client.send({ type: 'signal', to: 'sink', cid: cid(n++), data: big });
          return sender.client.queue.some((m) => m.type === 'presence-update' && m.username === 'sink' && !m.online);
        },
        20_000,
        'the slow reader to be dropped',
      );
      assert.equal(srv.stats().online, 1);
      await sender.client.close();
    } finally {
      await srv.stop();
    }
  });
});
