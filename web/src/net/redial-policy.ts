/**
 * When to dial a contact again after a link ended. A dropped or failed connection is retried
 * after a short random delay while the contact is still wanted. A connection that could not be
 * secured is retried a couple of times with growing delays, then only when the person presses
 * "Retry" (a hostile network must not make us dial forever). A key change waits for the person.
 */
import type { LinkFailure } from './peer-link';

/** Secure-session failures in a row after which automatic redials stop until "Retry". */
export const MAX_INSECURE_RETRIES = 3;

export class RedialPolicy {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly insecure = new Map<string, number>();

  /** `redial` runs when a timer fires; it decides whether the contact is still wanted. */
  constructor(private readonly redial: (conv: string, peerName: string) => void) {}

  /** False once secure retries ran out for this contact (until reset). */
  allowed(conv: string): boolean {
    return (this.insecure.get(conv) ?? 0) < MAX_INSECURE_RETRIES;
  }

  /** A secure session came up, or the person asked to retry: a fresh budget. */
  reset(conv: string): void {
    this.insecure.delete(conv);
  }

  /** A link ended (`failure` null for a normal close). Schedules the next attempt, if any. */
  ended(conv: string, peerName: string, failure: LinkFailure | null): void {
    if (failure === 'key-changed') return;
    let extra = 0;
    if (failure === 'insecure' || failure === 'no-key') {
      const streak = (this.insecure.get(conv) ?? 0) + 1;
      this.insecure.set(conv, streak);
      if (streak >= MAX_INSECURE_RETRIES) return;
      extra = 2000 * streak;
    }
    clearTimeout(this.timers.get(conv));
    const delay = 1000 + Math.random() * 2000 + extra;
    this.timers.set(
      conv,
      setTimeout(() => {
        this.timers.delete(conv);
        this.redial(conv, peerName);
      }, delay),
    );
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.insecure.clear();
  }
}
