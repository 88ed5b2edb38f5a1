// The signal-server connection machine (shared/session/signal-connection-machine.ts): login,
// resume with the token after a drop, backoff with an injected clock and jitter, refusals.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runSteps } from './support/machine';
import {
  BACKOFF_MS,
  initialSignalState,
  stepSignal,
  type SignalEffect,
  type SignalEvent,
  type SignalState,
} from '../../shared/session/signal-connection-machine';
import { PROTOCOL_VERSION, type ServerMsg } from '../../shared/index';

const NOW = 1_700_000_000_000;
const AT = { now: NOW, random: 0.5 };
const LOGIN = { kind: 'login', username: 'alice', password: 'correct horse' } as const;
const WELCOME: ServerMsg = { type: 'welcome', v: PROTOCOL_VERSION, username: 'Alice', token: 't'.repeat(43), expiresAt: NOW + 1e9, iceServers: [] };

function from(state: SignalState, ...events: SignalEvent[]): { state: SignalState; effects: SignalEffect[] } {
  return runSteps(stepSignal, state, events);
}
const run = (...events: SignalEvent[]) => from(initialSignalState(), ...events);
const types = (effects: SignalEffect[]) => effects.map((e) => e.type);
const states = (effects: SignalEffect[]) => effects.flatMap((e) => (e.type === 'state' ? [e.state] : []));

/** Logged in and online. */
const online = run({ type: 'authenticate', req: LOGIN, socketOpen: false }, { type: 'socket-opened' }, { type: 'server-msg', msg: WELCOME, ...AT }).state;

describe('signal connection machine: login', () => {
  test('login opens a socket, sends the auth frame once open, and goes online on welcome', () => {
    const { state, effects } = run(
      { type: 'authenticate', req: LOGIN, socketOpen: false },
      { type: 'socket-opened' },
      { type: 'server-msg', msg: WELCOME, ...AT },
    );
    assert.equal(state.connection, 'online');
    assert.equal(state.session?.username, 'Alice');
    assert.equal(state.pending, null);
    assert.deepEqual(types(effects), ['clear-timer', 'state', 'open-socket', 'send-auth', 'store-session', 'state', 'session', 'message']);
    assert.deepEqual(states(effects), ['connecting', 'online']);
    assert.deepEqual(effects.find((e) => e.type === 'store-session'), { type: 'store-session', session: { username: 'Alice', token: 't'.repeat(43) } });
  });

  test('on an open socket the auth frame goes at once', () => {
    const { effects } = run({ type: 'authenticate', req: LOGIN, socketOpen: true });
    assert.deepEqual(effects, [{ type: 'clear-timer' }, { type: 'send-auth', req: LOGIN }]);
  });

  test('a refused login goes back to the form with the wire code', () => {
    const { state, effects } = run(
      { type: 'authenticate', req: LOGIN, socketOpen: false },
      { type: 'server-msg', msg: { type: 'error', code: 'BAD_PASSWORD' }, ...AT },
    );
    assert.equal(state.connection, 'logged-out');
    assert.deepEqual(effects.at(-1), { type: 'auth-error', code: 'BAD_PASSWORD' });
    assert.ok(!types(effects).includes('message'));
  });

  test('a login whose socket closes before any answer goes back to the form with a code, without retrying', () => {
    const { state, effects } = run({ type: 'authenticate', req: LOGIN, socketOpen: false }, { type: 'socket-closed', ...AT });
    assert.equal(state.connection, 'logged-out');
    assert.equal(state.pending, null);
    assert.deepEqual(effects.at(-1), { type: 'auth-error', code: 'SERVER_BUSY' });
    assert.ok(!types(effects).includes('set-timer'));
  });

  test('without an identity key no auth frame is sent: logged out, socket closed', () => {
    const { state, effects } = run({ type: 'authenticate', req: LOGIN, socketOpen: false }, { type: 'identity-missing' });
    assert.equal(state.connection, 'logged-out');
    assert.deepEqual(types(effects).slice(-2), ['close-socket', 'state']);
  });
});

describe('signal connection machine: reconnect', () => {
  test('a dropped socket retries with backoff and resumes with the token', () => {
    const dropped = from(online, { type: 'socket-closed', now: NOW, random: 0.5 });
    assert.equal(dropped.state.connection, 'reconnecting');
    assert.deepEqual(dropped.state.pending, { kind: 'resume', token: 't'.repeat(43) });
    assert.equal(dropped.state.nextRetryAt, NOW + BACKOFF_MS[0]!);
    assert.deepEqual(dropped.effects.at(-1), { type: 'set-timer', ms: BACKOFF_MS[0] });
    const reopened = from(dropped.state, { type: 'retry-timer' }, { type: 'socket-opened' });
    assert.deepEqual(types(reopened.effects), ['open-socket', 'send-auth']);
    const back = from(reopened.state, { type: 'server-msg', msg: WELCOME, ...AT });
    assert.equal(back.state.connection, 'online');
    assert.equal(back.state.attempt, 0);
  });

  test('backoff grows per attempt up to its last step, jittered by ±25 %', () => {
    let state = from(online, { type: 'socket-closed', ...AT }).state;
    const delays: number[] = [];
    for (let i = 0; i < BACKOFF_MS.length + 2; i++) {
      const r = from(state, { type: 'retry-timer' }, { type: 'socket-closed', now: NOW, random: 0 });
      state = r.state;
      for (const e of r.effects) if (e.type === 'set-timer') delays.push(e.ms);
    }
    const last = BACKOFF_MS[BACKOFF_MS.length - 1]!;
    assert.deepEqual(delays, [...BACKOFF_MS.slice(1), last, last, last].map((b) => Math.round(b * 0.75)));
    const high = from(online, { type: 'socket-closed', now: NOW, random: 0.999999 }).effects.at(-1);
    assert.deepEqual(high, { type: 'set-timer', ms: Math.round(BACKOFF_MS[0]! * 1.25) });
  });

  test('a transient refusal of a resume keeps the session and retries', () => {
    const dropped = from(online, { type: 'socket-closed', ...AT }, { type: 'retry-timer' }, { type: 'socket-opened' }).state;
    for (const code of ['SERVER_BUSY', 'RATE_LIMITED', 'INTERNAL', 'TOO_MANY_SESSIONS'] as const) {
      const r = from(dropped, { type: 'server-msg', msg: { type: 'error', code }, ...AT });
      assert.equal(r.state.connection, 'reconnecting', code);
      assert.ok(r.state.session, code);
      assert.ok(types(r.effects).includes('set-timer'), code);
      assert.ok(!types(r.effects).includes('auth-error'), code);
    }
  });

  test('a resume refused for its token forgets the stored session', () => {
    const dropped = from(online, { type: 'socket-closed', ...AT }, { type: 'retry-timer' }).state;
    const r = from(dropped, { type: 'server-msg', msg: { type: 'error', code: 'BAD_TOKEN' }, ...AT });
    assert.equal(r.state.connection, 'logged-out');
    assert.equal(r.state.session, null);
    assert.deepEqual(types(r.effects), ['store-session', 'state', 'auth-error']);
    assert.deepEqual(r.effects[0], { type: 'store-session', session: null });
  });

  test('retry now skips the wait only while reconnecting', () => {
    assert.deepEqual(from(online, { type: 'retry-now' }).effects, []);
    const dropped = from(online, { type: 'socket-closed', ...AT }).state;
    assert.deepEqual(types(from(dropped, { type: 'retry-now' }).effects), ['clear-timer', 'open-socket']);
  });

  test('a socket that cannot be created is retried', () => {
    const r = run({ type: 'authenticate', req: { kind: 'resume', token: 'x' }, socketOpen: false }, { type: 'open-failed', ...AT });
    assert.equal(r.state.connection, 'reconnecting');
    assert.ok(types(r.effects).includes('set-timer'));
  });
});

describe('signal connection machine: online', () => {
  test('server frames pass through, errors included', () => {
    const presence: ServerMsg = { type: 'presence', online: ['bob'] };
    const offline: ServerMsg = { type: 'error', code: 'PEER_OFFLINE', to: 'bob' };
    const r = from(online, { type: 'server-msg', msg: presence, ...AT }, { type: 'server-msg', msg: offline, ...AT });
    assert.deepEqual(r.effects, [{ type: 'message', msg: presence }, { type: 'message', msg: offline }]);
    assert.equal(r.state, online);
  });

  test('logout says goodbye on the socket, forgets the session and closes', () => {
    const r = from(online, { type: 'logout' });
    assert.equal(r.state.connection, 'logged-out');
    assert.equal(r.state.session, null);
    assert.deepEqual(types(r.effects), ['send', 'store-session', 'clear-timer', 'close-socket', 'state']);
    const closed = from(r.state, { type: 'socket-closed', ...AT });
    assert.deepEqual(closed.effects, [], 'no reconnect after logout');
  });

  test('logging out while not online sends nothing', () => {
    const dropped = from(online, { type: 'socket-closed', ...AT }).state;
    assert.ok(!types(from(dropped, { type: 'logout' }).effects).includes('send'));
  });

  test('the server logging us out resets like a logout', () => {
    const r = from(online, { type: 'server-msg', msg: { type: 'logged-out' }, ...AT });
    assert.equal(r.state.connection, 'logged-out');
    assert.deepEqual(types(r.effects), ['store-session', 'clear-timer', 'close-socket', 'state']);
  });
});
