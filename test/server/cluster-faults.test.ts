/**
 * What happens when part of a deployment fails: an instance killed (SIGKILL, so it cannot say
 * goodbye), an instance stopped (SIGTERM), and Redis stopped and started again. Real processes:
 * redis-server and instances as children of the test.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, fakeKey, OFFER, cid, registerUser, sleep, startServer, waitFor, type TestServer } from './helpers';
import { startInstance } from './instance-process';
import { RedisProcess } from './redis-process';

let redis: RedisProcess;
before(async () => {
  // Persistent, like a production Redis: what was written before an outage is there after it.
  redis = await RedisProcess.start({ persist: true });
});
after(async () => {
  await redis.dispose();
});

let prefixes = 0;
const nextPrefix = (): string => `faults-${++prefixes}:`;

/** Registers on a server given by its ws URL (a child-process instance). */
async function registerAt(wsUrl: string, username: string): Promise<Client> {
  const c = await Client.connect(wsUrl);
  c.register(username);
  await c.next('welcome', 15_000);
  await c.next('presence');
  return c;
}

test('faults: an instance killed with SIGKILL: its users go offline on the others within the presence TTL', async () => {
  const prefix = nextPrefix();
  // PRESENCE_TTL is 2 s here; the live instance is told the same, and would keep the dead
  // instance's users online for 15 s (the default) if the TTL were not honoured.
  const doomed = await startInstance({ REDIS_URL: redis.url, REDIS_PREFIX: prefix, PRESENCE_TTL: '2', PRESENCE: 'open' });
  let live: TestServer | undefined;
  try {
    live = await startServer({ presence: 'open', redis: { url: redis.url, prefix, presenceTtlMs: 2000 } });
    const alice = await registerAt(doomed.wsUrl, 'alice');
    const bob = await registerUser(live, 'bob');
    if (!bob.presence.online.includes('alice')) await bob.client.next('presence-update', 3000, (m) => m.username === 'alice' && m.online);

    doomed.proc.child.kill('SIGKILL');
    await alice.closed;
    // Within the TTL (2 s) plus one refresh period; generous for a loaded machine.
    await bob.client.next('presence-update', 6000, (m) => m.username === 'alice' && !m.online);
    bob.client.send({ type: 'signal', to: 'alice', cid: cid(1), data: OFFER });
    await bob.client.nextError('PEER_OFFLINE');
    await bob.client.close();
  } finally {
    await live?.stop();
    await doomed.dispose();
  }
});

test('faults: SIGTERM closes every socket with 1001, the others drop its users at once, and it exits 0', async () => {
  const prefix = nextPrefix();
  // The default TTL (15 s): only the goodbye can explain a quick offline update.
  const leaving = await startInstance({ REDIS_URL: redis.url, REDIS_PREFIX: prefix, PRESENCE: 'open' });
  let live: TestServer | undefined;
  try {
    live = await startServer({ presence: 'open', redis: { url: redis.url, prefix } });
    const carol = await registerAt(leaving.wsUrl, 'carol');
    const dave = await registerUser(live, 'dave');
    if (!dave.presence.online.includes('carol')) await dave.client.next('presence-update', 3000, (m) => m.username === 'carol' && m.online);

    leaving.proc.child.kill('SIGTERM');
    assert.equal((await carol.closed).code, 1001);
    await dave.client.next('presence-update', 5000, (m) => m.username === 'carol' && !m.online);
    assert.equal(await leaving.proc.exited, 0);
    await dave.client.close();
  } finally {
    await live?.stop();
    await leaving.dispose();
  }
});

test('faults: SIGTERM without Redis (one instance, SQLite) also closes sockets with 1001', async () => {
  const alone = await startInstance();
  try {
    const erin = await registerAt(alone.wsUrl, 'erin');
    alone.proc.child.kill('SIGTERM');
    assert.equal((await erin.closed).code, 1001);
    assert.equal(await alone.proc.exited, 0);
  } finally {
    await alone.dispose();
  }
});

test('faults: Redis stopped: instances stay up and answer SERVER_BUSY; Redis back: everything works again, no restart', async () => {
  const prefix = nextPrefix();
  const r = { url: redis.url, prefix, presenceTtlMs: 1500 };
  const a = await startServer({ presence: 'open', redis: { ...r, instanceId: 'a' } });
  const b = await startServer({ presence: 'open', redis: { ...r, instanceId: 'b' } });
  try {
    const frank = await registerUser(a, 'frank', undefined, { identityKey: fakeKey('F') });
    const gina = await registerUser(a, 'gina');
    const hugo = await registerUser(b, 'hugo');
    if (!hugo.presence.online.includes('frank')) await hugo.client.next('presence-update', 3000, (m) => m.username === 'frank' && m.online);

    await redis.stop();
    // A store operation: busy, not a crash and not INTERNAL.
    const late = await Client.connect(a.wsUrl);
    late.register('ivan');
    assert.equal((await late.nextError('SERVER_BUSY')).ref, 'register');
    frank.client.send({ type: 'lookup', username: 'gina' });
    assert.equal((await frank.client.nextError('SERVER_BUSY')).ref, 'lookup');
    // Established connections stay open, and users on the same instance still reach each other.
    frank.client.send({ type: 'signal', to: 'gina', cid: cid(1), data: OFFER });
    assert.equal((await gina.client.next('signal')).cid, cid(1));
    // The other instance's users fall offline after the TTL: nobody refreshes them.
    await hugo.client.next('presence-update', 6000, (m) => m.username === 'frank' && !m.online);
    // Someone leaving while Redis is away must not come back as a ghost afterwards.
    await gina.client.close();

    await redis.start();
    // Back by itself: the same connection registers, and the instances see each other's users again.
    await hugo.client.next('presence-update', 10_000, (m) => m.username === 'frank' && m.online);
    await hugo.client.expectNo('presence-update', 500, (m) => m.username === 'gina' && m.online);
    for (let i = 0; ; i++) {
      late.register('ivan');
      await waitFor(() => late.queue.some((m) => m.type === 'welcome' || m.type === 'error'), 3000, 'an answer to register');
      const answer = late.queue.splice(0).find((m) => m.type === 'welcome' || m.type === 'error');
      if (answer?.type === 'welcome') break;
      assert.equal(answer?.type === 'error' && answer.code, 'SERVER_BUSY');
      assert.ok(i < 50, 'the store came back');
      await sleep(100);
    }
    hugo.client.send({ type: 'signal', to: 'frank', cid: cid(2), data: OFFER });
    assert.equal((await frank.client.next('signal')).cid, cid(2), 'relay across instances works again');
    assert.equal(a.stats().connections, 2, 'no connection was dropped on the instance (gina left herself)');
    await Promise.all([frank.client.close(), hugo.client.close(), late.close()]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('faults: Redis away for less than the presence TTL: someone who left meanwhile is seen leaving once it is back', async () => {
  const r = { url: redis.url, prefix: nextPrefix(), presenceTtlMs: 20_000 };
  const a = await startServer({ presence: 'open', redis: { ...r, instanceId: 'a' } });
  const b = await startServer({ presence: 'open', redis: { ...r, instanceId: 'b' } });
  try {
    const jana = await registerUser(a, 'jana');
    const karl = await registerUser(a, 'karl');
    const lena = await registerUser(b, 'lena');
    for (const name of ['jana', 'karl']) {
      if (!lena.presence.online.includes(name)) await lena.client.next('presence-update', 3000, (m) => m.username === name && m.online);
    }
    await redis.stop();
    // Her `down` cannot be written or published now.
    await jana.client.close();
    await redis.start();
    // The instance rewrites its users once Redis is back; the other one reloads and sees her gone.
    await lena.client.next('presence-update', 10_000, (m) => m.username === 'jana' && !m.online);
    await lena.client.expectNo('presence-update', 300, (m) => m.username === 'karl');
    await Promise.all([karl.client.close(), lena.client.close()]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
