/**
 * The limits that protect accounts and the people behind them, as `createSignalServer` options:
 * how addresses are grouped, logged-in connections per account, failed-login backoff, and the
 * relay budget per (sender, target). Checked and built here so server.ts only passes them on.
 */
import { LIMITS } from '../../shared/limits';
import { badConfig } from './errors';
import { ipLimitKey as defaultIpLimitKey, type IpLimitKey } from './ip-key';
import { DEFAULT_LOGIN_BACKOFF, LoginBackoff, type LoginBackoffOptions } from './login-backoff';
import { checkRateLimitOptions, KeyedLimiter, type RateLimitOptions } from './rate-limit';

export interface AccountLimitOptions {
  /**
   * The group an address counts under for every per-address limit. Default: IPv6 by /64, an
   * IPv4-mapped address as IPv4, IPv4 as it is (ip-key.ts). Tests pass a function that maps
   * several loopback addresses (127.0.0.x) into one group to stand in for one IPv6 /64.
   */
  ipLimitKey?: IpLimitKey;
  /** Logged-in connections per account; more get TOO_MANY_SESSIONS. Default 8. */
  maxSessionsPerAccount?: number;
  /**
   * Bytes of relayed `signal` frames per (sender account, target account): refill per second and
   * burst. Default { perSecond: 16 KiB, burst: 256 KiB }; burst is at least one frame (64 KiB).
   */
  relayRateLimit?: Partial<Pick<RateLimitOptions, 'perSecond' | 'burst'>>;
  /** Failed-login backoff (login-backoff.ts); defaults in DEFAULT_LOGIN_BACKOFF. */
  loginBackoff?: Partial<LoginBackoffOptions>;
}

export interface AccountLimits {
  ipLimitKey: IpLimitKey;
  maxSessionsPerAccount: number;
  relayLimiter: KeyedLimiter;
  loginBackoff: LoginBackoff;
}

export function buildAccountLimits(opts: AccountLimitOptions): AccountLimits {
  const ipLimitKey = opts.ipLimitKey ?? defaultIpLimitKey;
  if (typeof ipLimitKey !== 'function') throw badConfig('ipLimitKey must be a function from an address to its group.');
  const maxSessionsPerAccount = opts.maxSessionsPerAccount ?? 8;
  if (!Number.isInteger(maxSessionsPerAccount) || maxSessionsPerAccount < 1 || maxSessionsPerAccount > 10_000) {
    throw badConfig(`maxSessionsPerAccount must be a whole number from 1 to 10000, but it is ${String(maxSessionsPerAccount)}.`);
  }
  // Refused relays are dropped, never counted as abuse of the socket.
  const relay: RateLimitOptions = { perSecond: 16 * 1024, burst: 256 * 1024, ...opts.relayRateLimit, abuseDebt: Number.MAX_SAFE_INTEGER };
  checkRateLimitOptions('relayRateLimit', relay);
  if (relay.burst < LIMITS.maxFrameBytes) throw badConfig(`relayRateLimit.burst must be at least one frame (${LIMITS.maxFrameBytes} bytes), but it is ${relay.burst}.`);
  const backoff: LoginBackoffOptions = { ...DEFAULT_LOGIN_BACKOFF, ...opts.loginBackoff };
  for (const [k, v] of Object.entries(backoff)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw badConfig(`loginBackoff.${k} must be a number of at least 0, but it is ${String(v)}.`);
  }
  if (!Number.isInteger(backoff.maxEntries) || backoff.maxEntries < 1) throw badConfig(`loginBackoff.maxEntries must be a whole number of at least 1.`);
  return { ipLimitKey, maxSessionsPerAccount, relayLimiter: new KeyedLimiter(relay), loginBackoff: new LoginBackoff(backoff) };
}
