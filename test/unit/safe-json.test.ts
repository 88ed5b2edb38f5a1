import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { safeJsonParse } from '../../shared/json';

describe('safeJsonParse', () => {
  test('plain documents parse (the fast path), malformed ones are undefined', () => {
    assert.deepEqual(safeJsonParse('{"type":"signal","data":{"sdp":"v=0\\r\\n"}}'), { type: 'signal', data: { sdp: 'v=0\r\n' } });
    assert.equal(safeJsonParse('{"a":'), undefined);
    assert.equal(safeJsonParse(''), undefined);
  });

  test('prototype-pollution keys are refused anywhere, spelled out or escaped', () => {
    for (const bad of [
      '{"__proto__":{"x":1}}',
      '{"a":[{"b":{"constructor":{"prototype":{}}}}]}',
      '{"prototype":1}',
      '{"\\u005f_proto__":{}}',
      '{"a":{"\\u0063onstructor":1}}',
      '{"pro\\u0074otype":1}',
    ]) {
      assert.equal(safeJsonParse(bad), undefined, bad);
    }
  });

  test('the words in values, and other escapes, are fine', () => {
    assert.deepEqual(safeJsonParse('{"text":"a constructor and a prototype of __proto__"}'), { text: 'a constructor and a prototype of __proto__' });
    assert.deepEqual(safeJsonParse('{"t":"caf\\u00e9 \\\\u"}'), { t: 'café \\u' });
    assert.deepEqual(safeJsonParse('{"a\\/b":"\\"q\\""}'), { 'a/b': '"q"' });
  });
});

describe('safeJsonParse on deep documents', () => {
  test('a document nested far deeper than the call stack allows is walked, not crashed on', () => {
    const depth = 200_000;
    const deep = '['.repeat(depth) + '{"__proto__":1}' + ']'.repeat(depth);
    assert.equal(safeJsonParse(deep), undefined);
    const fine = '['.repeat(depth) + '{"a":1}' + ']'.repeat(depth);
    let v = safeJsonParse(fine);
    for (let i = 0; i < depth; i++) v = (v as unknown[])[0];
    assert.deepEqual(v, { a: 1 });
  });
});
