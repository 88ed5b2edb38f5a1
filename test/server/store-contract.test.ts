/**
 * The AccountStore contract (store-contract.ts) against both stores: the embedded SQLite one and
 * the Redis one (a real redis-server started here, on a free loopback port, without persistence).
 */
import fs from 'node:fs';
import { after, before } from 'node:test';
import type { AccountStore } from '../../signal-server/src/account-store';
import { silentLogger } from '../../signal-server/src/logger';
import { openRedisStore } from '../../signal-server/src/redis-store';
import { openSqliteStore } from '../../signal-server/src/sqlite-store';
import { tempDir } from './helpers';
import { RedisProcess } from './redis-process';
import { storeContract } from './store-contract';

storeContract('SQLite', async () => {
  const dir = tempDir();
  let current: AccountStore = openSqliteStore(dir);
  return {
    get store() {
      return current;
    },
    async reopen() {
      await current.close();
      current = openSqliteStore(dir);
      return current;
    },
    async cleanup() {
      await current.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

let redis: RedisProcess | undefined;
before(async () => {
  redis = await RedisProcess.start();
});
after(async () => {
  await redis?.dispose();
});

let fixtures = 0;
storeContract('Redis', async () => {
  const url = (redis as RedisProcess).url;
  // Each test gets its own key prefix, so tests sharing the one redis-server never meet.
  const prefix = `contract-${++fixtures}:`;
  const open = (): Promise<AccountStore> => openRedisStore(url, { logger: silentLogger(), prefix });
  let current = await open();
  return {
    get store() {
      return current;
    },
    async reopen() {
      await current.close();
      current = await open();
      return current;
    },
    async cleanup() {
      await current.close();
    },
  };
});
