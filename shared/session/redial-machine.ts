/**
 * When to dial a contact again after a link ended, as a pure state machine (no timers, no
 * randomness of its own: the jitter comes in with the event; timers go out as effects).
 *
 * A dropped or failed connection is retried after a short random delay while the contact is
 * still wanted (the runner decides that when the timer fires). A connection that could not be
 * secured is retried a couple of times with growing delays, then only when the person presses
 * "Retry" (a hostile network must not make us dial forever). A key change waits for the person.
 */
import type { LinkFailure } from './peer-link-machine';

/** Secure-session failures in a row after which automatic redials stop until "Retry". */
export const MAX_INSECURE_RETRIES = 3;
/** Every redial waits at least this long, plus up to {@link REDIAL_JITTER_MS} at random. */
export const REDIAL_BASE_MS = 1000;
export const REDIAL_JITTER_MS = 2000;
/** Added per secure-session failure in a row. */
export const REDIAL_INSECURE_STEP_MS = 2000;

export interface RedialState {
  /** Secure-session failures in a row, per conversation. */
  readonly insecure: ReadonlyMap<string, number>;
  /** Conversations with a redial timer armed, and the display name to dial. */
  readonly armed: ReadonlyMap<string, string>;
}

export type RedialEvent =
  /** A link ended (`failure` null for a normal close). `random` in [0, 1) picks the jitter. */
  | { type: 'ended'; conv: string; peerName: string; failure: LinkFailure | null; random: number }
  /** A conversation's timer fired. */
  | { type: 'timer-fired'; conv: string }
  /** A secure session came up, or the person asked to retry: a fresh budget. */
  | { type: 'reset'; conv: string }
  /** Logged out: forget everything. */
  | { type: 'clear' };

export type RedialEffect =
  /** (Re)arm the conversation's timer: an armed one is replaced. */
  | { type: 'set-timer'; conv: string; ms: number }
  | { type: 'clear-all-timers' }
  /** Dial now if the contact is still wanted. */
  | { type: 'redial'; conv: string; peerName: string };

export interface RedialStep {
  state: RedialState;
  effects: RedialEffect[];
}

export function initialRedialState(): RedialState {
  return { insecure: new Map(), armed: new Map() };
}

/** False once secure retries ran out for this contact (until reset). */
export function redialAllowed(state: RedialState, conv: string): boolean {
  return (state.insecure.get(conv) ?? 0) < MAX_INSECURE_RETRIES;
}

export function stepRedial(state: RedialState, event: RedialEvent): RedialStep {
  switch (event.type) {
    case 'ended': {
      if (event.failure === 'key-changed') return { state, effects: [] };
      let extra = 0;
      let insecure = state.insecure;
      if (event.failure === 'insecure' || event.failure === 'no-key') {
        const streak = (state.insecure.get(event.conv) ?? 0) + 1;
        insecure = withEntry(state.insecure, event.conv, streak);
        if (streak >= MAX_INSECURE_RETRIES) return { state: { ...state, insecure }, effects: [] };
        extra = REDIAL_INSECURE_STEP_MS * streak;
      }
      const ms = REDIAL_BASE_MS + event.random * REDIAL_JITTER_MS + extra;
      return {
        state: { insecure, armed: withEntry(state.armed, event.conv, event.peerName) },
        effects: [{ type: 'set-timer', conv: event.conv, ms }],
      };
    }
    case 'timer-fired': {
      const peerName = state.armed.get(event.conv);
      if (peerName === undefined) return { state, effects: [] };
      return { state: { ...state, armed: without(state.armed, event.conv) }, effects: [{ type: 'redial', conv: event.conv, peerName }] };
    }
    case 'reset':
      if (!state.insecure.has(event.conv)) return { state, effects: [] };
      return { state: { ...state, insecure: without(state.insecure, event.conv) }, effects: [] };
    case 'clear':
      return { state: initialRedialState(), effects: [{ type: 'clear-all-timers' }] };
  }
}

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): Map<string, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

function without<V>(map: ReadonlyMap<string, V>, key: string): Map<string, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}
