/**
 * Opens where accounts live and how instances share state: the embedded SQLite file in the data
 * folder (checked to be private first), or Redis with the cluster bus beside it (presence and relay
 * between instances, redis-bus.ts), or a store the caller made (tests).
 */
import path from 'node:path';
import type { AccountStore } from './account-store';
import type { ClusterBus } from './cluster-bus';
import { keepDataPrivate } from './data-dir';
import { CodedError } from './errors';
import type { Logger } from './logger';
import { openRedisBus, type RedisOptions } from './redis-bus';
import { openRedisStore } from './redis-store';
import { DB_FILE, openSqliteStore } from './sqlite-store';

export interface StorageOptions {
  store?: AccountStore;
  dataDir?: string;
  redis?: RedisOptions;
  /** How long an instance's presence lives in Redis without a refresh (ms; with `redis` only). */
  presenceTtlMs: number;
  logger: Logger;
}

export async function openStorage(opts: StorageOptions): Promise<{ store: AccountStore; cluster: ClusterBus | undefined; ownsStore: boolean }> {
  const { logger } = opts;
  const ownsStore = !opts.store;
  if (ownsStore && !opts.redis) {
    // Before the store opens: a folder owned by another user is used with a warning, not refused.
    const dataDir = opts.dataDir as string;
    try {
      keepDataPrivate(dataDir, path.join(dataDir, DB_FILE), { warn: (sentence) => logger.warn(sentence) });
    } catch (err) {
      if (err instanceof CodedError) throw err;
      throw new CodedError('DATA_DIR_UNUSABLE', `Cannot use the data folder ${dataDir}: ${(err as Error).message}`, { cause: err });
    }
  }
  const redisOpts = opts.redis ? { logger, prefix: opts.redis.prefix } : undefined;
  const store = opts.store ?? (opts.redis ? await openRedisStore(opts.redis.url, redisOpts as { logger: Logger }) : openSqliteStore(opts.dataDir as string));
  let cluster: ClusterBus | undefined;
  if (opts.redis) {
    try {
      cluster = await openRedisBus(opts.redis.url, { ...redisOpts, logger, instanceId: opts.redis.instanceId, presenceTtlMs: opts.presenceTtlMs });
    } catch (err) {
      if (ownsStore) await store.close();
      throw err;
    }
  }
  return { store, cluster, ownsStore };
}
