/** The scale-out settings: REDIS_URL / --redis-url, PRESENCE_TTL, REDIS_PREFIX. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../signal-server/src/config';

const ARGV0 = ['node', 'main.js'];

test('scale-out settings: unset means SQLite; REDIS_URL and the flags select Redis', () => {
  const plain = loadConfig(ARGV0, {});
  assert.equal(plain.redisUrl, undefined);
  assert.equal(plain.presenceTtlMs, 15_000);
  assert.equal(plain.redisPrefix, 'peerchat:');
  const env = loadConfig(ARGV0, { REDIS_URL: 'redis://10.0.0.5:6379', PRESENCE_TTL: '5', REDIS_PREFIX: 'chat1:' });
  assert.deepEqual([env.redisUrl, env.presenceTtlMs, env.redisPrefix], ['redis://10.0.0.5:6379', 5000, 'chat1:']);
  const flags = loadConfig([...ARGV0, '--redis-url', 'rediss://user:pw@redis.example.org:6380', '--presence-ttl', '30'], { REDIS_URL: 'redis://ignored' });
  assert.deepEqual([flags.redisUrl, flags.presenceTtlMs], ['rediss://user:pw@redis.example.org:6380', 30_000]);
});

test('scale-out settings: a bad value is refused with a sentence naming the setting', () => {
  assert.throws(() => loadConfig(ARGV0, { REDIS_URL: 'localhost:6379' }), /REDIS_URL must be a URL like redis:\/\//);
  assert.throws(() => loadConfig([...ARGV0, '--redis-url', 'http://x'], {}), /--redis-url must be a URL/);
  assert.throws(() => loadConfig(ARGV0, { PRESENCE_TTL: '0' }), /PRESENCE_TTL must be a whole number of seconds from 1 to 3600/);
  assert.throws(() => loadConfig(ARGV0, { PRESENCE_TTL: '1.5' }), /PRESENCE_TTL/);
});
