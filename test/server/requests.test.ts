/**
 * Message requests on the server: `request {to, box}` is relayed to the target's connections as
 * `request {from, box}` with `from` set by the server, never stored or logged, budgeted per
 * (sender, target), size-capped, and refused when nobody of the target is online.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../signal-server/src/logger';
import { DB_FILE } from '../../signal-server/src/sqlite-store';
import { LIMITS } from '../../shared/limits';
import { Client, loginUser, registerUser, startServer, tempDir, waitFor } from './helpers';

/** A stand-in for a sealed box: the server only sees base64url characters. */
function box(fill: string, length = 200): string {
  return fill.repeat(Math.ceil(length / fill.length)).slice(0, length);
}

function logSink(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, sink };
}

test('a request goes to every connection of the target only, `from` set by the server, and is stored and logged nowhere', async () => {
  const { lines, sink } = logSink();
  const dataDir = tempDir();
  const srv = await startServer({ dataDir, logger: createLogger('trace', sink) });
  const secret = box('SecretBoxContent', 4000);
  try {
    const carol = await registerUser(srv, 'Carol');
    const bob1 = await registerUser(srv, 'bob');
    const bob2 = await loginUser(srv, 'bob');
    const dave = await registerUser(srv, 'dave');
    carol.client.send({ type: 'request', to: 'BOB', box: secret, from: 'alice' });
    assert.deepEqual(await bob1.client.next('request'), { type: 'request', from: 'Carol', box: secret });
    assert.deepEqual(await bob2.client.next('request'), { type: 'request', from: 'Carol', box: secret });
    await dave.client.expectNo('request', 200);
    await carol.client.expectNo('request', 100);
    await carol.client.expectNo('error', 100);
    for (const c of [carol, bob1, bob2, dave]) assert.deepEqual(c.client.invalid, []);
    await Promise.all([carol.client.close(), bob1.client.close(), bob2.client.close(), dave.client.close()]);
    await waitFor(() => srv.stats().connections === 0, 3000, 'all closed');
  } finally {
    await srv.stop(true);
  }
  const log = lines.join('');
  assert.match(log, /request relayed/, 'the relay is logged (without content)');
  assert.ok(!log.includes('SecretBoxContent'), 'the box is not in the log');
  const files = fs.readdirSync(dataDir, { recursive: true }).map(String);
  assert.ok(files.includes(DB_FILE));
  for (const f of files) {
    const p = path.join(dataDir, f);
    if (fs.statSync(p).isFile()) assert.ok(!fs.readFileSync(p).includes('SecretBoxContent'), `${f} holds the box`);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('PEER_OFFLINE when the target has no connection (nothing is queued), NOT_LOGGED_IN before login, none to oneself', async () => {
  const srv = await startServer();
  try {
    const carol = await registerUser(srv, 'carol');
    const gone = await registerUser(srv, 'gone');
    await gone.client.close();
    await carol.client.next('presence-update', 3000, (m) => m.username === 'gone' && !m.online);
    carol.client.send({ type: 'request', to: 'gone', box: box('a') });
    assert.deepEqual(await carol.client.nextError(), { type: 'error', code: 'PEER_OFFLINE', ref: 'request', to: 'gone' });
    carol.client.send({ type: 'request', to: 'never-registered', box: box('a') });
    assert.equal((await carol.client.nextError()).code, 'PEER_OFFLINE');
    carol.client.send({ type: 'request', to: 'carol', box: box('a') });
    assert.equal((await carol.client.nextError()).code, 'PEER_OFFLINE');
    await carol.client.expectNo('request', 100);

    // Nothing was kept for later: `gone` logs in and receives nothing.
    const back = await loginUser(srv, 'gone');
    await back.client.expectNo('request', 300);

    const anon = await Client.connect(srv.wsUrl);
    anon.send({ type: 'request', to: 'gone', box: box('a') });
    assert.deepEqual(await anon.nextError(), { type: 'error', code: 'NOT_LOGGED_IN', ref: 'request', to: 'gone' });
    await back.client.expectNo('request', 200);
    await Promise.all([carol.client.close(), back.client.close(), anon.close()]);
  } finally {
    await srv.stop();
  }
});

test('a box over the cap, or not base64url, is refused with BAD_MESSAGE and not relayed', async () => {
  const srv = await startServer();
  try {
    const carol = await registerUser(srv, 'carol');
    const bob = await registerUser(srv, 'bob');
    carol.client.send({ type: 'request', to: 'bob', box: box('a', LIMITS.maxRequestBoxChars + 1) });
    assert.deepEqual(await carol.client.nextError(), { type: 'error', code: 'BAD_MESSAGE', ref: 'request' });
    carol.client.send({ type: 'request', to: 'bob', box: 'not base64url!' });
    assert.equal((await carol.client.nextError()).code, 'BAD_MESSAGE');
    carol.client.send({ type: 'request', to: 'bob', box: '' });
    assert.equal((await carol.client.nextError()).code, 'BAD_MESSAGE');
    await bob.client.expectNo('request', 200);
    // The largest allowed box passes.
    carol.client.send({ type: 'request', to: 'bob', box: box('b', LIMITS.maxRequestBoxChars) });
    assert.equal((await bob.client.next('request')).box.length, LIMITS.maxRequestBoxChars);
    await Promise.all([carol.client.close(), bob.client.close()]);
  } finally {
    await srv.stop();
  }
});

test('one sender flooding one person with requests is limited (RATE_LIMITED), others still reach them', async () => {
  const srv = await startServer({ relayRateLimit: { perSecond: 1, burst: 64 * 1024 } });
  try {
    const eve = await registerUser(srv, 'eve');
    const bob = await registerUser(srv, 'bob');
    const carol = await registerUser(srv, 'carol');
    const big = box('c', 20_000);
    for (let i = 0; i < 6; i++) eve.client.send({ type: 'request', to: 'bob', box: big });
    const err = await eve.client.nextError('RATE_LIMITED');
    assert.deepEqual(err, { type: 'error', code: 'RATE_LIMITED', ref: 'request', to: 'bob' });
    // A 64 KiB burst holds three 20 kB requests; the other three are dropped.
    for (let i = 0; i < 3; i++) await bob.client.next('request', 2000);
    await bob.client.expectNo('request', 300);
    // Another sender has its own budget.
    carol.client.send({ type: 'request', to: 'bob', box: box('d') });
    assert.equal((await bob.client.next('request', 2000, (m) => m.from === 'carol')).from, 'carol');
    assert.equal(bob.client.ws.readyState, 1, 'bob stays connected');
    await Promise.all([eve.client.close(), bob.client.close(), carol.client.close()]);
  } finally {
    await srv.stop();
  }
});
