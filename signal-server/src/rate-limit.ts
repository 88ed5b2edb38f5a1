/**
 * Token buckets. Each frame costs one token; tokens refill at `perSecond` up to `burst`.
 * When the bucket is empty the frame is refused and the bucket goes into debt, so a client that
 * keeps flooding digs itself deeper; once the debt reaches `abuseDebt` the verdict is 'abuse'
 * (the server then closes the connection with 1008). A client that slows down pays the debt back
 * through refill and is served again.
 */
import { badConfig } from './errors';

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

  /** Takes one token. */
  take(now: number = Date.now()): Verdict {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'ok';
    }
    this.tokens -= 1;
    return -this.tokens >= this.opts.abuseDebt ? 'abuse' : 'limited';
  }

  /** True when the bucket has refilled completely (an idle entry that can be forgotten). */
  isFull(now: number = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.opts.burst;
  }
}

/**
 * Buckets keyed by a string (an IP address). Full buckets are dropped by {@link prune}, so the
 * map only holds keys that were active recently; `maxKeys` bounds it regardless.
 */
export class KeyedLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly opts: RateLimitOptions,
    private readonly maxKeys = 100_000,
  ) {}

  take(key: string, now: number = Date.now()): Verdict {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.prune(now);
      if (this.buckets.size >= this.maxKeys) return 'limited';
      b = new TokenBucket(this.opts, now);
      this.buckets.set(key, b);
    }
    return b.take(now);
  }

  prune(now: number = Date.now()): void {
    for (const [k, b] of this.buckets) if (b.isFull(now)) this.buckets.delete(k);
  }

  get size(): number {
    return this.buckets.size;
  }
}
