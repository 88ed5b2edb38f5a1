/**
 * The line in front of the password hasher. Only `maxConcurrent` hashes run at once (each needs
 * 128 MiB); the rest wait here. The waiting line is fair: waiters are grouped by address group
 * and served round-robin between groups, and no address group and no account may hold more than
 * its share of places, so one address (or many addresses aiming at one account) cannot fill the
 * line and starve everyone else.
 *
 * Refusals are immediate: `RATE_LIMITED` when the caller's address group or account already has
 * its share waiting, `SERVER_BUSY` when the whole line is full.
 *
 * The account's share alone could be filled by strangers: someone holding many IPv6 /64s aims
 * one waiting hash at the account from each, and the real user's login finds the share full. So
 * an account has a second share of the same size, reserved for address groups that logged in to
 * it successfully not long ago (`recordSuccess`, called by the hasher when a password matched).
 * Strangers can only fill the first share; the real user at home or on the phone (a known group)
 * still gets a place. A new group of the real user's (a hotel) can still be crowded out while an
 * attack runs; splitting the account's share between groups would not help there, because an
 * attacker with many groups holds one place in each. A stranger sharing a known group (the same
 * carrier NAT) can use the reserved share too, but only up to its size and the group's own share.
 */
import { CodedError } from './errors';
import { LruMap } from './lru-map';

/** Who asks for a hash; callers without one share a single unlimited lane. */
export interface HashCaller {
  /** Address group (see ip-key.ts). */
  address?: string;
  /** usernameKey of the account the password is for. */
  account?: string;
}

export interface FairQueueOptions {
  maxConcurrent: number;
  /** Places in the waiting line in total. */
  maxQueued: number;
  /** Places one address group may hold. */
  maxQueuedPerAddress: number;
  /** Places one account may hold for any group; as many again are reserved for known groups. */
  maxQueuedPerAccount: number;
  /** How long a successful login keeps its (account, group) known (default 30 days). */
  knownGroupForMs?: number;
  /** Known (account, group) pairs kept at most, least recently used forgotten (default 100,000). */
  maxKnownGroups?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

export const KNOWN_GROUP_FOR_MS = 30 * 24 * 60 * 60 * 1000;

interface Waiter {
  account: string | undefined;
  /** Which share of the account the waiter holds a place in. */
  share: Map<string, number>;
  start: () => void;
}

export class FairQueue {
  private active = 0;
  private peak = 0;
  private queued = 0;
  /** Address group → its waiters; Map order is the round-robin order. */
  private readonly lanes = new Map<string, Waiter[]>();
  private readonly perAccount = new Map<string, number>();
  /** Places held in the share reserved for known groups, per account. */
  private readonly perAccountKnown = new Map<string, number>();
  /** `account\ngroup` → when that group last logged in to that account. */
  private readonly known: LruMap<string, number>;
  private readonly now: () => number;

  constructor(private readonly opts: FairQueueOptions) {
    this.known = new LruMap(opts.maxKnownGroups ?? 100_000);
    this.now = opts.now ?? Date.now;
  }

  /** The caller's password matched: its address group is known to its account from now on. */
  recordSuccess(who: HashCaller): void {
    if (who.account === undefined || who.address === undefined) return;
    this.known.set(knownKey(who.account, who.address), this.now());
  }

  private isKnown(account: string, address: string | undefined): boolean {
    if (address === undefined) return false;
    const key = knownKey(account, address);
    const at = this.known.peek(key);
    if (at === undefined) return false;
    if (this.now() - at < (this.opts.knownGroupForMs ?? KNOWN_GROUP_FOR_MS)) return true;
    this.known.delete(key);
    return false;
  }

  /** Runs `job` when it is this caller's turn; rejects at once when the caller may not wait. */
  async run<T>(who: HashCaller, job: () => Promise<T>): Promise<T> {
    if (this.active >= this.opts.maxConcurrent) {
      await this.wait(who);
    } else {
      this.active++;
    }
    this.peak = Math.max(this.peak, this.active);
    try {
      return await job();
    } finally {
      this.release();
    }
  }

  private wait(who: HashCaller): Promise<void> {
    const address = who.address ?? '';
    const lane = this.lanes.get(address);
    if (who.address !== undefined && (lane?.length ?? 0) >= this.opts.maxQueuedPerAddress) {
      return Promise.reject(new CodedError('RATE_LIMITED', 'Too many password hashes are waiting for this address.'));
    }
    const account = who.account;
    let share = this.perAccount;
    if (account !== undefined && (this.perAccount.get(account) ?? 0) >= this.opts.maxQueuedPerAccount) {
      // The open share is full; a group that logged in here recently may use the reserved one.
      share = this.perAccountKnown;
      if (!this.isKnown(account, who.address) || (share.get(account) ?? 0) >= this.opts.maxQueuedPerAccount) {
        return Promise.reject(new CodedError('RATE_LIMITED', 'Too many password hashes are waiting for this account.'));
      }
    }
    if (this.queued >= this.opts.maxQueued) return Promise.reject(new CodedError('SERVER_BUSY', 'Too many password hashes are waiting.'));
    return new Promise<void>((start) => {
      const waiter: Waiter = { account, share, start };
      if (lane) lane.push(waiter);
      else this.lanes.set(address, [waiter]);
      this.queued++;
      if (account !== undefined) share.set(account, (share.get(account) ?? 0) + 1);
    });
  }

  /** A job finished: hand its slot to the first waiter of the next lane, or free it. */
  private release(): void {
    const next = this.lanes.entries().next();
    if (next.done) {
      this.active--;
      return;
    }
    const [address, lane] = next.value;
    const waiter = lane.shift() as Waiter;
    // This lane goes to the back of the round (or away when empty).
    this.lanes.delete(address);
    if (lane.length > 0) this.lanes.set(address, lane);
    this.queued--;
    if (waiter.account !== undefined) {
      const left = (waiter.share.get(waiter.account) ?? 1) - 1;
      if (left > 0) waiter.share.set(waiter.account, left);
      else waiter.share.delete(waiter.account);
    }
    waiter.start();
  }

  stats(): { active: number; queued: number; peakActive: number } {
    return { active: this.active, queued: this.queued, peakActive: this.peak };
  }
}

function knownKey(account: string, address: string): string {
  return `${account}\n${address}`;
}
