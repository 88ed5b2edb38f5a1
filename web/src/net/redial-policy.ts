/**
 * Runs the redial machine (shared/session/redial-machine.ts): when to dial a contact again after
 * a link ended. This class only owns the timers and supplies the jitter.
 */
import type { LinkFailure } from './peer-link';
import {
  initialRedialState,
  redialAllowed,
  stepRedial,
  type RedialEffect,
  type RedialEvent,
  type RedialState,
} from '../../../shared/session/redial-machine';

export class RedialPolicy {
  private machine: RedialState = initialRedialState();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** `redial` runs when a timer fires; it decides whether the contact is still wanted. */
  constructor(private readonly redial: (conv: string, peerName: string) => void) {}

  /** False once secure retries ran out for this contact (until reset). */
  allowed(conv: string): boolean {
    return redialAllowed(this.machine, conv);
  }

  /** A secure session came up, or the person asked to retry: a fresh budget. */
  reset(conv: string): void {
    this.dispatch({ type: 'reset', conv });
  }

  /** A link ended (`failure` null for a normal close). Schedules the next attempt, if any. */
  ended(conv: string, peerName: string, failure: LinkFailure | null): void {
    this.dispatch({ type: 'ended', conv, peerName, failure, random: Math.random() });
  }

  clear(): void {
    this.dispatch({ type: 'clear' });
  }

  private dispatch(event: RedialEvent): void {
    const { state, effects } = stepRedial(this.machine, event);
    this.machine = state;
    for (const effect of effects) this.run(effect);
  }

  private run(effect: RedialEffect): void {
    switch (effect.type) {
      case 'set-timer':
        clearTimeout(this.timers.get(effect.conv));
        this.timers.set(
          effect.conv,
          setTimeout(() => {
            this.timers.delete(effect.conv);
            this.dispatch({ type: 'timer-fired', conv: effect.conv });
          }, effect.ms),
        );
        return;
      case 'clear-all-timers':
        for (const t of this.timers.values()) clearTimeout(t);
        this.timers.clear();
        return;
      case 'redial':
        return this.redial(effect.conv, effect.peerName);
    }
  }
}
