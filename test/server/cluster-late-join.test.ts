/**
 * An instance that joins a cluster already in use (a restarted or added instance) must know the
 * users already logged in on the others: they are online to its clients, and it relays to them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cid, OFFER, registerUser, startServer } from './helpers';
import { RedisProcess } from './redis-process';

let redis: RedisProcess;
before(async () => {
  redis = await RedisProcess.start();
});
after(async () => {
  await redis.dispose();
});

test('cluster: an instance started after users logged in elsewhere sees them online and relays to them', async () => {
  const r = { url: redis.url, prefix: 'late-join:' };
  const first = await startServer({ presence: 'open', redis: { ...r, instanceId: 'first' } });
  let late: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const alice = await registerUser(first, 'alice');
    late = await startServer({ presence: 'open', redis: { ...r, instanceId: 'late' } });
    const bob = await registerUser(late, 'bob');
    assert.deepEqual(bob.presence.online, ['alice'], 'the late instance knows alice is online');
    bob.client.send({ type: 'signal', to: 'alice', cid: cid(1), data: OFFER });
    assert.equal((await alice.client.next('signal')).from, 'bob', 'and relays to her');
    // Her leaving is heard there too (the stand-in it loaded is a real one).
    await alice.client.close();
    await bob.client.next('presence-update', 3000, (m) => m.username === 'alice' && !m.online);
    await bob.client.close();
  } finally {
    await late?.stop();
    await first.stop();
  }
});
