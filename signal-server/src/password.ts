/**
 * Password hashing with node:crypto scrypt.
 *
 * Stored format (self-describing, so parameters can be raised later without breaking old rows):
 *   scrypt$<N>$<r>$<p>$<salt, base64url>$<hash, base64url>
 *
 * scrypt at N=2^17, r=8 needs 128 MiB and tens of milliseconds of CPU per call, so the number of
 * hashes running at once is capped and the waiting line is bounded: past it callers get a
 * `SERVER_BUSY` error instead of the process running out of memory. The line is fair between
 * address groups and accounts (hash-queue.ts): past their share callers get `RATE_LIMITED`; a
 * group whose password matched recently keeps a reserved share of its account's places.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { badConfig } from './errors';
import { FairQueue, type HashCaller } from './hash-queue';

export type { HashCaller } from './hash-queue';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. Production: 2^17. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelisation. */
  p: number;
}

export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const MIB = 1024 * 1024;

export interface PasswordHasherOptions {
  scrypt?: Partial<ScryptParams>;
  /** Hashes computed at the same time (default 2). */
  maxConcurrent?: number;
  /** Hashes allowed to wait for a free slot; beyond that: SERVER_BUSY (default 32). */
  maxQueued?: number;
  /** Waiting hashes one address group may hold; beyond that: RATE_LIMITED (default 8). */
  maxQueuedPerAddress?: number;
  /** Waiting hashes one account may hold; beyond that: RATE_LIMITED (default 4). */
  maxQueuedPerAccount?: number;
}

export interface HasherStats {
  active: number;
  queued: number;
  /** Highest `active` seen since creation (lets tests check the cap). */
  peakActive: number;
}

export interface PasswordHasher {
  readonly params: Readonly<ScryptParams>;
  /**
   * Hashes a new password with a fresh random salt. Rejects with code SERVER_BUSY when the line
   * is full, RATE_LIMITED when `who`'s address group or account has its share waiting.
   */
  hashPassword(password: string, who?: HashCaller): Promise<string>;
  /** True when `password` matches `stored`. False (never a throw) for malformed stored values. */
  verifyPassword(password: string, stored: string, who?: HashCaller): Promise<boolean>;
  /**
   * Spends the same work as {@link verifyPassword} against a fixed dummy hash and resolves false.
   * Used for unknown usernames so response time does not tell who has an account.
   */
  dummyVerify(password: string, who?: HashCaller): Promise<false>;
  stats(): HasherStats;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}

/** Throws BAD_CONFIG unless the parameters are sane. Lower bound 2^10 keeps tests fast but real. */
export function checkScryptParams(p: ScryptParams): void {
  if (!isPowerOfTwo(p.N) || p.N < 2 ** 10 || p.N > 2 ** 20) {
    throw badConfig(`scrypt N must be a power of two from 2^10 to 2^20, but it is ${p.N}.`);
  }
  if (!Number.isInteger(p.r) || p.r < 1 || p.r > 32) throw badConfig(`scrypt r must be a whole number from 1 to 32, but it is ${p.r}.`);
  if (!Number.isInteger(p.p) || p.p < 1 || p.p > 16) throw badConfig(`scrypt p must be a whole number from 1 to 16, but it is ${p.p}.`);
}

function scryptOptions(p: ScryptParams): ScryptOptions {
  // Node refuses when 128*N*r exceeds maxmem; leave generous room, never below 256 MiB.
  const needed = 128 * p.N * p.r * (p.p + 1);
  return { N: p.N, r: p.r, p: p.p, maxmem: Math.max(256 * MIB, needed + 32 * MIB) };
}

function derive(password: string, salt: Buffer, params: ScryptParams, keyLen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLen, scryptOptions(params), (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export function formatHash(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Splits a stored hash; null when it is not one of ours or its parameters are out of range. */
export function parseHash(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  if (![n, r, p].every((x) => /^\d{1,8}$/.test(x))) return null;
  if (![salt, hash].every((x) => /^[A-Za-z0-9_-]+$/.test(x))) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  try {
    checkScryptParams(params);
  } catch {
    return null;
  }
  const saltBuf = Buffer.from(salt, 'base64url');
  const hashBuf = Buffer.from(hash, 'base64url');
  if (saltBuf.length < 8 || hashBuf.length < 16 || hashBuf.length > 64) return null;
  return { params, salt: saltBuf, hash: hashBuf };
}

export function createPasswordHasher(opts: PasswordHasherOptions = {}): PasswordHasher {
  const params: ScryptParams = { ...DEFAULT_SCRYPT, ...opts.scrypt };
  checkScryptParams(params);
  const maxConcurrent = opts.maxConcurrent ?? 2;
  const maxQueued = opts.maxQueued ?? 32;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1 || maxConcurrent > 64) {
    throw badConfig(`maxConcurrent hashes must be a whole number from 1 to 64, but it is ${maxConcurrent}.`);
  }
  if (!Number.isInteger(maxQueued) || maxQueued < 0 || maxQueued > 100_000) {
    throw badConfig(`maxQueued hashes must be a whole number from 0 to 100000, but it is ${maxQueued}.`);
  }

  const maxQueuedPerAddress = opts.maxQueuedPerAddress ?? 8;
  const maxQueuedPerAccount = opts.maxQueuedPerAccount ?? 4;
  for (const [name, v] of [
    ['maxQueuedPerAddress', maxQueuedPerAddress],
    ['maxQueuedPerAccount', maxQueuedPerAccount],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 100_000) throw badConfig(`${name} hashes must be a whole number from 1 to 100000, but it is ${v}.`);
  }
  const queue = new FairQueue({ maxConcurrent, maxQueued, maxQueuedPerAddress, maxQueuedPerAccount });

  // A fixed dummy hash made with the current parameters, so a dummy verify costs the same.
  const dummySalt = randomBytes(SALT_BYTES);
  const dummyHash = randomBytes(KEY_BYTES);

  return {
    params: Object.freeze({ ...params }),

    hashPassword(password, who = {}) {
      return queue
        .run(who, async () => {
          const salt = randomBytes(SALT_BYTES);
          const hash = await derive(password, salt, params, KEY_BYTES);
          return formatHash(params, salt, hash);
        })
        .then((hash) => {
          // The group that chose the password (registered) is known to the account.
          queue.recordSuccess(who);
          return hash;
        });
    },

    verifyPassword(password, stored, who = {}) {
      const parsed = parseHash(stored);
      if (!parsed) return Promise.resolve(false);
      return queue
        .run(who, async () => {
          const actual = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
          return actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
        })
        .then((ok) => {
          // A group that knows the password gets the account's reserved share of the line.
          if (ok) queue.recordSuccess(who);
          return ok;
        });
    },

    dummyVerify(password, who = {}) {
      return queue.run(who, async () => {
        const actual = await derive(password, dummySalt, params, KEY_BYTES);
        timingSafeEqual(actual, dummyHash);
        return false as const;
      });
    },

    stats: () => queue.stats(),
  };
}
