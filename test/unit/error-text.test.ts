import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_ERROR_CODES, ERROR_CODES, PeerchatError, errorCodeOf, isAppErrorCode } from '../../shared/errors';
import { CANCEL_REASONS, DECLINE_REASONS } from '../../shared/transfer/index';
import { allTransferEndSentences, describeError, describeTransferEnd, explainError } from '../../web/src/l10n/error-text';
import { SECURITY_FAILURE_CODES, SecurityFailure } from '../../web/src/crypto/security-failure';

const ALL_CODES = [...ERROR_CODES, ...CLIENT_ERROR_CODES];

describe('one error vocabulary', () => {
  test('the wire codes and the client codes are disjoint, and every one is an app code', () => {
    assert.equal(new Set(ALL_CODES).size, ALL_CODES.length);
    for (const code of ALL_CODES) assert.ok(isAppErrorCode(code), code);
    assert.equal(isAppErrorCode('NOPE'), false);
  });

  test('every code of every list has its own sentence, never the code itself', () => {
    const sentences = new Map<string, string>();
    for (const code of ALL_CODES) {
      const s = describeError(code);
      assert.match(s, /^[\p{Lu}{].{10,}$/u, `${code}: a sentence`);
      assert.ok(!s.includes(code), `${code}: the sentence is not the code`);
      assert.equal(sentences.get(s), undefined, `${code} and ${sentences.get(s)} share "${s}"`);
      sentences.set(s, code);
    }
    assert.equal(sentences.size, ALL_CODES.length);
  });

  test('unknown codes get the generic sentence', () => {
    assert.equal(describeError('NOPE'), describeError('UNEXPECTED'));
  });

  test('parameters are slotted by name, wherever the sentence puts them', () => {
    assert.equal(describeError('FILE_TOO_LARGE', { name: 'movie.mkv' }), 'movie.mkv is too large to send.');
    assert.equal(describeError('MESSAGE_TOO_LONG', { max: 4000 }), 'Messages can be at most 4000 characters.');
    assert.equal(describeError('SECURE_SESSION_FAILED', { name: 'dave' }), 'Could not set up a secure session with dave.');
    assert.equal(describeError('PEER_KEY_CHANGED', { name: 'bob' }), 'bob’s security key has changed.');
    // Every mention of a name is filled, in any order; unknown names stay visible, not "undefined".
    const explained = explainError('PEER_KEY_CHANGED', { name: 'bob' }) ?? '';
    assert.ok(!explained.includes('{name}') && explained.split('bob').length - 1 === 3, explained);
    assert.equal(describeError('FILE_TOO_LARGE', { other: 'x' }), '{name} is too large to send.');
    // Only `{word}` slots are touched: the sentence text itself is not a template.
    assert.equal(describeError('INVALID_USERNAME', { name: 'x' }), describeError('INVALID_USERNAME'));
  });

  test('every parameter a sentence names is one its origin passes', () => {
    const slots = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
    const allowed = new Set(['name', 'max']);
    for (const code of ALL_CODES) {
      for (const slot of [...slots(describeError(code)), ...slots(explainError(code) ?? '')]) assert.ok(allowed.has(slot), `${code}: {${slot}}`);
    }
  });

  test('errorCodeOf: a PeerchatError’s own code, else UNEXPECTED', () => {
    assert.equal(errorCodeOf(new PeerchatError('STORAGE_FULL')), 'STORAGE_FULL');
    assert.equal(errorCodeOf(new Error('boom')), 'UNEXPECTED');
    assert.equal(errorCodeOf('x'), 'UNEXPECTED');
  });

  test('a security failure carries its code from where it happens', () => {
    for (const [reason, code] of Object.entries(SECURITY_FAILURE_CODES)) {
      const e = new SecurityFailure(reason as keyof typeof SECURITY_FAILURE_CODES);
      assert.ok(e instanceof PeerchatError);
      assert.equal(e.code, code);
      assert.equal(errorCodeOf(e), code);
      assert.ok(isAppErrorCode(code), code);
    }
  });
});

describe('how a file transfer ended', () => {
  test('every cancel and decline reason on the wire has its own sentence', () => {
    const seen = new Set<string>();
    const add = (s: string): void => {
      assert.ok(s.length > 5 && !s.includes('{'), s);
      seen.add(s);
    };
    for (const reason of CANCEL_REASONS) {
      if (reason === 'cancelled') {
        add(describeTransferEnd({ state: 'cancelled', by: null }));
        add(describeTransferEnd({ state: 'cancelled', by: 'alice' }));
      } else {
        add(describeTransferEnd({ state: 'failed', reason }));
      }
    }
    for (const reason of DECLINE_REASONS) {
      add(describeTransferEnd({ state: 'declined', reason, by: null }));
      add(describeTransferEnd({ state: 'declined', reason, by: 'bob' }));
    }
    assert.equal(seen.size, (CANCEL_REASONS.length - 1) + 2 + DECLINE_REASONS.length * 2, 'all distinct');
    assert.equal(new Set(allTransferEndSentences()).size, allTransferEndSentences().length);
  });

  test('who did it, by name', () => {
    assert.equal(describeTransferEnd({ state: 'cancelled', by: null }), 'Cancelled by you');
    assert.equal(describeTransferEnd({ state: 'cancelled', by: 'alice' }), 'Cancelled by alice');
    assert.equal(describeTransferEnd({ state: 'declined', reason: undefined, by: 'bob' }), 'Declined by bob');
    assert.equal(describeTransferEnd({ state: 'declined', reason: 'declined', by: null }), 'Declined');
    assert.equal(describeTransferEnd({ state: 'failed', reason: undefined }), describeTransferEnd({ state: 'failed', reason: 'error' }));
  });
});
