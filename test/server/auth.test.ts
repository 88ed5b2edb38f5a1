import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { LIMITS, PROTOCOL_VERSION } from '../../shared/limits';
import { Client, fakeKey, loginUser, PASSWORD, registerUser, sleep, startServer, tempDir, type TestServer } from './helpers';

describe('register and login', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer({ iceServers: [{ urls: 'stun:stun.example.org:3478' }] });
  });
  after(() => srv.stop());

  test('register sends welcome with token, expiry and ICE servers, then an empty presence snapshot', async () => {
    const before = Date.now();
    const { client, welcome, presence } = await registerUser(srv, 'Alice');
    assert.equal(welcome.v, PROTOCOL_VERSION);
    assert.equal(welcome.username, 'Alice');
    assert.match(welcome.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(welcome.token.length, LIMITS.tokenChars);
    const thirtyDays = 30 * 24 * 3600 * 1000;
    assert.ok(welcome.expiresAt >= before + thirtyDays - 1000 && welcome.expiresAt <= Date.now() + thirtyDays + 1000);
    assert.deepEqual(welcome.iceServers, [{ urls: 'stun:stun.example.org:3478' }]);
    assert.deepEqual(presence.online, []);
    assert.deepEqual(client.invalid, []);
    await client.close();
  });

  test('USER_EXISTS for the same name and for the same name in another case', async () => {
    const { client: first } = await registerUser(srv, 'Bob_1');
    const c = await Client.connect(srv.wsUrl);
    c.register('Bob_1');
    assert.deepEqual(await c.nextError(), { type: 'error', code: 'USER_EXISTS', ref: 'register' });
    c.register('bOB_1');
    assert.deepEqual(await c.nextError(), { type: 'error', code: 'USER_EXISTS', ref: 'register' });
    // The connection is still usable for a different name.
    c.register('Bob_2');
    assert.equal((await c.next('welcome')).username, 'Bob_2');
    await Promise.all([first.close(), c.close()]);
  });

  test('INVALID_USERNAME, PASSWORD_TOO_SHORT and PASSWORD_TOO_LONG on register', async () => {
    const c = await Client.connect(srv.wsUrl);
    for (const name of ['ab', 'has space', 'semi;colon', 'ünïcode', 'x'.repeat(32) + 'y']) {
      c.register(name);
      const e = await c.nextError();
      // 33 characters is cut by the wire schema (BAD_MESSAGE); the rest reach the account rules.
      assert.equal(e.code, name.length > 32 ? 'BAD_MESSAGE' : 'INVALID_USERNAME', name);
      assert.equal(e.ref, 'register');
    }
    c.register('carol', 'short');
    assert.equal((await c.nextError()).code, 'PASSWORD_TOO_SHORT');
    c.register('carol', 'x'.repeat(LIMITS.passwordMax + 1));
    assert.equal((await c.nextError()).code, 'PASSWORD_TOO_LONG');
    await c.close();
  });

  test('login: UNKNOWN_USER, BAD_PASSWORD, then success with the display name in any case', async () => {
    const { client: reg } = await registerUser(srv, 'DaveX');
    await reg.close();
    const c = await Client.connect(srv.wsUrl);
    c.login('nobody-here');
    assert.deepEqual(await c.nextError(), { type: 'error', code: 'UNKNOWN_USER', ref: 'login' });
    c.login('davex', 'wrong password');
    assert.deepEqual(await c.nextError(), { type: 'error', code: 'BAD_PASSWORD', ref: 'login' });
    c.login('davex', PASSWORD);
    const welcome = await c.next('welcome');
    assert.equal(welcome.username, 'DaveX');
    await c.next('presence');
    await c.close();
  });

  test('ALREADY_LOGGED_IN for register, login or resume on a logged-in connection', async () => {
    const { client, welcome } = await registerUser(srv, 'erin');
    client.login('erin');
    assert.deepEqual(await client.nextError(), { type: 'error', code: 'ALREADY_LOGGED_IN', ref: 'login' });
    client.register('erin2');
    assert.deepEqual(await client.nextError(), { type: 'error', code: 'ALREADY_LOGGED_IN', ref: 'register' });
    client.resume(welcome.token);
    assert.deepEqual(await client.nextError(), { type: 'error', code: 'ALREADY_LOGGED_IN', ref: 'resume' });
    await client.close();
  });

  test('frames sent right behind a login are handled after it, in order', async () => {
    const { client: other } = await registerUser(srv, 'frank');
    const c = await Client.connect(srv.wsUrl);
    c.register('grace');
    c.send({ type: 'lookup', username: 'frank' });
    await c.next('welcome');
    const id = await c.next('identity');
    assert.equal(id.username, 'frank');
    await Promise.all([other.close(), c.close()]);
  });

  test('a wrong protocol version gets UNSUPPORTED_VERSION', async () => {
    const c = await Client.connect(srv.wsUrl);
    c.send({ type: 'login', v: PROTOCOL_VERSION + 1, username: 'someone', password: PASSWORD });
    assert.deepEqual(await c.nextError(), { type: 'error', code: 'UNSUPPORTED_VERSION', ref: 'login' });
    c.send({ type: 'login', username: 'someone', password: PASSWORD });
    assert.deepEqual(await c.nextError(), { type: 'error', code: 'BAD_MESSAGE', ref: 'login' });
    await c.close();
  });
});

describe('sessions', () => {
  test('resume with the token works after a server restart on the same data folder', async () => {
    const dataDir = tempDir();
    const first = await startServer({ dataDir });
    const { client, welcome } = await registerUser(first, 'Heidi');
    await client.close();
    await first.stop(true);

    const second = await startServer({ dataDir });
    try {
      const c = await Client.connect(second.wsUrl);
      c.resume(welcome.token);
      const again = await c.next('welcome');
      assert.equal(again.username, 'Heidi');
      assert.equal(again.token, welcome.token);
      assert.ok(again.expiresAt >= welcome.expiresAt, 'resuming slides the expiry forward');
      await c.next('presence');
      await c.close();
      // Password login still works against the reopened database.
      const { client: l } = await loginUser(second, 'heidi');
      await l.close();
    } finally {
      await second.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('BAD_TOKEN for an unknown token; a malformed token is BAD_MESSAGE', async () => {
    const srv = await startServer();
    try {
      const c = await Client.connect(srv.wsUrl);
      c.resume(fakeKey('A'));
      assert.deepEqual(await c.nextError(), { type: 'error', code: 'BAD_TOKEN', ref: 'resume' });
      c.resume('too-short');
      assert.deepEqual(await c.nextError(), { type: 'error', code: 'BAD_MESSAGE', ref: 'resume' });
      await c.close();
    } finally {
      await srv.stop();
    }
  });

  test('an expired token is refused', async () => {
    const srv = await startServer({ sessionTtlMs: 300 });
    try {
      const { client, welcome } = await registerUser(srv, 'ivan');
      await client.close();
      await sleep(400);
      const c = await Client.connect(srv.wsUrl);
      c.resume(welcome.token);
      assert.equal((await c.nextError()).code, 'BAD_TOKEN');
      await c.close();
    } finally {
      await srv.stop();
    }
  });

  test('logout invalidates the token, logs out tabs sharing it, and keeps other devices', async () => {
    const srv = await startServer();
    try {
      const { client: tab1, welcome } = await registerUser(srv, 'judy');
      // A second tab of the same browser resumes with the same token.
      const tab2 = await Client.connect(srv.wsUrl);
      tab2.resume(welcome.token);
      await tab2.next('welcome');
      // Another device logs in with the password: a different token.
      const { client: phone } = await loginUser(srv, 'judy');
      const { client: watcher } = await registerUser(srv, 'ken');

      tab1.send({ type: 'logout' });
      await tab1.next('logged-out');
      assert.deepEqual(await tab1.closed, { code: 1000, reason: 'logged out' });
      await tab2.next('logged-out');
      assert.equal((await tab2.closed).code, 1000);
      // judy is still online on the phone: no offline announcement.
      await watcher.expectNo('presence-update', 300);

      const c = await Client.connect(srv.wsUrl);
      c.resume(welcome.token);
      assert.equal((await c.nextError()).code, 'BAD_TOKEN');
      c.send({ type: 'logout' });
      assert.deepEqual(await c.nextError(), { type: 'error', code: 'NOT_LOGGED_IN', ref: 'logout' });

      await phone.close();
      const off = await watcher.next('presence-update');
      assert.deepEqual(off, { type: 'presence-update', username: 'judy', online: false });
      await Promise.all([c.close(), watcher.close()]);
    } finally {
      await srv.stop();
    }
  });
});

describe('identity keys', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.stop());

  test('published on register, replaced by login and resume, read with lookup (case-insensitive)', async () => {
    const k1 = fakeKey('a');
    const k2 = fakeKey('b');
    const k3 = fakeKey('c');
    const { client: owner, welcome } = await registerUser(srv, 'Mallory', PASSWORD, { identityKey: k1 });
    const { client: asker } = await registerUser(srv, 'nina');

    asker.send({ type: 'lookup', username: 'MALLORY' });
    assert.deepEqual(await asker.next('identity'), { type: 'identity', username: 'Mallory', identityKey: k1 });

    const { client: again } = await loginUser(srv, 'mallory', PASSWORD, { identityKey: k2 });
    asker.send({ type: 'lookup', username: 'mallory' });
    assert.equal((await asker.next('identity')).identityKey, k2);

    const tab = await Client.connect(srv.wsUrl);
    tab.resume(welcome.token, { identityKey: k3 });
    await tab.next('welcome');
    asker.send({ type: 'lookup', username: 'mallory' });
    assert.equal((await asker.next('identity')).identityKey, k3);

    await Promise.all([owner.close(), again.close(), tab.close(), asker.close()]);
  });

  test('a user without a key gives identityKey null; an unknown user gives UNKNOWN_USER', async () => {
    const { client: keyless } = await registerUser(srv, 'oscar');
    const { client: asker } = await registerUser(srv, 'peggy');
    asker.send({ type: 'lookup', username: 'oscar' });
    assert.deepEqual(await asker.next('identity'), { type: 'identity', username: 'oscar', identityKey: null });
    asker.send({ type: 'lookup', username: 'no-such-user' });
    assert.deepEqual(await asker.nextError(), { type: 'error', code: 'UNKNOWN_USER', ref: 'lookup', to: 'no-such-user' });
    await Promise.all([keyless.close(), asker.close()]);
  });

  test('lookup needs a login; a malformed identity key is refused', async () => {
    const c = await Client.connect(srv.wsUrl);
    c.send({ type: 'lookup', username: 'oscar' });
    assert.deepEqual(await c.nextError(), { type: 'error', code: 'NOT_LOGGED_IN', ref: 'lookup' });
    c.register('quentin', PASSWORD, { identityKey: 'not a key' });
    assert.deepEqual(await c.nextError(), { type: 'error', code: 'BAD_MESSAGE', ref: 'register' });
    await c.close();
  });
});
