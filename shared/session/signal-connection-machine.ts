/**
 * The browser's connection to the signal server, as a pure state machine: one WebSocket,
 * reconnected with backoff, resumed with the session token. State and event in, new state and
 * effects out; the clock and the jitter come in with the events, the socket, the timer and
 * localStorage are the runner's (web/src/net/signal-client.ts).
 *
 *   logged-out ──authenticate──▶ connecting ──welcome──▶ online
 *   online ──socket closed──▶ reconnecting ──(timer: reopen, resume)──▶ online
 *   connecting ──refused / never reached the server──▶ logged-out (+ auth-error)
 *
 * A session that was online is resumed with its token whenever the socket comes back; a resume
 * refused for a transient reason (busy, rate-limited, internal) keeps the session and retries.
 */
import type { ErrorCode } from '../errors';
import type { ClientMsg, IceServer, ServerMsg } from '../signal-protocol';

export type ConnectionState =
  /** No session and not trying to get one: the login form shows. */
  | 'logged-out'
  /** Socket opening or credentials in flight. */
  | 'connecting'
  | 'online'
  /** Lost the server; retrying on a timer. */
  | 'reconnecting';

export interface Session {
  username: string;
  token: string;
  expiresAt: number;
  iceServers: IceServer[];
}

/** What the device keeps to resume without a password. */
export interface StoredSession {
  username: string;
  token: string;
}

export type AuthRequest =
  | { kind: 'login' | 'register'; username: string; password: string }
  | { kind: 'resume'; token: string };

export interface SignalState {
  readonly connection: ConnectionState;
  readonly session: Session | null;
  /** The auth frame to send once the socket is open (null when none is wanted). */
  readonly pending: AuthRequest | null;
  /** Reconnect attempts since the last success (picks the backoff step). */
  readonly attempt: number;
  /** When the next reconnect attempt happens (ms since epoch), while reconnecting. */
  readonly nextRetryAt: number;
}

/** Clock and jitter for events that may schedule a reconnect. */
export interface RetryInput {
  /** ms since epoch. */
  now: number;
  /** In [0, 1): picks the jitter. */
  random: number;
}

export type SignalEvent =
  /** Start a login, registration or resume. `socketOpen`: the current socket is open. */
  | { type: 'authenticate'; req: AuthRequest; socketOpen: boolean }
  /** The person logs out. */
  | { type: 'logout' }
  /** Drop the session locally, without reconnecting. */
  | { type: 'reset' }
  /** The "Retry now" button. */
  | { type: 'retry-now' }
  /** The reconnect timer fired. */
  | { type: 'retry-timer' }
  | { type: 'socket-opened' }
  /** The WebSocket could not even be created. */
  | ({ type: 'open-failed' } & RetryInput)
  /** The current socket closed (or never opened). */
  | ({ type: 'socket-closed' } & RetryInput)
  /** The identity key to publish is unavailable: no auth frame can be sent. */
  | { type: 'identity-missing' }
  /** A valid frame from the server. */
  | ({ type: 'server-msg'; msg: ServerMsg } & RetryInput);

export type SignalEffect =
  /** Close the current socket (without reacting to its close) and open a new one. */
  | { type: 'open-socket' }
  /** Close the current socket without reacting to its close. */
  | { type: 'close-socket' }
  /** Send this auth frame once the identity key is known (if the socket and request still stand). */
  | { type: 'send-auth'; req: AuthRequest }
  /** Send a frame if the socket is open. */
  | { type: 'send'; msg: ClientMsg }
  | { type: 'set-timer'; ms: number }
  | { type: 'clear-timer' }
  | { type: 'store-session'; session: StoredSession | null }
  /** Tell listeners the connection state changed. */
  | { type: 'state'; state: ConnectionState }
  /** Tell listeners a session started (welcome). */
  | { type: 'session'; session: Session }
  /** A login/register/resume attempt failed; the form shows the sentence for `code`. */
  | { type: 'auth-error'; code: ErrorCode }
  /** Pass a server frame on (presence, signals, lookups, …). */
  | { type: 'message'; msg: ServerMsg };

export interface SignalStep {
  state: SignalState;
  effects: SignalEffect[];
}

/** Reconnect delays, by attempt (the last one repeats), each jittered by ±25 %. */
export const BACKOFF_MS: readonly number[] = [500, 1000, 2000, 4000, 8000, 15000];

/**
 * Refusals of a resume that say nothing about the token: keep the session and retry with backoff
 * (TOO_MANY_SESSIONS: another of this account's tabs or devices may close meanwhile).
 */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['SERVER_BUSY', 'RATE_LIMITED', 'INTERNAL', 'TOO_MANY_SESSIONS']);

export function initialSignalState(): SignalState {
  return { connection: 'logged-out', session: null, pending: null, attempt: 0, nextRetryAt: 0 };
}

export function stepSignal(s: SignalState, event: SignalEvent): SignalStep {
  switch (event.type) {
    case 'authenticate': {
      const next: SignalState = { ...s, pending: event.req, attempt: 0 };
      if (event.socketOpen) return { state: next, effects: [{ type: 'clear-timer' }, { type: 'send-auth', req: event.req }] };
      const connection = s.session ? 'reconnecting' : 'connecting';
      return { state: { ...next, connection }, effects: [{ type: 'clear-timer' }, ...stateChange(s, connection), { type: 'open-socket' }] };
    }
    case 'logout': {
      const bye: SignalEffect[] = s.connection === 'online' ? [{ type: 'send', msg: { type: 'logout' } }] : [];
      const next = reset(s);
      return { state: next.state, effects: [...bye, ...next.effects] };
    }
    case 'reset':
      return reset(s);
    case 'retry-now':
      if (s.connection !== 'reconnecting') return { state: s, effects: [] };
      return { state: s, effects: [{ type: 'clear-timer' }, { type: 'open-socket' }] };
    case 'retry-timer':
      return { state: s, effects: [{ type: 'open-socket' }] };
    case 'socket-opened':
      return { state: s, effects: s.pending ? [{ type: 'send-auth', req: s.pending }] : [] };
    case 'open-failed':
      return scheduleRetry(s, event);
    case 'socket-closed':
      if (s.connection === 'logged-out') return { state: s, effects: [] };
      // Had a session: resume it when the server is back.
      if (s.session) return scheduleRetry({ ...s, pending: { kind: 'resume', token: s.session.token } }, event);
      if (s.pending?.kind === 'resume') return scheduleRetry(s, event);
      // A login attempt that never reached the server: tell the form.
      return {
        state: { ...s, pending: null, connection: 'logged-out' },
        effects: [...stateChange(s, 'logged-out'), { type: 'auth-error', code: 'SERVER_BUSY' }],
      };
    case 'identity-missing':
      return { state: { ...s, pending: null, connection: 'logged-out' }, effects: [{ type: 'close-socket' }, ...stateChange(s, 'logged-out')] };
    case 'server-msg':
      return onServerMsg(s, event);
  }
}

function onServerMsg(s: SignalState, event: { msg: ServerMsg } & RetryInput): SignalStep {
  const msg = event.msg;
  if (msg.type === 'welcome') {
    const session: Session = { username: msg.username, token: msg.token, expiresAt: msg.expiresAt, iceServers: msg.iceServers };
    return {
      state: { ...s, session, pending: null, attempt: 0, connection: 'online' },
      effects: [
        { type: 'store-session', session: { username: msg.username, token: msg.token } },
        ...stateChange(s, 'online'),
        { type: 'session', session },
        { type: 'message', msg },
      ],
    };
  }
  if (msg.type === 'error' && s.connection !== 'online' && s.pending) {
    const wasResume = s.pending.kind === 'resume';
    if (wasResume && TRANSIENT.has(msg.code)) return scheduleRetry(s, event);
    const forget: SignalEffect[] = wasResume ? [{ type: 'store-session', session: null }] : [];
    return {
      state: { ...s, pending: null, session: wasResume ? null : s.session, connection: 'logged-out' },
      effects: [...forget, ...stateChange(s, 'logged-out'), { type: 'auth-error', code: msg.code }],
    };
  }
  if (msg.type === 'logged-out') return reset(s);
  return { state: s, effects: [{ type: 'message', msg }] };
}

function reset(s: SignalState): SignalStep {
  return {
    state: { ...s, session: null, pending: null, connection: 'logged-out' },
    effects: [{ type: 'store-session', session: null }, { type: 'clear-timer' }, { type: 'close-socket' }, ...stateChange(s, 'logged-out')],
  };
}

function scheduleRetry(s: SignalState, input: RetryInput): SignalStep {
  const base = BACKOFF_MS[Math.min(s.attempt, BACKOFF_MS.length - 1)] ?? 15000;
  const ms = Math.round(base * (0.75 + input.random * 0.5));
  return {
    state: { ...s, attempt: s.attempt + 1, nextRetryAt: input.now + ms, connection: 'reconnecting' },
    effects: [...stateChange(s, 'reconnecting'), { type: 'clear-timer' }, { type: 'set-timer', ms }],
  };
}

function stateChange(s: SignalState, to: ConnectionState): SignalEffect[] {
  return s.connection === to ? [] : [{ type: 'state', state: to }];
}
