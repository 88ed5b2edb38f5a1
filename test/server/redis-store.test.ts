/**
 * What only the Redis store has to show beyond the contract (store-contract.test.ts): two
 * instances racing on one account, and Redis going away and coming back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../signal-server/src/logger';
import { openRedisStore } from '../../signal-server/src/redis-store';
import { freePort, RedisProcess } from './redis-process';
import { sleep } from './helpers';

const HASH = 'scrypt$16384$8$1$c2FsdA$aGFzaA';
const list = (version: number, text: string) => ({ signed: { list: text, sig: 's'.repeat(86) }, version });

let redis: RedisProcess;
before(async () => {
  redis = await RedisProcess.start();
});
after(async () => {
  await redis.dispose();
});

test('Redis store: two instances publishing the same version at once: exactly one list is stored', async () => {
  const opts = { logger: silentLogger(), prefix: 'race:' };
  const [a, b] = await Promise.all([openRedisStore(redis.url, opts), openRedisStore(redis.url, opts)]);
  try {
    await a.createUser('mia', HASH);
    for (let v = 1; v <= 20; v++) {
      const results = await Promise.all([a.setDeviceList('mia', list(v, `a${v}`)), b.setDeviceList('mia', list(v, `b${v}`))]);
      assert.equal(results.filter(Boolean).length, 1, `version ${v}: one winner`);
      const stored = (await a.getUser('mia'))?.deviceList;
      assert.equal(stored?.signed.list, results[0] ? `a${v}` : `b${v}`, 'the winner is what is stored');
    }
    const made = await Promise.all([a.createUser('Nia', HASH), b.createUser('nia', HASH)]);
    assert.equal(made.filter((r) => r.ok).length, 1, 'one of two racing registrations wins');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('Redis store: while Redis is away operations fail fast with SERVER_BUSY; afterwards they work again', async () => {
  const store = await openRedisStore(redis.url, { logger: silentLogger(), prefix: 'outage:' });
  try {
    await store.createUser('olga', HASH);
    await redis.stop();
    await assert.rejects(store.getUser('olga'), (err: Error & { code?: string }) => err.code === 'SERVER_BUSY');
    await assert.rejects(store.createSession('olga', 'h', Date.now() + 60_000), (err: Error & { code?: string }) => err.code === 'SERVER_BUSY');
    await redis.start();
    // The client reconnects by itself (no new store); the test server keeps nothing, so the
    // account is gone, but registering works again.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await store.createUser('olga', HASH).catch((err: Error & { code?: string }) => err.code);
      if (r !== 'SERVER_BUSY') {
        assert.deepEqual(r && typeof r === 'object' && r.ok, true);
        break;
      }
      assert.ok(Date.now() < deadline, 'the store came back within 10 s');
      await sleep(50);
    }
    assert.equal((await store.getUser('olga'))?.username, 'olga');
  } finally {
    await store.close();
  }
});

test('Redis store: no Redis at start: opening fails with STORE_UNREACHABLE and a sentence naming the URL', async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  await assert.rejects(
    openRedisStore(url, { logger: silentLogger(), connectTimeoutMs: 300 }),
    (err: Error & { code?: string }) => err.code === 'STORE_UNREACHABLE' && err.message.includes(url) && /Start Redis or check REDIS_URL/.test(err.message),
  );
});
