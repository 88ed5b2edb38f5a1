// The secure-session lifecycle machine (shared/session/secure-session-machine.ts): key lookup and
// channel open in either order, early frames, deadline, failures reported once, quiet close.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runSteps } from './support/machine';
import {
  DEFAULT_SESSION_DEADLINE_MS,
  MAX_EARLY_FRAMES,
  failureOfChannelError,
  initialSessionState,
  stepSession,
  type SessionEffect,
  type SessionEvent,
  type SessionState,
} from '../../shared/session/secure-session-machine';

const KEY = new Uint8Array([1, 2, 3]);
const FP = { local: 'sha-256 AA', remote: 'sha-256 BB' };

/** Runs events from the initial state; returns the final state and every effect, in order. */
function run(...events: SessionEvent[]): { state: SessionState; effects: SessionEffect[] } {
  return runSteps((s: SessionState, e: SessionEvent) => stepSession(s, e), initialSessionState(), events);
}

const types = (effects: SessionEffect[]): string[] => effects.map((e) => e.type);
const failures = (effects: SessionEffect[]) => effects.filter((e) => e.type === 'failed');

describe('secure session machine: setup', () => {
  test('key known before the channel opens: the handshake starts on open, with the deadline', () => {
    const { state, effects } = run({ type: 'peer-key', key: KEY }, { type: 'channel-open', fingerprints: FP });
    assert.equal(state.phase, 'handshaking');
    assert.deepEqual(effects, [
      { type: 'set-timer', ms: DEFAULT_SESSION_DEADLINE_MS },
      { type: 'start-handshake', peerKey: KEY, fingerprints: FP },
    ]);
  });

  test('channel open first: waits for the key (deadline running), then starts', () => {
    const opened = run({ type: 'channel-open', fingerprints: FP });
    assert.equal(opened.state.phase, 'resolving');
    assert.deepEqual(types(opened.effects), ['set-timer']);
    const r = stepSession(opened.state, { type: 'peer-key', key: KEY });
    assert.equal(r.state.phase, 'handshaking');
    assert.deepEqual(types(r.effects), ['start-handshake']);
  });

  test('the deadline comes from the runner', () => {
    const r = stepSession(initialSessionState(), { type: 'channel-open', fingerprints: FP }, 1234);
    assert.deepEqual(r.effects, [{ type: 'set-timer', ms: 1234 }]);
  });

  test('established clears the deadline and is reported once', () => {
    const { state, effects } = run(
      { type: 'peer-key', key: KEY },
      { type: 'channel-open', fingerprints: FP },
      { type: 'handshake-started' },
      { type: 'established' },
      { type: 'established' },
      { type: 'deadline' },
    );
    assert.equal(state.phase, 'established');
    assert.deepEqual(types(effects), ['set-timer', 'start-handshake', 'clear-timer', 'established']);
  });

  test('a missing fingerprint fails the handshake without starting it', () => {
    const { state, effects } = run({ type: 'peer-key', key: KEY }, { type: 'channel-open', fingerprints: { local: FP.local, remote: null } });
    assert.equal(state.phase, 'failed');
    assert.ok(!types(effects).includes('start-handshake'));
    assert.deepEqual(failures(effects).map((f) => f.type === 'failed' && f.why), ['handshake']);
  });
});

describe('secure session machine: early frames', () => {
  test('frames before the handshake wait, then are replayed in order after our hello', () => {
    const { state, effects } = run(
      { type: 'early-frame', data: 'h1' },
      { type: 'channel-open', fingerprints: FP },
      { type: 'early-frame', data: 'h2' },
      { type: 'peer-key', key: KEY },
      { type: 'handshake-started' },
    );
    assert.equal(state.phase, 'handshaking');
    assert.deepEqual(state.early, []);
    assert.deepEqual(effects.at(-1), { type: 'replay', frames: ['h1', 'h2'] });
    assert.ok(types(effects).indexOf('start-handshake') < types(effects).indexOf('replay'));
  });

  test('more than the allowed number of early frames is a protocol failure', () => {
    const frames: SessionEvent[] = Array.from({ length: MAX_EARLY_FRAMES + 1 }, (_, i) => ({ type: 'early-frame', data: i }));
    const { state, effects } = run(...frames);
    assert.equal(state.phase, 'failed');
    assert.deepEqual(failures(effects), [{ type: 'failed', why: 'protocol', detail: 'too many frames before the handshake' }]);
    assert.deepEqual(state.early, []);
  });

  test('no replay effect when nothing waited', () => {
    const { effects } = run({ type: 'peer-key', key: KEY }, { type: 'channel-open', fingerprints: FP }, { type: 'handshake-started' });
    assert.ok(!types(effects).includes('replay'));
  });
});

describe('secure session machine: failures', () => {
  test('a key failure before the channel opens is reported when it opens', () => {
    const before = run({ type: 'peer-key-failed', why: 'key-changed' });
    assert.equal(before.state.phase, 'idle');
    assert.deepEqual(before.effects, []);
    const r = stepSession(before.state, { type: 'channel-open', fingerprints: FP });
    assert.equal(r.state.phase, 'failed');
    assert.deepEqual(failures(r.effects).map((f) => f.type === 'failed' && f.why), ['key-changed']);
  });

  test('a key failure while resolving fails at once', () => {
    const { state, effects } = run({ type: 'channel-open', fingerprints: FP }, { type: 'peer-key-failed', why: 'unreachable' });
    assert.equal(state.phase, 'failed');
    assert.deepEqual(types(effects), ['set-timer', 'clear-timer', 'failed']);
  });

  test('the deadline fails a session that is not up', () => {
    const { state, effects } = run({ type: 'channel-open', fingerprints: FP }, { type: 'deadline' });
    assert.equal(state.phase, 'failed');
    assert.deepEqual(failures(effects).map((f) => f.type === 'failed' && f.why), ['timeout']);
  });

  test('channel errors map to session failures', () => {
    assert.equal(failureOfChannelError('SEAL_REJECTED'), 'rejected');
    assert.equal(failureOfChannelError('HANDSHAKE_FAILED'), 'handshake');
    assert.equal(failureOfChannelError(null), 'handshake');
    assert.equal(failureOfChannelError('PROTOCOL'), 'protocol');
    assert.equal(failureOfChannelError('CLOSED'), 'protocol');
  });

  test('the first failure is reported once; later events change nothing', () => {
    const { state, effects } = run(
      { type: 'peer-key', key: KEY },
      { type: 'channel-open', fingerprints: FP },
      { type: 'handshake-started' },
      { type: 'channel-error', code: 'HANDSHAKE_FAILED', detail: 'bad sig' },
      { type: 'channel-error', code: 'SEAL_REJECTED', detail: 'x' },
      { type: 'deadline' },
      { type: 'established' },
      { type: 'close' },
    );
    assert.equal(state.phase, 'failed');
    assert.deepEqual(failures(effects), [{ type: 'failed', why: 'handshake', detail: 'bad sig' }]);
    assert.ok(!types(effects).includes('established'));
    assert.ok(!types(effects).includes('closed'));
  });

  test('close ends quietly, and a failure after it is not reported', () => {
    const { state, effects } = run(
      { type: 'peer-key', key: KEY },
      { type: 'channel-open', fingerprints: FP },
      { type: 'close' },
      { type: 'channel-error', code: 'SEAL_REJECTED', detail: 'late' },
      { type: 'deadline' },
    );
    assert.equal(state.phase, 'closed');
    assert.deepEqual(failures(effects), []);
    assert.deepEqual(types(effects).slice(-2), ['clear-timer', 'closed']);
  });

  test('the peer ending its stream closes the session without a failure', () => {
    const { state, effects } = run(
      { type: 'peer-key', key: KEY },
      { type: 'channel-open', fingerprints: FP },
      { type: 'handshake-started' },
      { type: 'established' },
      { type: 'peer-ended' },
    );
    assert.equal(state.phase, 'closed');
    assert.deepEqual(failures(effects), []);
  });

  test('a key is not kept once the session ends', () => {
    const { state } = run({ type: 'peer-key', key: KEY }, { type: 'close' });
    assert.equal(state.peerKey, null);
  });
});
