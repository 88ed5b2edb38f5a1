/**
 * Opening Redis connections (ioredis) the way every scale-out part wants them:
 *
 * - No offline queue: while Redis is away a command fails at once (the caller answers
 *   SERVER_BUSY) instead of piling up in memory until Redis returns.
 * - Reconnects forever with a capped backoff, so an instance recovers by itself, no restart.
 * - An `error` listener that logs one line per outage (an ioredis client without one would crash
 *   the process with an unhandled 'error' event).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { CodedError } from './errors';
import type { Logger } from './logger';

export interface RedisConnectOptions {
  logger: Logger;
  /** Shown in CLIENT LIST, e.g. `peerchat-store`. */
  name: string;
  /** Give up starting when Redis is not reachable this long. Default 10 s. */
  connectTimeoutMs?: number;
  /** Queue commands while disconnected (only for the pub/sub subscriber, which resubscribes). */
  offlineQueue?: boolean;
}

/** The URL without a password, for log lines and error sentences. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparsable url)';
  }
}

/** Opens a client and waits until it is ready. Throws a CodedError with a sentence when it cannot. */
export async function connectRedis(url: string, opts: RedisConnectOptions): Promise<Redis> {
  const options: RedisOptions = {
    lazyConnect: true,
    connectionName: opts.name,
    enableOfflineQueue: opts.offlineQueue ?? false,
    maxRetriesPerRequest: 1,
    commandTimeout: 5_000,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  };
  let client: Redis;
  try {
    client = new Redis(url, options);
  } catch (err) {
    throw new CodedError('BAD_CONFIG', `REDIS_URL is not a Redis URL like redis://host:6379: ${(err as Error).message}`, { cause: err });
  }
  let down = false;
  client.on('error', (err: Error & { code?: string }) => {
    if (down) return;
    down = true;
    opts.logger.warn({ redis: opts.name, code: err.code, err: err.message }, 'Redis unreachable; retrying');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    opts.logger.info({ redis: opts.name }, 'Redis reachable again');
  });

  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  // The first attempt may fail; the retry strategy keeps trying until `ready` or the timeout.
  client.connect().catch(() => undefined);
  if (!(await ready)) {
    client.disconnect();
    throw new CodedError('STORE_UNREACHABLE', `Cannot reach Redis at ${redactRedisUrl(url)} (tried for ${Math.round(timeoutMs / 1000)} s). Start Redis or check REDIS_URL.`);
  }
  return client;
}
