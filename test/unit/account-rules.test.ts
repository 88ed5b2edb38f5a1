import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkPassword, checkUsername, usernameKey } from '../../shared/account-rules';
import { ERROR_CODES, isErrorCode } from '../../shared/errors';
import { describeError } from '../../web/src/l10n/error-text';
import { LIMITS } from '../../shared/limits';

describe('checkUsername', () => {
  test('accepts 3 to 32 letters, digits, _ . -', () => {
    for (const ok of ['abc', 'Alice', 'bob_99', 'a.b-c', '___', '0123456789', 'x'.repeat(LIMITS.usernameMax), 'A-Z.a_z']) {
      assert.equal(checkUsername(ok), null, ok);
    }
  });

  test('refuses too short, too long, other characters and non-strings', () => {
    const bad: unknown[] = ['', 'ab', 'x'.repeat(LIMITS.usernameMax + 1), 'has space', 'tab\tname', 'semi;colon', 'at@sign', 'slash/name', 'émile', 'Ωmega', 'emoji😀x', 'new\nline', 'abc\u0000', undefined, null, 42, ['abc'], { name: 'abc' }];
    for (const name of bad) assert.equal(checkUsername(name), 'INVALID_USERNAME', JSON.stringify(name));
  });
});

describe('checkPassword', () => {
  test('at least 8 characters, counted as code points', () => {
    assert.equal(checkPassword('12345678'), null);
    assert.equal(checkPassword('1234567'), 'PASSWORD_TOO_SHORT');
    assert.equal(checkPassword(''), 'PASSWORD_TOO_SHORT');
    // Four emoji are 8 UTF-16 units but 4 characters: too short.
    assert.equal(checkPassword('😀😀😀😀'), 'PASSWORD_TOO_SHORT');
    assert.equal(checkPassword('😀😀😀😀😀😀😀😀'), null);
    assert.equal(checkPassword('pass word with spaces'), null);
  });

  test(`at most ${LIMITS.passwordMax} UTF-16 units`, () => {
    assert.equal(checkPassword('p'.repeat(LIMITS.passwordMax)), null);
    assert.equal(checkPassword('p'.repeat(LIMITS.passwordMax + 1)), 'PASSWORD_TOO_LONG');
  });

  test('non-strings are refused', () => {
    for (const pw of [undefined, null, 12345678, ['12345678']]) assert.equal(checkPassword(pw), 'PASSWORD_TOO_SHORT');
  });
});

describe('usernameKey', () => {
  test('is case-insensitive and idempotent', () => {
    assert.equal(usernameKey('Alice'), 'alice');
    assert.equal(usernameKey('ALICE'), usernameKey('alice'));
    assert.equal(usernameKey(usernameKey('MiXeD.Case-1')), 'mixed.case-1');
    assert.notEqual(usernameKey('alice'), usernameKey('alice_'));
  });
});

describe('error codes', () => {
  test('every code has its own human sentence; unknown codes get a generic one', () => {
    const sentences = new Set<string>();
    for (const code of ERROR_CODES) {
      assert.ok(isErrorCode(code));
      const s = describeError(code);
      assert.match(s, /^[A-Z].{10,}$/, code);
      assert.ok(!s.includes(code), 'the sentence is not the code');
      sentences.add(s);
    }
    assert.equal(sentences.size, ERROR_CODES.length);
    assert.equal(isErrorCode('NOPE'), false);
    assert.equal(describeError('NOPE'), 'Something went wrong. Try again.');
  });

  test('the codes the protocol documents exist', () => {
    for (const code of ['USER_EXISTS', 'UNKNOWN_USER', 'BAD_PASSWORD', 'INVALID_USERNAME', 'PASSWORD_TOO_SHORT', 'NOT_LOGGED_IN', 'PEER_OFFLINE', 'RATE_LIMITED', 'BAD_MESSAGE']) {
      assert.ok(isErrorCode(code), code);
    }
  });
});
