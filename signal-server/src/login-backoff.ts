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
 * People behind one carrier-grade NAT share an address group, so a stranger guessing there would
 * make the real user wait too. Browsers that logged in to the account before are therefore
 * counted apart: a login that names a device id (the `deviceId` of the login frame) which has
 * logged in to this account successfully in the last 30 days is checked against its own counter,
 * (account, group, device), not the group's. The device id is not a secret (the signed device
 * list shows it), so it is only a way to split the count, never a pass: a stranger who sends a
 * known device id is counted under that id (and only in their own group), the account-wide soft
 * limit still applies to every counter that failed, and the number of known devices per account
 * is small, so the extra guesses it gives are few. A device that never logged in (a new phone)
 * is counted with its group as before.
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
  /** A device stays known to an account this long after its last successful login (default 30 days). */
  knownDeviceForMs: number;
}

export const DEFAULT_LOGIN_BACKOFF: Readonly<LoginBackoffOptions> = Object.freeze({
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60 * 1000,
  accountSoftLimit: 20,
  forgetAfterMs: 60 * 60 * 1000,
  maxEntries: 100_000,
  knownDeviceForMs: 30 * 24 * 60 * 60 * 1000,
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
  /** `account\ndevice` → time of the device's last successful login to the account. */
  private readonly knownDevices: LruMap<string, number>;

  constructor(opts: Partial<LoginBackoffOptions> = {}) {
    this.opts = { ...DEFAULT_LOGIN_BACKOFF, ...opts };
    this.pairs = new LruMap(this.opts.maxEntries);
    this.accounts = new LruMap(this.opts.maxEntries);
    this.knownDevices = new LruMap(this.opts.maxEntries);
  }

  /** The counter a login attempt falls under: its own for a known device, else its group's. */
  private counterKey(account: string, group: string, device: string | undefined, now: number): string {
    if (device === undefined) return pairKey(account, group);
    const deviceKey = pairKey(account, device);
    const at = this.knownDevices.peek(deviceKey);
    if (at === undefined) return pairKey(account, group);
    if (now - at >= this.opts.knownDeviceForMs) {
      this.knownDevices.delete(deviceKey);
      return pairKey(account, group);
    }
    return `${pairKey(account, group)}\n${device}`;
  }

  private fresh(map: LruMap<string, Failures>, key: string, now: number): Failures | undefined {
    const f = map.peek(key);
    if (f && now - f.last >= this.opts.forgetAfterMs) {
      map.delete(key);
      return undefined;
    }
    return f;
  }

  /**
   * May `group` try a password for `account` now? `device` is the device id the login names, if
   * any: a device that logged in to the account before is not slowed by its group's failures.
   */
  check(account: string, group: string, now: number, device?: string): BackoffVerdict {
    const pair = this.fresh(this.pairs, this.counterKey(account, group, device, now), now);
    if (!pair) return { ok: true };
    const total = this.fresh(this.accounts, account, now)?.count ?? 0;
    const free = total >= this.opts.accountSoftLimit ? 0 : this.opts.freeFailures;
    if (pair.count < free) return { ok: true };
    const wait = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(40, pair.count - free));
    const retryInMs = pair.last + wait - now;
    return retryInMs > 0 ? { ok: false, retryInMs } : { ok: true };
  }

  /** A wrong password (or unknown name) from `group` for `account`. */
  fail(account: string, group: string, now: number, device?: string): void {
    for (const [map, key] of [
      [this.pairs, this.counterKey(account, group, device, now)],
      [this.accounts, account],
    ] as const) {
      const f = this.fresh(map, key, now);
      map.set(key, { count: (f?.count ?? 0) + 1, last: now });
    }
  }

  /**
   * The right password from `group`: its failures for `account` are forgotten, and `device` (if
   * named) is known to the account from now on.
   */
  succeed(account: string, group: string, device?: string, now: number = Date.now()): void {
    // Only the counter the attempt was checked under: a known device's success does not wipe the
    // failures of strangers in its group.
    this.pairs.delete(this.counterKey(account, group, device, now));
    if (device !== undefined) this.knownDevices.set(pairKey(account, device), now);
  }

  /** Drops entries whose failures are old enough to be forgotten. */
  prune(now: number): void {
    const stale = (f: Failures): boolean => now - f.last >= this.opts.forgetAfterMs;
    this.pairs.sweep(stale);
    this.accounts.sweep(stale);
    this.knownDevices.sweep((at) => now - at >= this.opts.knownDeviceForMs);
  }
}

function pairKey(account: string, group: string): string {
  return `${account}\n${group}`;
}
