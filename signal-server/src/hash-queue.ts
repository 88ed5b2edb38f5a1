/**
 * The line in front of the password hasher. Only `maxConcurrent` hashes run at once (each needs
 * 128 MiB); the rest wait here. The waiting line is fair: waiters are grouped by address group
 * and served round-robin between groups, and no address group and no account may hold more than
 * its share of places, so one address (or many addresses aiming at one account) cannot fill the
 * line and starve everyone else.
 *
 * Refusals are immediate: `RATE_LIMITED` when the caller's address group or account already has
 * its share waiting, `SERVER_BUSY` when the whole line is full.
 */
import { CodedError } from './errors';

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
  /** Places one account may hold. */
  maxQueuedPerAccount: number;
}

interface Waiter {
  account: string | undefined;
  start: () => void;
}

export class FairQueue {
  private active = 0;
  private peak = 0;
  private queued = 0;
  /** Address group → its waiters; Map order is the round-robin order. */
  private readonly lanes = new Map<string, Waiter[]>();
  private readonly perAccount = new Map<string, number>();

  constructor(private readonly opts: FairQueueOptions) {}

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
    if (account !== undefined && (this.perAccount.get(account) ?? 0) >= this.opts.maxQueuedPerAccount) {
      return Promise.reject(new CodedError('RATE_LIMITED', 'Too many password hashes are waiting for this account.'));
    }
    if (this.queued >= this.opts.maxQueued) return Promise.reject(new CodedError('SERVER_BUSY', 'Too many password hashes are waiting.'));
    return new Promise<void>((start) => {
      if (lane) lane.push({ account, start });
      else this.lanes.set(address, [{ account, start }]);
      this.queued++;
      if (account !== undefined) this.perAccount.set(account, (this.perAccount.get(account) ?? 0) + 1);
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
      const left = (this.perAccount.get(waiter.account) ?? 1) - 1;
      if (left > 0) this.perAccount.set(waiter.account, left);
      else this.perAccount.delete(waiter.account);
    }
    waiter.start();
  }

  stats(): { active: number; queued: number; peakActive: number } {
    return { active: this.active, queued: this.queued, peakActive: this.peak };
  }
}
