// The redial machine (shared/session/redial-machine.ts): delays with injected jitter, the secure
// retry budget, key changes waiting for the person, timers as effects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runSteps } from './support/machine';
import {
  MAX_INSECURE_RETRIES,
  REDIAL_BASE_MS,
  REDIAL_INSECURE_STEP_MS,
  REDIAL_JITTER_MS,
  initialRedialState,
  redialAllowed,
  stepRedial,
  type RedialEffect,
  type RedialEvent,
  type RedialState,
} from '../../shared/session/redial-machine';

function run(...events: RedialEvent[]): { state: RedialState; effects: RedialEffect[] } {
  return runSteps(stepRedial, initialRedialState(), events);
}

const ended = (failure: 'network' | 'insecure' | 'key-changed' | 'no-key' | null, random = 0): RedialEvent => ({
  type: 'ended',
  conv: 'bob',
  peerName: 'Bob',
  failure,
  random,
});

describe('redial machine', () => {
  test('a normal close or a network failure redials after the base delay plus jitter', () => {
    assert.deepEqual(run(ended(null, 0)).effects, [{ type: 'set-timer', conv: 'bob', ms: REDIAL_BASE_MS }]);
    assert.deepEqual(run(ended('network', 0.5)).effects, [{ type: 'set-timer', conv: 'bob', ms: REDIAL_BASE_MS + REDIAL_JITTER_MS / 2 }]);
  });

  test('the timer firing asks the runner to redial, with the display name, once', () => {
    const { effects } = run(ended('network'), { type: 'timer-fired', conv: 'bob' }, { type: 'timer-fired', conv: 'bob' });
    assert.deepEqual(effects.filter((e) => e.type === 'redial'), [{ type: 'redial', conv: 'bob', peerName: 'Bob' }]);
  });

  test('a key change waits for the person', () => {
    const { state, effects } = run(ended('key-changed'));
    assert.deepEqual(effects, []);
    assert.ok(redialAllowed(state, 'bob'));
  });

  test('insecure failures back off, then stop until reset', () => {
    const events = Array.from({ length: MAX_INSECURE_RETRIES }, () => ended('insecure'));
    const { state, effects } = run(...events);
    const delays = effects.map((e) => (e.type === 'set-timer' ? e.ms : -1));
    assert.deepEqual(
      delays,
      Array.from({ length: MAX_INSECURE_RETRIES - 1 }, (_, i) => REDIAL_BASE_MS + REDIAL_INSECURE_STEP_MS * (i + 1)),
    );
    assert.equal(redialAllowed(state, 'bob'), false);
    assert.equal(redialAllowed(state, 'carol'), true);
    const after = stepRedial(state, { type: 'reset', conv: 'bob' });
    assert.equal(redialAllowed(after.state, 'bob'), true);
  });

  test('a missing key counts like an insecure session', () => {
    const { state } = run(...Array.from({ length: MAX_INSECURE_RETRIES }, () => ended('no-key')));
    assert.equal(redialAllowed(state, 'bob'), false);
  });

  test('network failures do not use up the secure budget', () => {
    const { state } = run(ended('insecure'), ended('network'), ended('network'), ended('insecure'));
    assert.equal(redialAllowed(state, 'bob'), true);
  });

  test('clear forgets budgets and armed timers', () => {
    const { state, effects } = run(ended('insecure'), { type: 'clear' }, { type: 'timer-fired', conv: 'bob' });
    assert.equal(state.insecure.size, 0);
    assert.deepEqual(effects.map((e) => e.type), ['set-timer', 'clear-all-timers']);
  });

  test('steps never change the state they were given', () => {
    const before = run(ended('insecure')).state;
    const snapshot = JSON.stringify([[...before.insecure], [...before.armed]]);
    stepRedial(before, ended('insecure'));
    stepRedial(before, { type: 'reset', conv: 'bob' });
    stepRedial(before, { type: 'timer-fired', conv: 'bob' });
    assert.equal(JSON.stringify([[...before.insecure], [...before.armed]]), snapshot);
  });
});
