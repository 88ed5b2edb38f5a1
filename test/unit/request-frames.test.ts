import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientMsg, parseServerMsg } from '../../shared/signal-protocol';
import { LIMITS } from '../../shared/limits';

describe('request frames', () => {
  test('client request: to and a base64url box; a client-supplied from is dropped', () => {
    assert.deepEqual(parseClientMsg(JSON.stringify({ type: 'request', to: 'bob', box: 'abc_-9', from: 'alice' })), { type: 'request', to: 'bob', box: 'abc_-9' });
    assert.deepEqual(parseClientMsg({ type: 'request', to: 'bob', box: 'a'.repeat(LIMITS.maxRequestBoxChars) })?.type, 'request');
  });

  test('refused: empty, too large, not base64url, missing fields', () => {
    for (const bad of [
      { type: 'request', to: 'bob', box: '' },
      { type: 'request', to: 'bob', box: 'a'.repeat(LIMITS.maxRequestBoxChars + 1) },
      { type: 'request', to: 'bob', box: 'a+b/c=' },
      { type: 'request', to: 'bob' },
      { type: 'request', box: 'abc' },
      { type: 'request', to: '', box: 'abc' },
      { type: 'request', to: 'bob', box: 42 },
    ]) {
      assert.equal(parseClientMsg(bad), null, JSON.stringify(bad).slice(0, 80));
    }
  });

  test('server request: from and box', () => {
    assert.deepEqual(parseServerMsg({ type: 'request', from: 'Carol', box: 'xyz' }), { type: 'request', from: 'Carol', box: 'xyz' });
    assert.equal(parseServerMsg({ type: 'request', box: 'xyz' }), null);
    assert.equal(parseServerMsg({ type: 'request', from: 'Carol', box: 'x'.repeat(LIMITS.maxRequestBoxChars + 1) }), null);
  });
});
