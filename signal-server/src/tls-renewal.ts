/**
 * Keeps a generated HTTPS certificate valid while the server runs.
 *
 * {@link ensureSelfSignedCertificate} renews at start only. A server that runs for months would
 * otherwise serve an expired certificate: in particular one issued when the local CA had less
 * than its own life left is cut to end with the CA, and nothing made a new one. So the server
 * checks now and then (every 6 hours by default) with the same rules as at start (server
 * certificate renewed within 30 days of its end or when the addresses it must cover changed; CA
 * renewed within 60 days of its end, with the notice devices need) and, when anything changed,
 * hands the new certificate to `apply`, which loads it into the running server
 * (`server.setSecureContext`): new connections get it, open ones keep theirs.
 */
import type { Logger } from './logger';
import { ensureSelfSignedCertificate, type EnsureOptions, type GeneratedCertificate } from './tls';

export const RENEWAL_CHECK_EVERY_MS = 6 * 60 * 60 * 1000;

export interface CertificateRenewalOptions {
  dataDir: string;
  /** What the certificate should cover (as at start). */
  names: Omit<EnsureOptions, 'now'>;
  /** The certificate the server started with. */
  current: GeneratedCertificate;
  /** Loads a new certificate into the running server. */
  apply: (certificate: GeneratedCertificate) => void;
  logger: Logger;
  /** The clock (tests pass their own). */
  now?: () => Date;
  checkEveryMs?: number;
  /** Starts the periodic check; returns how to stop it (tests pass their own, default setInterval). */
  every?: (tick: () => void, ms: number) => () => void;
}

export interface CertificateRenewal {
  /** The certificate being served now. */
  readonly current: GeneratedCertificate;
  /** Checks once; true when a new certificate was applied. Never throws (failures are logged). */
  check(): Promise<boolean>;
  stop(): void;
}

function defaultEvery(tick: () => void, ms: number): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

export function startCertificateRenewal(opts: CertificateRenewalOptions): CertificateRenewal {
  const now = opts.now ?? (() => new Date());
  let current = opts.current;
  let running: Promise<boolean> | undefined;
  let stopped = false;

  async function checkOnce(): Promise<boolean> {
    let next: GeneratedCertificate;
    try {
      next = await ensureSelfSignedCertificate(opts.dataDir, { ...opts.names, now: now() });
    } catch (err) {
      opts.logger.warn({ err: (err as Error).message }, 'HTTPS certificate renewal failed; will try again');
      return false;
    }
    if (stopped || (next.fingerprint256 === current.fingerprint256 && next.caFingerprint256 === current.caFingerprint256)) return false;
    try {
      opts.apply(next);
    } catch (err) {
      opts.logger.warn({ err: (err as Error).message }, 'HTTPS certificate renewed on disk but could not be loaded; will try again');
      return false;
    }
    current = next;
    opts.logger.info({ action: next.action, names: next.names, validTo: next.validTo.toISOString() }, 'HTTPS certificate renewed while running');
    for (const notice of next.notices) opts.logger.warn(notice);
    return true;
  }

  function check(): Promise<boolean> {
    // One check at a time: a slow disk must not make two renewals race over the same files.
    running ??= checkOnce().finally(() => (running = undefined));
    return running;
  }

  const stopTimer = (opts.every ?? defaultEvery)(() => void check(), opts.checkEveryMs ?? RENEWAL_CHECK_EVERY_MS);
  return {
    get current() {
      return current;
    },
    check,
    stop() {
      stopped = true;
      stopTimer();
    },
  };
}
