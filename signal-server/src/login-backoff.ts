/**
 * Failed-login backoff per account, built so that an attacker cannot lock the real user out.
 *
 * Failures are counted per (account, address group). A group that keeps failing waits longer
 * and longer (exponential, capped) before its next attempt for that account is even hashed. On
 * top, an account-wide soft limit: once an account has collected many failures from all groups
 * together, every group that has failed for it at least once waits from its first failure on.
 * A group that has not failed for the account (the real user at home, on the phone) is never
 * slowed by any of this; the per-address attempt budget and the hash queue still apply to it.
 *
 * Pure state with the clock passed in, so it is unit-tested without waiting.
 */
import { LruMap } from './lru-map';

export interface LoginBackoffOptions {
  /** Failures per (account, group) before it has to wait (default 5). */
  freeFailures: number;
  /** First wait; doubles with each further failure (default 1 s). */
  baseDelayMs: number;
  /** Longest wait (default 15 min). */
  maxDelayMs: number;
  /** Failures for one account, all groups together, that make every failing group wait (default 20). */
  accountSoftLimit: number;
  /** Failures are forgotten this long after the last one (default 1 h). */
  forgetAfterMs: number;
  /** Entries kept at most (least recently used forgotten first; default 100,000). */
  maxEntries: number;
}

export const DEFAULT_LOGIN_BACKOFF: Readonly<LoginBackoffOptions> = Object.freeze({
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60 * 1000,
  accountSoftLimit: 20,
  forgetAfterMs: 60 * 60 * 1000,
  maxEntries: 100_000,
});

interface Failures {
  count: number;
  last: number;
}

export type BackoffVerdict = { ok: true } | { ok: false; retryInMs: number };

export class LoginBackoff {
  private readonly opts: LoginBackoffOptions;
  private readonly pairs: LruMap<string, Failures>;
  private readonly accounts: LruMap<string, Failures>;

  constructor(opts: Partial<LoginBackoffOptions> = {}) {
    this.opts = { ...DEFAULT_LOGIN_BACKOFF, ...opts };
    this.pairs = new LruMap(this.opts.maxEntries);
    this.accounts = new LruMap(this.opts.maxEntries);
  }

  private fresh(map: LruMap<string, Failures>, key: string, now: number): Failures | undefined {
    const f = map.peek(key);
    if (f && now - f.last >= this.opts.forgetAfterMs) {
      map.delete(key);
      return undefined;
    }
    return f;
  }

  /** May `group` try a password for `account` now? */
  check(account: string, group: string, now: number): BackoffVerdict {
    const pair = this.fresh(this.pairs, pairKey(account, group), now);
    if (!pair) return { ok: true };
    const total = this.fresh(this.accounts, account, now)?.count ?? 0;
    const free = total >= this.opts.accountSoftLimit ? 0 : this.opts.freeFailures;
    if (pair.count < free) return { ok: true };
    const wait = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(40, pair.count - free));
    const retryInMs = pair.last + wait - now;
    return retryInMs > 0 ? { ok: false, retryInMs } : { ok: true };
  }

  /** A wrong password (or unknown name) from `group` for `account`. */
  fail(account: string, group: string, now: number): void {
    for (const [map, key] of [
      [this.pairs, pairKey(account, group)],
      [this.accounts, account],
    ] as const) {
      const f = this.fresh(map, key, now);
      map.set(key, { count: (f?.count ?? 0) + 1, last: now });
    }
  }

  /** The right password from `group`: its failures for `account` are forgotten. */
  succeed(account: string, group: string): void {
    this.pairs.delete(pairKey(account, group));
  }

  /** Drops entries whose failures are old enough to be forgotten. */
  prune(now: number): void {
    const stale = (f: Failures): boolean => now - f.last >= this.opts.forgetAfterMs;
    this.pairs.sweep(stale);
    this.accounts.sweep(stale);
  }
}

function pairKey(account: string, group: string): string {
  return `${account}\n${group}`;
}
