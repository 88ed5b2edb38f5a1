import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as v from 'valibot';
import { typeVariant } from '../../shared/type-variant';

describe('typeVariant', () => {
  const options = [
    v.object({ type: v.literal('a'), n: v.pipe(v.number(), v.integer()) }),
    v.object({ type: v.literal('b'), s: v.pipe(v.string(), v.maxLength(3)), inner: v.optional(v.object({ type: v.literal('x') })) }),
    v.strictObject({ type: v.literal('c') }),
  ] as const;
  const fast = typeVariant(options);
  const slow = v.variant('type', options);

  test('accepts and refuses exactly what v.variant does, with the same output', () => {
    const inputs: unknown[] = [
      { type: 'a', n: 1 },
      { type: 'a', n: 1.5 },
      { type: 'a', n: 1, extra: 'dropped' },
      { type: 'b', s: 'abc' },
      { type: 'b', s: 'abcd' },
      { type: 'b', s: 'ab', inner: { type: 'y' } },
      { type: 'c' },
      { type: 'c', more: 1 },
      { type: 'd' },
      { type: '__proto__' },
      { type: 'constructor' },
      { n: 1 },
      [],
      null,
      'a',
      42,
    ];
    for (const input of inputs) {
      const f = v.safeParse(fast, input);
      const s = v.safeParse(slow, input);
      assert.equal(f.success, s.success, JSON.stringify(input));
      if (s.success) assert.deepEqual(f.output, s.output, JSON.stringify(input));
    }
  });

  test('refuses options without their own literal type', () => {
    assert.throws(() => typeVariant([v.object({ type: v.literal('a') }), v.object({ type: v.literal('a') })]));
  });
});
