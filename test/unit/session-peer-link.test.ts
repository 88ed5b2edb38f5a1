// The peer-link lifecycle machine (shared/session/peer-link-machine.ts): ready only after the
// secure session, failure reasons (first wins), DTLS failures told from network ones, teardown.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runSteps } from './support/machine';
import {
  initialLinkState,
  linkFailureOf,
  stepLink,
  type LinkEffect,
  type LinkEvent,
  type LinkMachineState,
} from '../../shared/session/peer-link-machine';

function run(...events: LinkEvent[]): { state: LinkMachineState; effects: LinkEffect[] } {
  return runSteps(stepLink, initialLinkState(), events);
}

const stateEffects = (effects: LinkEffect[]) => effects.flatMap((e) => (e.type === 'state' ? [e.state] : []));
const teardown: LinkEffect['type'][] = ['clear-timer', 'close-session', 'state', 'destroy-transport'];

describe('peer link machine', () => {
  test('channel open stops the connect timer and begins the session; ready once it is verified', () => {
    const opened = run({ type: 'channel-open' });
    assert.equal(opened.state.state, 'connecting');
    assert.deepEqual(opened.effects, [{ type: 'clear-timer' }, { type: 'begin-session' }]);
    const r = stepLink(opened.state, { type: 'session-established' });
    assert.equal(r.state.state, 'ready');
    assert.deepEqual(r.effects, [{ type: 'state', state: 'ready' }]);
  });

  test('a ready link closed by the transport ends closed, without a failure', () => {
    const { state, effects } = run({ type: 'channel-open' }, { type: 'session-established' }, { type: 'transport-closed' });
    assert.equal(state.state, 'closed');
    assert.equal(state.failure, null);
    assert.deepEqual(stateEffects(effects), ['ready', 'closed']);
  });

  test('a transport close while connecting is a network failure, torn down in order', () => {
    const { state, effects } = run({ type: 'transport-closed' });
    assert.equal(state.state, 'failed');
    assert.equal(state.failure, 'network');
    assert.deepEqual(effects.map((e) => e.type), teardown);
  });

  test('the first failure reason wins', () => {
    const { state, effects } = run({ type: 'session-failed', why: 'handshake' }, { type: 'transport-closed' }, { type: 'transport-broken' });
    assert.equal(state.failure, 'insecure');
    assert.deepEqual(stateEffects(effects), ['failed']);
  });

  test('session failures map to link failures', () => {
    assert.equal(linkFailureOf('key-changed'), 'key-changed');
    assert.equal(linkFailureOf('no-key'), 'no-key');
    assert.equal(linkFailureOf('unknown-user'), 'no-key');
    assert.equal(linkFailureOf('unreachable'), 'network');
    for (const why of ['handshake', 'rejected', 'protocol', 'timeout'] as const) assert.equal(linkFailureOf(why), 'insecure');
  });

  test('a key problem before the channel opens ends the attempt; after it, the session reports it', () => {
    assert.equal(run({ type: 'peer-key-failed', why: 'key-changed' }).state.failure, 'key-changed');
    const later = run({ type: 'channel-open' }, { type: 'peer-key-failed', why: 'key-changed' });
    assert.equal(later.state.state, 'connecting');
  });

  test('an unanswered key lookup is left to the session deadline', () => {
    assert.equal(run({ type: 'peer-key-failed', why: 'unreachable' }).state.state, 'connecting');
  });

  test('a connection failure after ICE connected but before the channel opened is a DTLS failure: insecure', () => {
    const err: LinkEvent = { type: 'transport-error', sctpFailed: false, connectionFailure: true };
    assert.equal(run({ type: 'ice-connected' }, err).state.failure, 'insecure');
    assert.equal(run(err).state.failure, 'network', 'ICE never connected');
    assert.equal(run({ type: 'ice-connected' }, { type: 'channel-open' }, err).state.failure, 'network', 'channel was open');
    assert.equal(run({ type: 'transport-error', sctpFailed: true, connectionFailure: false }).state.failure, 'insecure');
    assert.equal(run({ type: 'ice-connected' }, { type: 'transport-error', sctpFailed: false, connectionFailure: false }).state.failure, 'network');
  });

  test('the connect timeout fails only a link still connecting', () => {
    assert.equal(run({ type: 'connect-timeout' }).state.failure, 'network');
    const ready = run({ type: 'channel-open' }, { type: 'session-established' }, { type: 'connect-timeout' });
    assert.equal(ready.state.state, 'ready');
  });

  test('destroy: the owner picks the end state; repeated destroys only tear down again', () => {
    const { state, effects } = run({ type: 'destroy', as: 'failed' }, { type: 'destroy', as: 'closed' });
    assert.equal(state.state, 'failed');
    assert.equal(state.failure, null);
    assert.deepEqual(stateEffects(effects), ['failed']);
    assert.deepEqual(effects.slice(4).map((e) => e.type), ['clear-timer', 'close-session', 'destroy-transport']);
  });

  test('a session established after the link failed does not revive it', () => {
    const { state, effects } = run({ type: 'connect-timeout' }, { type: 'session-established' });
    assert.equal(state.state, 'failed');
    assert.deepEqual(stateEffects(effects), ['failed']);
  });
});
