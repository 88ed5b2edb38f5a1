/**
 * Token buckets. Each frame costs one token; tokens refill at `perSecond` up to `burst`.
 * When the bucket is empty the frame is refused and the bucket goes into debt, so a client that
 * keeps flooding digs itself deeper; once the debt reaches `abuseDebt` the verdict is 'abuse'
 * (the server then closes the connection with 1008). A client that slows down pays the debt back
 * through refill and is served again.
 */
import { badConfig } from './errors';
import { LruMap } from './lru-map';

export interface RateLimitOptions {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: how many frames may arrive at once. */
  burst: number;
  /** Debt (refused frames not yet paid back) at which the verdict becomes 'abuse'. */
  abuseDebt: number;
}

export type Verdict = 'ok' | 'limited' | 'abuse';

export function checkRateLimitOptions(name: string, o: RateLimitOptions): void {
  for (const k of ['perSecond', 'burst', 'abuseDebt'] as const) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw badConfig(`${name}.${k} must be a positive number, but it is ${String(v)}.`);
    }
  }
  if (o.burst < 1) throw badConfig(`${name}.burst must be at least 1, but it is ${o.burst}.`);
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly opts: RateLimitOptions,
    now: number = Date.now(),
  ) {
    this.tokens = opts.burst;
    this.last = now;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.opts.burst, this.tokens + elapsed * this.opts.perSecond);
  }

  /**
   * Takes `cost` tokens (default one). A refused take costs nothing when `cost` > 1: a budget
   * counted in bytes refuses the big frame but does not go into debt for it.
   */
  take(now: number = Date.now(), cost = 1): Verdict {
    this.refill(now);
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return 'ok';
    }
    if (cost === 1) this.tokens -= 1;
    return -this.tokens >= this.opts.abuseDebt ? 'abuse' : 'limited';
  }

  /** True when the bucket has refilled completely (an idle entry that can be forgotten). */
  isFull(now: number = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.opts.burst;
  }
}

/**
 * Buckets keyed by a string (an address group, a pair of accounts). At most `maxKeys` are kept:
 * a new key pushes out the least recently used one, so a flood of new keys neither grows memory
 * nor wipes (or blocks) the keys that are being limited right now. {@link prune} drops full
 * buckets (idle keys) early.
 */
export class KeyedLimiter {
  private readonly buckets: LruMap<string, TokenBucket>;

  constructor(
    private readonly opts: RateLimitOptions,
    maxKeys = 100_000,
  ) {
    this.buckets = new LruMap(maxKeys);
  }

  take(key: string, now: number = Date.now(), cost = 1): Verdict {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.opts, now);
      this.buckets.set(key, b);
    }
    return b.take(now, cost);
  }

  /** True while `key` has a bucket (it was used recently and was not evicted or pruned). */
  has(key: string): boolean {
    return this.buckets.has(key);
  }

  prune(now: number = Date.now()): void {
    this.buckets.sweep((b) => b.isFull(now));
  }

  get size(): number {
    return this.buckets.size;
  }
}
